import { accountFingerprint } from './account-fingerprint';

describe('accountFingerprint', () => {
  it('is a short hex label that does not contain the address', () => {
    const fingerprint = accountFingerprint('ann.runner@example.com');
    expect(fingerprint).toMatch(/^[0-9a-f]{24}$/);
    expect(fingerprint).not.toContain('ann');
  });

  it.each([
    ['case and spaces', '  Ann.Runner@Example.COM '],
    ['fullwidth letters', 'ａｎｎ.runner@example.com'],
    ['an invisible character', 'ann.run\u200bner@example.com'],
  ])('is the same for a spelling with %s, which reaches the same account', (_case, spelling) => {
    expect(accountFingerprint(spelling)).toBe(accountFingerprint('ann.runner@example.com'));
  });

  it('differs between accounts', () => {
    expect(accountFingerprint('ann@example.com')).not.toBe(accountFingerprint('bob@example.com'));
  });
});
