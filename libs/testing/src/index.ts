export { createTestDatabase, type TestDatabase } from './test-database';
export {
  freePort,
  startTestInfrastructure,
  TEST_IMAGES,
  type TestInfrastructure,
} from './test-infrastructure';
export { describeWithRedis, everythingRequired, TEST_ENV, testRedisUrl } from '@runnerly/security/testing';
