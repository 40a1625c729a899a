/**
 * One PostgreSQL transaction on a client of a node-postgres pool, and what runs a query (the pool,
 * or that client): the job store's and the replica leases' writes that must land together.
 */
import type pg from "pg";

/** Something that runs a query: the pool, or one transaction's client. */
export type Queryable = Pick<pg.Pool, "query">;

/**
 * Runs `work` on one client of `pool` between `BEGIN` and `COMMIT`; when it throws, rolls back and
 * rethrows. A connection that cannot even roll back is dropped from the pool rather than reused.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (db: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((e) => broken = e instanceof Error ? e : new Error(String(e)));
    throw error;
  } finally {
    client.release(broken);
  }
}
