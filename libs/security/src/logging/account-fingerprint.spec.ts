import { accountFingerprint } from './account-fingerprint';

describe('accountFingerprint', () => {
  it('is a short hex label that does not contain the address', () => {
    const fingerprint = accountFingerprint('ann.runner@example.com');
    expect(fingerprint).toMatch(/^[0-9a-f]{24}$/);
    expect(fingerprint).not.toContain('ann');
  });

  it('is the same for every spelling of one address', () => {
    expect(accountFingerprint('  Ann.Runner@Example.COM ')).toBe(
      accountFingerprint('ann.runner@example.com'),
    );
  });

  it('differs between accounts', () => {
    expect(accountFingerprint('ann@example.com')).not.toBe(accountFingerprint('bob@example.com'));
  });
});
