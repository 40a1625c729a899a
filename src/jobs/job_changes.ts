/**
 * Change notifications for jobs, so event streams wake up when a job gets a new event or status
 * instead of polling the store: in process, and (PostgreSQL) from other replicas through
 * `pg_listener.ts`.
 */
import type { JobStore } from "./store.ts";

/** A per-job change counter that can be waited on. */
export interface JobChanges {
  /** A number that changes whenever job `jobId` changes. */
  version(jobId: string): number;
  /**
   * Resolves once `version(jobId) !== since`, after `timeoutMs`, or when `signal` aborts;
   * never rejects.
   */
  wait(jobId: string, since: number, options: { timeoutMs: number; signal?: AbortSignal }): Promise<void>;
  /** Says job `jobId` changed; `final` lets the counter go when nothing waits on it. */
  notify(jobId: string, options?: { final?: boolean }): void;
  /** Wakes every waiter (changes may have been missed: the notification channel reconnected). */
  notifyWaiting(): void;
}

/** Creates an empty {@link JobChanges}. */
export function createJobChanges(): JobChanges {
  let counter = 0;
  const versions = new Map<string, number>();
  const waiters = new Map<string, Set<() => void>>();
  return {
    version: (jobId) => versions.get(jobId) ?? 0,
    wait(jobId, since, { timeoutMs, signal }) {
      if ((versions.get(jobId) ?? 0) !== since || signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const set = waiters.get(jobId) ?? new Set();
        waiters.set(jobId, set);
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          set.delete(done);
          if (set.size === 0) waiters.delete(jobId);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        signal?.addEventListener("abort", done, { once: true });
        set.add(done);
      });
    },
    notify(jobId, { final = false } = {}) {
      versions.set(jobId, ++counter);
      const set = waiters.get(jobId);
      for (const wake of [...(set ?? [])]) wake();
      if (final) versions.delete(jobId);
    },
    notifyWaiting() {
      for (const jobId of [...waiters.keys()]) this.notify(jobId);
    },
  };
}

/** `store`, calling `changes.notify` after every write that changes a job. */
export function notifyingStore(store: JobStore, changes: JobChanges): JobStore {
  const after = <A extends unknown[], R>(
    write: (...args: A) => Promise<R>,
    jobIdOf: (args: A, result: R) => string | undefined,
    final = false,
  ) =>
  async (...args: A): Promise<R> => {
    const result = await write(...args);
    const jobId = jobIdOf(args, result);
    if (jobId !== undefined) changes.notify(jobId, { final });
    return result;
  };
  return {
    create: (request, quota) => store.create(request, quota),
    createOnce: (request, key, quota) => store.createOnce(request, key, quota),
    spentToday: (principal) => store.spentToday(principal),
    get: (id) => store.get(id),
    list: (filter) => store.list(filter),
    listEvents: (jobId, afterSeq, limit) => store.listEvents(jobId, afterSeq, limit),
    saveTrajectory: (jobId, issue, trajectory) => store.saveTrajectory(jobId, issue, trajectory),
    getTrajectories: (jobId) => store.getTrajectories(jobId),
    savePublication: (jobId, publication) => store.savePublication(jobId, publication),
    getPublication: (jobId, issue) => store.getPublication(jobId, issue),
    checkWritable: () => store.checkWritable(),
    close: () => store.close(),
    finish: after((id, result) => store.finish(id, result), ([id]) => id, true),
    requeue: after((id) => store.requeue(id), ([id]) => id),
    claimNext: after((options) => store.claimNext(options), (_, job) => job?.id),
    requestCancel: after((id, reason) => store.requestCancel(id, reason), ([id]) => id),
    recordUsage: after((id, issue, usage) => store.recordUsage(id, issue, usage), ([id]) => id),
    setWaiting: after((id, waiting) => store.setWaiting(id, waiting), ([id]) => id),
    appendEvent: after((id, event) => store.appendEvent(id, event), ([id]) => id),
    async recoverInterrupted(options) {
      const jobs = await store.recoverInterrupted(options);
      for (const job of jobs) changes.notify(job.id);
      return jobs;
    },
  };
}
