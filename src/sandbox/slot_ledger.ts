/**
 * Where the slots of a pool of Docker hosts are counted when several processes place on the same
 * engines (replicas on PostgreSQL: `jobs/pg_host_slots.ts`). The pool (`docker_host_pool.ts`) keeps
 * counting its own slots; with a ledger, the ledger's count is the one the cap and the least-loaded
 * choice are decided on. Without one (SQLite: one process), the pool's own count is the whole truth.
 */

/** The slots taken on each engine, by everyone who shares the ledger. */
export interface SlotLedger {
  /**
   * Takes one slot on `host` for `holder` (unique per slot) if fewer than `capacity` are taken
   * there, atomically with the count. Resolves true when taken, false when `host` is full.
   */
  take(host: string, holder: string, capacity: number): Promise<boolean>;
  /** Gives `holder`'s slot back (idempotent: a slot already freed is no error). */
  release(holder: string): Promise<void>;
  /** Slots taken per engine name; an engine with none may be absent. */
  loads(): Promise<ReadonlyMap<string, number>>;
}
