import { FAULTS_SUITE } from './faults-env';

/** Removes the stack's containers, networks, volumes and secrets folder (the images stay, as a build cache). */
export default function globalTeardown(): Promise<void> {
  return FAULTS_SUITE.tearDown();
}
