/**
 * One lock per key: two jobs that need the same environment at once build it once (the second
 * waits, then finds the image). async-mutex (small, typed, FIFO) holds each key's queue; a key's
 * mutex is dropped when nobody holds or waits for it.
 */
import { Mutex } from "async-mutex";

/** Runs callbacks one at a time per key, in arrival order. */
export class KeyedLock {
  readonly #locks = new Map<string, { mutex: Mutex; users: number }>();

  /** Runs `work` once no earlier `work` of the same `key` is running; resolves with its result. */
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    let lock = this.#locks.get(key);
    if (!lock) {
      lock = { mutex: new Mutex(), users: 0 };
      this.#locks.set(key, lock);
    }
    lock.users++;
    try {
      return await lock.mutex.runExclusive(work);
    } finally {
      if (--lock.users === 0) this.#locks.delete(key);
    }
  }

  /** Keys currently held or waited for (tests). */
  get size(): number {
    return this.#locks.size;
  }
}
