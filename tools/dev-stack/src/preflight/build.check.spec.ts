import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { assertServicesBuilt } from './build.check';

describe('assertServicesBuilt', () => {
  let root: string;
  const entries = () => ({
    users: join(root, 'apps/users/dist/main.js'),
    runs: join(root, 'apps/runs/dist/main.js'),
    gateway: join(root, 'apps/gateway/dist/main.js'),
  });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'dev-stack-build-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('passes when every service has its built entry point', async () => {
    for (const entry of Object.values(entries())) {
      await mkdir(dirname(entry), { recursive: true });
      await writeFile(entry, '');
    }
    await expect(assertServicesBuilt(entries(), root)).resolves.toBeUndefined();
  });

  it('names each missing build and how to make it', async () => {
    await mkdir(join(root, 'apps/users/dist'), { recursive: true });
    await writeFile(entries().users, '');

    await expect(assertServicesBuilt(entries(), root)).rejects.toThrow(
      'The services are not built (missing apps/runs/dist/main.js, apps/gateway/dist/main.js). ' +
        'Run "npm start", which builds them first, or "npm run build".',
    );
  });
});
