import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblems } from './password-policy';

describe('passwordProblems (NIST SP 800-63B)', () => {
  it.each([
    ['a long passphrase', 'correct horse battery staple', undefined],
    ['exactly the minimum length', 'k7#Vq2!m', undefined],
    ['exactly the maximum length', 'a1'.repeat(PASSWORD_MAX_LENGTH / 2), undefined],
    ['any characters, unicode included', 'läuft 🏃 schnell', undefined],
    ['a short local part of the email inside it', 'bob-runs-far-away', 'bob@example.com'],
  ])('accepts %s', (_case, password, email) => {
    expect(passwordProblems(password, email)).toEqual([]);
  });

  it.each([
    ['7 characters', 'k7#Vq2!', undefined, [`password must be at least ${PASSWORD_MIN_LENGTH} characters`]],
    [
      '129 characters',
      'a'.repeat(129),
      undefined,
      [`password must be at most ${PASSWORD_MAX_LENGTH} characters`],
    ],
    ['a common password', 'password123', undefined, ['password is too common']],
    ['a common password in capitals', 'ILOVEYOU', undefined, ['password is too common']],
    ['another common one', 'iloveyou', undefined, ['password is too common']],
    [
      'a common password typed in fullwidth forms (hashed as its NFKC form)',
      'ｐａｓｓｗｏｒｄ１２３',
      undefined,
      ['password is too common'],
    ],
    [
      'the email address itself',
      'ann.runner@example.com',
      'ann.runner@example.com',
      ['password must not contain the email address'],
    ],
    [
      'the whole email address inside it, even with a short local part',
      'ada@example.com and more',
      'ada@example.com',
      ['password must not contain the email address'],
    ],
    [
      'the local part of the email',
      'my-ann.runner-2024',
      'Ann.Runner@example.com',
      ['password must not contain the email address'],
    ],
  ])('refuses %s', (_case, password, email, problems) => {
    expect(passwordProblems(password, email)).toEqual(problems);
  });

  it('counts characters, not UTF-16 units: 8 emoji are long enough', () => {
    expect(passwordProblems('🏃'.repeat(8))).toEqual([]);
  });
});
