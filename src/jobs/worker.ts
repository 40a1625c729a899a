/**
 * The in-process worker: claims queued jobs one at a time, runs them through
 * the pipeline, and records the outcome. Nothing a pipeline throws escapes:
 * it becomes the job's failure reason.
 */
import type { Job, PullRequestRef } from "./job.ts";
import type { JobStore } from "./store.ts";

/** What the pipeline reports for one job. */
export interface JobOutcome {
  status: "succeeded" | "failed";
  reason?: string;
  pullRequests: PullRequestRef[];
}

/** Runs one job; `log` appends a progress event. */
export type Pipeline = (
  job: Job,
  log: (kind: string, message: string) => Promise<void>,
) => Promise<JobOutcome>;

/** Handle on a started worker. */
export interface Worker {
  /** Looks for queued work now (call after enqueueing). */
  kick(): void;
  /** Resolves when no job is running and the queue was empty at the last look. */
  idle(): Promise<void>;
  /** Stops taking jobs and waits for the running one to end. */
  stop(): Promise<void>;
}

/** Starts a worker over `store`; it looks for work at start and on each {@link Worker.kick}. */
export function startWorker(store: JobStore, pipeline: Pipeline): Worker {
  let stopped = false;
  let loop: Promise<void> | undefined;
  const drain = async () => {
    while (!stopped) {
      const job = await store.claimNext();
      if (!job) return;
      await runOne(store, pipeline, job);
    }
  };
  const kick = () => {
    loop ??= drain().finally(() => {
      loop = undefined;
    });
  };
  kick();
  return {
    kick,
    async idle() {
      while (loop) await loop;
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

async function runOne(store: JobStore, pipeline: Pipeline, job: Job): Promise<void> {
  const log = async (kind: string, message: string) => {
    await store.appendEvent(job.id, { kind, message });
  };
  let outcome: JobOutcome;
  try {
    await log("step", `started ${job.repo}#${job.issue}`);
    outcome = await pipeline(job, log);
  } catch (error) {
    outcome = { status: "failed", reason: describe(error), pullRequests: [] };
  }
  await log(outcome.status === "succeeded" ? "done" : "error", outcome.reason ?? outcome.status);
  await store.update(job.id, {
    status: outcome.status,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    pullRequests: outcome.pullRequests,
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
