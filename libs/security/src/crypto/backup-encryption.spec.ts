import { randomBytes } from 'node:crypto';
import { ConfigError } from '../config/config-error';
import { loadConfig } from '../config/load-config';
import { BACKUP_FRAME_BYTES, BackupEncryption, BackupIntegrityError, IsBackupKey } from './backup-encryption';

/** A fresh random key, as `generateSecret()` writes one: no key in this file is ever real. */
function newKey(): string {
  return randomBytes(32).toString('base64url');
}

async function collect(pieces: AsyncIterable<Buffer>): Promise<Buffer> {
  const all: Buffer[] = [];
  for await (const piece of pieces) all.push(piece);
  return Buffer.concat(all);
}

/** The file, handed to `open` in pieces of `size` bytes, as a stream would. */
async function* inPieces(file: Buffer, size = 1000): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < file.length; offset += size) yield file.subarray(offset, offset + size);
}

async function sealed(encryption: BackupEncryption, content: Buffer, service = 'runs'): Promise<Buffer> {
  return collect(encryption.seal(service, inPieces(content, 777)));
}

async function opened(encryption: BackupEncryption, file: Buffer): Promise<Buffer> {
  const { content } = await encryption.open(inPieces(file));
  return collect(content);
}

/** Where frame `index` starts, for content of full frames: after the two lines, each frame 5 + 64 KiB + 16. */
function frameOffset(file: Buffer, index: number): number {
  const afterDescription = file.indexOf(0x0a, file.indexOf(0x0a) + 1) + 1;
  return afterDescription + index * (5 + BACKUP_FRAME_BYTES + 16);
}

// Three full frames and a short last one: enough to reorder, drop and cut frames.
const CONTENT = randomBytes(3 * BACKUP_FRAME_BYTES + 1234);

describe('BackupEncryption', () => {
  const encryption = BackupEncryption.fromKey(newKey());

  it('opens what it sealed, whatever the size, the empty content and exact frame multiples included', async () => {
    for (const size of [0, 1, BACKUP_FRAME_BYTES, 2 * BACKUP_FRAME_BYTES, CONTENT.length]) {
      const content = CONTENT.subarray(0, size);

      await expect(opened(encryption, await sealed(encryption, content))).resolves.toEqual(content);
    }
  });

  it('describes the backup in clear (service, date, key id) and shows nothing of the content', async () => {
    const content = Buffer.from('{"email":"ada@example.com"}\n'.repeat(100));
    const file = await sealed(encryption, content, 'users');
    const { description } = await encryption.open(inPieces(file));

    expect(file.subarray(0, 18).toString()).toBe('RUNNERLY-BACKUP 1\n');
    expect(description).toEqual({
      service: 'users',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      keyId: encryption.keyId,
      salt: expect.any(String),
    });
    expect(file.includes('ada@example.com')).toBe(false);
  });

  it('seals each backup under its own salt, so two backups of the same data differ', async () => {
    const [first, second] = [await sealed(encryption, CONTENT), await sealed(encryption, CONTENT)];

    expect(first.equals(second)).toBe(false);
  });

  it('refuses a backup made with another key, naming both key ids before reading any content', async () => {
    const other = BackupEncryption.fromKey(newKey());
    const file = await sealed(other, CONTENT);

    await expect(encryption.open(inPieces(file))).rejects.toThrow(
      new BackupIntegrityError(
        `it was made with the key ${other.keyId}, and the key given is ${encryption.keyId}`,
      ),
    );
  });

  it('refuses a file that is not a backup, or whose description is missing', async () => {
    await expect(encryption.open(inPieces(Buffer.from('PGDMP\n')))).rejects.toThrow('not a Runnerly backup');
    await expect(encryption.open(inPieces(Buffer.from('RUNNERLY-BACKUP 1\n{"service"')))).rejects.toThrow(
      'its description is missing or too long',
    );
  });

  describe('refuses a backup changed in any way, before handing out the changed part', () => {
    it('one flipped bit in the content', async () => {
      const file = await sealed(encryption, CONTENT);
      file[frameOffset(file, 1) + 100] ^= 0x01;
      const { content } = await encryption.open(inPieces(file));

      await expect(content.next()).resolves.toMatchObject({ done: false }); // frame 0 is intact
      await expect(content.next()).rejects.toThrow('it was altered or damaged');
    });

    it('an edited description (another service), even with a valid key id', async () => {
      const file = await sealed(encryption, CONTENT, 'runs');
      const edited = Buffer.from(
        file.toString('latin1').replace('"service":"runs"', '"service":"user"'),
        'latin1',
      );

      await expect(opened(encryption, edited)).rejects.toThrow('it was altered or damaged');
    });

    it('two frames swapped', async () => {
      const file = await sealed(encryption, CONTENT);
      const [start, size] = [frameOffset(file, 0), frameOffset(file, 1) - frameOffset(file, 0)];
      const swapped = Buffer.concat([
        file.subarray(0, start),
        file.subarray(start + size, start + 2 * size),
        file.subarray(start, start + size),
        file.subarray(start + 2 * size),
      ]);

      await expect(opened(encryption, swapped)).rejects.toThrow('it was altered or damaged');
    });

    it('a frame dropped', async () => {
      const file = await sealed(encryption, CONTENT);
      const dropped = Buffer.concat([
        file.subarray(0, frameOffset(file, 1)),
        file.subarray(frameOffset(file, 2)),
      ]);

      await expect(opened(encryption, dropped)).rejects.toThrow('it was altered or damaged');
    });

    it('cut at a frame boundary, so every frame left is intact', async () => {
      const file = await sealed(encryption, CONTENT);

      await expect(opened(encryption, file.subarray(0, frameOffset(file, 2)))).rejects.toThrow(
        'it is cut short',
      );
    });

    it('a full frame marked as the last one, to pass a cut file off as complete', async () => {
      const file = await sealed(encryption, CONTENT);
      const cut = Buffer.from(file.subarray(0, frameOffset(file, 2)));
      cut[frameOffset(file, 1)] = 1;

      await expect(opened(encryption, cut)).rejects.toThrow('it was altered or damaged');
    });

    it('data appended after the last frame', async () => {
      const file = await sealed(encryption, CONTENT);

      await expect(opened(encryption, Buffer.concat([file, Buffer.from('x')]))).rejects.toThrow(
        'data follows its last part',
      );
    });
  });

  it('refuses a description that is not JSON, or lacks a field', async () => {
    const file = (description: string) => inPieces(Buffer.from(`RUNNERLY-BACKUP 1\n${description}\n`));

    await expect(encryption.open(file('{"service":'))).rejects.toThrow('its description is not JSON');
    await expect(encryption.open(file('{"service":"runs","keyId":"x"}'))).rejects.toThrow(
      'its description is incomplete',
    );
  });

  it('stops loadConfig on a key that is not 32 bytes (@IsBackupKey), naming the problem and never the key', () => {
    class Config {
      @IsBackupKey()
      BACKUP_KEY!: string;
    }
    const short = randomBytes(16).toString('base64url');

    expect(loadConfig(Config, { BACKUP_KEY: newKey() }).BACKUP_KEY).toHaveLength(43);
    expect(() => loadConfig(Config, { BACKUP_KEY: short })).toThrow(ConfigError);
    expect(() => loadConfig(Config, { BACKUP_KEY: short })).toThrow('A backup key must be 32 random bytes');
    expect(() => loadConfig(Config, { BACKUP_KEY: short })).not.toThrow(short);
  });

  it('accepts only a 32-byte key in canonical base64url', () => {
    expect(() => BackupEncryption.fromKey(randomBytes(16).toString('base64url'))).toThrow('32 random bytes');
    expect(() => BackupEncryption.fromKey(`${newKey()}!`)).toThrow('32 random bytes');
    expect(BackupEncryption.fromKey(`${newKey()}\n`).keyId).toMatch(/^[0-9a-f]{16}$/);
  });
});
