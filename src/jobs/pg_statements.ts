/**
 * The PostgreSQL job store's SQL (numbered parameters), and the job list's query per filter. Each
 * statement does what its namesake in `sqlite_statements.ts` does.
 */
import { decodeCursor } from "./sqlite_rows.ts";
import { InvalidCursorError, type JobFilter } from "./store.ts";

const FINAL_SQL = "('succeeded', 'failed', 'cancelled')";
const ACTIVE_SQL = "('running', 'waiting')";

/** graphile-worker's task that runs one job; its payload is `{ id }`, its job key the job's id. */
export const RUN_JOB_TASK = "run_job";

/**
 * The head of each submitter's queue, skipping submitters with `cap` (a parameter) jobs active; of
 * those, the submitter whose last job started longest ago (never: first) goes first, then
 * submission order. Counted in the database, so the cap and the order hold across replicas.
 */
function fairHead(cap: string): string {
  return `SELECT j.id
       FROM (SELECT submitter, MIN(position) AS head FROM jobs WHERE status = 'queued' GROUP BY submitter) AS h
       JOIN jobs AS j ON j.position = h.head
       WHERE (SELECT COUNT(*) FROM jobs AS r
              WHERE r.status IN ${ACTIVE_SQL} AND r.submitter IS NOT DISTINCT FROM h.submitter) < ${cap}
       ORDER BY (SELECT MAX(s.start_seq) FROM jobs AS s WHERE s.submitter IS NOT DISTINCT FROM h.submitter)
         NULLS FIRST, h.head
       LIMIT 1`;
}

/** Puts job `$1` in graphile-worker's queue (once: the job key replaces a waiting twin). */
export const ENQUEUE_SQL =
  `SELECT graphile_worker.add_job('${RUN_JOB_TASK}', json_build_object('id', $1::text), job_key := $1::text)`;

/** The statements of {@link PgJobStore}. */
export const PG_SQL = {
  // The advisory lock (any constant) held by submissions and claims, which read then write the queue.
  lockQueue: "SELECT pg_advisory_xact_lock(7140315)",
  job: "SELECT * FROM jobs WHERE id = $1",
  items: "SELECT * FROM work_items WHERE job_id = $1 ORDER BY issue",
  insert:
    `INSERT INTO jobs (id, repo, issue, base, status, submitter, created_at, updated_at, pull, instructions, comment)
           VALUES ($1, $2, $3, $4, 'queued', $5, $6, $6, $7, $8, $9)`,
  key: "SELECT fingerprint, job_id FROM idempotency_keys WHERE principal = $1 AND key = $2",
  expireKeys: "DELETE FROM idempotency_keys WHERE created_at < $1",
  insertKey:
    "INSERT INTO idempotency_keys (principal, key, fingerprint, job_id, created_at) VALUES ($1, $2, $3, $4, $5)",
  claim:
    `UPDATE jobs SET status = 'running', started_at = $1, updated_at = $1, start_seq = nextval('job_start_seq')
     WHERE id = (${fairHead("$2")}) RETURNING *`,
  claimId:
    `UPDATE jobs SET status = 'running', started_at = $1, updated_at = $1, start_seq = nextval('job_start_seq')
     WHERE id = $2 AND status = 'queued' RETURNING *`,
  // A job a dead replica held (its lease sweep released it: no replica, a worker that had it), for
  // worker $3 of replica $2 to take over.
  takeOrphan: `UPDATE jobs SET status = 'running', updated_at = $1, start_seq = nextval('job_start_seq'),
       replica = $2, worker_id = $3, attempts = attempts + 1
     WHERE id = (SELECT id FROM jobs WHERE status IN ${ACTIVE_SQL} AND replica IS NULL AND worker_id IS NOT NULL
                 ORDER BY position LIMIT 1)
     RETURNING *`,
  // The next queued job in fair order, its submitter under the running cap $4, for worker $3 of replica $2.
  claimFor:
    `UPDATE jobs SET status = 'running', started_at = $1, updated_at = $1, start_seq = nextval('job_start_seq'),
       replica = $2, worker_id = $3, attempts = attempts + 1
     WHERE id = (${fairHead("$4")}) RETURNING *`,
  // Active jobs of graphile-worker's workers $1 lose their replica: the next worker takes them over.
  releaseWorkers:
    `UPDATE jobs SET replica = NULL WHERE worker_id = ANY($1::text[]) AND status IN ${ACTIVE_SQL}`,
  // One more turn of the queue when a job is waiting: a running job ended, so a submitter at its cap
  // may start another (graphile-worker hands it to any replica; the claim picks the job).
  wake: `SELECT graphile_worker.add_job('${RUN_JOB_TASK}', json_build_object('id', $1::text))
     WHERE EXISTS (SELECT 1 FROM jobs WHERE status = 'queued')`,
  queuedOf: "SELECT COUNT(*)::int AS n FROM jobs WHERE status = 'queued' AND submitter = $1",
  spentOn: "SELECT cost_usd FROM principal_spend WHERE principal = $1 AND day = $2",
  itemCost: "SELECT cost_usd FROM work_items WHERE job_id = $1 AND issue = $2",
  addSpend: `INSERT INTO principal_spend (principal, day, cost_usd)
     SELECT submitter, $1, $2 FROM jobs WHERE id = $3 AND submitter IS NOT NULL
     ON CONFLICT (principal, day) DO UPDATE SET cost_usd = principal_spend.cost_usd + excluded.cost_usd`,
  finish: `UPDATE jobs SET status = $1, reason = $2, pull_requests = $3, finished_at = $4, updated_at = $4,
       replica = NULL, worker_id = NULL
     WHERE id = $5 AND status NOT IN ${FINAL_SQL}`,
  upsertItem: `INSERT INTO work_items (job_id, issue, title, status, reason, pull_request, tests,
       input_tokens, output_tokens, total_tokens, cost_usd, turns, environment,
       ephemeral_5m_input_tokens, ephemeral_1h_input_tokens)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (job_id, issue) DO UPDATE SET title = excluded.title, status = excluded.status,
       reason = excluded.reason, pull_request = excluded.pull_request, tests = excluded.tests,
       environment = excluded.environment,
       input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
       total_tokens = excluded.total_tokens, cost_usd = excluded.cost_usd, turns = excluded.turns,
       ephemeral_5m_input_tokens = excluded.ephemeral_5m_input_tokens,
       ephemeral_1h_input_tokens = excluded.ephemeral_1h_input_tokens`,
  endRunningItems: "UPDATE work_items SET status = $1, reason = $2 WHERE job_id = $3 AND status = 'running'",
  usage: `INSERT INTO work_items (job_id, issue, input_tokens, output_tokens, total_tokens, cost_usd, turns,
       ephemeral_5m_input_tokens, ephemeral_1h_input_tokens)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (job_id, issue) DO UPDATE SET input_tokens = excluded.input_tokens,
       output_tokens = excluded.output_tokens, total_tokens = excluded.total_tokens,
       cost_usd = excluded.cost_usd, turns = excluded.turns,
       ephemeral_5m_input_tokens = excluded.ephemeral_5m_input_tokens,
       ephemeral_1h_input_tokens = excluded.ephemeral_1h_input_tokens`,
  requeue:
    `UPDATE jobs SET status = 'queued', started_at = NULL, updated_at = $1, replica = NULL, worker_id = NULL
     WHERE id = $2 AND status IN ${ACTIVE_SQL} RETURNING id`,
  setWaiting: `UPDATE jobs SET status = $1, updated_at = $2 WHERE id = $3 AND status IN ${ACTIVE_SQL}`,
  cancelQueued: `UPDATE jobs SET status = 'cancelled', reason = $1, finished_at = $2, updated_at = $2
     WHERE id = $3 AND status = 'queued'`,
  cancelRunning:
    `UPDATE jobs SET cancel_requested = 1, reason = $1, updated_at = $2 WHERE id = $3 AND status IN ${ACTIVE_SQL}`,
  recoverCancelled: `UPDATE jobs SET status = 'cancelled', finished_at = $1, updated_at = $1
     WHERE status IN ${ACTIVE_SQL} AND cancel_requested = 1 RETURNING id`,
  recoverRequeue: `UPDATE jobs SET status = 'queued', started_at = NULL, updated_at = $1
     WHERE status IN ${ACTIVE_SQL} RETURNING id`,
  recoverFail: `UPDATE jobs SET status = 'failed', reason = $1, finished_at = $2, updated_at = $2
     WHERE status IN ${ACTIVE_SQL} RETURNING id`,
  event: `INSERT INTO job_events (job_id, seq, at, kind, message, data)
     VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM job_events WHERE job_id = $1), $2, $3, $4, $5)
     RETURNING seq`,
  events:
    "SELECT seq, at, kind, message, data FROM job_events WHERE job_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
  saveTrajectory: `INSERT INTO trajectories (job_id, issue, body) VALUES ($1, $2, $3)
     ON CONFLICT (job_id, issue) DO UPDATE SET body = excluded.body`,
  trajectories: "SELECT issue, body FROM trajectories WHERE job_id = $1 ORDER BY issue",
  savePublication: `INSERT INTO work_item_publications (job_id, issue, body) VALUES ($1, $2, $3)
     ON CONFLICT (job_id, issue) DO UPDATE SET body = excluded.body`,
  publication: "SELECT body FROM work_item_publications WHERE job_id = $1 AND issue = $2",
  heartbeat: "INSERT INTO heartbeat (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
} as const;

/**
 * The `SELECT` of one page of `filter` (its `LIMIT` is the last parameter), or undefined when it
 * matches nothing (an empty repo allowlist).
 * @throws InvalidCursorError when the cursor is not one the store handed out.
 */
export function pgListJobsQuery(filter: JobFilter): { text: string; params: unknown[] } | undefined {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.status) where.push(`status = ${param(filter.status)}`);
  if (filter.repo) where.push(`lower(repo) = lower(${param(filter.repo)})`);
  if (filter.repoPatterns) {
    if (filter.repoPatterns.length === 0) return undefined;
    const tests = filter.repoPatterns.map((p) => `lower(repo) ~ ${param(globRegExp(p.toLowerCase()))}`);
    where.push(`(${tests.join(" OR ")})`);
  }
  if (filter.cursor !== undefined) {
    const after = decodeCursor(filter.cursor);
    if (after === undefined) throw new InvalidCursorError("cursor is not one this service handed out");
    where.push(`position < ${param(after)}`);
  }
  const text = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
                ORDER BY position DESC LIMIT ${param(filter.limit + 1)}`;
  return { text, params };
}

/** SQLite's `GLOB` as an anchored POSIX regular expression: `*` any run, `?` one character. */
export function globRegExp(glob: string): string {
  let out = "^";
  for (const char of glob) {
    if (char === "*") out += ".*";
    else if (char === "?") out += ".";
    else out += /[\\^$.|+()[\]{}]/.test(char) ? `\\${char}` : char;
  }
  return `${out}$`;
}
