// Build-time helper of infra/docker/Dockerfile (plain Node, no dependencies). Two commands:
//
//   node image-files.mjs manifests <out>
//       Copies package.json, package-lock.json and the package.json of every npm workspace into <out>, keeping
//       their paths: the Dockerfile runs `npm ci` on these alone, so its layer is rebuilt only when they change.
//
//   node image-files.mjs service <name> <out>
//       Copies what the built service apps/<name> needs at run time into <out>: its dist and package.json, and
//       the dist and package.json of each workspace library its compiled code requires (found by following
//       `require("@runnerly/...")` through the compiled files, so a dev-only library such as @runnerly/testing
//       never ships), with the node_modules/@runnerly/* links that make them resolvable. Every bare `require` of
//       the shipped code must resolve against the production node_modules, or the build fails here rather than
//       the container at start. Type declarations and source maps are left out.
import { builtinModules, createRequire } from 'node:module';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const HERE = dirname(new URL(import.meta.url).pathname);
const ROOT = process.cwd();
const SCOPE = '@runnerly/';
const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
// tsc's CommonJS output: require("x"), and import("x") wrapped as Promise.resolve().then(() => require("x")).
const REQUIRE = /\brequire\(\s*["']([^"'.][^"']*)["']\s*\)/g;
// A library's test helpers (its "./testing" export, built into dist/testing) never ship: they may use dev
// dependencies (fast-check), and no shipped file may require them.
const TEST_HELPERS = 'testing';

function fail(message) {
  console.error(`image-files: ${message}`);
  process.exit(1);
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** name -> folder (relative to ROOT) of every workspace. Supports the "dir/*" and "dir" forms only. */
function workspaces() {
  const patterns = readJson(join(ROOT, 'package.json')).workspaces ?? [];
  const folders = patterns.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    if (!existsSync(join(ROOT, parent))) return [];
    return readdirSync(join(ROOT, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}`);
  });
  const byName = new Map();
  for (const folder of folders) {
    const manifest = join(ROOT, folder, 'package.json');
    if (existsSync(manifest)) byName.set(readJson(manifest).name, folder);
  }
  return byName;
}

function manifests(out) {
  if (!out) fail('usage: image-files.mjs manifests <out>');
  const files = [
    'package.json',
    'package-lock.json',
    ...[...workspaces().values()].map((f) => `${f}/package.json`),
  ];
  for (const file of files) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(out, file));
  }
  console.log(`image-files: ${files.length} manifests`);
}

function* javascriptFiles(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* javascriptFiles(path);
    else if (entry.name.endsWith('.js') || entry.name.endsWith('.cjs') || entry.name.endsWith('.mjs'))
      yield path;
  }
}

/** The package part of a bare specifier: "@scope/name/sub" -> "@scope/name", "name/sub" -> "name". */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function service(name, out) {
  if (!name || !out) fail('usage: image-files.mjs service <name> <out>');
  const packages = workspaces();
  const appFolder = `apps/${name}`;
  if (![...packages.values()].includes(appFolder)) fail(`${appFolder} is not a workspace`);
  if (!existsSync(join(ROOT, appFolder, 'dist/main.js')))
    fail(`${appFolder}/dist/main.js is missing: build first`);

  // Breadth-first over the workspaces the compiled code requires, checking every other require on the way.
  const shipped = [appFolder];
  const libraries = [];
  const unresolved = [];
  for (let i = 0; i < shipped.length; i += 1) {
    const dist = join(ROOT, shipped[i], 'dist');
    if (!existsSync(dist)) fail(`${shipped[i]}/dist is missing: is the library built?`);
    for (const file of javascriptFiles(dist)) {
      if (file.startsWith(join(dist, TEST_HELPERS, '/'))) continue;
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(REQUIRE)) {
        if (BUILTINS.has(specifier)) continue;
        const pkg = packageOf(specifier);
        if (specifier === `${pkg}/${TEST_HELPERS}`)
          fail(`${relative(ROOT, file)} requires the test helpers ${specifier}, which never ship`);
        if (pkg.startsWith(SCOPE)) {
          const folder = packages.get(pkg);
          if (!folder) fail(`${relative(ROOT, file)} requires ${pkg}, which is not a workspace`);
          if (folder.startsWith('apps/')) fail(`${relative(ROOT, file)} requires the app ${pkg}`);
          if (!shipped.includes(folder)) {
            shipped.push(folder);
            libraries.push(pkg);
          }
          continue;
        }
        // Only the root node_modules is shipped: a package found anywhere else would be missing in the image.
        let found;
        try {
          found = createRequire(file).resolve(specifier);
        } catch {
          found = undefined;
        }
        if (!found?.startsWith(join(ROOT, 'node_modules/')))
          unresolved.push(`${relative(ROOT, file)}: ${specifier}`);
      }
    }
  }
  if (unresolved.length > 0) {
    fail(`not resolvable with production dependencies only:\n  ${[...new Set(unresolved)].join('\n  ')}`);
  }

  const app = join(out, 'app');
  for (const folder of shipped) {
    mkdirSync(join(app, folder), { recursive: true });
    copyFileSync(join(ROOT, folder, 'package.json'), join(app, folder, 'package.json'));
    cpSync(join(ROOT, folder, 'dist'), join(app, folder, 'dist'), {
      recursive: true,
      filter: (source) =>
        !/\.(map|d\.ts)$/.test(source) && source !== join(ROOT, folder, 'dist', TEST_HELPERS),
    });
  }
  for (const pkg of libraries) {
    const link = join(app, 'node_modules', pkg);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(relative(dirname(link), join(app, packages.get(pkg))), link);
  }
  // One entry point whatever the service: `node main.js` (Node follows the link to the real file).
  symlinkSync(`${appFolder}/dist/main.js`, join(app, 'main.js'));
  // A service with a database can back it up and restore it: `node backup.js` (libs/database/src/backup).
  if (libraries.includes(`${SCOPE}database`)) {
    symlinkSync(`${packages.get(`${SCOPE}database`)}/dist/backup/main.js`, join(app, 'backup.js'));
  }
  // A service with migrations applies them and exits, `node migrate.js`, for a Job that runs before a rollout
  // (infra/k8s/base/migrations.yaml): the app's own entry, since the migrations are the app's.
  if (existsSync(join(ROOT, appFolder, 'dist/migrate.js'))) {
    symlinkSync(`${appFolder}/dist/migrate.js`, join(app, 'migrate.js'));
  }
  copyFileSync(join(HERE, 'healthcheck.sh'), join(app, 'healthcheck.sh'));

  // The shipped libraries' own entry points must exist (package.json "exports" -> dist).
  for (const pkg of libraries) {
    try {
      createRequire(join(resolve(app), appFolder, 'dist/main.js')).resolve(pkg);
    } catch (error) {
      fail(`${pkg} does not resolve in the assembled image: ${error.message}`);
    }
  }
  console.log(
    `image-files: ${name} ships ${libraries.length ? libraries.join(', ') : 'no workspace library'}`,
  );
}

const [command, ...args] = process.argv.slice(2);
if (command === 'manifests') manifests(...args);
else if (command === 'service') service(...args);
else fail('usage: image-files.mjs manifests <out> | service <name> <out>');
