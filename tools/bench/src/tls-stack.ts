import { DevelopmentCa } from '@runnerly/dev-infra';
import { SERVICE_NAMES, type ServiceName } from '@runnerly/platform';

/** Each service's environment, as stackEnvironment builds it. */
type StackEnv = Record<ServiceName, Record<string, string>>;

/** The port of a service's plain-HTTP probe listener: its own port plus this. */
const HEALTH_PORT_OFFSET = 100;

/**
 * The bench's stack with TLS on every hop between its processes, as compose runs it: each service serves HTTPS
 * from a certificate of one private CA, the internal services ask every caller for a certificate of that CA
 * (mutual TLS), and every call between services (proxying, the JWKS, readiness) presents one. The gateway serves
 * HTTPS to the load generator. PostgreSQL stays on plain loopback, as the bench runs it embedded.
 */
export async function withTlsOnEveryHop(env: StackEnv): Promise<{ env: StackEnv; ca: string }> {
  const ca = await DevelopmentCa.create('Runnerly bench CA');
  const secured = {} as StackEnv;
  for (const service of SERVICE_NAMES) {
    const { cert, key } = await ca.issue({
      name: service,
      altNames: ['localhost', '127.0.0.1'],
      usage: 'server and client',
    });
    const https = (url: string) => url.replaceAll('http://', 'https://');
    const urls = Object.fromEntries(
      Object.entries(env[service]).filter(([name]) => name.endsWith('_URL') && name !== 'DATABASE_URL'),
    );
    secured[service] = {
      ...env[service],
      ...Object.fromEntries(Object.entries(urls).map(([name, url]) => [name, https(url)])),
      TLS_CERT: cert,
      TLS_KEY: key,
      ...(service === 'gateway' ? {} : { TLS_CLIENT_CA: ca.cert }),
      INTERNAL_TLS_CA: ca.cert,
      INTERNAL_TLS_CERT: cert,
      INTERNAL_TLS_KEY: key,
      HEALTH_PORT: String(Number(env[service].PORT) + HEALTH_PORT_OFFSET),
    };
  }
  return { env: secured, ca: ca.cert };
}
