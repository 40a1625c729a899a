/**
 * A sleep that an abort signal ends early: a job's rate-limit wait (`agent/model_turn.ts`), a
 * replica's pause between attempts to restart its queue worker (`jobs/pg_worker.ts`).
 *
 * @module
 */

/**
 * Resolves after `ms`, or with `false` as soon as `signal` aborts (at once when it already has).
 * Returns `true` when the time passed.
 */
export function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
