import { type ServiceProcessOptions } from '@runnerly/dev-infra';
import { type StackConfig } from '../config/stack.config';

/** The mail catcher's name in the launcher's output and pid file, as in docker-compose.yml. */
export const MAIL_CATCHER = 'mail';

/**
 * How the launcher runs infra/mail-catcher/mail-catcher.mjs: on the internal host, like the services, and
 * started before them, so that users can send from its first request on. In JSON mode each mail is one JSON
 * line, passed on as it is; in a terminal it is a block of text, so that a link can be clicked or copied whole.
 */
export function mailCatcherProcess(config: StackConfig): Omit<ServiceProcessOptions, 'cwd' | 'onLine'> {
  return {
    name: MAIL_CATCHER,
    entry: config.mailCatcher.entry,
    env: {
      MAIL_CATCHER_SMTP_HOST: config.internalHost,
      MAIL_CATCHER_SMTP_PORT: String(config.mailCatcher.smtpPort),
      MAIL_CATCHER_HTTP_HOST: config.internalHost,
      MAIL_CATCHER_HTTP_PORT: String(config.mailCatcher.httpPort),
      LOG_FORMAT: config.logFormat === 'json' ? 'json' : 'text',
    },
    url: mailCatcherUrl(config),
  };
}

/** Where the caught mails are read (GET /mails) and the launcher probes the catcher's readiness. */
export function mailCatcherUrl(config: StackConfig): string {
  return `http://${config.internalHost}:${config.mailCatcher.httpPort}`;
}

/** users' SMTP_URL on the local stack: the catcher, without TLS or a password (it is on loopback). */
export function mailCatcherSmtpUrl(config: StackConfig): string {
  return `smtp://${config.internalHost}:${config.mailCatcher.smtpPort}`;
}
