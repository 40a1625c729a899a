/**
 * One lock per key: two jobs that need the same environment at once build it once (the second
 * waits, then finds the image). async-mutex (small, typed, FIFO) holds each key's queue; a key's
 * mutex is dropped when nobody holds or waits for it. A waiter whose job stops leaves the queue at once.
 */
import { Mutex } from "async-mutex";

/** Runs callbacks one at a time per key, in arrival order. */
export class KeyedLock {
  readonly #locks = new Map<string, { mutex: Mutex; users: number }>();

  /**
   * Runs `work` once no earlier `work` of the same `key` is running; resolves with its result.
   * @param signal a job's: when it aborts while this waits its turn, the wait ends at once (rejecting
   *   with the signal's reason) and `work` never runs.
   */
  async run<T>(key: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    let lock = this.#locks.get(key);
    if (!lock) {
      lock = { mutex: new Mutex(), users: 0 };
      this.#locks.set(key, lock);
    }
    lock.users++;
    try {
      const release = await turn(lock.mutex, signal);
      try {
        return await work();
      } finally {
        release();
      }
    } finally {
      if (--lock.users === 0) this.#locks.delete(key);
    }
  }

  /** Keys currently held or waited for (tests). */
  get size(): number {
    return this.#locks.size;
  }
}

/** Waits for `mutex`, or until `signal` aborts; a turn given up is released as soon as it comes. */
async function turn(mutex: Mutex, signal: AbortSignal | undefined): Promise<() => void> {
  signal?.throwIfAborted();
  const acquired = mutex.acquire();
  if (!signal) return await acquired;
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([acquired, aborted]);
  } catch (error) {
    acquired.then((release) => release(), () => undefined);
    throw error;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
