import fc, { type Arbitrary, type Parameters } from 'fast-check';

/** The environment variables that steer every fuzz property. */
export const FUZZ_ENV = { seed: 'FUZZ_SEED', runs: 'FUZZ_RUNS' } as const;

/** The seed of every fuzz property unless FUZZ_SEED says otherwise, so that CI runs are repeatable. */
export const DEFAULT_FUZZ_SEED = 20_240_501;

/**
 * fast-check parameters for one fuzz property: a fixed seed and `defaultRuns` runs (sized so that all
 * the fuzz suites together cost CI a few minutes). `FUZZ_SEED=<n>` replays the seed a failure printed;
 * `FUZZ_RUNS=<n>` sets the runs of every property, for a longer hunt. On failure fast-check reports the
 * seed and the shrunk counterexample.
 */
export function fuzzParameters<T>(defaultRuns: number, env: NodeJS.ProcessEnv = process.env): Parameters<T> {
  return {
    seed: integerFrom(env, FUZZ_ENV.seed) ?? DEFAULT_FUZZ_SEED,
    numRuns: integerFrom(env, FUZZ_ENV.runs, 1) ?? defaultRuns,
  };
}

function integerFrom(env: NodeJS.ProcessEnv, name: string, min = -(2 ** 31)): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value >= 2 ** 31)
    throw new Error(`${name} must be an integer from ${min} to ${2 ** 31 - 1}, not "${raw}"`);
  return value;
}

/**
 * Checks `check` against values of `arbitrary` with fuzzParameters(defaultRuns), one at a time (a
 * check usually sends a request). A check fails by throwing; fast-check then shrinks the value and
 * reports it with the seed.
 */
export function fuzz<T>(
  defaultRuns: number,
  arbitrary: Arbitrary<T>,
  check: (value: T) => Promise<unknown>,
): Promise<void> {
  return fc.assert(
    fc.asyncProperty(arbitrary, async (value) => {
      await check(value);
    }),
    fuzzParameters(defaultRuns),
  );
}
