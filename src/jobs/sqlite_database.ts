/**
 * The job store's SQLite file (`node:sqlite`, synchronous): opening a connection to it, migrated,
 * as the store and its side records (environment uses, webhook deliveries, progress comments) each
 * do, and one write transaction on it.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { migrate } from "./sqlite_migrations.ts";

/**
 * Opens a connection to the file at `path` (its folder made as needed; `:memory:`: a private
 * in-memory database) in WAL mode, waiting up to 5 s for another connection's write lock, and
 * migrates it. Needs Deno `--allow-read` and `--allow-write` on the folder.
 * @throws Error when the file cannot be opened or migrated.
 */
export function openSqliteDatabase(path: string): DatabaseSync {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  try {
    db.exec(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
    );
    migrate(db);
    return db;
  } catch (error) {
    // A file that cannot be migrated (e.g. a newer release wrote it) is not left open.
    db.close();
    throw error;
  }
}

/**
 * Runs `work` between `BEGIN IMMEDIATE` (the write lock taken at once, so a read-then-write cannot
 * interleave with another connection's) and `COMMIT`; when it throws, rolls back and rethrows.
 */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}
