/**
 * Wakes jobs that wait on issues: the composition root creates one {@link IssueWakeups}, the
 * webhook route calls {@link IssueWakeups.issueClosed} on `issues.closed`, and a job waiting for
 * its `[ops]` sub-issues (`pipeline/ops_first.ts`) looks again at once instead of at its next
 * re-check.
 */
import type { IssueKey, IssueWaits, WaitEnd, WaitOptions } from "../pipeline/pipeline_contract.ts";

/** Closes remembered for waits that start after them; the oldest are forgotten first. */
const REMEMBERED_CLOSES = 10_000;

const keyOf = (repo: string, number: number) => `${repo.toLowerCase()}#${number}`;

/** Waiters per issue, in this process. */
export class IssueWakeups implements IssueWaits {
  readonly #waiters = new Map<string, Set<() => void>>();
  /** Each closed issue's latest close, as a sequence number. */
  readonly #closes = new Map<string, number>();
  #seq = 0;

  mark(): number {
    return this.#seq;
  }

  /**
   * Says issue `number` of `repo` (`owner/name`, any case) was closed: every job waiting on it
   * looks again now.
   * @returns how many waits it woke.
   */
  issueClosed(repo: string, number: number): number {
    const key = keyOf(repo, number);
    this.#closes.delete(key);
    this.#closes.set(key, ++this.#seq);
    if (this.#closes.size > REMEMBERED_CLOSES) this.#closes.delete(this.#closes.keys().next().value!);
    const waiters = [...(this.#waiters.get(key) ?? [])];
    for (const wake of waiters) wake();
    return waiters.length;
  }

  wait(issues: readonly IssueKey[], options: WaitOptions): Promise<WaitEnd> {
    const { timeoutMs, signal, since } = options;
    if (signal?.aborted) return Promise.resolve("aborted");
    const keys = issues.map((i) => keyOf(i.repo, i.number));
    if (keys.some((key) => (this.#closes.get(key) ?? 0) > since)) return Promise.resolve("woken");
    return new Promise<WaitEnd>((resolve) => {
      const end = (how: WaitEnd) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        for (const key of keys) {
          const set = this.#waiters.get(key);
          set?.delete(onWake);
          if (set?.size === 0) this.#waiters.delete(key);
        }
        resolve(how);
      };
      const onWake = () => end("woken");
      const onAbort = () => end("aborted");
      const timer = setTimeout(() => end("timeout"), timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      for (const key of keys) {
        const set = this.#waiters.get(key) ?? new Set();
        this.#waiters.set(key, set);
        set.add(onWake);
      }
    });
  }

  /** Waits registered now (for tests and health). */
  waiting(): number {
    return new Set([...this.#waiters.values()].flatMap((set) => [...set])).size;
  }
}
