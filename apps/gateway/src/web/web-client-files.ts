import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';

/** The literal in index.html that each page answer replaces with its CSP nonce. */
export const NONCE_PLACEHOLDER = '__CSP_NONCE__';

/** The web client's routes (history API): each is answered with index.html, and the client draws the page. */
export const WEB_CLIENT_PAGES = [
  '/',
  '/sign-in',
  '/sign-up',
  '/runs',
  '/sessions',
  '/verify-email',
  '/reset-password',
] as const;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface WebAsset {
  body: Buffer;
  contentType: string;
}

/**
 * The built web client, read once at boot: index.html and every file under assets/. Assets are answered from
 * this table by exact name, so no request path ever reaches the file system (no traversal to try), and a file
 * of an unknown type is refused at boot rather than served with a guessed type.
 */
export class WebClientFiles {
  private constructor(
    private readonly index: string,
    private readonly assets: ReadonlyMap<string, WebAsset>,
  ) {}

  // The folder is the operator's (WEB_CLIENT_ROOT), read once at boot; no request path reaches these calls.
  /* eslint-disable security/detect-non-literal-fs-filename */
  static load(root: string): WebClientFiles {
    const index = readFileSync(join(root, 'index.html'), 'utf8');
    if (!index.includes(NONCE_PLACEHOLDER))
      throw new Error(`${join(root, 'index.html')} has no ${NONCE_PLACEHOLDER}: its script could never run`);
    const assetsRoot = join(root, 'assets');
    const assets = new Map<string, WebAsset>();
    for (const file of filesUnder(assetsRoot)) {
      const contentType = CONTENT_TYPES[extname(file)];
      if (contentType === undefined) throw new Error(`${file}: no content type known for this kind of file`);
      assets.set(relative(assetsRoot, file).split('\\').join('/'), { body: readFileSync(file), contentType });
    }
    return new WebClientFiles(index, assets);
  }
  /* eslint-enable security/detect-non-literal-fs-filename */

  /** index.html, its script tag carrying this answer's nonce. */
  page(nonce: string): string {
    return this.index.replaceAll(NONCE_PLACEHOLDER, nonce);
  }

  asset(name: string): WebAsset | undefined {
    return this.assets.get(name);
  }
}

function* filesUnder(folder: string): Generator<string> {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- under WEB_CLIENT_ROOT, at boot
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (entry.isFile()) yield path;
  }
}
