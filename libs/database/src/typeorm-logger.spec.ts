import { Logger } from '@nestjs/common';
import { SafeTypeOrmLogger } from './typeorm-logger';

describe('SafeTypeOrmLogger', () => {
  const PASSWORD_HASH = '$argon2id$v=19$m=19456,p=1,t=2$c2FsdA$aGFzaA';
  let logged: unknown[][];

  beforeEach(() => {
    logged = [];
    for (const level of ['error', 'warn', 'log'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => void logged.push(args));
    }
  });

  it('reports a failed query with its SQL and the error, never its parameters', () => {
    const error = new Error('duplicate key value');
    new SafeTypeOrmLogger().logQueryError(
      error,
      "INSERT INTO accounts (email, password_hash, role) VALUES ($1, $2, 'user')",
      ['ada@example.com', PASSWORD_HASH],
    );

    // The error itself goes to the logger's error serializer, which writes only allowlisted fields.
    expect(logged).toEqual([
      [
        { err: error, statement: "INSERT INTO accounts (email, password_hash, role) VALUES ($1, $2, '?')" },
        'Query failed',
      ],
    ]);
    expect(JSON.stringify(logged)).not.toContain(PASSWORD_HASH);
    expect(JSON.stringify(logged)).not.toContain('ada@example.com');
  });

  it('reports slow queries without their parameters', () => {
    new SafeTypeOrmLogger().logQuerySlow(1500, 'SELECT * FROM accounts WHERE email = $1', [
      'ada@example.com',
    ]);
    expect(JSON.stringify(logged)).toContain('1500');
    expect(JSON.stringify(logged)).not.toContain('ada@example.com');
  });

  it('does not log successful queries at all', () => {
    new SafeTypeOrmLogger().logQuery();
    expect(logged).toEqual([]);
  });
});
