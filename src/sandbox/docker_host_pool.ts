/**
 * Placement over a pool of Docker engines (`DOCKER_HOSTS`). Each work item takes a slot on one
 * engine for as long as it uses it (its environment setup and its sandbox); an engine holds at most
 * `SANDBOXES_PER_HOST` slots. A slot goes to an engine that answers its pings, preferring those the
 * caller prefers (the ones already holding the work item's environment image), then the least
 * loaded, then the first listed. When every engine that answers is full, the request waits, in
 * order, for a slot to free up; when none answers, it fails at once with {@link NoDockerHostError}.
 *
 * Health: every engine is pinged every `DOCKER_HOSTS_PING_MS`; one failed ping marks it down, one
 * answered ping up again. A caller that sees an engine fail asks {@link DockerHostPool.confirmUp},
 * which pings it now.
 *
 * Shared: with a {@link SlotLedger} (replicas on PostgreSQL), the cap and the least-loaded choice
 * count the slots every process sharing the ledger holds, read from it at each placement, and a slot
 * is only taken once the ledger grants it. A request waiting for a slot is woken when one of this
 * pool's slots frees and, for slots other processes free, at each round of pings
 * (`DOCKER_HOSTS_PING_MS`): a slot is held for a whole work item (minutes), so that delay is small
 * beside it, and it needs no connection held open per replica. A ledger that cannot be read or
 * written (the database restarting) is reported to `onError` and waited on like a full pool, and a
 * slot it could not give back is given back at the next round.
 */
import { NoDockerHostError } from "./docker_host_errors.ts";
import type { DockerHostState } from "../contracts/docker_host_state.ts";
import type { SlotLedger } from "./slot_ledger.ts";
import { Waiters } from "./waiters.ts";
import { withTimeout } from "./with_timeout.ts";
import { countedSlot, type HostSlot } from "./host_slot.ts";
import type { AcquireOptions, PoolHost, PoolOptions } from "./docker_host_pool_options.ts";

interface Entry<H> {
  host: H;
  up: boolean;
  /** This pool's slots on it. */
  load: number;
  /** Everyone's slots on it, as the ledger last said (with a ledger). */
  shared: number;
  error?: string;
  checkedAt: string | null;
}

/** The pool; see the module's description. */
export class DockerHostPool<H extends PoolHost> {
  readonly #entries: Entry<H>[];
  readonly #waiters = new Waiters();
  /** Holders of slots the ledger could not give back (or may have taken), retried each round. */
  readonly #unreleased = new Set<string>();
  #timer: ReturnType<typeof setInterval> | undefined;
  /** The round of pings under way, if any. */
  #round: Promise<unknown> | undefined;

  /** Every engine starts `up` until its first ping says otherwise. */
  constructor(hosts: readonly H[], private readonly options: PoolOptions) {
    this.#entries = hosts.map((host) => ({ host, up: true, load: 0, shared: 0, checkedAt: null }));
  }

  /** Each engine's state, in the order given. */
  states(): DockerHostState[] {
    return this.#entries.map((e) => ({
      host: e.host.name,
      status: e.up ? "up" : "down",
      sandboxes: this.#loadOf(e),
      capacity: this.options.capacity,
      ...(e.up || e.error === undefined ? {} : { error: e.error }),
      checkedAt: e.checkedAt,
    }));
  }

  /**
   * Pings every engine now and returns their states. With a ledger, also reads everyone's slots
   * (a failure is passed to `onError`) and wakes the waiting requests, for slots freed elsewhere.
   */
  async check(): Promise<DockerHostState[]> {
    await Promise.all(this.#entries.map((e) => this.#ping(e)));
    if (this.options.ledger) {
      await this.#releaseLeftovers(this.options.ledger).catch((error) => this.options.onError?.(error));
      await this.#readLoads().catch((error) => this.options.onError?.(error));
      this.#waiters.wakeAll();
    }
    return this.states();
  }

  /**
   * Pings every engine now and then every `intervalMs`, until {@link stop}. A round still waiting on
   * an engine (up to `pingTimeoutMs`) is not doubled: the next starts at the first tick after it.
   */
  async start(intervalMs: number): Promise<void> {
    await this.check();
    this.#timer ??= setInterval(() => {
      this.#round ??= this.check().catch((error) => this.options.onError?.(error)).finally(() => {
        this.#round = undefined;
      });
    }, intervalMs);
  }

  /** Stops the pings (a waiting request ends with its signal). */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Pings `host` now: true when it answers (it is then up), false when it is down. */
  async confirmUp(host: H): Promise<boolean> {
    const entry = this.#entries.find((e) => e.host === host);
    return entry ? await this.#ping(entry) : false;
  }

  /**
   * A slot on the best engine (see the module's description).
   * @throws NoDockerHostError when no engine answers (at once, or while waiting).
   */
  async acquire(options: AcquireOptions<H> = {}): Promise<HostSlot<H>> {
    let waited = false;
    for (;;) {
      options.signal?.throwIfAborted();
      const live = this.#entries.filter((e) => e.up);
      if (live.length === 0) throw this.#noHost();
      try {
        if (this.options.ledger) await this.#readLoads();
        const open = live.filter((e) => this.#loadOf(e) < this.options.capacity);
        if (open.length > 0) {
          const chosen = await this.#choose(open, options.prefer);
          // The preference is asked asynchronously: take the slot only if the engine still has one.
          if (chosen.up && this.#loadOf(chosen) < this.options.capacity) {
            const slot = await this.#take(chosen);
            if (slot) return slot;
          }
          continue;
        }
      } catch (error) {
        // Only the ledger throws here: tried again at the next round of pings.
        this.options.onError?.(error);
        await this.#waiters.wait(options.signal);
        continue;
      }
      if (!waited) {
        waited = true;
        await options.onWait?.();
        continue;
      }
      await this.#waiters.wait(options.signal);
    }
  }

  async #choose(open: Entry<H>[], prefer: AcquireOptions<H>["prefer"]): Promise<Entry<H>> {
    // An engine that does not say within the ping timeout is not preferred (a black-holed one would hang).
    const asks = (e: Entry<H>) => withTimeout(prefer!(e.host), this.options.pingTimeoutMs).catch(() => false);
    const preferred = prefer
      ? (await Promise.all(open.map(async (e) => (await asks(e)) ? e : undefined))).filter((e) =>
        e !== undefined
      )
      : [];
    const pool = preferred.length > 0 ? preferred : open;
    return pool.reduce((best, e) => this.#loadOf(e) < this.#loadOf(best) ? e : best);
  }

  #loadOf(entry: Entry<H>): number {
    return this.options.ledger ? entry.shared : entry.load;
  }

  async #releaseLeftovers(ledger: SlotLedger): Promise<void> {
    for (const holder of [...this.#unreleased]) {
      await ledger.release(holder);
      this.#unreleased.delete(holder);
    }
  }

  async #readLoads(): Promise<void> {
    const loads = await this.options.ledger!.loads();
    for (const e of this.#entries) e.shared = loads.get(e.host.name) ?? 0;
  }

  /** A slot on `entry`, or undefined when the ledger finds it full (another process took the last). */
  async #take(entry: Entry<H>): Promise<HostSlot<H> | undefined> {
    const { ledger } = this.options;
    const holder = crypto.randomUUID();
    if (ledger) {
      let taken: boolean;
      try {
        taken = await ledger.take(entry.host.name, holder, this.options.capacity);
      } catch (error) {
        // It may have been taken all the same (a commit whose answer was lost): given back later.
        this.#unreleased.add(holder);
        throw error;
      }
      if (!taken) return undefined;
    }
    return countedSlot(entry, holder, ledger, {
      freed: () => this.#waiters.wakeAll(),
      notGivenBack: (error) => {
        this.#unreleased.add(holder);
        this.options.onError?.(error);
      },
    });
  }

  #noHost(): NoDockerHostError {
    return new NoDockerHostError(
      this.#entries.map((e) => ({ host: e.host.name, error: e.error ?? "not answering" })),
    );
  }

  async #ping(entry: Entry<H>): Promise<boolean> {
    const wasUp = entry.up;
    const done = new AbortController();
    try {
      await withTimeout(entry.host.ping(done.signal), this.options.pingTimeoutMs);
      entry.up = true;
      delete entry.error;
    } catch (error) {
      entry.up = false;
      entry.error = (error as Error).message ?? String(error);
    } finally {
      done.abort();
      entry.checkedAt = new Date().toISOString();
    }
    if (entry.up && !wasUp) {
      this.#waiters.wakeAll();
      await this.options.onUp?.(entry.host.name).catch((error) => this.options.onError?.(error));
    }
    if (!entry.up && wasUp) this.options.onDown?.(entry.host.name, entry.error ?? "not answering");
    if (!entry.up && this.#entries.every((e) => !e.up)) {
      const error = this.#noHost();
      this.#waiters.failAll(error);
    }
    return entry.up;
  }
}
