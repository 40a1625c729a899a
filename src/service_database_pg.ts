/**
 * The PostgreSQL side of `service_database.ts`, loaded only when `DATABASE_URL` is set: the pool,
 * the store, graphile-worker, this replica's lease and the LISTEN connection.
 */
import pg from "pg";
import type { Config } from "./config.ts";
import { ConfigError } from "./errors.ts";
import { listenForJobChanges } from "./jobs/pg_listener.ts";
import { pgEnvironmentUses, pgProgressComments, pgWebhookDeliveries } from "./jobs/pg_records.ts";
import { pgHostSlots } from "./jobs/pg_host_slots.ts";
import { reachPostgres } from "./jobs/pg_reach.ts";
import { openPgStore } from "./jobs/pg_store.ts";
import { PgReplicaTakes } from "./jobs/pg_replica_takes.ts";
import { type PgWorker, startPgWorker } from "./jobs/pg_worker.ts";
import { startReplicaLease } from "./jobs/replica_leases.ts";
import type { Worker } from "./jobs/worker.ts";
import { errorText, logger } from "./logging.ts";
import type { ServiceDatabase } from "./service_database.ts";

const log = logger("service");

/** Pool size per replica: the worker's jobs, the API's requests and the lease share it. */
const POOL_MAX = 20;
/** How long a start waits for its first connection (TCP, TLS, log-in) before it fails. */
const CONNECT_TIMEOUT_MS = 30_000;
/** How long a start waits for its LISTEN connection before it fails. */
const LISTEN_READY_TIMEOUT_MS = 30_000;

/** Opens PostgreSQL at `url` (migrating it) as the service's database. */
export async function openPostgres(config: Config, url: string): Promise<ServiceDatabase> {
  const pool = openPool(url);
  // An idle connection dropped by the server (a restart) is replaced on the next query.
  pool.on("error", (error) => log.warn("database connection lost: {error}", { error: errorText(error) }));
  // Reached first within a bound: the pool's connections wait without one.
  const store = await reachPostgres(url, { timeoutMs: CONNECT_TIMEOUT_MS }).then(() =>
    openPgStore(pool, { idempotencyTtlMs: config.idempotencyTtlMs })
  ).catch(async (error) => {
    // A database that cannot be reached or migrated leaves no pool behind.
    await pool.end().catch(() => undefined);
    throw error;
  });
  const replicaId = `${Deno.env.get("HOSTNAME") ?? "replica"}-${crypto.randomUUID().slice(0, 8)}`;
  const stops: Array<() => Promise<void>> = [];
  return {
    kind: "postgres",
    store,
    records: () => ({ environmentUses: pgEnvironmentUses(pool), progressComments: pgProgressComments(pool) }),
    webhookDeliveries: pgWebhookDeliveries(pool),
    slotLedger: pgHostSlots(pool, replicaId),
    async startWorker(jobStore, pipeline, options) {
      // Set once the worker runs; changes heard before reach the event streams only.
      const started: { worker?: PgWorker } = {};
      const listener = listenForJobChanges(url, {
        changed(jobId) {
          options.changes.notify(jobId);
          started.worker?.jobChanged(jobId);
        },
        reconnected: () => options.changes.notifyWaiting(),
      }, { readyTimeoutMs: LISTEN_READY_TIMEOUT_MS });
      stops.push(() => listener.close());
      await listener.ready;
      if (!options.run || options.concurrency === 0) return idleWorker();
      const lease = startReplicaLease(pool, { replicaId, leaseMs: config.jobs.leaseMs });
      // Stopped first on close, and also when the first beat or the worker's start fails.
      stops.unshift(() => lease.stop());
      await lease.beat();
      const worker = await startPgWorker(pool, jobStore, new PgReplicaTakes(pool), pipeline, {
        ...options,
        replicaId,
      });
      started.worker = worker;
      log.info("replica {replicaId} takes jobs from PostgreSQL", { replicaId });
      return worker;
    },
    async close() {
      for (const stop of stops) await stop();
      await store.close();
    },
  };
}

/**
 * The pool of `url`.
 * @throws {ConfigError} naming `DATABASE_URL` when node-postgres cannot read it as a URL (its own
 *   error quotes the whole URL, password included, so it is neither quoted nor chained), or cannot
 *   read the files its `sslrootcert`, `sslcert` or `sslkey` name, or refuses its `sslmode`.
 */
function openPool(url: string): pg.Pool {
  try {
    // A client reads the URL (and its TLS files) as it is made, the pool only when it first connects;
    // it is never connected.
    new pg.Client({ connectionString: url });
  } catch (error) {
    if (error instanceof TypeError) {
      throw new ConfigError(
        `DATABASE_URL is not a URL node-postgres can read (${error.name}): check its host and ` +
          "port, and percent-encode the characters @ : / ? # [ ] % in its user name and password",
      );
    }
    // A TLS file that cannot be read (its message names the file, not the URL), or an sslmode refused.
    throw new ConfigError(`DATABASE_URL cannot be used: ${(error as Error).message}`, { cause: error });
  }
  return new pg.Pool({ connectionString: url, max: POOL_MAX });
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
