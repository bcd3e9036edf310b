import { REDACTION_CENSOR, redactSecrets } from './redaction';

describe('redactSecrets', () => {
  it('replaces the value of every secret key, at any depth and in arrays, whatever its case', () => {
    const logged = {
      password: 'p',
      user: { name: 'Ann', tokens: [{ refreshToken: 'r' }, { note: 'kept' }] },
      headers: { Authorization: 'Bearer t', 'Set-Cookie': 's', accept: 'application/json' },
    };
    expect(redactSecrets(logged)).toEqual({
      password: REDACTION_CENSOR,
      user: { name: 'Ann', tokens: [{ refreshToken: REDACTION_CENSOR }, { note: 'kept' }] },
      headers: {
        Authorization: REDACTION_CENSOR,
        'Set-Cookie': REDACTION_CENSOR,
        accept: 'application/json',
      },
    });
  });

  it("never changes the caller's object, and shares what holds no secret", () => {
    const clean = { note: 'kept' };
    const logged = { clean, user: { secret: 's' } };
    const redacted = redactSecrets(logged);
    expect(logged.user.secret).toBe('s');
    expect(redacted.clean).toBe(clean);
    const nothingToHide = { a: { b: 1 } };
    expect(redactSecrets(nothingToHide)).toBe(nothingToHide);
  });

  it('leaves the top-level keys it is told to skip alone (their serializers redact what they write)', () => {
    const request = { headers: { authorization: 'Bearer t' } };
    expect(redactSecrets({ req: request, token: 't' }, new Set(['req']))).toEqual({
      req: request,
      token: REDACTION_CENSOR,
    });
  });

  it('returns values that are not plain data as they are: primitives, binary buffers', () => {
    const buffer = Buffer.from('token');
    expect(redactSecrets('password')).toBe('password');
    expect(redactSecrets(null)).toBeNull();
    expect(redactSecrets(buffer)).toBe(buffer);
  });

  it('stops eight levels down, so an object logged by mistake cannot make a walk without end', () => {
    const cyclic: Record<string, unknown> = { password: 'p' };
    cyclic.self = cyclic;
    const redacted = redactSecrets(cyclic);
    expect(redacted.password).toBe(REDACTION_CENSOR);
    expect((redacted.self as Record<string, unknown>).password).toBe(REDACTION_CENSOR);
  });
});
