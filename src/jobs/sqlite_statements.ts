/** The job store's SQL: statements prepared once per connection, and the job list's query per filter. */
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import { decodeCursor } from "./sqlite_rows.ts";
import { InvalidCursorError, type JobFilter } from "./store.ts";

const FINAL_SQL = "('succeeded', 'failed', 'cancelled')";
/** A job a worker holds: `running`, or `waiting` for its `[ops]` sub-issues (same slot, same cancel). */
const ACTIVE_SQL = "('running', 'waiting')";

/** Every statement {@link SqliteJobStore} runs, but the job list's (built per filter). */
export type Statements = ReturnType<typeof prepareStatements>;

/** Prepares the statements on `db` (already migrated). */
export function prepareStatements(db: DatabaseSync) {
  return {
    job: db.prepare("SELECT * FROM jobs WHERE id = ?"),
    items: db.prepare("SELECT * FROM work_items WHERE job_id = ? ORDER BY issue"),
    insert: db.prepare(
      `INSERT INTO jobs (id, repo, issue, base, status, submitter, created_at, updated_at, position,
       pull, instructions, comment)
     VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM jobs), ?, ?, ?)`,
    ),
    key: db.prepare("SELECT fingerprint, job_id FROM idempotency_keys WHERE principal = ? AND key = ?"),
    expireKeys: db.prepare("DELETE FROM idempotency_keys WHERE created_at < ?"),
    insertKey: db.prepare(
      "INSERT INTO idempotency_keys (principal, key, fingerprint, job_id, created_at) VALUES (?, ?, ?, ?, ?)",
    ),
    // The head of each submitter's queue, skipping submitters at the running cap; of those, the
    // submitter whose last job started longest ago (never: first) goes first, then submission order.
    claim: db.prepare(
      `UPDATE jobs SET status = 'running', started_at = ?, updated_at = ?,
       start_seq = (SELECT COALESCE(MAX(start_seq), 0) + 1 FROM jobs)
     WHERE id = (
       SELECT j.id
       FROM (SELECT submitter, MIN(position) AS head FROM jobs WHERE status = 'queued' GROUP BY submitter) AS h
       JOIN jobs AS j ON j.position = h.head
       WHERE (SELECT COUNT(*) FROM jobs AS r WHERE r.status IN ${ACTIVE_SQL} AND r.submitter IS h.submitter) < ?
       ORDER BY (SELECT MAX(s.start_seq) FROM jobs AS s WHERE s.submitter IS h.submitter), h.head
       LIMIT 1)
     RETURNING *`,
    ),
    queuedOf: db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE status = 'queued' AND submitter = ?"),
    spentOn: db.prepare("SELECT cost_usd FROM principal_spend WHERE principal = ? AND day = ?"),
    itemCost: db.prepare("SELECT cost_usd FROM work_items WHERE job_id = ? AND issue = ?"),
    addSpend: db.prepare(
      `INSERT INTO principal_spend (principal, day, cost_usd)
     SELECT submitter, ?, ? FROM jobs WHERE id = ? AND submitter IS NOT NULL
     ON CONFLICT (principal, day) DO UPDATE SET cost_usd = cost_usd + excluded.cost_usd`,
    ),
    claimId: db.prepare(
      `UPDATE jobs SET status = 'running', started_at = ?, updated_at = ?,
       start_seq = (SELECT COALESCE(MAX(start_seq), 0) + 1 FROM jobs)
     WHERE id = ? AND status = 'queued' RETURNING *`,
    ),
    finish: db.prepare(
      `UPDATE jobs SET status = ?, reason = ?, pull_requests = ?, finished_at = ?, updated_at = ?
     WHERE id = ? AND status NOT IN ${FINAL_SQL}`,
    ),
    upsertItem: db.prepare(
      `INSERT INTO work_items (job_id, issue, title, status, reason, pull_request, tests,
       input_tokens, output_tokens, total_tokens, cost_usd, turns, environment,
       ephemeral_5m_input_tokens, ephemeral_1h_input_tokens)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (job_id, issue) DO UPDATE SET title = excluded.title, status = excluded.status,
       reason = excluded.reason, pull_request = excluded.pull_request, tests = excluded.tests,
       environment = excluded.environment,
       input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
       total_tokens = excluded.total_tokens, cost_usd = excluded.cost_usd, turns = excluded.turns,
       ephemeral_5m_input_tokens = excluded.ephemeral_5m_input_tokens,
       ephemeral_1h_input_tokens = excluded.ephemeral_1h_input_tokens`,
    ),
    endRunningItems: db.prepare(
      "UPDATE work_items SET status = ?, reason = ? WHERE job_id = ? AND status = 'running'",
    ),
    usage: db.prepare(
      `INSERT INTO work_items (job_id, issue, input_tokens, output_tokens, total_tokens, cost_usd, turns,
       ephemeral_5m_input_tokens, ephemeral_1h_input_tokens)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (job_id, issue) DO UPDATE SET input_tokens = excluded.input_tokens,
       output_tokens = excluded.output_tokens, total_tokens = excluded.total_tokens,
       cost_usd = excluded.cost_usd, turns = excluded.turns,
       ephemeral_5m_input_tokens = excluded.ephemeral_5m_input_tokens,
       ephemeral_1h_input_tokens = excluded.ephemeral_1h_input_tokens`,
    ),
    requeue: db.prepare(
      `UPDATE jobs SET status = 'queued', started_at = NULL, updated_at = ? WHERE id = ? AND status IN ${ACTIVE_SQL}`,
    ),
    // A running job waits (`[ops]` first) and resumes; nothing else moves.
    setWaiting: db.prepare(
      `UPDATE jobs SET status = ?, updated_at = ? WHERE id = ? AND status IN ${ACTIVE_SQL}`,
    ),
    cancelQueued: db.prepare(
      "UPDATE jobs SET status = 'cancelled', reason = ?, finished_at = ?, updated_at = ? WHERE id = ? AND status = 'queued'",
    ),
    cancelRunning: db.prepare(
      `UPDATE jobs SET cancel_requested = 1, reason = ?, updated_at = ? WHERE id = ? AND status IN ${ACTIVE_SQL}`,
    ),
    recoverCancelled: db.prepare(
      `UPDATE jobs SET status = 'cancelled', finished_at = ?, updated_at = ?
     WHERE status IN ${ACTIVE_SQL} AND cancel_requested = 1 RETURNING id`,
    ),
    recoverRequeue: db.prepare(
      `UPDATE jobs SET status = 'queued', started_at = NULL, updated_at = ? WHERE status IN ${ACTIVE_SQL} RETURNING id`,
    ),
    recoverFail: db.prepare(
      `UPDATE jobs SET status = 'failed', reason = ?, finished_at = ?, updated_at = ?
     WHERE status IN ${ACTIVE_SQL} RETURNING id`,
    ),
    event: db.prepare(
      `INSERT INTO job_events (job_id, seq, at, kind, message, data)
     VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM job_events WHERE job_id = ?), ?, ?, ?, ?)
     RETURNING seq`,
    ),
    events: db.prepare(
      "SELECT seq, at, kind, message, data FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?",
    ),
    saveTrajectory: db.prepare("INSERT OR REPLACE INTO trajectories (job_id, issue, body) VALUES (?, ?, ?)"),
    savePublication: db.prepare(
      "INSERT OR REPLACE INTO work_item_publications (job_id, issue, body) VALUES (?, ?, ?)",
    ),
    publication: db.prepare("SELECT body FROM work_item_publications WHERE job_id = ? AND issue = ?"),
    trajectories: db.prepare("SELECT issue, body FROM trajectories WHERE job_id = ? ORDER BY issue"),
    heartbeat: db.prepare(
      "INSERT INTO heartbeat (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
    ),
  };
}

/**
 * The `SELECT` of one page of `filter` (without its `LIMIT` value), or undefined when it matches
 * nothing (an empty repo allowlist).
 * @throws InvalidCursorError when the cursor is not one the store handed out.
 */
export function listJobsQuery(filter: JobFilter): { text: string; params: SQLInputValue[] } | undefined {
  const where: string[] = [];
  const params: SQLInputValue[] = [];
  const and = (condition: string, ...values: SQLInputValue[]) => {
    where.push(condition);
    params.push(...values);
  };
  if (filter.status) and("status = ?", filter.status);
  if (filter.repo) and("repo = ? COLLATE NOCASE", filter.repo);
  if (filter.repoPatterns) {
    if (filter.repoPatterns.length === 0) return undefined;
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
  return { text, params };
}
