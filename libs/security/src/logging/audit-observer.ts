import { type AuditDetails, type AuditEvent } from './audit-log.service';

/**
 * Told of every audit event as AuditLog records it: a service's metrics count them there, so that no
 * refusal can be logged without being counted (and no service has to remember to count it).
 */
export interface AuditObserver {
  observe(event: AuditEvent, details: Readonly<AuditDetails>): void;
}

/** Injection token of the optional AuditObserver (the platform's metrics module provides one). */
export const AUDIT_OBSERVER = Symbol('runnerly:audit-observer');
