/**
 * Giving the event loop a turn during a build. A build is a chain of promises that rarely waits on I/O, and
 * promise continuations (microtasks) run before any I/O callback: on a thread that also serves requests
 * (getHeader, JSON-RPC), nothing else would run until the build ends. So long loops call `yieldIfDue()`: once
 * `YIELD_EVERY_MS` have passed since the last turn it returns a promise that resolves in a macrotask
 * (`setImmediate`, which runs after pending I/O callbacks), else undefined, at the cost of a clock read. Yielding
 * changes no result: only what else runs in between.
 */

/** The longest a build runs without giving the event loop a turn (beyond the one step it is in). */
export const YIELD_EVERY_MS = 2;

/** When this thread's event loop last had a turn from a build (per thread: workers keep their own). */
let lastTurn = performance.now();

/** A turn of the event loop: pending I/O callbacks run before the promise resolves. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) =>
    setImmediate(() => {
      lastTurn = performance.now();
      resolve();
    }),
  );
}

/** A turn of the event loop if `YIELD_EVERY_MS` have passed since the last one, else undefined (no await). */
export function yieldIfDue(): Promise<void> | undefined {
  if (performance.now() - lastTurn < YIELD_EVERY_MS) return undefined;
  return yieldToEventLoop();
}
