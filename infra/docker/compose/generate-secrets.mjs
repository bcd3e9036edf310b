// The `secrets-init` one-shot service of docker-compose.yml: creates the stack's missing secrets, then exits.
// Plain Node (no dependencies), run as root with only the capabilities to write and hand over files, and
// no network. See docs/tutorial/06-containers-and-secrets.md.
//
// SECRETS_DIR holds one folder per consumer; compose mounts each folder, read-only, into that consumer only
// (`secrets:` in docker-compose.yml), so a container sees its own secrets and nobody else's:
//
//   postgres/superuser_password        the cluster's superuser (used by nothing but the init script's session)
//   postgres/<db>_password.scram       SCRAM-SHA-256 verifier of each service role's password
//   redis/redis.conf                   one ACL user per service: SHA-256 of its password, its own key prefix
//   users/database_url                 postgresql://users:<password>@postgres:5432/users
//   users/redis_url                    redis://users:<password>@redis:6379
//   users/jwt_private_key.pem          the RSA key that signs access tokens
//   users/encryption_keys              the AES-256 key that encrypts secrets at rest (TOTP secrets)
//   users/backup_key                   the AES-256 key of its database's backups (node backup.js create)
//   runs/database_url, runs/redis_url, runs/backup_key
//   gateway/redis_url
//   ca/ca_key.pem                      the key of the stack's private CA (internal-ca.mjs); mounted nowhere
//   <consumer>/internal_ca.pem         that CA's certificate, in every folder: what each one trusts inside the stack
//   internal_ca.pem                    the same, readable by anyone (a certificate is public): for you, to trust the
//                                      HTTPS gateway of docker-compose.https.yml
//   <consumer>/tls_cert.pem, tls_key.pem  the certificate each datastore and service serves TLS with, for its
//                                      names on the network; a service's also opens the other services (mutual
//                                      TLS). Renewed here when fewer than 30 days are left
//
// The certificates are the CA's own: a tls_cert.pem it did not issue is replaced (bring your own certificate under
// another name, and point TLS_CERT_FILE at it).
// The URLs ask for TLS with the server's certificate checked against that CA: `sslmode=verify-full` for PostgreSQL,
// `rediss://` (and REDIS_CA_FILE) for Redis. A URL written by an older version of this script is upgraded.
//
// A file that exists is kept (bring your own secret: put it there before the first start). The files the
// datastores read are derived from the services' files, and rewritten when they no longer match them, so that
// the database and Redis only ever hold verifiers and hashes, never a service's plain password.
// Every file is mode 0600 and owned by the uid its consumer runs as. No value is ever printed.
import {
  createHash,
  createHmac,
  generateKeyPairSync,
  pbkdf2Sync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  authorityIsCurrent,
  certificateIsCurrent,
  createCertificateAuthority,
  issueCertificate,
} from './internal-ca.mjs';

const env = process.env;
const DIR = env.SECRETS_DIR || '/secrets';
const uid = (name, fallback) => Number.parseInt(env[name] || fallback, 10);
/** A space-separated list from the environment; docker-compose.yml sets these from the service manifest. */
const list = (name) => {
  const value = (env[name] || '').split(' ').filter(Boolean);
  if (value.length === 0) throw new Error(`secrets: ${name} is not set (docker-compose.yml sets it)`);
  return value;
};
// Every service limits rates in Redis; the ones that own a database have a database and a role named after them.
const SERVICES = list('SERVICES');
const DATABASE_SERVICES = list('DATABASE_SERVICES');
// The service that signs tokens, and the only one that may end sessions.
const [TOKEN_ISSUER] = list('TOKEN_ISSUER');
// The official images' users: node (1000), postgres (999), redis (999).
const OWNERS = {
  ...Object.fromEntries(SERVICES.map((service) => [service, uid('SERVICE_UID', '1000')])),
  postgres: uid('POSTGRES_UID', '999'),
  redis: uid('REDIS_UID', '999'),
};
// The CA's key belongs to this one-shot container alone (root), in a folder that compose mounts nowhere.
const CA_OWNER = 0;
const POSTGRES_HOST = env.POSTGRES_HOST || 'postgres';
const REDIS_HOST = env.REDIS_HOST || 'redis';
/** Where compose mounts each consumer's folder: the URLs name the CA file by its path inside the container. */
const MOUNTED = (consumer, name) => `/run/secrets/${consumer}/${name}`;

const created = [];
const updated = [];

/**
 * 32 random bytes as hex: 256 bits, URL-safe without escaping, and (letters a-f only) never containing the
 * placeholder words ("test", "admin", "secret", ...) that the services refuse as production secrets.
 */
const randomPassword = () => randomBytes(32).toString('hex');

const ownerOf = (consumer) => (consumer === 'ca' ? CA_OWNER : OWNERS[consumer]);

function path(consumer, name) {
  return join(DIR, consumer, name);
}

/** The trimmed content of `consumer/name`, or undefined. A file found is handed to its consumer, 0600. */
function read(consumer, name) {
  const file = path(consumer, name);
  if (!existsSync(file)) return undefined;
  tighten(file, ownerOf(consumer));
  return readFileSync(file, 'utf8').trim();
}

/** A file someone else put there may have the wrong owner or mode: the consumer's uid, 0600. */
function tighten(file, owner) {
  // lstat: a symbolic link could hand a file outside this folder to the consumer, or this chown to another file.
  const stats = lstatSync(file);
  if (!stats.isFile()) throw new Error(`${file} must be a regular file`);
  if (stats.uid !== owner || stats.gid !== owner) chownSync(file, owner, owner);
  if ((stats.mode & 0o777) !== 0o600) chmodSync(file, 0o600);
}

/**
 * Writes atomically as 0600 of `consumer`: a private temporary file, then renamed over the old one (`replace`)
 * or hard-linked to the name, which fails instead of overwriting a file that appeared in the meantime.
 */
function write(consumer, name, value, { replace = false } = {}) {
  const file = path(consumer, name);
  const temporary = join(DIR, consumer, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(temporary, `${value}\n`, { mode: 0o600, flag: 'wx' });
  try {
    chownSync(temporary, ownerOf(consumer), ownerOf(consumer));
    if (replace) renameSync(temporary, file);
    else linkSync(temporary, file);
  } finally {
    if (existsSync(temporary)) unlinkSync(temporary);
  }
  (replace ? updated : created).push(`${consumer}/${name}`);
}

/** The secret in `consumer/name`, created with `make()` when missing. */
function ensure(consumer, name, make) {
  const existing = read(consumer, name);
  if (existing) return existing;
  const value = make();
  write(consumer, name, value);
  return value;
}

function passwordOf(url, consumer, name) {
  const password = decodeURIComponent(new URL(url).password);
  if (!password) throw new Error(`${consumer}/${name} has no password`);
  return password;
}

// RFC 5802/7677, as PostgreSQL stores it (and as libs/dev-infra's scramSha256Verifier computes it).
function scramVerifier(password, salt = randomBytes(16), iterations = 4096) {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

function scramMatches(verifier, password) {
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier ?? '');
  if (!match) return false;
  const expected = Buffer.from(scramVerifier(password, Buffer.from(match[2], 'base64'), Number(match[1])));
  const actual = Buffer.from(verifier);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** `value` in `consumer/name`, written when missing or different. */
function ensureContent(consumer, name, value) {
  const existing = read(consumer, name);
  if (existing !== value) write(consumer, name, value, { replace: existing !== undefined });
}

/** The stack's CA: kept while its certificate and key are intact and it has a year left, else a new one. */
function ensureCertificateAuthority() {
  const ca = { cert: read('ca', 'ca_cert.pem'), key: read('ca', 'ca_key.pem') };
  if (ca.cert && ca.key && authorityIsCurrent(ca)) return ca;
  const fresh = createCertificateAuthority();
  write('ca', 'ca_key.pem', fresh.key, { replace: ca.key !== undefined });
  write('ca', 'ca_cert.pem', fresh.cert, { replace: ca.cert !== undefined });
  return fresh;
}

/**
 * The TLS certificate of `consumer` for its `names` on the network and for its own loopback (its healthcheck):
 * a datastore's serves only; a service's also proves who it is when it calls another service (mutual TLS).
 */
function ensureCertificate(ca, consumer, names, usage) {
  const allNames = [...names, 'localhost', '127.0.0.1'];
  const current = { cert: read(consumer, 'tls_cert.pem'), key: read(consumer, 'tls_key.pem') };
  if (current.cert && current.key && certificateIsCurrent(current, ca, allNames)) return;
  const issued = issueCertificate(ca, allNames, { usage });
  // The key first: a server restarted between the two writes finds the old certificate, which fails loudly.
  write(consumer, 'tls_key.pem', issued.key, { replace: current.key !== undefined });
  write(consumer, 'tls_cert.pem', issued.cert, { replace: current.cert !== undefined });
}

/**
 * A URL this script wrote before the datastores spoke TLS, upgraded: `upgrade(url)` adds what asks for TLS. Only
 * for the stack's own host: a URL you wrote for a datastore elsewhere is yours to keep as it is.
 */
function ensureEncryptedUrl(consumer, name, url, host, upgrade) {
  const parsed = new URL(url);
  if (parsed.hostname !== host) return url;
  const upgraded = upgrade(parsed).toString();
  if (upgraded !== url) write(consumer, name, upgraded, { replace: true });
  return upgraded;
}

function main() {
  for (const consumer of Object.keys(OWNERS)) {
    // Its consumer must be able to enter the folder (whatever the umask of the checkout); nobody else may list it.
    mkdirSync(join(DIR, consumer), { recursive: true });
    chmodSync(join(DIR, consumer), 0o711);
  }
  mkdirSync(join(DIR, 'ca'), { recursive: true });
  chmodSync(join(DIR, 'ca'), 0o700);

  const ca = ensureCertificateAuthority();
  for (const consumer of Object.keys(OWNERS)) ensureContent(consumer, 'internal_ca.pem', ca.cert);
  // A copy for you, to trust the gateway of docker-compose.https.yml (curl --cacert): a certificate is public.
  // Renamed into place, so that a link planted under that name is replaced rather than written through.
  const publicCopy = join(DIR, 'internal_ca.pem');
  const current =
    existsSync(publicCopy) && lstatSync(publicCopy).isFile() && readFileSync(publicCopy, 'utf8').trim();
  if (current !== ca.cert) {
    const temporary = join(DIR, `.internal_ca.pem.${randomBytes(6).toString('hex')}.tmp`);
    writeFileSync(temporary, `${ca.cert}\n`, { mode: 0o644, flag: 'wx' });
    chmodSync(temporary, 0o644);
    renameSync(temporary, publicCopy);
    (current === false ? created : updated).push('internal_ca.pem');
  }
  ensureCertificate(ca, 'postgres', [POSTGRES_HOST], 'server');
  ensureCertificate(ca, 'redis', [REDIS_HOST], 'server');
  // A service answers to its name and to the names of its replicas in docker-compose.yml (users-1, users-2).
  for (const service of SERVICES) {
    ensureCertificate(ca, service, [service, `${service}-1`, `${service}-2`], 'server and client');
  }

  ensure('postgres', 'superuser_password', randomPassword);

  for (const service of DATABASE_SERVICES) {
    // verify-full: TLS, and the server's certificate must chain to the stack's CA and name the host.
    const verifyFull = (url) => {
      url.searchParams.set('sslmode', 'verify-full');
      url.searchParams.set('sslrootcert', MOUNTED(service, 'internal_ca.pem'));
      return url;
    };
    const url = ensureEncryptedUrl(
      service,
      'database_url',
      ensure(service, 'database_url', () =>
        verifyFull(
          new URL(`postgresql://${service}:${randomPassword()}@${POSTGRES_HOST}:5432/${service}`),
        ).toString(),
      ),
      POSTGRES_HOST,
      verifyFull,
    );
    // Each service its own backup key: the backups of one database stay closed to the holder of another's key.
    ensure(service, 'backup_key', () => randomBytes(32).toString('base64url'));
    const password = passwordOf(url, service, 'database_url');
    const name = `${service}_password.scram`;
    if (!scramMatches(read('postgres', name), password)) {
      const replacing = read('postgres', name) !== undefined;
      write('postgres', name, scramVerifier(password), { replace: replacing });
      if (replacing) {
        console.warn(
          `secrets: the database password of ${service} changed. A database initialised before keeps the old ` +
            'one until the init script runs again: docker compose exec postgres ' +
            '/docker-entrypoint-initdb.d/10-service-databases.sh',
        );
      }
    }
  }

  // `default` (no password) may only PING: the healthcheck. Each service may only run the rate limiter's
  // commands on its own keys (runnerly:<service>:*), so one compromised service cannot reset another's counters.
  // The revoked sessions (runnerly:revoked-session:*, REVOKED_SESSION_KEY_PREFIX in @runnerly/security) are
  // written by the token issuer (users) only; the others may only read them, so no other service can end a
  // user's session.
  const acl = [
    "# Written by infra/docker/compose/generate-secrets.mjs from the services' redis_url files.",
    'user default on nopass resetkeys resetchannels -@all +ping',
  ];
  for (const service of SERVICES) {
    const url = ensureEncryptedUrl(
      service,
      'redis_url',
      ensure(service, 'redis_url', () => `rediss://${service}:${randomPassword()}@${REDIS_HOST}:6379`),
      REDIS_HOST,
      (parsed) => new URL(parsed.toString().replace(/^redis:/, 'rediss:')),
    );
    const hash = createHash('sha256')
      .update(passwordOf(url, service, 'redis_url'))
      .digest('hex');
    const revokedSessions =
      service === TOKEN_ISSUER ? '~runnerly:revoked-session:*' : '%R~runnerly:revoked-session:*';
    acl.push(
      `user ${service} on #${hash} resetkeys ~runnerly:${service}:* ${revokedSessions} resetchannels -@all ` +
        '+ping +info +evalsha +eval +get +set +del +incr +decr +pttl +pexpire +exists',
    );
  }
  const redisConf = [
    ...acl,
    // Protected mode refuses every client but loopback while `default` has no password; here `default` can only
    // PING, and Redis sits on an internal network.
    'protected-mode no',
    // Rate-limit counters are short-lived by design: nothing is written to disk.
    'save ""',
    'appendonly no',
    // TLS 1.3 only, on the usual port; no plaintext port. Clients prove themselves with their ACL password.
    'port 0',
    'tls-port 6379',
    'tls-protocols "TLSv1.3"',
    `tls-cert-file ${MOUNTED('redis', 'tls_cert.pem')}`,
    `tls-key-file ${MOUNTED('redis', 'tls_key.pem')}`,
    `tls-ca-cert-file ${MOUNTED('redis', 'internal_ca.pem')}`,
    'tls-auth-clients no',
  ].join('\n');
  if (read('redis', 'redis.conf') !== redisConf) {
    write('redis', 'redis.conf', redisConf, { replace: read('redis', 'redis.conf') !== undefined });
  }

  ensure(TOKEN_ISSUER, 'jwt_private_key.pem', () =>
    generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString()
      .trim(),
  );

  ensure(TOKEN_ISSUER, 'encryption_keys', () => `compose-1:${randomBytes(32).toString('base64url')}`);

  const summary = [
    created.length ? `created ${created.join(', ')}` : 'nothing to create',
    ...(updated.length ? [`updated ${updated.join(', ')}`] : []),
  ];
  console.log(`secrets: ${summary.join('; ')} (in ${DIR})`);
}

try {
  main();
} catch (error) {
  console.error(`secrets: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
