import { internalFetch, internalTlsConnectOptions } from './internal-tls';

// The handshakes themselves (a client certificate presented, the server's checked against the CA) run against
// the real `runs` in apps/runs/e2e/mutual-tls.e2e-spec.ts.
describe('internalTlsConnectOptions', () => {
  it('leaves a service without INTERNAL_TLS_* settings on the system CAs, with no client certificate', () => {
    expect(internalTlsConnectOptions({})).toBeUndefined();
  });

  it('trusts INTERNAL_TLS_CA only, over TLS 1.3', () => {
    expect(internalTlsConnectOptions({ INTERNAL_TLS_CA: 'CA' })).toEqual({ minVersion: 'TLSv1.3', ca: 'CA' });
  });

  it('presents INTERNAL_TLS_CERT and its key when a peer asks for a client certificate', () => {
    expect(
      internalTlsConnectOptions({
        INTERNAL_TLS_CA: 'CA',
        INTERNAL_TLS_CERT: 'CERT',
        INTERNAL_TLS_KEY: 'KEY',
      }),
    ).toEqual({ minVersion: 'TLSv1.3', ca: 'CA', cert: 'CERT', key: 'KEY' });
  });
});

describe('internalFetch', () => {
  it('is plain fetch when nothing is configured', () => {
    expect(internalFetch({})).toBe(globalThis.fetch);
  });

  it('sends every call through one connection pool that carries the TLS settings', async () => {
    const fetch = jest.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(null, { status: 204 }));
    const fetchInternal = internalFetch({ INTERNAL_TLS_CA: 'CA' });

    await fetchInternal('https://users:3001/a', { method: 'DELETE' });
    await fetchInternal('https://users:3001/b');

    const [first, second] = fetch.mock.calls.map(([, init]) => init as RequestInit & { dispatcher: object });
    expect(first).toMatchObject({ method: 'DELETE', dispatcher: expect.any(Object) });
    expect(second!.dispatcher).toBe(first!.dispatcher);
  });
});
