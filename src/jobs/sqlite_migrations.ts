/**
 * The job store's schema, as versioned migrations run by `migration_runner.ts`: each applied version
 * is a row of `schema_migrations`, and `PRAGMA user_version` (what releases before that table read)
 * is kept equal to the latest. Migrations are append-only; a released one is never rewritten.
 */
import type { DatabaseSync } from "node:sqlite";
import { migrateSync, type MigrationTarget } from "./migration_runner.ts";

/** Migration `i` takes the schema from version `i` to `i + 1`. */
export const MIGRATIONS: readonly string[] = [
  // 1: jobs, events, trajectories.
  `CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     repo TEXT NOT NULL,
     issue INTEGER NOT NULL,
     base TEXT,
     status TEXT NOT NULL,
     reason TEXT,
     pull_requests TEXT NOT NULL DEFAULT '[]',
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX jobs_status ON jobs(status, created_at);
   CREATE TABLE job_events (
     job_id TEXT NOT NULL REFERENCES jobs(id),
     seq INTEGER NOT NULL,
     at TEXT NOT NULL,
     kind TEXT NOT NULL,
     message TEXT NOT NULL,
     PRIMARY KEY (job_id, seq)
   );
   CREATE TABLE trajectories (
     job_id TEXT NOT NULL REFERENCES jobs(id),
     issue INTEGER NOT NULL,
     body TEXT NOT NULL,
     PRIMARY KEY (job_id, issue)
   );`,
  // 2: submitter, timings, cancel requests, a stable submission order, work items with usage, idempotency keys, a heartbeat row.
  `ALTER TABLE jobs ADD COLUMN submitter TEXT;
   ALTER TABLE jobs ADD COLUMN started_at TEXT;
   ALTER TABLE jobs ADD COLUMN finished_at TEXT;
   ALTER TABLE jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE jobs ADD COLUMN position INTEGER;
   UPDATE jobs SET position = rowid;
   CREATE UNIQUE INDEX jobs_position ON jobs(position);
   CREATE INDEX jobs_status_position ON jobs(status, position);
   CREATE INDEX jobs_repo ON jobs(repo COLLATE NOCASE, position);
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
     cost_usd REAL NOT NULL DEFAULT 0,
     turns INTEGER NOT NULL DEFAULT 0,
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
   CREATE TABLE heartbeat (id INTEGER PRIMARY KEY CHECK (id = 1), at TEXT NOT NULL);`,
  // 3: typed events: each event's structured data as JSON (NULL on events stored before).
  `ALTER TABLE job_events ADD COLUMN data TEXT CHECK (data IS NULL OR json_valid(data));`,
  // 4: per-submitter quotas: each submitter's model spend per UTC day (what was recorded before is
  // counted on the day its job started); the order jobs were started in (a claim sequence, which
  // timestamps cannot give within one millisecond), and indexes for the queue's per-submitter
  // counts and turns.
  `CREATE TABLE principal_spend (
     principal TEXT NOT NULL,
     day TEXT NOT NULL,
     cost_usd REAL NOT NULL DEFAULT 0,
     PRIMARY KEY (principal, day)
   );
   INSERT INTO principal_spend (principal, day, cost_usd)
     SELECT j.submitter, substr(COALESCE(j.started_at, j.created_at), 1, 10), SUM(w.cost_usd)
     FROM work_items w JOIN jobs j ON j.id = w.job_id
     WHERE j.submitter IS NOT NULL
     GROUP BY 1, 2
     HAVING SUM(w.cost_usd) <> 0;
   ALTER TABLE jobs ADD COLUMN start_seq INTEGER;
   UPDATE jobs SET start_seq = position WHERE started_at IS NOT NULL;
   CREATE INDEX jobs_status_submitter ON jobs(status, submitter, position);
   CREATE INDEX jobs_start_seq ON jobs(start_seq);
   CREATE INDEX jobs_submitter_start_seq ON jobs(submitter, start_seq);`,
  // 5: environments: each work item's environment (image, cache hit, egress log) as JSON, and when
  // each environment image was last used (Docker keeps no such time and labels cannot change), for
  // least-recently-used pruning.
  `ALTER TABLE work_items ADD COLUMN environment TEXT CHECK (environment IS NULL OR json_valid(environment));
   CREATE TABLE environment_uses (key TEXT PRIMARY KEY, used_at TEXT NOT NULL);`,
  // 6: GitHub webhook deliveries seen (`X-GitHub-Delivery`), so a redelivery starts nothing twice.
  `CREATE TABLE webhook_deliveries (
     id TEXT PRIMARY KEY,
     event TEXT NOT NULL,
     received_at TEXT NOT NULL
   );`,
  // 7: each work item's progress comment (`owner/name` in lower case, issue number), edited in place.
  `CREATE TABLE progress_comments (
     repo TEXT NOT NULL,
     issue INTEGER NOT NULL,
     comment_id INTEGER NOT NULL,
     PRIMARY KEY (repo, issue)
   );`,
  // 8: follow-ups on a pull request the service opened: the pull request, the instructions and the
  // comment to answer (JSON), all NULL for a job on an issue.
  `ALTER TABLE jobs ADD COLUMN pull INTEGER;
   ALTER TABLE jobs ADD COLUMN instructions TEXT;
   ALTER TABLE jobs ADD COLUMN comment TEXT CHECK (comment IS NULL OR json_valid(comment));`,
  // 9: what each work item published, for the dashboard: the diff file by file, the criteria mapping
  // and the tests (JSON, \`WorkItemPublication\`).
  `CREATE TABLE work_item_publications (
     job_id TEXT NOT NULL REFERENCES jobs(id),
     issue INTEGER NOT NULL,
     body TEXT NOT NULL CHECK (json_valid(body)),
     PRIMARY KEY (job_id, issue)
   );`,
  // 10: each work item's cache writes split by TTL (`cache_creation.ephemeral_5m_input_tokens`,
  // `ephemeral_1h_input_tokens`); 0 on work items recorded before.
  `ALTER TABLE work_items ADD COLUMN ephemeral_5m_input_tokens INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE work_items ADD COLUMN ephemeral_1h_input_tokens INTEGER NOT NULL DEFAULT 0;`,
];

/**
 * Runs the migrations `db` has not had yet, each in its own `BEGIN IMMEDIATE` transaction (SQLite's
 * write lock: processes opening the file together migrate it once).
 * @throws {MigrationError} naming the version that failed, with the SQLite error as `cause`; or when
 *   the file was written by a newer release.
 */
export function migrate(db: DatabaseSync, migrations: readonly string[] = MIGRATIONS): void {
  migrateSync(sqliteMigrationTarget(db), migrations);
}

function sqliteMigrationTarget(db: DatabaseSync): MigrationTarget {
  return {
    name: "the SQLite job store",
    begin: () => db.exec("BEGIN IMMEDIATE"),
    version: () => {
      db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)");
      const { recorded } = db.prepare("SELECT COALESCE(MAX(version), 0) AS recorded FROM schema_migrations")
        .get() as { recorded: number };
      const { user_version: pragma } = db.prepare("PRAGMA user_version").get() as { user_version: number };
      // A file migrated before the table existed has only the pragma.
      return Math.max(recorded, pragma);
    },
    apply: (sql) => db.exec(sql),
    record: (version) => {
      db.prepare("INSERT INTO schema_migrations (version) VALUES (?)").run(version);
      db.exec(`PRAGMA user_version = ${version}`);
    },
    commit: () => db.exec("COMMIT"),
    rollback: () => db.exec("ROLLBACK"),
  };
}
