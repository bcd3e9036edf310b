import { nodeVersionProblem } from './node-version.check';

describe('nodeVersionProblem', () => {
  it.each(['24.0.0', '24.21.0', 'v24.11.1', '26.1.0'])('accepts Node %s', (version) => {
    expect(nodeVersionProblem(version)).toBeUndefined();
  });

  it.each(['20.20.2', '22.22.0', 'v18.0.0', 'not-a-version'])(
    'refuses Node %s and says what to do',
    (version) => {
      expect(nodeVersionProblem(version)).toBe(
        `Runnerly needs Node.js 24 or newer, but this is Node.js ${version}. Install Node.js 24 (the version ` +
          'in .nvmrc: "nvm install && nvm use"), then run npm start again.',
      );
    },
  );
});
