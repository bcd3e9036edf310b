/** The services are built for Node 24 (Nest 12 is ESM-only and relies on its `require(esm)`). */
export const REQUIRED_NODE_MAJOR = 24;

/** Why this Node cannot run the stack, or undefined when it can. `version` as in `process.versions.node`. */
export function nodeVersionProblem(version: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (Number.isInteger(major) && major >= REQUIRED_NODE_MAJOR) return undefined;
  return (
    `Runnerly needs Node.js ${REQUIRED_NODE_MAJOR} or newer, but this is Node.js ${version}. ` +
    `Install Node.js ${REQUIRED_NODE_MAJOR} (the version in .nvmrc: "nvm install && nvm use"), ` +
    'then run npm start again.'
  );
}
