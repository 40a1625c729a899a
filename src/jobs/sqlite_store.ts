/**
 * {@link JobStore} on SQLite (`node:sqlite`): WAL, versioned migrations, one
 * file. Needs Deno `--allow-read` and `--allow-write` on the file's folder.
 */
import { DatabaseSync } from "node:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Job, JobEvent, JobRequest } from "./job.ts";
import type { JobPatch, JobStore } from "./store.ts";

const MIGRATIONS: string[] = [
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
];

interface JobRow {
  id: string;
  repo: string;
  issue: number;
  base: string | null;
  status: Job["status"];
  reason: string | null;
  pull_requests: string;
  created_at: string;
  updated_at: string;
}

/**
 * Opens (creating and migrating as needed) the store at `path`; `:memory:`
 * gives a private in-memory database.
 */
export function openSqliteStore(path: string): JobStore {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
  migrate(db);
  const now = () => new Date().toISOString();
  const get = (id: string): Job | undefined => {
    const row = db.prepare("SELECT * FROM jobs WHERE id = ?").get(id) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  };
  return {
    create(request: JobRequest) {
      const id = crypto.randomUUID();
      const at = now();
      db.prepare(
        "INSERT INTO jobs (id, repo, issue, base, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'queued', ?, ?)",
      ).run(id, request.repo, request.issue, request.base ?? null, at, at);
      return Promise.resolve(get(id)!);
    },
    get(id) {
      return Promise.resolve(get(id));
    },
    update(id, patch: JobPatch) {
      const current = get(id);
      if (!current) return Promise.reject(new Error(`Cannot update job "${id}": no such job`));
      db.prepare("UPDATE jobs SET status = ?, reason = ?, pull_requests = ?, updated_at = ? WHERE id = ?")
        .run(
          patch.status ?? current.status,
          patch.reason ?? current.reason ?? null,
          JSON.stringify(patch.pullRequests ?? current.pullRequests),
          now(),
          id,
        );
      return Promise.resolve(get(id)!);
    },
    claimNext() {
      const row = db.prepare(
        `UPDATE jobs SET status = 'running', updated_at = ?
         WHERE id = (SELECT id FROM jobs WHERE status = 'queued' ORDER BY created_at, rowid LIMIT 1)
         RETURNING *`,
      ).get(now()) as JobRow | undefined;
      return Promise.resolve(row ? toJob(row) : undefined);
    },
    appendEvent(jobId, event) {
      const row = db.prepare(
        `INSERT INTO job_events (job_id, seq, at, kind, message)
         VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM job_events WHERE job_id = ?), ?, ?, ?)
         RETURNING seq, at`,
      ).get(jobId, jobId, now(), event.kind, event.message) as { seq: number; at: string };
      return Promise.resolve({ seq: row.seq, jobId, at: row.at, kind: event.kind, message: event.message });
    },
    listEvents(jobId, afterSeq = 0) {
      const rows = db.prepare(
        "SELECT seq, at, kind, message FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq",
      ).all(jobId, afterSeq) as Array<Omit<JobEvent, "jobId">>;
      return Promise.resolve(rows.map((r) => ({ ...r, jobId })));
    },
    saveTrajectory(jobId, issue, trajectory) {
      db.prepare("INSERT OR REPLACE INTO trajectories (job_id, issue, body) VALUES (?, ?, ?)").run(
        jobId,
        issue,
        JSON.stringify(trajectory),
      );
      return Promise.resolve();
    },
    getTrajectories(jobId) {
      const rows = db.prepare("SELECT issue, body FROM trajectories WHERE job_id = ? ORDER BY issue").all(
        jobId,
      ) as Array<
        { issue: number; body: string }
      >;
      return Promise.resolve(rows.map((r) => ({ issue: r.issue, trajectory: JSON.parse(r.body) })));
    },
    close() {
      db.close();
    },
  };
}

function migrate(db: DatabaseSync): void {
  const { user_version: version } = db.prepare("PRAGMA user_version").get() as { user_version: number };
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.exec("BEGIN");
    try {
      db.exec(MIGRATIONS[v]!);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw new Error(`Cannot migrate the job store to version ${v + 1}`, { cause: error });
    }
  }
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    repo: row.repo,
    issue: row.issue,
    ...(row.base ? { base: row.base } : {}),
    status: row.status,
    ...(row.reason ? { reason: row.reason } : {}),
    pullRequests: JSON.parse(row.pull_requests),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
