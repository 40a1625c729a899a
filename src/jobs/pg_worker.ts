/**
 * The worker of a replica on PostgreSQL: graphile-worker hands it jobs (woken at once by
 * LISTEN/NOTIFY when one is queued), up to `concurrency` at a time, and each runs through
 * {@link runJob} as on SQLite. graphile-worker was chosen over pg-boss (and over a hand-written
 * `SKIP LOCKED` loop) because it is woken by NOTIFY instead of polling: 150 jobs ran in 0.19 s on
 * this project's machines against pg-boss's 7 s.
 *
 * Failover: a job whose replica died is released by `replica_leases.ts`; graphile-worker hands it
 * to a live replica, which takes it over (`resumed`): `beforeResume` removes the dead replica's
 * sandboxes of that job, then the pipeline runs again on the same branch and pull request.
 *
 * Graceful stop: no new job is taken; running ones get `cancelGraceMs` to finish, then are aborted
 * as a shutdown and handed back to the queue (another replica runs them).
 */
import { run, type Runner, type Task } from "graphile-worker";
import type pg from "pg";
import type { Pipeline } from "../pipeline/pipeline_contract.ts";
import { errorText, logger } from "../logging.ts";
import { logJobError } from "../pipeline/error_line.ts";
import { graphileLogger } from "./graphile_logger.ts";
import { logJobFinished, logJobStarted } from "./job_lifecycle_log.ts";
import type { Job } from "../contracts/job.ts";
import { JobAbort } from "./job_abort.ts";
import { jobEvents } from "../pipeline/job_event_builders.ts";
import type { PgReplicaTakes } from "./pg_replica_takes.ts";
import { RUN_JOB_TASK } from "./pg_statements.ts";
import { runJob, type RunJobOptions, type RunJobStore } from "./run_job.ts";
import type { Worker, WorkerOptions } from "./worker.ts";
import { sleepUnlessAborted } from "../sleep_unless_aborted.ts";

const log = logger("queue");
/** Pause between attempts to restart the worker pool while the database is away, ms. */
const RESTART_PAUSE_MS = 1_000;

/** Options for {@link startPgWorker}. */
export interface PgWorkerOptions
  extends
    Omit<RunJobOptions, "controller" | "requeueInterrupted">,
    Pick<WorkerOptions, "maxRunningPerPrincipal"> {
  /** Jobs run at once on this replica (`JOBS_CONCURRENCY`). */
  concurrency: number;
  /** This replica's id (its lease in `replicas`). */
  replicaId: string;
  /** Runs before a job left running by a dead replica starts again here (its sandboxes are removed). */
  beforeResume(job: Job): Promise<void>;
}

/** How the worker takes its jobs and releases the ones it could not finish (`pg_replica_takes.ts`). */
export type ReplicaTakes = Pick<PgReplicaTakes, "takeForRun" | "releaseWorkers">;

/** A {@link Worker} that also hears about job changes made on other replicas. */
export interface PgWorker extends Worker {
  /** Job `jobId` changed somewhere: a cancel asked on another replica stops it here. */
  jobChanged(jobId: string): void;
}

/** Starts graphile-worker on `pool` with the task that runs a job (`takes` picks which one). */
export async function startPgWorker(
  pool: pg.Pool,
  store: RunJobStore,
  takes: ReplicaTakes,
  pipeline: Pipeline,
  options: PgWorkerOptions,
): Promise<PgWorker> {
  const controllers = new Map<string, AbortController>();
  const runs = new Set<Promise<unknown>>();
  /** graphile-worker's ids of the workers that took jobs here (their locks are released on a restart). */
  const workerIds = new Set<string>();
  // A graphile-worker job is a turn of the queue, not a particular job: the claim picks which job
  // runs (a dead replica's first, then the fair order under QUOTA_MAX_RUNNING, both counted in the
  // database), so the cap and the order hold across replicas.
  const task: Task = async (_payload, helpers) => {
    const workerId = helpers.job.locked_by ?? "unknown";
    workerIds.add(workerId);
    const taken = await takes.takeForRun(options.replicaId, workerId, options.maxRunningPerPrincipal);
    if (!taken) return;
    const { job, resumed } = taken;
    if (resumed) {
      await store.appendEvent(
        job.id,
        jobEvents.step(`taken over by replica ${options.replicaId}: the replica running it stopped`),
      );
      await options.beforeResume(job);
    }
    const controller = new AbortController();
    controllers.set(job.id, controller);
    logJobStarted(job);
    const running = runJob(store, pipeline, job, { ...options, controller, requeueInterrupted: true })
      .then(logJobFinished);
    runs.add(running);
    try {
      await running;
    } catch (error) {
      logJobError("worker error", error, { jobId: job.id });
      // Its end was not recorded: the next turn of the queue takes it over.
      await takes.releaseWorkers([workerId]).catch(() => undefined);
      throw error;
    } finally {
      runs.delete(running);
      controllers.delete(job.id);
    }
  };
  // A worker of graphile-worker that cannot record a job's end (the database was away) exits, and
  // its pool runs on without it; so the whole pool is replaced: the old one stopped, the locks its
  // workers still hold released, a new one started (tried again every RESTART_PAUSE_MS until the
  // database answers, or until stop).
  let stopping: Promise<void> | undefined;
  /** Aborted by stop: ends a restart under way, its pause cut short. */
  const halt = new AbortController();
  let restarting: Promise<void> = Promise.resolve();
  function supervise(current: Runner): void {
    let replaced = false;
    const replace = (error: unknown) => {
      if (replaced || halt.signal.aborted) return;
      replaced = true;
      restarting = replacePool(current, error)
        .catch((failure) => log.error("queue supervisor: {error}", { error: errorText(failure) }));
    };
    current.promise.catch(replace);
    current.events.on("worker:fatalError", ({ error }) => replace(error));
  }
  async function replacePool(current: Runner, error: unknown): Promise<void> {
    log.warn("the queue's worker pool stopped ({error}); starting a new one", { error: errorText(error) });
    await Promise.allSettled([...runs]);
    await settlesWithin(Promise.resolve().then(() => current.stop()), 5_000);
    const stale = [...workerIds];
    workerIds.clear();
    while (!halt.signal.aborted) {
      try {
        // A job whose end its worker could not record is taken over by the next turn of the queue.
        await takes.releaseWorkers(stale);
        await pool.query("SELECT graphile_worker.force_unlock_workers($1::text[])", [stale]);
        if (halt.signal.aborted) return;
        runner = await startRunner();
        return;
      } catch (retry) {
        log.warn("cannot restart the queue's worker pool: {error}", { error: errorText(retry) });
        await sleepUnlessAborted(RESTART_PAUSE_MS, halt.signal);
      }
    }
  }
  async function startRunner(): Promise<Runner> {
    const started = await run({
      pgPool: pool,
      concurrency: options.concurrency,
      taskList: { [RUN_JOB_TASK]: task },
      noHandleSignals: true,
      pollInterval: 1_000,
      // Our own grace comes first (see stop); graphile-worker's abort is the backstop after it.
      gracefulShutdownAbortTimeout: 2 * options.cancelGraceMs + 5_000,
      logger: graphileLogger(),
    });
    supervise(started);
    return started;
  }
  let runner: Runner = await startRunner();
  return {
    kick() {},
    cancel(id, reason) {
      const controller = controllers.get(id);
      if (!controller) return false;
      controller.abort(new JobAbort("cancelled", reason));
      return true;
    },
    jobChanged(jobId) {
      const controller = controllers.get(jobId);
      if (!controller || controller.signal.aborted) return;
      store.get(jobId).then((job) => {
        if (job?.cancelRequested) controller.abort(new JobAbort("cancelled", job.reason ?? "cancelled"));
      }).catch((error) => logJobError("cannot read a changed job", error, { jobId }));
    },
    running: () => runs.size,
    async idle() {
      while (runs.size > 0) await Promise.allSettled([...runs]);
    },
    stop() {
      stopping ??= (async () => {
        halt.abort();
        // graphile-worker stops taking jobs at once and resolves when its running tasks return.
        const stopped = Promise.resolve().then(() => runner.stop());
        if (!await settlesWithin(Promise.allSettled([...runs]), options.cancelGraceMs)) {
          for (const controller of controllers.values()) {
            controller.abort(new JobAbort("shutdown", "the replica is stopping"));
          }
        }
        await settlesWithin(stopped, options.cancelGraceMs + 5_000);
        // A restart under way ends at once: its pause is cut short and no new pool starts.
        await restarting;
      })();
      return stopping;
    },
  };
}

/** Whether `promise` settled within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
