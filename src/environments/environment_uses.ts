/**
 * When each environment image was last used, for least-recently-used pruning. Docker records no
 * last-use time for an image and a label cannot change after the commit, so the service keeps it:
 * in the job store's `environment_uses` table (it already persists the service's state across
 * restarts and replicas share it), or in memory for one-shot runs and tests.
 */

/** The last-use record of environment images, by cache key. */
export interface EnvironmentUses {
  /** Records that `key`'s image was used (a hit or a build) at `at` (ISO 8601). */
  touch(key: string, at: string): Promise<void>;
  /** Each recorded key's last use (ISO 8601). */
  lastUses(): Promise<Map<string, string>>;
  /** Drops the records of `keys` (their images were pruned). */
  forget(keys: readonly string[]): Promise<void>;
}

/** {@link EnvironmentUses} kept in memory: lost on restart (pruning then falls back to build times). */
export function memoryEnvironmentUses(): EnvironmentUses {
  const uses = new Map<string, string>();
  return {
    touch: (key, at) => {
      uses.set(key, at);
      return Promise.resolve();
    },
    lastUses: () => Promise.resolve(new Map(uses)),
    forget: (keys) => {
      for (const key of keys) uses.delete(key);
      return Promise.resolve();
    },
  };
}
