/**
 * Replica leases on PostgreSQL: each replica beats in `replicas` every third of `JOBS_LEASE_MS`,
 * and each beat also looks for replicas that have not beaten for a whole lease (killed, frozen,
 * cut off). Their graphile-worker locks are released (`force_unlock_workers`, graphile-worker's way
 * to recover a crashed worker's jobs at once instead of after its 4-hour lock timeout), so a live
 * replica picks their jobs up and takes them over. The `DELETE … RETURNING` makes one replica
 * handle each dead one. A dead replica's slots on the Docker hosts (`host_slots`, see
 * `pg_host_slots.ts`) are deleted in the same transaction, and a replica that stops cleanly deletes
 * its own. Uses PostgreSQL's clock throughout.
 */
import type pg from "pg";
import { errorText, logger } from "../logging.ts";
import { inTransaction } from "./pg_transaction.ts";

const log = logger("queue");

/** A replica's lease; {@link ReplicaLease.stop} gives it up (a clean stop: nothing to recover). */
export interface ReplicaLease {
  /** Beats and sweeps now; resolves with the jobs it released (tests, start-up). */
  beat(): Promise<string[]>;
  stop(): Promise<void>;
}

/** Starts beating as `replicaId`; a failed beat (database away) is logged and tried again next time. */
export function startReplicaLease(
  pool: pg.Pool,
  options: { replicaId: string; leaseMs: number; onReleased?: (jobIds: string[]) => void },
): ReplicaLease {
  const { replicaId, leaseMs } = options;
  const beat = async (): Promise<string[]> => {
    await pool.query(
      `INSERT INTO replicas (id, heartbeat_at) VALUES ($1, now())
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`,
      [replicaId],
    );
    return await inTransaction(pool, async (client) => {
      const dead = (await client.query<{ id: string }>(
        `DELETE FROM replicas WHERE heartbeat_at < now() - make_interval(secs => $1::float8 / 1000) AND id <> $2
         RETURNING id`,
        [leaseMs, replicaId],
      )).rows.map((r) => r.id);
      if (dead.length === 0) return [];
      await client.query("DELETE FROM host_slots WHERE replica = ANY($1)", [dead]);
      const held = (await client.query<{ id: string; worker_id: string | null }>(
        "UPDATE jobs SET replica = NULL WHERE replica = ANY($1) RETURNING id, worker_id",
        [dead],
      )).rows;
      const workers = [...new Set(held.flatMap((r) => r.worker_id ? [r.worker_id] : []))];
      if (workers.length > 0) {
        await client.query("SELECT graphile_worker.force_unlock_workers($1::text[])", [workers]);
      }
      const jobIds = held.map((r) => r.id);
      log.warn("replicas {dead} stopped beating; released their jobs {jobs}", { dead, jobs: jobIds });
      return jobIds;
    });
  };
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = beat().then(
      (released) => released.length > 0 && options.onReleased?.(released),
      (error) => log.warn("replica heartbeat failed: {error}", { error: errorText(error) }),
    );
  };
  const timer = setInterval(tick, Math.floor(leaseMs / 3));
  return {
    beat,
    async stop() {
      clearInterval(timer);
      await running;
      await inTransaction(pool, async (client) => {
        await client.query("DELETE FROM host_slots WHERE replica = $1", [replicaId]);
        await client.query("DELETE FROM replicas WHERE id = $1", [replicaId]);
      }).catch(() => undefined);
    },
  };
}
