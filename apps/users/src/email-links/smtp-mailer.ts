import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { UsersConfig } from '../users.config';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Sends mail over SMTP with nodemailer, to the server of SMTP_URL. Timeouts are short, so that a server that
 * accepts the connection and then says nothing holds a dispatcher pass for seconds, not for minutes.
 */
@Injectable()
export class SmtpMailer implements OnApplicationShutdown {
  private readonly transport;

  constructor(config: UsersConfig) {
    this.transport = config.SMTP_URL
      ? createTransport(
          {
            url: config.SMTP_URL,
            connectionTimeout: 10_000,
            greetingTimeout: 10_000,
            socketTimeout: 20_000,
          },
          { from: config.MAIL_FROM },
        )
      : undefined;
  }

  get isConfigured(): boolean {
    return this.transport !== undefined;
  }

  /** Resolves once the SMTP server accepted the mail; rejects otherwise. */
  async send(mail: OutgoingMail): Promise<void> {
    if (!this.transport) throw new Error('SMTP_URL is not set');
    await this.transport.sendMail(mail);
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
