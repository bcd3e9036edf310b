import { Injectable } from '@nestjs/common';
import { FieldEncryption } from '@runnerly/security';
import { timingSafeEqual } from 'node:crypto';
import * as client from 'openid-client';
import { DataSource } from 'typeorm';
import { generateOpaqueToken, hashOpaqueToken } from '../sessions/opaque-token';
import { type SignInChecks } from './oidc-relying-party';

/** Ten minutes to sign in at the provider; the browser's binding cookie lives as long. */
export const OIDC_TRANSACTION_TTL_SECONDS = 600;

export type OidcPurpose = 'sign-in' | 'link';

/** A sign-in under way, as the redirect to the provider left it. */
export interface OidcTransaction extends SignInChecks {
  purpose: OidcPurpose;
  /** The signed-in account that asked to link an identity (purpose 'link'); null for a sign-in. */
  accountId: string | null;
}

/** Why a callback found no transaction it may complete; the caller refuses it with one answer for all. */
export type TransactionProblem = 'unknown or used state' | 'expired' | 'other browser';

/** The PKCE verifier is sealed to its transaction: copied to another row, it does not open. */
const verifierContext = (stateHash: string) => `oidc-code-verifier:${stateHash}`;

/**
 * The sign-ins under way between the redirect to the provider and its answer. The state and the browser
 * binding are 256 random bits each, stored as SHA-256 digests (a dump of the table completes nothing); the
 * PKCE verifier is sealed with the data key. A transaction is taken by one DELETE ... RETURNING: used once,
 * even by two callbacks racing, and gone whatever the outcome.
 */
@Injectable()
export class OidcTransactions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly encryption: FieldEncryption,
  ) {}

  /** A new transaction; returns its checks and the binding the browser keeps in its cookie. */
  async create(
    purpose: OidcPurpose,
    accountId: string | null,
  ): Promise<{ checks: SignInChecks; binding: string }> {
    const checks: SignInChecks = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
    };
    const binding = generateOpaqueToken();
    const stateHash = hashOpaqueToken(checks.state);
    // Expired transactions go as new ones come: the table holds sign-ins under way only.
    await this.dataSource.query(`DELETE FROM oidc_transactions WHERE expires_at < now()`);
    await this.dataSource.query(
      `INSERT INTO oidc_transactions
         (state_hash, binding_hash, nonce, code_verifier_sealed, purpose, account_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))`,
      [
        stateHash,
        hashOpaqueToken(binding),
        checks.nonce,
        this.encryption.seal(checks.codeVerifier, verifierContext(stateHash)),
        purpose,
        accountId,
        OIDC_TRANSACTION_TTL_SECONDS,
      ],
    );
    return { checks, binding };
  }

  /** Takes (deletes) the transaction of a state, and answers it only if it is live and this browser's. */
  async take(
    state: string,
    binding: string,
  ): Promise<{ transaction: OidcTransaction } | { problem: TransactionProblem }> {
    const stateHash = hashOpaqueToken(state);
    const [rows]: [
      {
        binding_hash: string;
        nonce: string;
        code_verifier_sealed: string;
        purpose: OidcPurpose;
        account_id: string | null;
        live: boolean;
      }[],
      number,
    ] = await this.dataSource.query(
      `DELETE FROM oidc_transactions WHERE state_hash = $1
       RETURNING binding_hash, nonce, code_verifier_sealed, purpose, account_id, expires_at > now() AS live`,
      [stateHash],
    );
    const row = rows[0];
    if (!row) return { problem: 'unknown or used state' };
    if (!row.live) return { problem: 'expired' };
    if (!sameDigest(row.binding_hash, hashOpaqueToken(binding))) return { problem: 'other browser' };
    return {
      transaction: {
        state,
        nonce: row.nonce,
        codeVerifier: this.encryption.open(row.code_verifier_sealed, verifierContext(stateHash)),
        purpose: row.purpose,
        accountId: row.account_id,
      },
    };
  }
}

function sameDigest(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}
