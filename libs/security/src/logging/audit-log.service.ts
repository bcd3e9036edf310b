import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AUDIT_OBSERVER, type AuditObserver } from './audit-observer';

/** The security events an operator needs to see, reconstruct an incident from, and alert on. */
export const AuditEvent = {
  Registered: 'auth.registered',
  LoginSucceeded: 'auth.login.succeeded',
  LoginFailed: 'auth.login.failed',
  TokenRefreshed: 'auth.token.refreshed',
  Reauthenticated: 'auth.reauthenticated',
  OidcLoginSucceeded: 'auth.oidc.succeeded',
  OidcLoginFailed: 'auth.oidc.failed',
  OidcIdentityLinked: 'account.oidc.linked',
  SecondFactorFailed: 'auth.mfa.failed',
  RecoveryCodeUsed: 'auth.mfa.recovery_code_used',
  SecondFactorEnabled: 'account.mfa.enabled',
  SecondFactorDisabled: 'account.mfa.disabled',
  RefreshTokenReused: 'auth.refresh_token.reused',
  LoggedOut: 'auth.logged_out',
  TokenRejected: 'auth.token.rejected',
  AccessDenied: 'authz.denied',
  CrossSiteRequestRefused: 'csrf.refused',
  PasswordChanged: 'account.password_changed',
  PasswordResetRequested: 'auth.password_reset.requested',
  PasswordResetCompleted: 'auth.password_reset.completed',
  EmailVerificationRequested: 'account.email_verification.requested',
  EmailVerified: 'account.email_verified',
  EmailLinkRejected: 'auth.email_link.rejected',
  AccountDeleted: 'account.deleted',
  RoleChanged: 'admin.role_changed',
  ServiceTokenIssued: 'oauth.token.issued',
  ServiceTokenDenied: 'oauth.token.denied',
  RateLimited: 'ratelimit.exceeded',
  RunsPurged: 'runs.purged',
} as const;

export type AuditEvent = (typeof AuditEvent)[keyof typeof AuditEvent];

/** Who did what to whom. Never a password, a token or an email address (see `accountFingerprint`). */
export interface AuditDetails {
  userId?: string;
  targetId?: string;
  clientId?: string;
  account?: string;
  reason?: string;
  [detail: string]: string | number | boolean | undefined;
}

/**
 * Writes audit events as structured log lines (`"audit": {"event": ...}`) through the request's logger,
 * so each line carries the request id that ties it to the access log and to the other services, and
 * tells the AUDIT_OBSERVER, when one is provided (the service's metrics count every event).
 */
@Injectable()
export class AuditLog {
  constructor(
    @InjectPinoLogger('audit') private readonly logger: PinoLogger,
    @Optional() @Inject(AUDIT_OBSERVER) private readonly observer?: AuditObserver,
  ) {}

  record(event: AuditEvent, details: AuditDetails = {}): void {
    this.logger.info({ audit: { event, ...details } }, event);
    this.observer?.observe(event, details);
  }
}
