import { execFile } from 'node:child_process';
import { GatewayClient, stackContainers } from '@runnerly/testing';
import { CONTAINERS_SUITE } from './support/containers-env';

interface Exec {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * `docker exec -i <container> node backup.js …`, as the how-to's `docker compose exec -T` runs it: the backup
 * streams out on standard output and back in on standard input, bytes untouched.
 */
function backupIn(containerId: string, args: string[], input?: Buffer): Promise<Exec> {
  return new Promise((resolve) => {
    const child = execFile(
      'docker',
      ['exec', '-i', containerId, 'node', 'backup.js', ...args],
      { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({
          exitCode: error ? Number((error as { code?: unknown }).code ?? 1) : 0,
          stdout,
          stderr: stderr.toString(),
        }),
    );
    child.stdin?.end(input);
  });
}

CONTAINERS_SUITE.describe(
  'backups of the compose stack (production mode)',
  ({ project, gatewayUrl, gatewayFetch }) => {
    it('backs up the users database from its container, encrypted, and restores it after checking it', async () => {
      const api = new GatewayClient(gatewayUrl, {}, gatewayFetch);
      const containers = await stackContainers(project);
      const [users, runs] = [containers.get('users')!.id, containers.get('runs')!.id];
      const before = await api.signUp('backed-up');

      const backup = await backupIn(users, ['create']);

      expect(backup).toMatchObject({
        exitCode: 0,
        stderr: expect.stringMatching(/^Backup of users written \(key [0-9a-f]{16}\)/),
      });
      expect(backup.stdout.subarray(0, 18).toString()).toBe('RUNNERLY-BACKUP 1\n');
      expect(backup.stdout.includes(before.email)).toBe(false);

      const after = await api.signUp('after-backup');
      const tampered = Buffer.from(backup.stdout);
      tampered[tampered.length - 1] ^= 0x01;
      const runsBackup = await backupIn(runs, ['create']);

      // Refused before anything is written: a changed byte, and the runs database's backup (another key).
      expect(await backupIn(users, ['restore', '-'], tampered)).toMatchObject({
        exitCode: 1,
        stderr: expect.stringContaining('The backup cannot be opened: it was altered or damaged'),
      });
      expect(await backupIn(users, ['restore', '-'], runsBackup.stdout)).toMatchObject({
        exitCode: 1,
        stderr: expect.stringContaining('The backup cannot be opened: it was made with the key'),
      });
      expect((await api.logIn(after.email, after.password)).accessToken).toEqual(expect.any(String));

      const restored = await backupIn(users, ['restore', '-'], backup.stdout);

      expect(restored).toMatchObject({
        exitCode: 0,
        stderr: expect.stringMatching(/^Restored \d+ rows in \d+ tables of users/),
      });
      expect((await api.logIn(before.email, before.password)).accessToken).toEqual(expect.any(String));
      expect(
        (
          await api.call('POST', '/api/auth/login', {
            json: { email: after.email, password: after.password },
          })
        ).status,
      ).toBe(401);
    }, 120_000);
  },
);
