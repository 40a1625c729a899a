/**
 * {@link JobStore} on SQLite (`node:sqlite`): WAL, versioned migrations, one
 * file. Needs Deno `--allow-read` and `--allow-write` on the file's folder.
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Job, JobEvent } from "./job.ts";
import { migrate } from "./sqlite_migrations.ts";
import { decodeCursor, encodeCursor, type JobRow, toJob, type WorkItemRow } from "./sqlite_rows.ts";
import { type CreateOnceResult, InvalidCursorError, type JobStore, type NewJob } from "./store.ts";

const FINAL_SQL = "('succeeded', 'failed', 'cancelled')";
const INTERRUPTED = "interrupted: the service stopped while the job was running; submit it again to retry";

/** Options for {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** How long an `Idempotency-Key` answers with its job; after that the key is free again. Default 24 h. */
  idempotencyTtlMs?: number;
}

/**
 * Opens (creating and migrating as needed) the store at `path`; `:memory:`
 * gives a private in-memory database.
 * @throws Error when the file cannot be opened or migrated.
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): JobStore {
  const idempotencyTtlMs = options.idempotencyTtlMs ?? 24 * 60 * 60_000;
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec(
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
  );
  migrate(db);
  const sql = {
    job: db.prepare("SELECT * FROM jobs WHERE id = ?"),
    items: db.prepare("SELECT * FROM work_items WHERE job_id = ? ORDER BY issue"),
    insert: db.prepare(
      `INSERT INTO jobs (id, repo, issue, base, status, submitter, created_at, updated_at, position)
       VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM jobs))`,
    ),
    key: db.prepare("SELECT fingerprint, job_id FROM idempotency_keys WHERE principal = ? AND key = ?"),
    expireKeys: db.prepare("DELETE FROM idempotency_keys WHERE created_at < ?"),
    insertKey: db.prepare(
      "INSERT INTO idempotency_keys (principal, key, fingerprint, job_id, created_at) VALUES (?, ?, ?, ?, ?)",
    ),
    claim: db.prepare(
      `UPDATE jobs SET status = 'running', started_at = ?, updated_at = ?
       WHERE id = (SELECT id FROM jobs WHERE status = 'queued' ORDER BY position LIMIT 1)
       RETURNING *`,
    ),
    claimId: db.prepare(
      "UPDATE jobs SET status = 'running', started_at = ?, updated_at = ? WHERE id = ? AND status = 'queued' RETURNING *",
    ),
    finish: db.prepare(
      `UPDATE jobs SET status = ?, reason = ?, pull_requests = ?, finished_at = ?, updated_at = ?
       WHERE id = ? AND status NOT IN ${FINAL_SQL}`,
    ),
    upsertItem: db.prepare(
      `INSERT INTO work_items (job_id, issue, title, status, reason, pull_request, tests,
         input_tokens, output_tokens, total_tokens, cost_usd, turns)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (job_id, issue) DO UPDATE SET title = excluded.title, status = excluded.status,
         reason = excluded.reason, pull_request = excluded.pull_request, tests = excluded.tests,
         input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
         total_tokens = excluded.total_tokens, cost_usd = excluded.cost_usd, turns = excluded.turns`,
    ),
    endRunningItems: db.prepare(
      "UPDATE work_items SET status = ?, reason = ? WHERE job_id = ? AND status = 'running'",
    ),
    usage: db.prepare(
      `INSERT INTO work_items (job_id, issue, input_tokens, output_tokens, total_tokens, cost_usd, turns)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (job_id, issue) DO UPDATE SET input_tokens = excluded.input_tokens,
         output_tokens = excluded.output_tokens, total_tokens = excluded.total_tokens,
         cost_usd = excluded.cost_usd, turns = excluded.turns`,
    ),
    requeue: db.prepare(
      "UPDATE jobs SET status = 'queued', started_at = NULL, updated_at = ? WHERE id = ? AND status = 'running'",
    ),
    cancelQueued: db.prepare(
      "UPDATE jobs SET status = 'cancelled', reason = ?, finished_at = ?, updated_at = ? WHERE id = ? AND status = 'queued'",
    ),
    cancelRunning: db.prepare(
      "UPDATE jobs SET cancel_requested = 1, reason = ?, updated_at = ? WHERE id = ? AND status = 'running'",
    ),
    recoverCancelled: db.prepare(
      `UPDATE jobs SET status = 'cancelled', finished_at = ?, updated_at = ?
       WHERE status = 'running' AND cancel_requested = 1 RETURNING id`,
    ),
    recoverRequeue: db.prepare(
      "UPDATE jobs SET status = 'queued', started_at = NULL, updated_at = ? WHERE status = 'running' RETURNING id",
    ),
    recoverFail: db.prepare(
      `UPDATE jobs SET status = 'failed', reason = ?, finished_at = ?, updated_at = ?
       WHERE status = 'running' RETURNING id`,
    ),
    event: db.prepare(
      `INSERT INTO job_events (job_id, seq, at, kind, message)
       VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM job_events WHERE job_id = ?), ?, ?, ?)
       RETURNING seq`,
    ),
    events: db.prepare(
      "SELECT seq, at, kind, message FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?",
    ),
    saveTrajectory: db.prepare("INSERT OR REPLACE INTO trajectories (job_id, issue, body) VALUES (?, ?, ?)"),
    trajectories: db.prepare("SELECT issue, body FROM trajectories WHERE job_id = ? ORDER BY issue"),
    heartbeat: db.prepare(
      "INSERT INTO heartbeat (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
    ),
  };
  const listStatements = new Map<string, ReturnType<DatabaseSync["prepare"]>>();
  const now = () => new Date().toISOString();
  const get = (id: string): Job | undefined => {
    const row = sql.job.get(id) as JobRow | undefined;
    return row ? toJob(row, sql.items.all(id) as unknown as WorkItemRow[]) : undefined;
  };
  const mustGet = (id: string): Job => {
    const job = get(id);
    if (!job) throw new Error(`No job "${id}" in the job store`);
    return job;
  };
  const insert = (request: NewJob): string => {
    const id = crypto.randomUUID();
    const at = now();
    sql.insert.run(id, request.repo, request.issue, request.base ?? null, request.submitter ?? null, at, at);
    return id;
  };
  const transaction = <T>(work: () => T): T => {
    db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      db.exec("COMMIT");
      return result;
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  };
  // Every method is synchronous underneath; `attempt` turns a throw into a rejected promise.
  const attempt = <T>(work: () => T): Promise<T> => {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error);
    }
  };

  return {
    create: (request) => attempt(() => mustGet(insert(request))),
    createOnce: (request, key) =>
      attempt((): CreateOnceResult => {
        const outcome = transaction(() => {
          sql.expireKeys.run(new Date(Date.now() - idempotencyTtlMs).toISOString());
          const seen = sql.key.get(key.principal, key.key) as
            | { fingerprint: string; job_id: string }
            | undefined;
          if (seen) return { id: seen.job_id, created: false, same: seen.fingerprint === key.fingerprint };
          const id = insert(request);
          sql.insertKey.run(key.principal, key.key, key.fingerprint, id, now());
          return { id, created: true, same: true };
        });
        const job = mustGet(outcome.id);
        return outcome.same ? { job, created: outcome.created } : { conflict: job };
      }),
    get: (id) => attempt(() => get(id)),
    list: (filter) =>
      attempt(() => {
        const where: string[] = [];
        const params: SQLInputValue[] = [];
        const and = (condition: string, ...values: SQLInputValue[]) => {
          where.push(condition);
          params.push(...values);
        };
        if (filter.status) and("status = ?", filter.status);
        if (filter.repo) and("repo = ? COLLATE NOCASE", filter.repo);
        if (filter.repoPatterns) {
          if (filter.repoPatterns.length === 0) return { jobs: [] };
          and(
            `(${filter.repoPatterns.map(() => "lower(repo) GLOB ?").join(" OR ")})`,
            ...filter.repoPatterns.map((p) => p.toLowerCase()),
          );
        }
        if (filter.cursor !== undefined) {
          const after = decodeCursor(filter.cursor);
          if (after === undefined) throw new InvalidCursorError("cursor is not one this service handed out");
          and("position < ?", after);
        }
        const text = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
                      ORDER BY position DESC LIMIT ?`;
        let statement = listStatements.get(text);
        if (!statement) listStatements.set(text, statement = db.prepare(text));
        const rows = statement.all(...params, filter.limit + 1) as unknown as JobRow[];
        const page = rows.slice(0, filter.limit);
        const jobs = page.map((row) => toJob(row, sql.items.all(row.id) as unknown as WorkItemRow[]));
        const last = page[page.length - 1];
        return rows.length > filter.limit && last
          ? { jobs, nextCursor: encodeCursor(last.position) }
          : { jobs };
      }),
    claimNext: (options = {}) =>
      attempt(() => {
        const at = now();
        const row =
          (options.id === undefined ? sql.claim.get(at, at) : sql.claimId.get(at, at, options.id)) as
            | JobRow
            | undefined;
        return row ? toJob(row, []) : undefined;
      }),
    finish: (id, result) =>
      attempt(() => {
        transaction(() => {
          const at = now();
          const changed = sql.finish.run(
            result.status,
            result.reason ?? null,
            JSON.stringify(result.pullRequests),
            at,
            at,
            id,
          ).changes;
          if (changed === 0) return;
          for (const item of result.workItems ?? []) {
            sql.upsertItem.run(
              id,
              item.issue,
              item.title ?? null,
              item.status,
              item.reason ?? null,
              item.pullRequest ? JSON.stringify(item.pullRequest) : null,
              item.tests ? JSON.stringify(item.tests) : null,
              item.usage.inputTokens,
              item.usage.outputTokens,
              item.usage.totalTokens,
              item.usage.costUsd,
              item.usage.turns,
            );
          }
          // No work item outlives its job as `running`: one the pipeline did not report ended with the job.
          sql.endRunningItems.run(
            result.status === "cancelled" ? "cancelled" : "error",
            `the job ended before this work item did: ${result.reason ?? result.status}`,
            id,
          );
        });
        return mustGet(id);
      }),
    requeue: (id) =>
      attempt(() => {
        sql.requeue.run(now(), id);
      }),
    requestCancel: (id, reason) =>
      attempt(() => {
        const at = now();
        const cancelled = sql.cancelQueued.run(reason, at, at, id).changes > 0;
        if (!cancelled) sql.cancelRunning.run(reason, at, id);
        const job = get(id);
        return job ? { job, cancelled } : undefined;
      }),
    recoverInterrupted: ({ requeue }) =>
      attempt(() => {
        const at = now();
        const rows = transaction(() => [
          ...sql.recoverCancelled.all(at, at),
          ...(requeue ? sql.recoverRequeue.all(at) : sql.recoverFail.all(INTERRUPTED, at, at)),
        ]) as unknown as Array<{ id: string }>;
        return rows.map((r) => mustGet(r.id));
      }),
    recordUsage: (jobId, issue, usage) =>
      attempt(() => {
        sql.usage.run(
          jobId,
          issue,
          usage.inputTokens ?? 0,
          usage.outputTokens ?? 0,
          usage.totalTokens,
          usage.costUsd,
          usage.turns ?? 0,
        );
      }),
    appendEvent: (jobId, event) =>
      attempt((): JobEvent => {
        const at = now();
        const row = sql.event.get(jobId, jobId, at, event.kind, event.message) as { seq: number };
        return { seq: row.seq, jobId, at, kind: event.kind, message: event.message };
      }),
    listEvents: (jobId, afterSeq = 0, limit = -1) =>
      attempt(() =>
        (sql.events.all(jobId, afterSeq, limit) as unknown as Array<Omit<JobEvent, "jobId">>).map((r) => ({
          ...r,
          jobId,
        }))
      ),
    saveTrajectory: (jobId, issue, trajectory) =>
      attempt(() => {
        sql.saveTrajectory.run(jobId, issue, JSON.stringify(trajectory));
      }),
    getTrajectories: (jobId) =>
      attempt(() =>
        (sql.trajectories.all(jobId) as unknown as Array<{ issue: number; body: string }>).map((r) => ({
          issue: r.issue,
          trajectory: JSON.parse(r.body),
        }))
      ),
    checkWritable: () =>
      attempt(() => {
        sql.heartbeat.run(now());
      }),
    close() {
      db.close();
    },
  };
}
