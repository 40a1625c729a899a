/**
 * The first connection a start makes to PostgreSQL, bounded in time: node-postgres waits for a
 * connection without limit, so a server that accepts and never answers (a wrong port, a proxy in
 * front of a stopped server) or a firewall that drops packets would hold the start with no line.
 */
import pg from "pg";

/** PostgreSQL at `DATABASE_URL` could not be reached; the message names where, never the URL. */
export class PostgresUnreachableError extends Error {
  override name = "PostgresUnreachableError";
}

/**
 * Opens and closes one connection to `url`.
 * @param timeoutMs how long the connection (TCP, TLS, log-in) may take, in milliseconds.
 * @throws {PostgresUnreachableError} naming the host, port and database (not the user name or the
 *   password), why, and what to check; the driver's error is its `cause`.
 */
export async function reachPostgres(url: string, { timeoutMs }: { timeoutMs: number }): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  const where = `${client.host}:${client.port}/${client.database}`;
  try {
    await client.connect();
  } catch (error) {
    const why = (error as Error).message;
    throw new PostgresUnreachableError(
      `cannot connect to PostgreSQL at ${where} (DATABASE_URL): ${
        /timeout/i.test(why) ? `no answer within ${timeoutMs} ms` : why
      }; ${fixFor(error)}`,
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** What to check for the failure `error` of a first connection. */
function fixFor(error: unknown): string {
  // The server answered and refused (node-postgres' DatabaseError carries its severity and code).
  if ((error as { severity?: unknown }).severity !== undefined) {
    return "check DATABASE_URL's user name, password and database";
  }
  if (/\bSSL\b|TLS|certificate/i.test((error as Error).message)) {
    return "check DATABASE_URL's sslmode (and sslrootcert for a private CA) against the server's TLS";
  }
  return "check DATABASE_URL's host and port, and that the server is up and reachable from here";
}
