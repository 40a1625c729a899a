/**
 * The PostgreSQL job store's schema, as versioned migrations recorded in `schema_migrations` and run by
 * `migration_runner.ts`. Migrations are append-only; a released one is never rewritten. Version 1 is the
 * SQLite store's schema at its migration 8 (same tables and columns, so one row reader serves both), plus
 * what several replicas need: an identity for the submission order, a sequence for the start order, which
 * replica holds a running job, the replicas' heartbeats, and triggers that announce every change of a job
 * on the `backend_agent_jobs` channel (LISTEN/NOTIFY, delivered at commit).
 */
import { runMigrations } from "graphile-worker";
import type pg from "pg";
import { graphileLogger } from "./graphile_logger.ts";
import { migrateAsync, type MigrationTarget } from "./migration_runner.ts";

/** The LISTEN/NOTIFY channel; each notification's payload is a job id. */
export const JOB_CHANGES_CHANNEL = "backend_agent_jobs";

/** Migration `i` takes the schema from version `i` to `i + 1`. */
export const PG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     repo TEXT NOT NULL,
     issue INTEGER NOT NULL,
     base TEXT,
     status TEXT NOT NULL,
     reason TEXT,
     pull_requests TEXT NOT NULL DEFAULT '[]',
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     submitter TEXT,
     started_at TEXT,
     finished_at TEXT,
     cancel_requested INTEGER NOT NULL DEFAULT 0,
     position INTEGER GENERATED ALWAYS AS IDENTITY UNIQUE,
     start_seq INTEGER,
     pull INTEGER,
     instructions TEXT,
     comment TEXT,
     replica TEXT,
     worker_id TEXT,
     attempts INTEGER NOT NULL DEFAULT 0
   );
   CREATE SEQUENCE job_start_seq AS INTEGER;
   CREATE INDEX jobs_status_position ON jobs(status, position);
   CREATE INDEX jobs_repo ON jobs(lower(repo), position);
   CREATE INDEX jobs_status_submitter ON jobs(status, submitter, position);
   CREATE INDEX jobs_submitter_start_seq ON jobs(submitter, start_seq);
   CREATE INDEX jobs_replica ON jobs(replica) WHERE replica IS NOT NULL;
   CREATE TABLE job_events (
     job_id TEXT NOT NULL REFERENCES jobs(id),
     seq INTEGER NOT NULL,
     at TEXT NOT NULL,
     kind TEXT NOT NULL,
     message TEXT NOT NULL,
     data TEXT,
     PRIMARY KEY (job_id, seq)
   );
   CREATE TABLE trajectories (
     job_id TEXT NOT NULL REFERENCES jobs(id),
     issue INTEGER NOT NULL,
     body TEXT NOT NULL,
     PRIMARY KEY (job_id, issue)
   );
   CREATE TABLE work_items (
     job_id TEXT NOT NULL REFERENCES jobs(id),
     issue INTEGER NOT NULL,
     title TEXT,
     status TEXT NOT NULL DEFAULT 'running',
     reason TEXT,
     pull_request TEXT,
     tests TEXT,
     input_tokens INTEGER NOT NULL DEFAULT 0,
     output_tokens INTEGER NOT NULL DEFAULT 0,
     total_tokens INTEGER NOT NULL DEFAULT 0,
     cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
     turns INTEGER NOT NULL DEFAULT 0,
     environment TEXT,
     PRIMARY KEY (job_id, issue)
   );
   CREATE TABLE idempotency_keys (
     principal TEXT NOT NULL,
     key TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     job_id TEXT NOT NULL REFERENCES jobs(id),
     created_at TEXT NOT NULL,
     PRIMARY KEY (principal, key)
   );
   CREATE TABLE heartbeat (id INTEGER PRIMARY KEY CHECK (id = 1), at TEXT NOT NULL);
   CREATE TABLE principal_spend (
     principal TEXT NOT NULL,
     day TEXT NOT NULL,
     cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
     PRIMARY KEY (principal, day)
   );
   CREATE TABLE environment_uses (key TEXT PRIMARY KEY, used_at TEXT NOT NULL);
   CREATE TABLE webhook_deliveries (id TEXT PRIMARY KEY, event TEXT NOT NULL, received_at TEXT NOT NULL);
   CREATE TABLE progress_comments (
     repo TEXT NOT NULL,
     issue INTEGER NOT NULL,
     comment_id BIGINT NOT NULL,
     PRIMARY KEY (repo, issue)
   );
   CREATE TABLE replicas (id TEXT PRIMARY KEY, heartbeat_at TIMESTAMPTZ NOT NULL);
   CREATE FUNCTION notify_job_change() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM pg_notify('${JOB_CHANGES_CHANNEL}', to_jsonb(NEW) ->> TG_ARGV[0]);
     RETURN NULL;
   END $$;
   CREATE TRIGGER jobs_changed AFTER INSERT OR UPDATE ON jobs
     FOR EACH ROW EXECUTE FUNCTION notify_job_change('id');
   CREATE TRIGGER job_events_added AFTER INSERT ON job_events
     FOR EACH ROW EXECUTE FUNCTION notify_job_change('job_id');`,
  // 2: what each work item published, for the dashboard (the SQLite store's migration 9).
  `CREATE TABLE work_item_publications (
     job_id TEXT NOT NULL REFERENCES jobs(id),
     issue INTEGER NOT NULL,
     body TEXT NOT NULL,
     PRIMARY KEY (job_id, issue)
   );`,
  // 3: each work item's cache writes split by TTL (the SQLite store's migration 10).
  `ALTER TABLE work_items ADD COLUMN ephemeral_5m_input_tokens INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE work_items ADD COLUMN ephemeral_1h_input_tokens INTEGER NOT NULL DEFAULT 0;`,
  // 4: the slots each replica holds on the Docker hosts (pg_host_slots.ts), freed with its lease.
  `CREATE TABLE host_slots (
     holder TEXT PRIMARY KEY,
     host TEXT NOT NULL,
     replica TEXT NOT NULL,
     taken_at TIMESTAMPTZ NOT NULL DEFAULT now()
   );
   CREATE INDEX host_slots_host ON host_slots(host);
   CREATE INDEX host_slots_replica ON host_slots(replica);`,
];

/** Any constant: the advisory lock that lets one replica at a time migrate. */
const MIGRATION_LOCK = 7_140_314;

/**
 * Runs the migrations the database has not had yet, each in its own transaction, then graphile-worker's
 * (the queue's schema), all under one advisory lock, so replicas starting together migrate once.
 * graphile-worker's own schema install is not safe against a concurrent one (its `CREATE SCHEMA IF NOT
 * EXISTS` fails in one of two replicas starting on a new database), hence the lock around it too. Takes
 * two of the pool's connections at once.
 * @throws {MigrationError} naming the version that failed, with PostgreSQL's error as `cause`; or
 *   when a newer release wrote the database.
 */
export async function migratePg(pool: pg.Pool, migrations: readonly string[] = PG_MIGRATIONS): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      await migrateAsync(pgMigrationTarget(client), migrations);
      await runMigrations({ pgPool: pool, logger: graphileLogger() });
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

function pgMigrationTarget(client: pg.PoolClient): MigrationTarget {
  return {
    name: "the PostgreSQL job store",
    begin: async () => {
      await client.query("BEGIN");
    },
    version: async () => {
      await client.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)");
      const { rows } = await client.query<{ v: number }>(
        "SELECT COALESCE(MAX(version), 0)::int AS v FROM schema_migrations",
      );
      return rows[0]!.v;
    },
    apply: async (sql) => {
      await client.query(sql);
    },
    record: async (version) => {
      await client.query("INSERT INTO schema_migrations (version) VALUES ($1)", [version]);
    },
    commit: async () => {
      await client.query("COMMIT");
    },
    rollback: async () => {
      await client.query("ROLLBACK");
    },
  };
}
