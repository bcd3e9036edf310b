import { type TestInfrastructure } from './test-infrastructure';

const STARTED = Symbol.for('runnerly:test-infrastructure');
type GlobalWithInfrastructure = typeof globalThis & { [STARTED]?: TestInfrastructure };

/** Jest global teardown: stops what the global setup started (and nothing it was given). */
export default async function tearDownTestInfrastructure(): Promise<void> {
  const holder = globalThis as GlobalWithInfrastructure;
  const infrastructure = holder[STARTED];
  holder[STARTED] = undefined;
  await infrastructure?.stop();
}
