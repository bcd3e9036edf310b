import { IsEmail } from 'class-validator';
import { validationProblemsOf as problemsOf } from '../testing';
import { IsAcceptablePassword } from './is-acceptable-password.decorator';

class RegisterDto {
  @IsEmail()
  email!: string;

  @IsAcceptablePassword('email')
  password!: string;
}

class ChangePasswordDto {
  @IsAcceptablePassword()
  newPassword!: string;
}

describe('IsAcceptablePassword', () => {
  it('accepts a good password', async () => {
    expect(
      await problemsOf(RegisterDto, { email: 'ann@example.com', password: 'correct horse battery staple' }),
    ).toEqual([]);
  });

  it.each([
    ['too short', 'k7#Vq2!', 'password must be at least 8 characters'],
    ['too common', 'password123', 'password is too common'],
    [
      'containing the email of the same DTO',
      'ann.runner-2024!',
      'password must not contain the email address',
    ],
  ])('refuses a password %s, naming the rule', async (_case, password, problem) => {
    expect(await problemsOf(RegisterDto, { email: 'ann.runner@example.com', password })).toEqual([
      { field: 'password', problems: [problem] },
    ]);
  });

  it('refuses a password that is not a string', async () => {
    expect(await problemsOf(RegisterDto, { email: 'ann@example.com', password: 12345678 })).toEqual([
      { field: 'password', problems: ['password must be a string'] },
    ]);
  });

  it('works without an email field', async () => {
    expect(await problemsOf(ChangePasswordDto, { newPassword: 'iloveyou' })).toEqual([
      { field: 'newPassword', problems: ['password is too common'] },
    ]);
  });

  it('never quotes the password in its messages', async () => {
    const fields = await problemsOf(RegisterDto, { email: 'x9q7@example.com', password: 'x9q7-x9q7' });
    expect(JSON.stringify(fields)).not.toContain('x9q7-x9q7');
  });
});
