// Imported first by main.ts, so that it runs before any other module loads: on an older Node those could
// fail first, with a far less helpful error than this one.
import { nodeVersionProblem } from './node-version.check';

const problem = nodeVersionProblem(process.versions.node);
if (problem !== undefined) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
