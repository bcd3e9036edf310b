import { CONTAINERS_SUITE } from './containers-env';

/** Removes the stack's containers, networks, volumes and secrets folder (the images stay, as a build cache). */
export default function globalTeardown(): Promise<void> {
  return CONTAINERS_SUITE.tearDown();
}
