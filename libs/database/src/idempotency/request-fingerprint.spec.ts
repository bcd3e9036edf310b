import { requestFingerprint } from './request-fingerprint';

const run = { title: 'Morning run', distanceMeters: 10_000, splits: [{ km: 1, seconds: 300 }] };
const fingerprint = (changes: Partial<Parameters<typeof requestFingerprint>[0]> = {}) =>
  requestFingerprint({ method: 'POST', url: '/runs', body: run, ...changes });

describe('requestFingerprint', () => {
  it('is a SHA-256 in hex, the same for the same request', () => {
    expect(fingerprint()).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint()).toBe(fingerprint());
  });

  it('ignores the order of object members, at every depth', () => {
    expect(
      fingerprint({
        body: { splits: [{ seconds: 300, km: 1 }], distanceMeters: 10_000, title: 'Morning run' },
      }),
    ).toBe(fingerprint());
  });

  it('ignores the case of the method', () => {
    expect(fingerprint({ method: 'post' })).toBe(fingerprint());
  });

  it.each([
    ['another method', { method: 'PATCH' }],
    ['another URL', { url: '/runs?dryRun=1' }],
    ['another value', { body: { ...run, distanceMeters: 10_001 } }],
    ['a member less', { body: { title: run.title, splits: run.splits } }],
    ['another array order', { body: { ...run, splits: [{ km: 2, seconds: 300 }, ...run.splits] } }],
    ['a number sent as a string', { body: { ...run, distanceMeters: '10000' } }],
    ['no body', { body: undefined }],
  ])('tells apart a request with %s', (_case, changes) => {
    expect(fingerprint(changes)).not.toBe(fingerprint());
  });
});
