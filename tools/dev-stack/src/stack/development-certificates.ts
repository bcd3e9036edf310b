import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { DevelopmentCa } from '@runnerly/dev-infra';
import { readSecretFile } from '@runnerly/security/secrets';

/** Where the gateway's certificate and the CA that signed it are kept: `<state folder>/tls/`. */
export interface GatewayCertificateFiles {
  /** The development CA's certificate: what a browser, curl or the launcher's probe trusts. */
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** A certificate with less than this left is replaced at start. */
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;
/** The names a browser on this machine reaches the gateway by. */
const LOCAL_NAMES = ['localhost', '127.0.0.1', '::1'];

/**
 * `RUNNERLY_HTTPS=1`: the gateway's certificate, from a development CA made on the first start and kept in the
 * state folder (its key 0600, never printed). The CA stays, so a browser told to trust it once keeps trusting
 * the stack; the gateway's certificate is issued again when it is missing, names other hosts, or nears its end.
 */
export async function ensureGatewayCertificate(
  tlsDir: string,
  gatewayHost: string,
  note: (message: string) => void,
): Promise<GatewayCertificateFiles> {
  const files = {
    caFile: join(tlsDir, 'ca.pem'),
    certFile: join(tlsDir, 'gateway.pem'),
    keyFile: join(tlsDir, 'gateway-key.pem'),
  };
  const caKeyFile = join(tlsDir, 'ca-key.pem');
  await mkdir(tlsDir, { recursive: true, mode: 0o700 });

  const caKey = await readSecretFile(caKeyFile);
  const ca =
    caKey === undefined
      ? await createCa(files.caFile, caKeyFile, note)
      : await DevelopmentCa.load(await readFile(files.caFile, 'utf8'), caKey);

  const names = [...new Set([...LOCAL_NAMES, gatewayHost])].filter(
    (name) => !['0.0.0.0', '::'].includes(name),
  );
  if (await stillGood(files.certFile, ca.cert, names)) return files;
  const issued = await ca.issue({ name: 'localhost', altNames: names.slice(1), usage: 'server' });
  await writeFile(files.keyFile, issued.key, { mode: 0o600 });
  await writeFile(files.certFile, issued.cert, { mode: 0o644 });
  note(`Issued the gateway's certificate for ${names.join(', ')}, valid 90 days, in ${files.certFile}`);
  return files;
}

async function createCa(
  caFile: string,
  caKeyFile: string,
  note: (message: string) => void,
): Promise<DevelopmentCa> {
  const ca = await DevelopmentCa.create();
  // The key first, with flag wx: two launchers racing on one state folder are already refused by the lock.
  await writeFile(caKeyFile, await ca.privateKey(), { mode: 0o600, flag: 'wx' });
  await writeFile(caFile, ca.cert, { mode: 0o644 });
  note(`Created a development CA in ${caFile}: trust it to open the gateway over HTTPS without a warning`);
  return ca;
}

/** The certificate in `file` was signed by this CA, names every host, and has more than 30 days left. */
async function stillGood(file: string, caCert: string, names: readonly string[]): Promise<boolean> {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(await readFile(file));
  } catch {
    return false;
  }
  const covered = names.every(
    (name) => (isIP(name) ? certificate.checkIP(name) : certificate.checkHost(name)) !== undefined,
  );
  return (
    covered &&
    certificate.verify(new X509Certificate(caCert).publicKey) &&
    new Date(certificate.validTo).getTime() - Date.now() > RENEW_BEFORE_MS
  );
}
