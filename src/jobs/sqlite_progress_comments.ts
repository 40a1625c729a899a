/**
 * {@link ProgressCommentIds} in the job store's SQLite file (table `progress_comments`, migration 7):
 * which comment is a work item's progress comment, so a re-run, a follow-up or a job requeued after a
 * restart edits the same comment instead of posting another. A connection of its own; the file is
 * migrated like the job store's.
 */
// deno-lint-ignore-file require-await -- node:sqlite is synchronous; `async` is what makes a throw a rejection.
import type { ProgressCommentIds } from "../pipeline/work_item_progress.ts";
import { openSqliteDatabase } from "./sqlite_database.ts";

/** Opens the progress comment ids in the job store at `path` (`:memory:`: a private database). */
export function openSqliteProgressComments(path: string): ProgressCommentIds & { close(): void } {
  const db = openSqliteDatabase(path);
  const read = db.prepare("SELECT comment_id FROM progress_comments WHERE repo = ? AND issue = ?");
  const write = db.prepare(
    `INSERT INTO progress_comments (repo, issue, comment_id) VALUES (?, ?, ?)
     ON CONFLICT (repo, issue) DO UPDATE SET comment_id = excluded.comment_id`,
  );
  return {
    async get(repo, issue) {
      const row = read.get(repo.toLowerCase(), issue) as { comment_id: number } | undefined;
      return row?.comment_id;
    },
    async set(repo, issue, commentId) {
      write.run(repo.toLowerCase(), issue, commentId);
    },
    close: () => db.close(),
  };
}
