/**
 * Which database backs the service, composed once: SQLite at `JOBS_DB_PATH` (the embedded default:
 * one process, its in-process worker), or PostgreSQL at `DATABASE_URL` (any number of replicas:
 * graphile-worker as the queue, replica leases for failover, LISTEN/NOTIFY for live events).
 */
import pg from "pg";
import type { Config } from "./config.ts";
import type { EnvironmentUses } from "./environments/environment_uses.ts";
import type { Job } from "./contracts/job.ts";
import type { JobChanges } from "./jobs/job_changes.ts";
import { listenForJobChanges } from "./jobs/pg_listener.ts";
import { pgEnvironmentUses, pgProgressComments, pgWebhookDeliveries } from "./jobs/pg_records.ts";
import { openPgStore } from "./jobs/pg_store.ts";
import { type PgWorker, startPgWorker } from "./jobs/pg_worker.ts";
import { startReplicaLease } from "./jobs/replica_leases.ts";
import type { RunJobStore } from "./jobs/run_job.ts";
import { openSqliteEnvironmentUses } from "./jobs/sqlite_environment_uses.ts";
import { openSqliteProgressComments } from "./jobs/sqlite_progress_comments.ts";
import { openSqliteStore } from "./jobs/sqlite_store.ts";
import type { JobStore } from "./jobs/store.ts";
import { startWorker, type Worker, type WorkerOptions } from "./jobs/worker.ts";
import { errorText, logger } from "./logging.ts";
import type { Pipeline } from "./pipeline/pipeline_contract.ts";
import type { ProgressCommentIds } from "./pipeline/work_item_progress.ts";
import type { WebhookDeliveries } from "./webhooks/webhook_deliveries.ts";

const log = logger("service");

/** Pool size per replica: the worker's jobs, the API's requests and the lease share it. */
const POOL_MAX = 20;

/** What the service keeps in its database, and how its jobs are dispatched. */
export interface ServiceDatabase {
  kind: "sqlite" | "postgres";
  /** The job store (not yet wrapped by `notifyingStore`). */
  store: JobStore;
  /** Opens the side records (they need the engine-backed pipeline only). */
  records(): { environmentUses: EnvironmentUses; progressComments: ProgressCommentIds };
  /** PostgreSQL's delivery record; undefined: the webhooks open SQLite's. */
  webhookDeliveries?: WebhookDeliveries;
  /**
   * Starts dispatching to `pipeline`. SQLite: the in-process worker, after recovering the jobs a
   * dead process left running. PostgreSQL: graphile-worker, this replica's lease, and the LISTEN
   * connection feeding `changes`. `recover` gets SQLite's recovered jobs; `beforeResume` a job
   * taken over from a dead replica.
   */
  startWorker(
    store: RunJobStore & JobStore,
    pipeline: Pipeline,
    options: WorkerOptions & { run: boolean; changes: JobChanges; beforeResume(job: Job): Promise<void> },
  ): Promise<Worker>;
  /** Stops what `startWorker` started beyond the worker itself, closes the records and the store. */
  close(): Promise<void>;
}

/** Opens the database the config names (`DATABASE_URL`, else `JOBS_DB_PATH`), migrating it. */
export async function openServiceDatabase(config: Config, injected?: JobStore): Promise<ServiceDatabase> {
  if (config.databaseUrl && !injected) return await openPostgres(config, config.databaseUrl);
  const store = injected ?? openSqliteStore(config.jobsDbPath, { idempotencyTtlMs: config.idempotencyTtlMs });
  const opened: Array<{ close(): void }> = [];
  return {
    kind: "sqlite",
    store,
    records() {
      const environmentUses = openSqliteEnvironmentUses(config.jobsDbPath);
      const progressComments = openSqliteProgressComments(config.jobsDbPath);
      opened.push(environmentUses, progressComments);
      return { environmentUses, progressComments };
    },
    // deno-lint-ignore require-await -- one signature for both databases; SQLite's worker starts at once.
    async startWorker(jobStore, pipeline, options) {
      return startWorker(jobStore, pipeline, {
        ...options,
        concurrency: options.run ? options.concurrency : 0,
      });
    },
    async close() {
      await store.close();
      for (const record of opened) record.close();
    },
  };
}

async function openPostgres(config: Config, url: string): Promise<ServiceDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_MAX });
  // An idle connection dropped by the server (a restart) is replaced on the next query.
  pool.on("error", (error) => log.warn("database connection lost: {error}", { error: errorText(error) }));
  const store = await openPgStore(pool, { idempotencyTtlMs: config.idempotencyTtlMs });
  const replicaId = `${Deno.env.get("HOSTNAME") ?? "replica"}-${crypto.randomUUID().slice(0, 8)}`;
  const stops: Array<() => Promise<void>> = [];
  return {
    kind: "postgres",
    store,
    records: () => ({ environmentUses: pgEnvironmentUses(pool), progressComments: pgProgressComments(pool) }),
    webhookDeliveries: pgWebhookDeliveries(pool),
    async startWorker(jobStore, pipeline, options) {
      // Set once the worker runs; changes heard before reach the event streams only.
      const started: { worker?: PgWorker } = {};
      const listener = listenForJobChanges(url, {
        changed(jobId) {
          options.changes.notify(jobId);
          started.worker?.jobChanged(jobId);
        },
        reconnected: () => options.changes.notifyWaiting(),
      });
      stops.push(() => listener.close());
      await listener.ready;
      if (!options.run || options.concurrency === 0) return idleWorker();
      const lease = startReplicaLease(pool, { replicaId, leaseMs: config.jobs.leaseMs });
      await lease.beat();
      const worker = await startPgWorker(
        pool,
        { ...jobStore, takeForRun: (...a) => store.takeForRun(...a) },
        pipeline,
        {
          ...options,
          replicaId,
        },
      );
      started.worker = worker;
      stops.unshift(() => lease.stop());
      log.info("replica {replicaId} takes jobs from PostgreSQL", { replicaId });
      return worker;
    },
    async close() {
      for (const stop of stops) await stop();
      await store.close();
    },
  };
}

/** The worker of a replica that takes no jobs (the CLI's service, `JOBS_CONCURRENCY` unused). */
function idleWorker(): Worker {
  return {
    kick() {},
    cancel: () => false,
    running: () => 0,
    idle: () => Promise.resolve(),
    stop: () => Promise.resolve(),
  };
}
