import { stackEnvironment } from '@runnerly/dev-infra';
import { type ServiceName } from '@runnerly/platform';
import { type StackConfig } from '../config/stack.config';
import { type GatewayCertificateFiles } from './development-certificates';
import { mailCatcherSmtpUrl } from './mail-catcher';

/**
 * Each service's environment: how the services find each other (stackEnvironment), development mode (so
 * the gateway serves its docs at /docs), its metrics port (on loopback, the default METRICS_HOST), where users
 * sends mail and the origin its links open, and what the launcher passes on from its own environment.
 */
export function serviceEnvironments(
  config: StackConfig,
  databases: Partial<Record<ServiceName, string>>,
  gatewayCertificate?: GatewayCertificateFiles,
): Record<ServiceName, Record<string, string>> {
  const gatewayTls: Record<string, string> = gatewayCertificate
    ? { TLS_CERT_FILE: gatewayCertificate.certFile, TLS_KEY_FILE: gatewayCertificate.keyFile }
    : {};
  const logLevel: Record<string, string> =
    config.logLevel === undefined ? {} : { LOG_LEVEL: config.logLevel };
  const metrics = (service: ServiceName) => ({ METRICS_PORT: String(config.metricsPorts[service]) });
  return stackEnvironment({
    host: config.internalHost,
    ports: config.ports,
    databases,
    redisUrl: config.redisUrl,
    nodeEnv: 'development',
    extra: {
      // users generates its development signing key here on the first start.
      users: {
        DEV_SECRETS_DIR: config.secretsDir,
        SMTP_URL: mailCatcherSmtpUrl(config),
        PUBLIC_ORIGIN: gatewayBrowserUrl(config),
        ...metrics('users'),
        ...logLevel,
        ...config.passedThrough.users,
      },
      runs: { ...metrics('runs'), ...logLevel, ...config.passedThrough.runs },
      gateway: {
        HOST: config.gatewayHost,
        // The one origin whose pages may use the browser session (the web client's cookie routes).
        PUBLIC_ORIGIN: gatewayBrowserUrl(config),
        ...gatewayTls,
        ...metrics('gateway'),
        ...logLevel,
        ...config.passedThrough.gateway,
      },
    },
  });
}

/** Where the launcher probes a service's readiness: a wildcard address is probed on loopback. */
export function serviceUrl(config: StackConfig, service: ServiceName): string {
  const host = service === 'gateway' ? config.gatewayHost : config.internalHost;
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const scheme = service === 'gateway' && config.https ? 'https' : 'http';
  return `${scheme}://${reachable.includes(':') ? `[${reachable}]` : reachable}:${config.ports[service]}`;
}

/** The gateway as a browser on this machine reaches it: what the summary shows and the links in mails open. */
export function gatewayBrowserUrl(config: StackConfig): string {
  return `${config.https ? 'https' : 'http'}://${browserHost(config.gatewayHost)}:${config.ports.gateway}`;
}

/** A wildcard or loopback address is reached as localhost; any other host as it is. */
function browserHost(host: string): string {
  if (['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'].includes(host)) return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
