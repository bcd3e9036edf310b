import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSecret, readOrCreateSecretFile } from './secret-file';

const makeTempDir = (prefix: string) => mkdtemp(join(tmpdir(), `secret-file-${prefix}-`));

describe('generateSecret', () => {
  it('returns 32 random bytes as unpadded base64url by default', () => {
    const secret = generateSecret();

    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(generateSecret()).not.toBe(secret);
  });

  it.each([0, 15, 1025, 16.5, Number.NaN])('refuses %p bytes', (bytes) => {
    expect(() => generateSecret(bytes)).toThrow(RangeError);
  });
});

describe('readOrCreateSecretFile', () => {
  let root: string;
  let file: string;

  beforeEach(async () => {
    root = await makeTempDir('secrets');
    file = join(root, 'state', 'secrets', 'db-password');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates the secret in a 0600 file inside a 0700 directory, leaving the parents alone', async () => {
    const value = await readOrCreateSecretFile(file, () => 'first-value');

    expect(value).toBe('first-value');
    expect(await readFile(file, 'utf8')).toBe('first-value');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(root, 'state', 'secrets'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(root, 'state'))).mode & 0o777).not.toBe(0o700);
    expect(await readdir(join(root, 'state', 'secrets'))).toEqual(['db-password']); // no temporary file left
  });

  it('returns the stored secret on later calls without creating a new one', async () => {
    await readOrCreateSecretFile(file, () => 'first-value');
    const create = jest.fn(() => 'second-value');

    expect(await readOrCreateSecretFile(file, create)).toBe('first-value');
    expect(create).not.toHaveBeenCalled();
  });

  it('gives every concurrent first caller the same value', async () => {
    const values = await Promise.all(
      Array.from({ length: 8 }, (_, index) => readOrCreateSecretFile(file, () => `value-${index}`)),
    );

    expect(new Set(values).size).toBe(1);
    expect(await readFile(file, 'utf8')).toBe(values[0]);
  });

  it('tightens a secret file and directory that others could read, and trims a trailing newline', async () => {
    await mkdir(join(root, 'state', 'secrets'), { recursive: true, mode: 0o755 });
    await writeFile(file, 'hand-written\n', { mode: 0o644 });
    await chmod(join(root, 'state', 'secrets'), 0o755);

    expect(await readOrCreateSecretFile(file, () => 'unused')).toBe('hand-written');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(root, 'state', 'secrets'))).mode & 0o777).toBe(0o700);
  });

  it('refuses an empty secret file instead of using an empty secret', async () => {
    await mkdir(join(root, 'state', 'secrets'), { recursive: true });
    await writeFile(file, '\n', { mode: 0o600 });

    await expect(readOrCreateSecretFile(file, () => 'unused')).rejects.toThrow(/is empty/);
  });

  it('refuses a symlink in place of the secret file', async () => {
    await mkdir(join(root, 'state', 'secrets'), { recursive: true });
    await writeFile(join(root, 'elsewhere'), 'not-a-secret');
    await symlink(join(root, 'elsewhere'), file);

    await expect(readOrCreateSecretFile(file, () => 'unused')).rejects.toThrow(/must be a regular file/);
  });

  it('keeps a multi-line secret such as a PEM key, without its final newline', async () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----\n';

    expect(await readOrCreateSecretFile(file, () => pem)).toBe(pem.trimEnd());
    expect(await readOrCreateSecretFile(file, () => 'unused')).toBe(pem.trimEnd());
  });

  it.each(['', ' \n '])('refuses to store the blank value %p', async (blank) => {
    await expect(readOrCreateSecretFile(file, () => blank)).rejects.toThrow(
      /Refusing to store an empty secret/,
    );
    await expect(stat(file)).rejects.toThrow('ENOENT');
  });
});
