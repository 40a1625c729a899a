/**
 * The in-process worker: claims queued jobs, runs up to `concurrency` of them
 * at once through the pipeline, and records each outcome. Nothing a pipeline
 * throws escapes: it becomes the job's failure reason. A cancel, the job's
 * deadline or a shutdown abort the pipeline's signal.
 */
import type { Pipeline } from "../pipeline/pipeline_contract.ts";
import { logJobError } from "../pipeline/error_line.ts";
import type { Job } from "../contracts/job.ts";
import { JobAbort } from "./job_abort.ts";
import { logJobFinished, logJobStarted } from "./job_lifecycle_log.ts";
import { runJob, type RunJobOptions, type RunJobStore } from "./run_job.ts";

/** Options for {@link startWorker}. */
export interface WorkerOptions extends RunJobOptions {
  /** Jobs run at once (`JOBS_CONCURRENCY`; 0: the worker never takes a job). */
  concurrency: number;
  /**
   * Most jobs of one submitter running at once (`QUOTA_MAX_RUNNING`): past it, its jobs stay
   * queued and other submitters' jobs start. Absent: no per-submitter cap.
   */
  maxRunningPerPrincipal?: number;
}

/** Handle on a started worker. */
export interface Worker {
  /** Looks for queued work now (call after enqueueing). */
  kick(): void;
  /**
   * Aborts the pipeline of running job `id`; the job ends `cancelled` with `reason`.
   * @returns false when this worker is not running that job.
   */
  cancel(id: string, reason: string): boolean;
  /** Jobs running now. */
  running(): number;
  /** Resolves when no job is running and the queue was empty at the last look. */
  idle(): Promise<void>;
  /**
   * Stops taking jobs and aborts the running ones; each ends `failed` (`interrupted`) or,
   * with `requeueInterrupted`, back in the queue. Resolves once their pipelines return
   * or the cancel grace period is over.
   */
  stop(): Promise<void>;
}

/** Starts a worker over `store`; it looks for work at start and on each {@link Worker.kick}. */
export function startWorker(store: RunJobStore, pipeline: Pipeline, options: WorkerOptions): Worker {
  const { concurrency } = options;
  const controllers = new Map<string, AbortController>();
  const runs = new Set<Promise<void>>();
  let stopped = false;
  let pumping: Promise<void> | undefined;
  let wanted = false;

  const fill = async () => {
    while (!stopped && runs.size < concurrency) {
      const job = await store.claimNext(
        options.maxRunningPerPrincipal ? { maxRunningPerSubmitter: options.maxRunningPerPrincipal } : {},
      );
      if (!job) return;
      const controller = new AbortController();
      controllers.set(job.id, controller);
      logJobStarted(job);
      const run: Promise<void> = runJob(store, pipeline, job, { ...options, controller })
        .then(logJobFinished, (error) => report(job, error))
        .finally(() => {
          controllers.delete(job.id);
          runs.delete(run);
          kick();
        });
      runs.add(run);
    }
  };
  // `wanted` is set by every kick; a kick that lands while a pass runs makes another pass.
  const kick = () => {
    wanted = true;
    if (pumping || stopped) return;
    pumping = (async () => {
      while (wanted && !stopped) {
        wanted = false;
        await fill();
      }
    })().catch((error) => report(undefined, error)).finally(() => {
      pumping = undefined;
      if (wanted && !stopped) kick();
    });
  };
  kick();
  return {
    kick,
    cancel(id, reason) {
      const controller = controllers.get(id);
      if (!controller) return false;
      controller.abort(new JobAbort("cancelled", reason));
      return true;
    },
    running: () => runs.size,
    async idle() {
      while (pumping || runs.size > 0) {
        await pumping;
        await Promise.all([...runs]);
      }
    },
    async stop() {
      stopped = true;
      await pumping;
      for (const controller of controllers.values()) {
        controller.abort(new JobAbort("shutdown", "the service is stopping"));
      }
      // Each run records its job's end within the grace period, then may still wait on a stuck pipeline.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all([...runs]),
        new Promise((resolve) => timer = setTimeout(resolve, options.cancelGraceMs + 1_000)),
      ]);
      clearTimeout(timer);
    },
  };
}

function report(job: Job | undefined, error: unknown): void {
  logJobError("worker error", error, job ? { jobId: job.id } : {});
}
