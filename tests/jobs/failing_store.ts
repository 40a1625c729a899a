/**
 * A real job store with one injected failure: the first call of `method` that `when` picks
 * rejects with a disk-like error; every other call goes to the store underneath.
 */
import type { JobStore } from "../../src/jobs/store.ts";

/** The wrapped store, and the calls that were made to fail. */
export interface FailingStore {
  store: JobStore;
  /** The arguments of each call that was failed (at most one). */
  readonly failed: unknown[][];
}

/** Wraps `store` so that the first call of `method` matching `when` rejects. */
export function failOnce<K extends keyof JobStore>(
  store: JobStore,
  method: K,
  when: (...args: unknown[]) => boolean = () => true,
): FailingStore {
  const failed: unknown[][] = [];
  const wrapped = new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (property !== method) return value.bind(target);
      return (...args: unknown[]) => {
        if (failed.length === 0 && when(...args)) {
          failed.push(args);
          return Promise.reject(new Error(`disk I/O error (injected into ${String(method)})`));
        }
        return value.apply(target, args);
      };
    },
  });
  return { store: wrapped, failed };
}
