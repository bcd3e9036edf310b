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
    new SafeTypeOrmLogger().logQueryError(
      new Error('duplicate key value'),
      'INSERT INTO accounts (email, password_hash) VALUES ($1, $2)',
      ['ada@example.com', PASSWORD_HASH],
    );

    const output = JSON.stringify(logged);
    expect(output).toContain('INSERT INTO accounts');
    expect(output).toContain('duplicate key value');
    expect(output).not.toContain(PASSWORD_HASH);
    expect(output).not.toContain('ada@example.com');
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
