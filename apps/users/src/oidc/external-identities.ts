import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type ProvenIdentity } from './oidc-relying-party';

/** Identities at an OpenID provider (issuer and subject) linked to Runnerly accounts. */
@Injectable()
export class ExternalIdentities {
  constructor(private readonly dataSource: DataSource) {}

  /** The account an identity is linked to, if any. */
  async accountOf(identity: ProvenIdentity): Promise<string | undefined> {
    const rows: { account_id: string }[] = await this.dataSource.query(
      `SELECT account_id FROM external_identities WHERE issuer = $1 AND subject = $2`,
      [identity.issuer, identity.subject],
    );
    return rows[0]?.account_id;
  }

  /**
   * Links an identity to an account; false when the identity is already linked (to this account or another:
   * an identity never moves between accounts by a link).
   */
  async link(identity: ProvenIdentity, accountId: string): Promise<boolean> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO external_identities (issuer, subject, account_id, email) VALUES ($1, $2, $3, $4)
       ON CONFLICT (issuer, subject) DO NOTHING RETURNING 1`,
      [identity.issuer, identity.subject, accountId, identity.email?.slice(0, 254) ?? null],
    );
    return inserted.length === 1;
  }
}
