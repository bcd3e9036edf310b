import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { isDatabaseUnavailable } from './postgres-errors';

function withCode(code: string, message = 'x'): Error {
  return Object.assign(new Error(message), { code });
}

function queryFailed(driverError: Error): QueryFailedError {
  return new QueryFailedError('SELECT 1', [], driverError);
}

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection', withCode('ECONNRESET')],
    ['an unresolvable host', withCode('ENOTFOUND')],
    ['a connection cut under a query', queryFailed(new Error('Connection terminated unexpectedly'))],
    ['a connect timeout', new Error('Connection terminated due to connection timeout')],
    ['a full pool past its acquire timeout', new Error('timeout exceeded when trying to connect')],
    [
      'a client broken by an earlier connection error',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    ['SQLSTATE 08006 connection_failure', queryFailed(withCode('08006'))],
    ['SQLSTATE 08001 cannot establish a connection', withCode('08001')],
    [
      'SQLSTATE 57P01 admin_shutdown',
      queryFailed(withCode('57P01', 'terminating connection due to administrator command')),
    ],
    ['SQLSTATE 57P02 crash_shutdown', withCode('57P02')],
    ['SQLSTATE 57P03 cannot_connect_now', withCode('57P03', 'the database system is starting up')],
    ['SQLSTATE 28P01 invalid_password (a password being rotated)', withCode('28P01')],
    ['SQLSTATE 28000 invalid_authorization_specification', withCode('28000')],
    [
      'a statement timeout (SQLSTATE 57014, rolled back)',
      queryFailed(withCode('57014', 'canceling statement due to statement timeout')),
    ],
    [
      "a transaction's query runner released under it when its connection died",
      new QueryRunnerAlreadyReleasedError(),
    ],
    [
      'a refusal on every address of the host',
      Object.assign(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]), {
        code: undefined,
      }),
    ],
  ])('recognises %s as an outage (503)', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', queryFailed(withCode('23505', 'duplicate key value violates unique constraint'))],
    ['a syntax error', queryFailed(withCode('42601'))],
    ['a permission error', queryFailed(withCode('42501'))],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['something that is not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('leaves %s to the bare 500', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
