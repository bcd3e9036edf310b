import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { type ValidationOptions } from 'class-validator';
import { ParsesAs } from '../config/parses-as.decorator';

/**
 * Encrypted backups: a database dump is streamed through this, so a backup file copied off the host (to a
 * bucket, a laptop, a tape) shows nothing without the key, and any change to it is detected before a byte of it
 * is restored.
 *
 * The file: a first line naming the format, a second line describing the backup (JSON), then the dump in frames
 * of at most 64 KiB, each sealed with AES-256-GCM. Every frame authenticates the description too, so the
 * service name or the date cannot be edited. Each frame's nonce holds its position and whether it is the last
 * one (the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár), so frames cannot be reordered,
 * dropped, repeated or cut off at the end without the file failing to open.
 */
const MAGIC_LINE = 'RUNNERLY-BACKUP 1\n';
const CIPHER = 'aes-256-gcm';
const KEY_BYTES = 32;
const SALT_BYTES = 32;
const TAG_BYTES = 16;
const FRAME_HEADER_BYTES = 5; // one byte "last frame?" and the plaintext length as a 32-bit integer
/** Bounds the memory one frame needs; the writer uses it, the reader refuses more. */
export const BACKUP_FRAME_BYTES = 64 * 1024;
const MAX_DESCRIPTION_BYTES = 4096;
/** Binds the derived key to this use, so the same key file could never open another format. */
const KEY_INFO = 'runnerly backup v1';

/** What a backup says about itself, authenticated with its content. */
export interface BackupDescription {
  /** The service whose database this is: a backup restores into that service only. */
  service: string;
  createdAt: string;
  /** Names the key without revealing it (the start of its SHA-256), so a wrong key is named as such. */
  keyId: string;
  /** Random per file: each backup is sealed with its own key, derived from the key file and this salt. */
  salt: string;
}

/** A backup that cannot be opened. The message says why and never shows any of its content. */
export class BackupIntegrityError extends Error {
  constructor(reason: string) {
    super(`The backup cannot be opened: ${reason}`);
    this.name = 'BackupIntegrityError';
  }
}

/** An opened backup: its description, then its content, each frame checked before it is handed out. */
export interface OpenedBackup {
  description: BackupDescription;
  content: AsyncGenerator<Buffer>;
}

/**
 * Seals and opens backups with one 256-bit key, kept in a secret file (base64url, as `generateSecret()`
 * writes it) away from the backups themselves.
 */
export class BackupEncryption {
  readonly keyId: string;

  private constructor(private readonly key: Buffer) {
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 16);
  }

  /** Refuses anything but exactly 32 bytes in canonical base64url, naming the problem, never the key. */
  static fromKey(text: string): BackupEncryption {
    const key = Buffer.from(text.trim(), 'base64url');
    if (key.toString('base64url') !== text.trim() || key.length !== KEY_BYTES) {
      throw new Error(`A backup key must be ${KEY_BYTES} random bytes in base64url (43 characters)`);
    }
    return new BackupEncryption(key);
  }

  /** The backup file, piece by piece, for `content` (any chunking) of `service`'s database. */
  async *seal(
    service: string,
    content: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  ): AsyncGenerator<Buffer> {
    const description: BackupDescription = {
      service,
      createdAt: new Date().toISOString(),
      keyId: this.keyId,
      salt: randomBytes(SALT_BYTES).toString('base64url'),
    };
    const preamble = Buffer.from(`${MAGIC_LINE}${JSON.stringify(description)}\n`);
    const key = this.fileKey(description);
    yield preamble;

    let index = 0;
    let pieces: Buffer[] = [];
    let pendingBytes = 0;
    for await (const piece of content) {
      pieces.push(Buffer.from(piece));
      pendingBytes += piece.length;
      if (pendingBytes <= BACKUP_FRAME_BYTES) continue;
      // Joined only once a frame is full: content often comes in many small pieces (one per row).
      let pending = Buffer.concat(pieces);
      while (pending.length > BACKUP_FRAME_BYTES) {
        yield sealFrame(key, preamble, index++, pending.subarray(0, BACKUP_FRAME_BYTES), false);
        pending = pending.subarray(BACKUP_FRAME_BYTES);
      }
      [pieces, pendingBytes] = [[pending], pending.length];
    }
    // Always a last frame, even an empty one: its flag is what tells a complete file from a cut one.
    yield sealFrame(key, preamble, index, Buffer.concat(pieces), true);
  }

  /**
   * Opens a backup file. The description is read and checked first (format, key); the content then comes
   * frame by frame, each authenticated before it is yielded, and the generator throws if the file was
   * altered, cut short or extended. Read `content` to its end before trusting any of it: only the end proves
   * that nothing is missing.
   */
  async open(file: AsyncIterable<Buffer>): Promise<OpenedBackup> {
    const reader = new ByteReader(file);
    const magic = await reader.read(MAGIC_LINE.length);
    if (magic?.toString('latin1') !== MAGIC_LINE) throw new BackupIntegrityError('not a Runnerly backup');
    const descriptionLine = await reader.readLine(MAX_DESCRIPTION_BYTES);
    const description = parseDescription(descriptionLine);
    if (description.keyId !== this.keyId) {
      throw new BackupIntegrityError(
        `it was made with the key ${description.keyId}, and the key given is ${this.keyId}`,
      );
    }
    const preamble = Buffer.concat([Buffer.from(MAGIC_LINE), descriptionLine, Buffer.from('\n')]);
    return { description, content: this.openFrames(reader, preamble, this.fileKey(description)) };
  }

  private async *openFrames(reader: ByteReader, preamble: Buffer, key: Buffer): AsyncGenerator<Buffer> {
    for (let index = 0; ; index += 1) {
      const header = await reader.read(FRAME_HEADER_BYTES);
      if (header === undefined) throw new BackupIntegrityError('it is cut short (the last part is missing)');
      const last = header[0] === 1;
      const length = header.readUInt32BE(1);
      if (header[0] > 1 || length > BACKUP_FRAME_BYTES) throw new BackupIntegrityError('it is damaged');
      const sealed = await reader.read(length + TAG_BYTES);
      if (sealed === undefined) throw new BackupIntegrityError('it is cut short (the last part is missing)');
      yield openFrame(key, preamble, index, sealed, last);
      if (last) {
        if (!(await reader.atEnd())) throw new BackupIntegrityError('data follows its last part');
        return;
      }
    }
  }

  private fileKey(description: BackupDescription): Buffer {
    const salt = Buffer.from(description.salt, 'base64url');
    return Buffer.from(hkdfSync('sha256', this.key, salt, KEY_INFO, KEY_BYTES));
  }
}

/** Validates a config field as a backup key, so that a wrong one stops loadConfig before anything is read. */
export function IsBackupKey(options?: ValidationOptions): PropertyDecorator {
  return ParsesAs('isBackupKey', (value) => BackupEncryption.fromKey(value), options);
}

/** Position and "last frame?" in the nonce: a frame only opens where it was sealed. */
function nonceOf(index: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUInt32BE(index, 7);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

function sealFrame(key: Buffer, preamble: Buffer, index: number, plaintext: Buffer, last: boolean): Buffer {
  const cipher = createCipheriv(CIPHER, key, nonceOf(index, last), { authTagLength: TAG_BYTES });
  cipher.setAAD(preamble);
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header[0] = last ? 1 : 0;
  header.writeUInt32BE(plaintext.length, 1);
  return Buffer.concat([header, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function openFrame(key: Buffer, preamble: Buffer, index: number, sealed: Buffer, last: boolean): Buffer {
  const decipher = createDecipheriv(CIPHER, key, nonceOf(index, last), { authTagLength: TAG_BYTES });
  decipher.setAAD(preamble);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const plaintext = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([plaintext, decipher.final()]);
  } catch {
    throw new BackupIntegrityError('it was altered or damaged');
  }
}

function parseDescription(line: Buffer): BackupDescription {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.toString('utf8'));
  } catch {
    throw new BackupIntegrityError('its description is not JSON');
  }
  const fields = parsed as Partial<Record<keyof BackupDescription, unknown>>;
  const valid =
    typeof parsed === 'object' &&
    parsed !== null &&
    typeof fields.service === 'string' &&
    typeof fields.createdAt === 'string' &&
    typeof fields.keyId === 'string' &&
    typeof fields.salt === 'string' &&
    Buffer.from(fields.salt, 'base64url').length === SALT_BYTES;
  if (!valid) throw new BackupIntegrityError('its description is incomplete');
  return parsed as BackupDescription;
}

/** Exact reads from a stream of buffers of any size. */
class ByteReader {
  private buffered = Buffer.alloc(0);
  private readonly source: AsyncIterator<Buffer>;
  private ended = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.source = source[Symbol.asyncIterator]();
  }

  /** Exactly `length` bytes; undefined when the stream ends first. */
  async read(length: number): Promise<Buffer | undefined> {
    while (this.buffered.length < length) {
      if (!(await this.fill())) return undefined;
    }
    const bytes = this.buffered.subarray(0, length);
    this.buffered = this.buffered.subarray(length);
    return bytes;
  }

  /** The bytes up to the next newline (not included), refusing a line longer than `max`. */
  async readLine(max: number): Promise<Buffer> {
    for (;;) {
      const end = this.buffered.indexOf(0x0a);
      if (end !== -1 && end <= max) {
        const line = this.buffered.subarray(0, end);
        this.buffered = this.buffered.subarray(end + 1);
        return line;
      }
      if (end !== -1 || this.buffered.length > max || !(await this.fill())) {
        throw new BackupIntegrityError('its description is missing or too long');
      }
    }
  }

  async atEnd(): Promise<boolean> {
    return this.buffered.length === 0 && !(await this.fill());
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.source.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.buffered = Buffer.concat([this.buffered, next.value]);
    return true;
  }
}
