// Specs beside the code, run on the repository's own package.json and lockfile. The image SBOMs are checked
// on the images the containers suite builds (apps/containers-e2e/e2e/sbom.e2e-spec.ts).
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'supply-chain',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
