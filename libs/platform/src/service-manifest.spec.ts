import {
  calleesOf,
  DATABASE_SERVICES,
  localServiceUrl,
  serviceNamed,
  SERVICES,
  serviceUrlVariable,
  TOKEN_ISSUER,
  UPSTREAMS,
} from './service-manifest';

describe('the service manifest', () => {
  it('names each service once, in a form that is a folder, a compose service, a variable prefix and a database name', () => {
    const names = SERVICES.map(({ name }) => name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9]{1,30}$/);
  });

  it('gives each service its own port', () => {
    const ports = SERVICES.map(({ port }) => port);
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('has one gateway, started last, in front of every other service', () => {
    expect(SERVICES.filter(({ kind }) => kind === 'gateway').map(({ name }) => name)).toEqual(['gateway']);
    expect(SERVICES.at(-1)!.kind).toBe('gateway');
    expect(UPSTREAMS).toEqual(SERVICES.slice(0, -1).map(({ name }) => name));
  });

  it('has one token issuer, started first, behind the gateway', () => {
    expect(SERVICES.filter((service) => 'issuesTokens' in service)).toHaveLength(1);
    expect(SERVICES[0]!.name).toBe(TOKEN_ISSUER);
    expect(UPSTREAMS).toContain(TOKEN_ISSUER);
  });

  it('lets services call only internal services of the manifest', () => {
    for (const service of SERVICES)
      for (const callee of 'calls' in service ? service.calls : []) expect(UPSTREAMS).toContain(callee);
  });

  it("sends the gateway's requests to every internal service, and the others' to the ones they call", () => {
    expect(calleesOf(serviceNamed('gateway'))).toEqual(UPSTREAMS);
    expect(calleesOf(serviceNamed('users'))).toEqual(['runs']);
    expect(calleesOf(serviceNamed('runs'))).toEqual([]);
  });

  it('lists the services that own a database: users and runs among them, never the gateway', () => {
    expect(DATABASE_SERVICES).toEqual(SERVICES.filter(({ database }) => database).map(({ name }) => name));
    expect(DATABASE_SERVICES).toEqual(expect.arrayContaining(['users', 'runs']));
    expect(DATABASE_SERVICES).not.toContain('gateway');
  });

  it('derives environment names and local URLs', () => {
    expect(serviceUrlVariable('users')).toBe('USERS_URL');
    expect(localServiceUrl('runs')).toBe('http://127.0.0.1:3002');
  });
});
