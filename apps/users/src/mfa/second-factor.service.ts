import { Injectable } from '@nestjs/common';
import {
  AppException,
  AuditEvent,
  AuditLog,
  ErrorCode,
  FieldEncryption,
  generateRecoveryCodes,
  generateTotpSecret,
  matchTotp,
  recoveryCodeDigest,
  SecondFactorThrottle,
  totpUri,
} from '@runnerly/security';
import { DataSource } from 'typeorm';

/** The name authenticator apps show above the code. */
export const TOTP_ISSUER = 'Runnerly';
export const RECOVERY_CODE_COUNT = 10;

/** What a user presents as the second factor: a code from the app, or one of the recovery codes. */
export type SecondFactorProof = { code: string } | { recoveryCode: string };
export type SecondFactorKind = 'totp' | 'recovery code';

/** The encrypted secret is bound to its account: copied to another row, it does not decrypt. */
const secretContext = (accountId: string) => `totp-secret:${accountId}`;

/**
 * TOTP two-factor authentication (RFC 6238) for one account: enrolment in two steps (a secret to scan, then a
 * code from the app proves it was scanned, which turns it on and hands out the recovery codes once), the
 * check of a code or a recovery code, and turning it off. The secret is stored encrypted (FieldEncryption),
 * recovery codes only as digests. A code is accepted once: its time step must be later than the last one
 * used, so a code seen over a shoulder or in a phishing proxy's log cannot be replayed. Every wrong code
 * counts against the account's cap (SecondFactorThrottle).
 */
@Injectable()
export class SecondFactor {
  constructor(
    private readonly dataSource: DataSource,
    private readonly encryption: FieldEncryption,
    private readonly throttle: SecondFactorThrottle,
    private readonly audit: AuditLog,
  ) {}

  async isEnabled(accountId: string): Promise<boolean> {
    const rows = await this.dataSource.query(
      `SELECT 1 FROM account_totp WHERE account_id = $1 AND confirmed_at IS NOT NULL`,
      [accountId],
    );
    return rows.length > 0;
  }

  async status(accountId: string): Promise<{ enabled: boolean; recoveryCodesLeft: number }> {
    const [row] = await this.dataSource.query<{ enabled: boolean; left: number }[]>(
      `SELECT EXISTS (SELECT 1 FROM account_totp WHERE account_id = $1 AND confirmed_at IS NOT NULL) AS enabled,
              (SELECT count(*)::int FROM mfa_recovery_codes WHERE account_id = $1 AND used_at IS NULL) AS left`,
      [accountId],
    );
    return { enabled: row!.enabled, recoveryCodesLeft: row!.left };
  }

  /**
   * Step 1: a new secret for the account's authenticator app, stored encrypted and not yet in force. Starting
   * again replaces a secret that was never confirmed; an account that has two-factor on must turn it off first.
   */
  async startEnrolment(accountId: string, email: string): Promise<{ secret: string; otpauthUri: string }> {
    if (await this.isEnabled(accountId)) {
      throw new AppException(ErrorCode.Conflict, 'Two-factor authentication is already on.');
    }
    const secret = generateTotpSecret();
    const sealed = this.encryption.seal(secret, secretContext(accountId));
    await this.dataSource.query(
      `INSERT INTO account_totp (account_id, secret_sealed, key_id) VALUES ($1, $2, $3)
       ON CONFLICT (account_id) DO UPDATE
         SET secret_sealed = EXCLUDED.secret_sealed, key_id = EXCLUDED.key_id, last_used_step = 0, created_at = now()
         WHERE account_totp.confirmed_at IS NULL`,
      [accountId, sealed, this.encryption.keyIdOf(sealed)],
    );
    return { secret, otpauthUri: totpUri({ issuer: TOTP_ISSUER, accountName: email, secret }) };
  }

  /**
   * Step 2: a code from the app proves the secret was taken; two-factor is on from now, and the recovery codes
   * are returned, the only time they are ever shown (only their digests are kept).
   */
  async confirmEnrolment(accountId: string, code: string): Promise<string[]> {
    const pending = await this.secretOf(accountId, 'pending');
    if (!pending) throw new AppException(ErrorCode.Conflict, 'Start the enrolment first.');
    const step = await this.throttle.verify(accountId, async () => matchTotp(pending.secret, code));
    if (step === null) {
      this.audit.record(AuditEvent.SecondFactorFailed, {
        userId: accountId,
        reason: 'wrong code at enrolment',
      });
      throw wrongCode();
    }
    const codes = generateRecoveryCodes(RECOVERY_CODE_COUNT);
    await this.dataSource.transaction(async (db) => {
      await db.query(
        `UPDATE account_totp SET confirmed_at = now(), last_used_step = $2 WHERE account_id = $1`,
        [accountId, step],
      );
      await db.query(`DELETE FROM mfa_recovery_codes WHERE account_id = $1`, [accountId]);
      await db.query(
        `INSERT INTO mfa_recovery_codes (account_id, code_digest) SELECT $1, unnest($2::text[])`,
        [accountId, codes.map(recoveryCodeDigest)],
      );
    });
    this.audit.record(AuditEvent.SecondFactorEnabled, { userId: accountId });
    return codes;
  }

  /**
   * Checks a proof for an account that has two-factor on: a code from the app, once per time step, or an
   * unused recovery code, which is spent. Returns which one it was, or null (audited) when it is wrong.
   */
  async verify(accountId: string, proof: SecondFactorProof): Promise<SecondFactorKind | null> {
    return this.throttle.verify(accountId, async () => {
      const kind =
        'code' in proof
          ? await this.useCode(accountId, proof.code)
          : await this.useRecoveryCode(accountId, proof.recoveryCode);
      if (kind === null) {
        this.audit.record(AuditEvent.SecondFactorFailed, {
          userId: accountId,
          reason: 'code' in proof ? 'wrong or replayed code' : 'wrong or used recovery code',
        });
      }
      return kind;
    });
  }

  /** Turns two-factor off, after a current code or a recovery code: the secret and the codes are deleted. */
  async disable(accountId: string, proof: SecondFactorProof): Promise<void> {
    if (!(await this.isEnabled(accountId))) {
      throw new AppException(ErrorCode.Conflict, 'Two-factor authentication is not on.');
    }
    if ((await this.verify(accountId, proof)) === null) throw wrongCode();
    await this.dataSource.transaction(async (db) => {
      await db.query(`DELETE FROM mfa_recovery_codes WHERE account_id = $1`, [accountId]);
      await db.query(`DELETE FROM account_totp WHERE account_id = $1`, [accountId]);
    });
    this.audit.record(AuditEvent.SecondFactorDisabled, { userId: accountId });
  }

  /**
   * Re-encrypts every stored secret that is not under the current key (after a new key was put first in
   * DATA_ENCRYPTION_KEYS), so that the old key can then be removed. Returns how many moved, of how many.
   */
  async reencryptSecrets(): Promise<{ moved: number; total: number }> {
    const rows = await this.dataSource.query<{ account_id: string; secret_sealed: string }[]>(
      `SELECT account_id, secret_sealed FROM account_totp`,
    );
    let moved = 0;
    for (const row of rows) {
      if (!this.encryption.needsReencryption(row.secret_sealed)) continue;
      const context = secretContext(row.account_id);
      const sealed = this.encryption.seal(this.encryption.open(row.secret_sealed, context), context);
      // Only if unchanged meanwhile: a concurrent re-enrolment keeps its own value.
      const [, changed]: [unknown, number] = await this.dataSource.query(
        `UPDATE account_totp SET secret_sealed = $3, key_id = $4 WHERE account_id = $1 AND secret_sealed = $2`,
        [row.account_id, row.secret_sealed, sealed, this.encryption.keyIdOf(sealed)],
      );
      moved += changed;
    }
    return { moved, total: rows.length };
  }

  private async useCode(accountId: string, code: string): Promise<SecondFactorKind | null> {
    const active = await this.secretOf(accountId, 'confirmed');
    const step = active ? matchTotp(active.secret, code) : null;
    if (step === null) return null;
    // The step must be later than the last one used: one conditional UPDATE, so two requests with the same
    // code cannot both pass.
    const [, updated]: [unknown, number] = await this.dataSource.query(
      `UPDATE account_totp SET last_used_step = $2
        WHERE account_id = $1 AND confirmed_at IS NOT NULL AND last_used_step < $2`,
      [accountId, step],
    );
    return updated === 1 ? 'totp' : null;
  }

  private async useRecoveryCode(accountId: string, recoveryCode: string): Promise<SecondFactorKind | null> {
    const [, updated]: [unknown, number] = await this.dataSource.query(
      `UPDATE mfa_recovery_codes SET used_at = now()
        WHERE account_id = $1 AND code_digest = $2 AND used_at IS NULL`,
      [accountId, recoveryCodeDigest(recoveryCode)],
    );
    if (updated !== 1) return null;
    this.audit.record(AuditEvent.RecoveryCodeUsed, { userId: accountId });
    return 'recovery code';
  }

  private async secretOf(
    accountId: string,
    state: 'pending' | 'confirmed',
  ): Promise<{ secret: string } | undefined> {
    const [row] = await this.dataSource.query<{ secret_sealed: string }[]>(
      `SELECT secret_sealed FROM account_totp
        WHERE account_id = $1 AND confirmed_at IS ${state === 'pending' ? '' : 'NOT '}NULL`,
      [accountId],
    );
    return row && { secret: this.encryption.open(row.secret_sealed, secretContext(accountId)) };
  }
}

function wrongCode(): AppException {
  return new AppException(ErrorCode.InvalidSecondFactor, 'The code is wrong, expired or already used.');
}
