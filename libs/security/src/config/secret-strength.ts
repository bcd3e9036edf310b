import { createPrivateKey } from 'node:crypto';
import { type SecretField } from './secret.decorator';

/** Values that appear in examples and tutorials: never acceptable as a production secret. */
const PLACEHOLDERS = [
  'changeme',
  'change-me',
  'password',
  'secret',
  'example',
  'postgres',
  'redis',
  'admin',
  'test',
  'default',
];

/** Returns why `value` is too weak for `field` in production, or undefined when it is acceptable. */
export function weaknessOf(field: SecretField, value: string): string | undefined {
  switch (field.kind) {
    case 'random':
      return weaknessOfRandom(value, field.minLength);
    case 'url-password':
      return weaknessOfUrlPassword(value, field.minLength);
    case 'private-key':
      return weaknessOfPrivateKey(value);
    case 'document':
      return undefined;
  }
}

function weaknessOfRandom(value: string, minLength: number): string | undefined {
  if (value.length < minLength) return `must be at least ${minLength} characters`;
  const lower = value.toLowerCase();
  if (PLACEHOLDERS.some((placeholder) => lower.includes(placeholder))) return 'looks like a placeholder';
  if (new Set(value).size < 8) return 'has too few distinct characters';
  return undefined;
}

function weaknessOfUrlPassword(value: string, minLength: number): string | undefined {
  let password: string;
  try {
    password = decodeURIComponent(new URL(value).password);
  } catch {
    return 'is not a valid URL';
  }
  if (!password) return 'has no password';
  const weakness = weaknessOfRandom(password, minLength);
  return weakness ? `password ${weakness}` : undefined;
}

function weaknessOfPrivateKey(value: string): string | undefined {
  try {
    const key = createPrivateKey(value);
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (key.asymmetricKeyType === 'rsa' && (bits === undefined || bits < 2048))
      return 'RSA key is shorter than 2048 bits';
    return undefined;
  } catch {
    return 'is not a valid PEM private key';
  }
}
