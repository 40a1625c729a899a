/**
 * Which database backs the service, composed once: SQLite at `JOBS_DB_PATH` (the embedded default:
 * one process, its in-process worker), or PostgreSQL at `DATABASE_URL` (any number of replicas:
 * graphile-worker as the queue, replica leases for failover, LISTEN/NOTIFY for live events).
 */
import type { Config } from "./config.ts";
import type { EnvironmentUses } from "./environments/environment_uses.ts";
import type { Job } from "./contracts/job.ts";
import type { JobChanges } from "./jobs/job_changes.ts";
import type { RunJobStore } from "./jobs/run_job.ts";
import { openSqliteEnvironmentUses } from "./jobs/sqlite_environment_uses.ts";
import { openSqliteProgressComments } from "./jobs/sqlite_progress_comments.ts";
import { openSqliteStore } from "./jobs/sqlite_store.ts";
import type { JobStore } from "./jobs/store.ts";
import { startWorker, type Worker, type WorkerOptions } from "./jobs/worker.ts";
import type { Pipeline } from "./pipeline/pipeline_contract.ts";
import type { ProgressCommentIds } from "./pipeline/work_item_progress.ts";
import type { SlotLedger } from "./sandbox/slot_ledger.ts";
import type { WebhookDeliveries } from "./webhooks/webhook_deliveries.ts";

/** What the service keeps in its database, and how its jobs are dispatched. */
export interface ServiceDatabase {
  kind: "sqlite" | "postgres";
  /** The job store (not yet wrapped by `notifyingStore`). */
  store: JobStore;
  /** Opens the side records (they need the engine-backed pipeline only). */
  records(): { environmentUses: EnvironmentUses; progressComments: ProgressCommentIds };
  /**
   * PostgreSQL's count of every replica's slots on the Docker hosts, for a replica that takes jobs
   * (its lease frees them if it dies); undefined: SQLite, one process counts its own.
   */
  slotLedger?: SlotLedger;
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
  if (config.databaseUrl && !injected) {
    // Loaded only for PostgreSQL: graphile-worker reads the home folder as it loads.
    const { openPostgres } = await import("./service_database_pg.ts");
    return await openPostgres(config, config.databaseUrl);
  }
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
