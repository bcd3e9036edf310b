import { createReadStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  backUpDatabase,
  restoreDatabaseBackup,
  type ServiceDatabaseTarget,
  verifyBackup,
  writeBackupFile,
} from '@runnerly/database';
import { stackDatabaseUrl } from '@runnerly/dev-infra';
import { DATABASE_SERVICES, type ServiceName } from '@runnerly/platform';
import { BackupEncryption } from '@runnerly/security';
import { generateSecret, readOrCreateSecretFile, readSecretFile } from '@runnerly/security/secrets';
import { type StackConfig } from '../config/stack.config';

const BACKUP_SUFFIX = '.backup';

/**
 * `npm run backup` and `npm run restore` for the stack `npm start` runs: each service's database, through the
 * service's own role, with the service's own backup key (generated in the secrets folder on the first backup).
 * The encryption and the checks are those of `node backup.js` in the images (libs/database/src/backup).
 */
export class StackBackup {
  constructor(
    private readonly config: StackConfig,
    private readonly note: (message: string) => void,
  ) {}

  /** Writes `<folder>/<service>.backup` for every service with a database; the folder must not exist yet. */
  async create(folder: string): Promise<void> {
    await mkdir(dirname(folder), { recursive: true, mode: 0o700 });
    await mkdir(folder, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'EEXIST' ? new Error(`${folder} already exists: give a new folder`) : error;
    });
    for (const service of DATABASE_SERVICES) {
      const key = await readOrCreateSecretFile(this.keyFile(service), () => generateSecret());
      const file = join(folder, `${service}${BACKUP_SUFFIX}`);
      const target = await this.target(service);
      await writeBackupFile(backUpDatabase(target, BackupEncryption.fromKey(key)), file);
      this.note(`Backed up ${service} to ${file} (${(await stat(file)).size} bytes)`);
    }
    this.note(
      `The backups open only with the keys in ${this.config.secretsDir}/*-backup-key: keep a copy of them ` +
        'somewhere else than the backups',
    );
  }

  /**
   * Restores every backup in `folder`. All of them are verified before any database is touched; then each
   * service's database is replaced in one transaction.
   */
  async restore(folder: string): Promise<void> {
    const backups = await this.backupsIn(folder);
    const checked: { service: ServiceName; encryption: BackupEncryption; file: string }[] = [];
    for (const { service, file } of backups) {
      const key = await readSecretFile(this.keyFile(service));
      if (key === undefined) {
        throw new Error(
          `${this.keyFile(service)} is missing: put the key ${service}'s backup was made with there`,
        );
      }
      const encryption = BackupEncryption.fromKey(key);
      const description = await verifyBackup(() => createReadStream(file), encryption, service);
      this.note(`${file}: the backup of ${service} made ${description.createdAt} is intact`);
      checked.push({ service, encryption, file });
    }
    for (const { service, encryption, file } of checked) {
      const restored = await restoreDatabaseBackup(await this.target(service), encryption, () =>
        createReadStream(file),
      );
      this.note(`Restored ${restored.rows} rows in ${restored.tables} tables of ${service}`);
    }
  }

  private keyFile(service: ServiceName): string {
    return join(this.config.secretsDir, `${service}-backup-key`);
  }

  /** The service's database as the service itself connects to it. */
  private async target(service: ServiceName): Promise<ServiceDatabaseTarget> {
    const { databases } = this.config;
    if (databases.kind === 'external') return { service, databaseUrl: databases.urls[service]! };
    const stored = await readSecretFile(join(this.config.secretsDir, `${service}-db-password`));
    if (stored === undefined) throw new Error(`${service} has no database yet: run npm start first`);
    const server = `postgresql://${this.config.internalHost}:${databases.port}/postgres`;
    return { service, databaseUrl: stackDatabaseUrl(server, service, stored) };
  }

  /** `<service>.backup` files only, of services that own a database. */
  private async backupsIn(folder: string): Promise<{ service: ServiceName; file: string }[]> {
    const names = (await readdir(folder)).filter((name) => name.endsWith(BACKUP_SUFFIX));
    const unknown = names.filter((name) => !DATABASE_SERVICES.some((s) => `${s}${BACKUP_SUFFIX}` === name));
    if (names.length === 0 || unknown.length > 0) {
      throw new Error(
        `${folder} must hold backups named after the services (${DATABASE_SERVICES.map((s) => `${s}${BACKUP_SUFFIX}`).join(', ')})` +
          (unknown.length > 0 ? `, not ${unknown.join(', ')}` : ''),
      );
    }
    return DATABASE_SERVICES.filter((service) => names.includes(`${service}${BACKUP_SUFFIX}`)).map(
      (service) => ({
        service,
        file: join(folder, `${service}${BACKUP_SUFFIX}`),
      }),
    );
  }
}
