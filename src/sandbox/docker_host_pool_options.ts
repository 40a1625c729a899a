/**
 * What a `DockerHostPool` (`docker_host_pool.ts`) is built from and asked with: its engines,
 * its settings and hooks, and the options of one placement.
 */
import type { SlotLedger } from "./slot_ledger.ts";

/** One engine of the pool: its name (URL) and its ping. */
export interface PoolHost {
  readonly name: string;
  /**
   * Asks the engine whether it answers. `signal` is aborted once the ping has its outcome (an
   * answer, or none within `pingTimeoutMs`): a request it started must end then, so an engine that
   * accepts and never answers is not left one more open connection every round.
   */
  ping(signal?: AbortSignal): Promise<unknown>;
}

/** Options for `DockerHostPool`. */
export interface PoolOptions {
  /** `SANDBOXES_PER_HOST`. */
  capacity: number;
  /** A ping that takes longer fails. */
  pingTimeoutMs: number;
  /** Called when an engine answers again after being down (e.g. to remove what was lost on it). */
  onUp?: (name: string) => Promise<void>;
  /** Called once when an engine that answered stops answering, with the ping's error. */
  onDown?: (name: string, error: string) => void;
  /** Where slots are counted across processes; without it, this pool's own count is the truth. */
  ledger?: SlotLedger;
  /** Called with a failure of `onUp`, or of a ledger's release or count. */
  onError?: (error: unknown) => void;
}

/** Options for `DockerHostPool.acquire`. */
export interface AcquireOptions<H extends PoolHost> {
  /** Engines for which this resolves true are taken first (e.g. they hold the environment image). */
  prefer?: (host: H) => Promise<boolean>;
  /** Called once when the request has to wait for a slot. */
  onWait?: () => Promise<void>;
  /** Aborting stops the wait (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}
