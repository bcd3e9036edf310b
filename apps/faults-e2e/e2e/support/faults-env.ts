import { ComposeSuite } from '@runnerly/testing';

/** The stack of this project: its own, started once per run by the global setup. */
export const FAULTS_SUITE = new ComposeSuite('faults');
