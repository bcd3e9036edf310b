import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { passwordProblems } from './password-policy';

/**
 * Validates a password field against the password policy. `emailField` names a sibling field holding
 * the account's email, when the DTO has one.
 */
export function IsAcceptablePassword(emailField?: string, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isAcceptablePassword',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          typeof value === 'string' && passwordProblems(value, emailOf(args, emailField)).length === 0,
        defaultMessage: (args: ValidationArguments) =>
          typeof args.value === 'string'
            ? passwordProblems(args.value, emailOf(args, emailField)).join('; ')
            : `${args.property} must be a string`,
      },
    });
}

function emailOf(args: ValidationArguments, emailField?: string): string | undefined {
  const email = emailField ? (args.object as Record<string, unknown>)[emailField] : undefined;
  return typeof email === 'string' ? email : undefined;
}
