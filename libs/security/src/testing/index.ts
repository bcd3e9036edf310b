// @runnerly/security/testing: helpers for the tests of the library and of every service. Never import
// it from shipped code.

export { httpContext } from './execution-context';
export { LogCapture, type LogLine } from './log-capture';
export {
  createTestApp,
  defaultServiceAppOptions,
  initTestApp,
  startTestApp,
  type TestAppOptions,
} from './test-app';
export { generateRsaPrivateKeyPem, TestKeys } from './test-keys';
export {
  bearer,
  ALGORITHM_FORGERIES,
  CLAIM_FORGERIES,
  FORGED_SERVICE_TOKENS,
  FORGED_TOKENS,
  FORGED_USER_TOKENS,
  type ForgedToken,
  HEADER_FORGERIES,
  KID_FORGERIES,
  MALFORMED_TOKENS,
  SIGNATURE_FORGERIES,
  TEST_ISSUER,
  type TestTokensOptions,
  TestTokens,
  type TestUser,
  type TokenKind,
} from './test-tokens';
export { validated, validationProblemsOf } from './validation';
export { describeWithRedis, everythingRequired, TEST_ENV, testRedisUrl } from './test-services';
export { JwksServer } from './jwks-server';
export { KeyUrlTrap } from './key-url-trap';
export { RawHttpClient, type RawResponse } from './raw-http';
export { routesOutsideNest } from './route-inventory';
export * from './fuzz';
export { type MetricSample, ScrapedMetrics } from './scraped-metrics';
