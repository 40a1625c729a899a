/**
 * {@link WebhookDeliveries} in the job store's SQLite file (table `webhook_deliveries`, migration 6):
 * a delivery id is claimed once, whichever replica on the file receives it, and across restarts. A
 * connection of its own; the file is migrated like the job store's.
 */
// deno-lint-ignore-file require-await -- node:sqlite is synchronous; `async` is what makes a throw a rejection.
import type { WebhookDeliveries } from "../webhooks/webhook_deliveries.ts";
import { openSqliteDatabase } from "./sqlite_database.ts";

/** Opens the delivery records in the job store at `path` (`:memory:`: a private database). */
export function openSqliteWebhookDeliveries(path: string): WebhookDeliveries & { close(): void } {
  const db = openSqliteDatabase(path);
  const claim = db.prepare(
    "INSERT INTO webhook_deliveries (id, event, received_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
  );
  const forget = db.prepare("DELETE FROM webhook_deliveries WHERE id = ?");
  return {
    async claim(id, event, at) {
      return claim.run(id, event, at.toISOString()).changes === 1;
    },
    async forget(id) {
      forget.run(id);
    },
    close: () => db.close(),
  };
}
