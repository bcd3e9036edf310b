import { AuditEvent } from '@runnerly/security';
import { routeLabelOf, securityEventReasonOf, UNMATCHED_ROUTE } from './metric-labels';

describe('routeLabelOf', () => {
  it('labels a request with the route template it matched, not the path it sent', () => {
    expect(routeLabelOf('/api/runs/:id')).toBe('/api/runs/:id');
  });

  it.each([[undefined], ['']])('labels a request that matched no route (%p) as unmatched', (template) => {
    expect(routeLabelOf(template)).toBe(UNMATCHED_ROUTE);
  });
});

describe('securityEventReasonOf', () => {
  it.each([
    ['unknown account', 'unknown_account'],
    ['wrong password', 'wrong_password'],
    ['wrong password at reauthentication', 'wrong_password'],
    ['something new', 'other'],
    [undefined, 'other'],
  ])('maps the login failure reason %p to %p', (reason, label) => {
    expect(securityEventReasonOf(AuditEvent.LoginFailed, reason)).toBe(label);
  });

  it.each([
    ['No auth token', 'missing'],
    ['jwt must be provided', 'missing'],
    ['jwt expired', 'expired'],
    ['maxAge exceeded', 'expired'],
    ['session ended', 'session_ended'],
    ['invalid signature', 'invalid'],
    ['invalid algorithm', 'invalid'],
    ['jwt malformed', 'invalid'],
    ['invalid token', 'invalid'],
    ['jwt not active', 'invalid'],
    ['jwt audience invalid. expected: runnerly-runs', 'invalid'],
    ['jwt issuer invalid. expected: runnerly-users', 'invalid'],
    ['Unknown key id', 'invalid'],
    ['Token is not a compact JWS of JSON objects', 'invalid'],
    ['Token header breaks the rule: alg is ES256', 'invalid'],
    ['Unauthorized', 'invalid'],
    ['connect ECONNREFUSED 10.0.0.7:443', 'other'],
    ['missing or invalid token', 'other'],
    [undefined, 'other'],
  ])('maps the token rejection reason %p to %p', (reason, label) => {
    expect(securityEventReasonOf(AuditEvent.TokenRejected, reason)).toBe(label);
  });

  it('never passes a free-text reason through: a client-chosen text becomes other', () => {
    expect(securityEventReasonOf(AuditEvent.TokenRejected, 'jwt expired; x9q7')).toBe('other');
  });

  it.each([[AuditEvent.AccessDenied], [AuditEvent.RateLimited], [AuditEvent.SecondFactorFailed]])(
    'labels every other event (%s) with reason none, whatever its text',
    (event) => {
      expect(securityEventReasonOf(event, 'requires role admin')).toBe('none');
    },
  );
});
