/**
 * One slot on one engine of the Docker host pool (`docker_host_pool.ts`): taking it counts it on the
 * engine's entry, giving it back (once, however often asked) uncounts it and, with a
 * {@link SlotLedger}, deletes it from the ledger before the pool's waiters are woken, so that their
 * count sees it free.
 */
import type { SlotLedger } from "./slot_ledger.ts";

/** A slot on one engine; releasing it is idempotent. */
export interface HostSlot<H> extends AsyncDisposable {
  readonly host: H;
  release(): void;
}

/** The counters of the engine a slot is on. */
export interface SlotCounts<H> {
  host: H;
  /** This pool's slots on it. */
  load: number;
  /** Everyone's slots on it, as the ledger last said. */
  shared: number;
}

/** What the pool hears when a slot is given back. */
export interface SlotEvents {
  /** The slot is free (in the ledger too, with one): wake the waiters. */
  freed(): void;
  /** The ledger could not take it back; the pool gives it back later. */
  notGivenBack(error: unknown): void;
}

/**
 * Counts a slot held by `holder` on `entry` (already granted by `ledger` when there is one) and
 * returns it.
 */
export function countedSlot<H>(
  entry: SlotCounts<H>,
  holder: string,
  ledger: SlotLedger | undefined,
  events: SlotEvents,
): HostSlot<H> {
  entry.load++;
  entry.shared++;
  let released: Promise<void> | undefined;
  const release = () => {
    if (released) return;
    entry.load--;
    entry.shared--;
    if (!ledger) {
      released = Promise.resolve();
      events.freed();
      return;
    }
    released = ledger.release(holder).then(() => events.freed(), (error) => events.notGivenBack(error));
  };
  return {
    host: entry.host,
    release,
    [Symbol.asyncDispose]: () => {
      release();
      return released!;
    },
  };
}
