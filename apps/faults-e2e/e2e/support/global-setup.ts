import { FAULTS_SUITE } from './faults-env';

/** Builds the images and starts docker-compose.yml once for the run (see ComposeSuite.setUp). */
export default function globalSetup(): Promise<void> {
  return FAULTS_SUITE.setUp();
}
