import { CONTAINERS_SUITE } from './containers-env';

/** Builds the images and starts docker-compose.yml once for the run (see ComposeSuite.setUp). */
export default function globalSetup(): Promise<void> {
  return CONTAINERS_SUITE.setUp();
}
