import { AppException } from '@runnerly/security';
import { keyedRequestOf } from './idempotency-key.decorator';
import { requestFingerprint } from './request-fingerprint';

const request = (headers: Record<string, string | string[] | undefined>) => ({
  method: 'POST',
  url: '/runs',
  body: { title: 'Morning run' },
  headers,
});

describe('keyedRequestOf', () => {
  it('is undefined for a request without an Idempotency-Key', () => {
    expect(keyedRequestOf(request({}))).toBeUndefined();
  });

  it.each([
    ['a UUID', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['one character', 'k'],
    ['255 characters', '~'.repeat(255)],
    ["the draft's quoted form (the quotes are part of the key)", '"8e03978e"'],
  ])('takes %s as the key, with the fingerprint of the request', (_case, key) => {
    const keyed = request({ 'idempotency-key': key });
    expect(keyedRequestOf(keyed)).toEqual({ key, fingerprint: requestFingerprint(keyed) });
  });

  it.each([
    ['an empty key', ''],
    ['256 characters', 'k'.repeat(256)],
    ['a space', 'run 1'],
    ['a tab', 'run\t1'],
    ['a non-ASCII character', 'clé'],
    ['a header sent twice', ['a', 'b']],
  ])('refuses %s with 400 VALIDATION.FAILED naming the header', (_case, key) => {
    expect(() => keyedRequestOf(request({ 'idempotency-key': key }))).toThrow(
      expect.objectContaining({
        code: 'VALIDATION.FAILED',
        fields: [expect.objectContaining({ field: 'Idempotency-Key' })],
      }) as AppException,
    );
  });
});
