import { type RunningStack } from './compose-stack';

const STARTED = Symbol.for('runnerly:containers-e2e-stack');
type GlobalWithStack = typeof globalThis & { [STARTED]?: RunningStack };

/** Removes the stack's containers, networks, volumes and secrets folder (the images stay, as a build cache). */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as GlobalWithStack;
  const stack = holder[STARTED];
  holder[STARTED] = undefined;
  await stack?.stop();
}
