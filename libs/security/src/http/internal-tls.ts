import { type ConnectionOptions } from 'node:tls';
import { Agent } from 'undici';

/** The config fields of a service's calls to other services (BaseServiceConfig declares them). */
export interface InternalTlsConfig {
  INTERNAL_TLS_CA?: string;
  INTERNAL_TLS_CERT?: string;
  INTERNAL_TLS_KEY?: string;
}

/**
 * How a service connects to another over `https://`: TLS 1.3, the peer's certificate checked against
 * INTERNAL_TLS_CA (a private CA, instead of the system's public ones, so only the stack's own servers pass)
 * and against the URL's host name, and INTERNAL_TLS_CERT presented when the peer asks for a client certificate
 * (mutual TLS). Undefined when none is set: the system's CAs, and no client certificate.
 */
export function internalTlsConnectOptions(config: InternalTlsConfig): ConnectionOptions | undefined {
  if (!config.INTERNAL_TLS_CA && !config.INTERNAL_TLS_CERT) return undefined;
  return {
    minVersion: 'TLSv1.3',
    ...(config.INTERNAL_TLS_CA ? { ca: config.INTERNAL_TLS_CA } : {}),
    ...(config.INTERNAL_TLS_CERT ? { cert: config.INTERNAL_TLS_CERT, key: config.INTERNAL_TLS_KEY } : {}),
  };
}

/**
 * `fetch` for calls to other services (the JWKS, the purge call, readiness probes), through one connection
 * pool that uses internalTlsConnectOptions. Plain `fetch` when the config sets none of them.
 */
export function internalFetch(config: InternalTlsConfig): typeof fetch {
  const connect = internalTlsConnectOptions(config);
  if (connect === undefined) return globalThis.fetch;
  const dispatcher = new Agent({ connect });
  // Node's fetch is undici's and takes its dispatcher; the option is not in the DOM types of RequestInit.
  return (input, init) => globalThis.fetch(input, { ...init, dispatcher } as RequestInit);
}
