/**
 * The job store's side records on PostgreSQL, each what its SQLite namesake keeps (see
 * `sqlite_environment_uses.ts`, `sqlite_progress_comments.ts`, `sqlite_webhook_deliveries.ts`),
 * shared by every replica: environment images' last uses, progress comment ids, webhook deliveries
 * seen. They use the store's pool (`pg_store.ts` migrates it); closing the store ends it.
 */
import type pg from "pg";
import type { EnvironmentUses } from "../environments/environment_uses.ts";
import type { ProgressCommentIds } from "../pipeline/work_item_progress.ts";
import type { WebhookDeliveries } from "../webhooks/webhook_deliveries.ts";

/** Environment images' last uses in `environment_uses`. */
export function pgEnvironmentUses(pool: pg.Pool): EnvironmentUses {
  return {
    async touch(key, at) {
      await pool.query(
        `INSERT INTO environment_uses (key, used_at) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET used_at = GREATEST(environment_uses.used_at, excluded.used_at)`,
        [key, at],
      );
    },
    async lastUses() {
      const { rows } = await pool.query<{ key: string; used_at: string }>(
        "SELECT key, used_at FROM environment_uses",
      );
      return new Map(rows.map((row) => [row.key, row.used_at]));
    },
    async forget(keys) {
      await pool.query("DELETE FROM environment_uses WHERE key = ANY($1)", [[...keys]]);
    },
  };
}

/** Work items' progress comment ids in `progress_comments` (repo in lower case). */
export function pgProgressComments(pool: pg.Pool): ProgressCommentIds {
  return {
    async get(repo, issue) {
      const { rows } = await pool.query<{ comment_id: string }>(
        "SELECT comment_id FROM progress_comments WHERE repo = $1 AND issue = $2",
        [repo.toLowerCase(), issue],
      );
      return rows[0] ? Number(rows[0].comment_id) : undefined;
    },
    async set(repo, issue, commentId) {
      await pool.query(
        `INSERT INTO progress_comments (repo, issue, comment_id) VALUES ($1, $2, $3)
         ON CONFLICT (repo, issue) DO UPDATE SET comment_id = excluded.comment_id`,
        [repo.toLowerCase(), issue, commentId],
      );
    },
  };
}

/** Webhook deliveries seen, in `webhook_deliveries`: each claimed once by whichever replica gets it. */
export function pgWebhookDeliveries(pool: pg.Pool): WebhookDeliveries {
  return {
    async claim(id, event, at) {
      const { rowCount } = await pool.query(
        "INSERT INTO webhook_deliveries (id, event, received_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        [id, event, at.toISOString()],
      );
      return rowCount === 1;
    },
    async forget(id) {
      await pool.query("DELETE FROM webhook_deliveries WHERE id = $1", [id]);
    },
  };
}
