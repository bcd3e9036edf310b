export { createTestDatabase, type TestDatabase } from './test-database';
export { startTestInfrastructure, TEST_IMAGES, type TestInfrastructure } from './test-infrastructure';
export { describeWithRedis, everythingRequired, TEST_ENV, testRedisUrl } from '@runnerly/security/testing';
export {
  DevelopmentCa,
  ensureBuilt,
  freePort,
  type IssuedCertificate,
  serviceEntry,
  WORKSPACE_ROOT,
} from '@runnerly/dev-infra';
export { default as setUpTestInfrastructure } from './global-setup';
export { default as tearDownTestInfrastructure } from './global-teardown';
export { DatabaseFingerprint, type TableFingerprints } from './fuzz/database-fingerprint';
export { FuzzTarget, type WatchedDatabase } from './fuzz/fuzz-target';
export { TcpFaultProxy } from './faults/tcp-fault-proxy';
export * from './compose';
export { ScratchWorkspace } from './scratch-workspace';
export { linkIn, type ReceivedMail, TestMailServer } from './mail/test-mail-server';
export { eventually } from './async/eventually';
export {
  REFUSED_FOR_ITS_NAME,
  REFUSED_FOR_UNKNOWN_CA,
  REFUSED_WITHOUT_CERTIFICATE,
} from './tls/handshake-refusals';
export { type TestClient, type TestIdentityClaims, TestOpenIdProvider } from './oidc/test-openid-provider';
