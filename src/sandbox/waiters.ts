/** Requests waiting for something to change (a free slot), woken all at once to look again. */

/** A set of waits; each ends once, by a wake, a failure or its signal. */
export class Waiters {
  readonly #waiters = new Set<{ wake: () => void; fail: (error: unknown) => void }>();

  /** Resolves at the next {@link wakeAll}; rejects at {@link failAll} or with `signal`'s reason. */
  wait(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        wake: () => finish(resolve),
        fail: (error: unknown) => finish(() => reject(error)),
      };
      const onAbort = () => finish(() => reject(signal!.reason));
      const finish = (then: () => void) => {
        this.#waiters.delete(waiter);
        signal?.removeEventListener("abort", onAbort);
        then();
      };
      this.#waiters.add(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Ends every wait: each looks again. */
  wakeAll(): void {
    for (const waiter of [...this.#waiters]) waiter.wake();
  }

  /** Ends every wait with `error`. */
  failAll(error: unknown): void {
    for (const waiter of [...this.#waiters]) waiter.fail(error);
  }
}
