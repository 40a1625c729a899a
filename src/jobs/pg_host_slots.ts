/**
 * {@link SlotLedger} on PostgreSQL: one `host_slots` row per slot (a work item holding an engine),
 * so `SANDBOXES_PER_HOST` caps each engine across every replica and the least-loaded choice counts
 * every replica's sandboxes. A slot is taken in one transaction under a transaction-level advisory
 * lock per engine, with the engine's count checked first, so two replicas cannot both take its last
 * slot. Each row names the replica holding it: the replica leases (`replica_leases.ts`) delete a dead
 * replica's rows with its lease, and a replica that stops cleanly deletes its own.
 */
import type pg from "pg";
import type { SlotLedger } from "../sandbox/slot_ledger.ts";
import { inTransaction } from "./pg_transaction.ts";

/** The first key of the per-engine advisory locks (the second is the engine name's hash). */
const HOST_SLOT_LOCK = 7_140_315;

/** The ledger of `replicaId`'s slots in the database of `pool`. */
export function pgHostSlots(pool: pg.Pool, replicaId: string): SlotLedger {
  return {
    take: (host, holder, capacity) =>
      inTransaction(pool, async (client) => {
        await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [HOST_SLOT_LOCK, host]);
        const { rows } = await client.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM host_slots WHERE host = $1",
          [host],
        );
        if (rows[0]!.n >= capacity) return false;
        await client.query("INSERT INTO host_slots (holder, host, replica) VALUES ($1, $2, $3)", [
          holder,
          host,
          replicaId,
        ]);
        return true;
      }),
    async release(holder) {
      await pool.query("DELETE FROM host_slots WHERE holder = $1", [holder]);
    },
    async loads() {
      const { rows } = await pool.query<{ host: string; n: number }>(
        "SELECT host, count(*)::int AS n FROM host_slots GROUP BY host",
      );
      return new Map(rows.map((r) => [r.host, r.n]));
    },
  };
}
