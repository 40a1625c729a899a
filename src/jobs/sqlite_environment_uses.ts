/**
 * {@link EnvironmentUses} in the job store's SQLite file (table `environment_uses`, migration 5):
 * the last use of each environment image survives restarts and is shared by every replica on the
 * file, which an image label (immutable) or memory could not give. A connection of its own; the
 * file is migrated like the job store's.
 */
// deno-lint-ignore-file require-await -- node:sqlite is synchronous; `async` is what makes a throw a rejection.
import type { EnvironmentUses } from "../environments/environment_uses.ts";
import { openSqliteDatabase } from "./sqlite_database.ts";

/** Opens the last-use records in the job store at `path` (`:memory:`: a private database). */
export function openSqliteEnvironmentUses(path: string): EnvironmentUses & { close(): void } {
  const db = openSqliteDatabase(path);
  const touch = db.prepare(
    `INSERT INTO environment_uses (key, used_at) VALUES (?, ?)
     ON CONFLICT (key) DO UPDATE SET used_at = max(used_at, excluded.used_at)`,
  );
  const all = db.prepare("SELECT key, used_at FROM environment_uses");
  const forget = db.prepare("DELETE FROM environment_uses WHERE key = ?");
  return {
    async touch(key, at) {
      touch.run(key, at);
    },
    async lastUses() {
      const rows = all.all() as Array<{ key: string; used_at: string }>;
      return new Map(rows.map((row) => [row.key, row.used_at]));
    },
    async forget(keys) {
      for (const key of keys) forget.run(key);
    },
    close: () => db.close(),
  };
}
