/**
 * A pipeline that holds each job until it is released or its signal aborts,
 * recording what it saw. Stands in for the real pipeline in worker, API, CLI
 * and benchmark tests (the real one is covered by the end-to-end tests).
 */
import type { Job, JobOutcome } from "../../src/contracts/job.ts";
import type { EmitJobEvent } from "../../src/contracts/job_events.ts";
import type { Pipeline } from "../../src/pipeline/pipeline_contract.ts";

/** The pipeline and its controls. */
export interface HoldingPipeline {
  pipeline: Pipeline;
  /** Jobs inside the pipeline now. */
  readonly active: Set<string>;
  /** Most jobs inside at once. */
  readonly maxActive: number;
  /** Jobs whose signal aborted, with the abort reason's message. */
  readonly aborted: Map<string, string>;
  /** Resolves when `count` jobs are inside at once. */
  whenActive(count: number): Promise<void>;
  /** Lets job `id` (or every held job) finish with `outcome`. */
  release(id?: string, outcome?: JobOutcome): void;
}

/** Options for {@link holdingPipeline}. */
export interface HoldingOptions {
  /** Ignore the abort signal (a misbehaving pipeline). Default false. */
  ignoreSignal?: boolean;
  /** Called with the event emitter when a job starts. */
  onStart?: (job: Job, emit: EmitJobEvent) => Promise<void> | void;
}

/** Builds a {@link HoldingPipeline}. */
export function holdingPipeline(options: HoldingOptions = {}): HoldingPipeline {
  const releases = new Map<string, (outcome: JobOutcome) => void>();
  const watchers: Array<() => void> = [];
  const state = {
    active: new Set<string>(),
    maxActive: 0,
    aborted: new Map<string, string>(),
  };
  const pipeline: Pipeline = async (job, emit, signal) => {
    const held = new Promise<JobOutcome>((resolve, reject) => {
      releases.set(job.id, resolve);
      if (options.ignoreSignal) return;
      const onAbort = () => {
        state.aborted.set(job.id, (signal.reason as Error)?.message ?? String(signal.reason));
        reject(new Error("stopped: the signal aborted"));
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    state.active.add(job.id);
    state.maxActive = Math.max(state.maxActive, state.active.size);
    for (const watch of [...watchers]) watch();
    try {
      await options.onStart?.(job, emit);
      return await held;
    } finally {
      state.active.delete(job.id);
      releases.delete(job.id);
    }
  };
  return {
    pipeline,
    get active() {
      return state.active;
    },
    get maxActive() {
      return state.maxActive;
    },
    get aborted() {
      return state.aborted;
    },
    whenActive(count) {
      return new Promise((resolve) => {
        const check = () => {
          if (state.active.size >= count) {
            watchers.splice(watchers.indexOf(check), 1);
            resolve();
          }
        };
        watchers.push(check);
        check();
      });
    },
    release(id, outcome = { status: "succeeded", pullRequests: [] }) {
      for (const [jobId, resolve] of [...releases]) if (id === undefined || id === jobId) resolve(outcome);
    },
  };
}

/**
 * The service's default worker settings (`JOBS_CONCURRENCY`, `JOB_CANCEL_GRACE_MS`,
 * `JOBS_REQUEUE_INTERRUPTED`, `JOBS_HOST_RETRIES`).
 */
export const WORKER_SETTINGS = {
  concurrency: 1,
  cancelGraceMs: 10_000,
  requeueInterrupted: false,
  hostRetries: 2,
} as const;
