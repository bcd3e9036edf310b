import { IsEmail } from 'class-validator';
import { validated, validationProblemsOf } from '../testing';
import { NormalizeEmail } from './normalize-email.decorator';

class LoginDto {
  @NormalizeEmail()
  @IsEmail()
  email!: string;
}

describe('NormalizeEmail', () => {
  it('trims and lower-cases an email, so one account has one spelling', async () => {
    expect((await validated(LoginDto, { email: '  Ann.Runner@Example.COM ' })).email).toBe(
      'ann.runner@example.com',
    );
  });

  it('leaves a non-string for the validators to refuse', async () => {
    expect(await validationProblemsOf(LoginDto, { email: 42 })).toEqual([
      { field: 'email', problems: ['email must be an email'] },
    ]);
  });
});
