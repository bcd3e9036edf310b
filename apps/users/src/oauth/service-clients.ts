import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '@runnerly/security';

/** The scopes a service token can carry. Each one is checked by the route that needs it. */
export const SERVICE_SCOPES = ['runs:purge'] as const;
export type ServiceScope = (typeof SERVICE_SCOPES)[number];

/**
 * A service allowed to obtain service tokens: its id, the SHA-256 of each secret it may use, its scopes.
 * More than one secret only while a secret is rotated: the new one works before the caller switches to it.
 */
export interface ServiceClient {
  clientId: string;
  secretSha256s: readonly Buffer[];
  scopes: readonly ServiceScope[];
}

/** `users` itself, which purges runs on account deletion. It has no secret: it cannot log in over HTTP. */
export const USERS_SERVICE_CLIENT_ID = 'users';

const CLIENT_ID = /^[a-z][a-z0-9-]{2,63}$/;
const SECRET_HASH = /^sha256:([0-9a-f]{64})$/;

/**
 * Parses OAUTH_CLIENTS. Secrets are stored as SHA-256 (they are long random strings, so a fast hash is
 * safe); `npm run users:cli -- create-client` prints a new secret and its entry. Two entries with one
 * client id are two secrets of that client, for a rotation without downtime; they must grant the same
 * scopes, or `users` refuses to start (which secret would decide otherwise?).
 */
export function parseServiceClients(json: string | undefined): ServiceClient[] {
  const clients = new Map<string, ServiceClient>();
  const firstEntry = new Map<string, number>();
  for (const [index, entry] of parseEntries(json).entries()) {
    const known = clients.get(entry.clientId);
    if (known && known.scopes.join(' ') !== entry.scopes.join(' ')) {
      throw new ConfigError([
        `OAUTH_CLIENTS[${index}]: client ${entry.clientId} is also OAUTH_CLIENTS[${firstEntry.get(entry.clientId)}], ` +
          'with other scopes; two entries of one client are two secrets of it and must grant the same scopes',
      ]);
    }
    if (!known) firstEntry.set(entry.clientId, index);
    clients.set(entry.clientId, {
      ...entry,
      secretSha256s: [...(known?.secretSha256s ?? []), ...entry.secretSha256s],
    });
  }
  return [...clients.values()];
}

function parseEntries(json: string | undefined): ServiceClient[] {
  if (!json) return [];
  let entries: unknown;
  try {
    entries = JSON.parse(json);
  } catch {
    throw new ConfigError(['OAUTH_CLIENTS: not valid JSON']);
  }
  if (!Array.isArray(entries)) throw new ConfigError(['OAUTH_CLIENTS: must be a JSON array']);
  return entries.map((entry: Record<string, unknown>, index) => {
    const where = `OAUTH_CLIENTS[${index}]`;
    const { clientId, secretHash, scopes } = entry ?? {};
    if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId) || clientId === USERS_SERVICE_CLIENT_ID) {
      throw new ConfigError([
        `${where}.clientId: must match ${CLIENT_ID} and not be "${USERS_SERVICE_CLIENT_ID}"`,
      ]);
    }
    const hash = typeof secretHash === 'string' ? SECRET_HASH.exec(secretHash)?.[1] : undefined;
    if (!hash) throw new ConfigError([`${where}.secretHash: must be "sha256:" followed by 64 hex digits`]);
    if (
      !Array.isArray(scopes) ||
      !scopes.every((scope) => (SERVICE_SCOPES as readonly unknown[]).includes(scope))
    ) {
      throw new ConfigError([`${where}.scopes: must be a list of ${SERVICE_SCOPES.join(', ')}`]);
    }
    const granted = [...new Set(scopes as ServiceScope[])].sort();
    return { clientId, secretSha256s: [Buffer.from(hash, 'hex')], scopes: granted };
  });
}

export function secretHashOf(secret: string): string {
  return `sha256:${createHash('sha256').update(secret).digest('hex')}`;
}

/** Constant-time comparison of a presented secret with each stored hash of the client. */
export function secretMatches(client: ServiceClient | undefined, presentedSecret: string): boolean {
  const presented = createHash('sha256').update(presentedSecret).digest();
  // Every hash is compared (no early exit), and an unknown client against zeros, so the time says nothing.
  const matches = (client?.secretSha256s ?? [Buffer.alloc(32)]).map((stored) =>
    timingSafeEqual(presented, stored),
  );
  return matches.includes(true) && client !== undefined;
}
