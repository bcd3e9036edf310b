import { loadStackConfig } from '../config/stack.config';
import { serviceEnvironments, serviceUrl } from './service-environments';

const DATABASES = { users: 'postgresql://users@127.0.0.1/users', runs: 'postgresql://runs@127.0.0.1/runs' };
const environmentsFor = (env: NodeJS.ProcessEnv) =>
  serviceEnvironments(
    loadStackConfig(env, { repoRoot: '/repo', cwd: '/repo', stdoutIsTerminal: false }),
    DATABASES,
  );

describe('serviceEnvironments', () => {
  it('sends the mails of users to the mail catcher, with links that open the gateway', () => {
    expect(environmentsFor({ GATEWAY_PORT: '4000', RUNNERLY_MAIL_SMTP_PORT: '2525' }).users).toMatchObject({
      SMTP_URL: 'smtp://127.0.0.1:2525',
      PUBLIC_ORIGIN: 'http://localhost:4000',
    });
  });

  it('gives every service its own metrics port, on loopback', () => {
    const environments = environmentsFor({ RUNNERLY_USERS_METRICS_PORT: '9201' });

    expect(environments.users.METRICS_PORT).toBe('9201');
    expect(environments.runs.METRICS_PORT).toBe('9102');
    expect(environments.gateway.METRICS_PORT).toBe('9100');
    for (const environment of Object.values(environments))
      expect(environment).not.toHaveProperty('METRICS_HOST');
  });

  it('lets PUBLIC_ORIGIN point the links elsewhere (a web client of its own), and tells no other service', () => {
    const environments = environmentsFor({ PUBLIC_ORIGIN: 'http://localhost:5173' });

    expect(environments.users.PUBLIC_ORIGIN).toBe('http://localhost:5173');
    expect(environments.runs).not.toHaveProperty('PUBLIC_ORIGIN');
    expect(environments.gateway).not.toHaveProperty('SMTP_URL');
  });

  it('with RUNNERLY_HTTPS=1, gives the gateway its certificate files and users links that open it over HTTPS', () => {
    const config = loadStackConfig(
      { RUNNERLY_HTTPS: '1' },
      { repoRoot: '/repo', cwd: '/repo', stdoutIsTerminal: false },
    );
    const certificate = {
      caFile: '/s/tls/ca.pem',
      certFile: '/s/tls/gateway.pem',
      keyFile: '/s/tls/gateway-key.pem',
    };
    const environments = serviceEnvironments(config, DATABASES, certificate);

    expect(environments.gateway).toMatchObject({
      TLS_CERT_FILE: '/s/tls/gateway.pem',
      TLS_KEY_FILE: '/s/tls/gateway-key.pem',
    });
    expect(environments.users.PUBLIC_ORIGIN).toBe('https://localhost:3000');
    expect(environments.users).not.toHaveProperty('TLS_KEY_FILE');
    expect(serviceUrl(config, 'gateway')).toBe('https://127.0.0.1:3000');
    expect(serviceUrl(config, 'users')).toBe('http://127.0.0.1:3001');
  });
});
