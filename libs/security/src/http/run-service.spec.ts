import { type INestApplication } from '@nestjs/common';
import { setImmediate as flush } from 'node:timers/promises';
import { ConfigError } from '../config/config-error';
import { runCommand, runService } from './run-service';

describe('runService', () => {
  let exit: jest.SpyInstance;
  let stderr: jest.SpyInstance;
  const writtenLine = () => JSON.parse(String(stderr.mock.calls[0]?.[0])) as Record<string, unknown>;

  beforeEach(() => {
    exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  it('leaves a service that started running', async () => {
    runService(async () => ({}) as INestApplication);
    await flush();
    expect(exit).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
  });

  it('refuses to start on invalid configuration: one JSON line listing the problems, then exit status 1', async () => {
    runService(() =>
      Promise.reject(
        new ConfigError(['JWT_PRIVATE_KEY: required in production', 'PORT: must be an integer']),
      ),
    );
    await flush();
    expect(writtenLine()).toEqual({
      time: expect.any(String),
      level: 'fatal',
      msg: 'Refusing to start: invalid configuration',
      problems: ['JWT_PRIVATE_KEY: required in production', 'PORT: must be an integer'],
    });
    expect(exit).toHaveBeenCalledWith(1);
  });

  it.each([
    [
      'an Error',
      new Error('listen EADDRINUSE: address already in use 127.0.0.1:3000'),
      'listen EADDRINUSE: address already in use 127.0.0.1:3000',
    ],
    ['a thrown string', 'boom', 'boom'],
  ])(
    'reports any other start failure (%s) as one JSON line, then exits with status 1',
    async (_case, failure, message) => {
      runService(() => Promise.reject(failure));
      await flush();
      expect(writtenLine()).toMatchObject({
        level: 'fatal',
        msg: 'The service failed to start',
        error: message,
      });
      expect(exit).toHaveBeenCalledWith(1);
    },
  );
});

describe('runCommand', () => {
  let exit: jest.SpyInstance;
  let stderr: jest.SpyInstance;

  beforeEach(() => {
    exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  it('exits with the status the command returns, writing nothing of its own', async () => {
    runCommand(() => Promise.resolve(2));
    await flush();
    expect(exit).toHaveBeenCalledWith(2);
    expect(stderr).not.toHaveBeenCalled();
  });

  it.each([
    ['an Error', new Error('connect ECONNREFUSED 127.0.0.1:54329'), 'connect ECONNREFUSED 127.0.0.1:54329\n'],
    ['a thrown string', 'boom', 'boom\n'],
  ])(
    'writes the message of %s, never its stack, then exits with status 1',
    async (_case, failure, written) => {
      runCommand(() => Promise.reject(failure));
      await flush();
      expect(stderr).toHaveBeenCalledWith(written);
      expect(exit).toHaveBeenCalledWith(1);
    },
  );
});
