import { afterEach, expect, test } from "vitest";
import { PostgresUnreachableError, reachPostgres } from "../../src/jobs/pg_reach.ts";
import { silentServer } from "../silent_server.ts";

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** The error `reachPostgres` rejects with. */
async function reachError(url: string): Promise<Error> {
  return await reachPostgres(url, { timeoutMs: 300 }).then(
    () => {
      throw new Error("reached");
    },
    (e: Error) => e,
  );
}

test("a server that accepts and never answers fails the first connection in time, naming where and the fix", async () => {
  // Connections are accepted and held, and nothing is ever written: a wrong port, a stalled proxy.
  const silent = silentServer();
  closers.push(silent.close);
  const error = await reachError(`postgres://agent:pw-not-shown@127.0.0.1:${silent.port}/agent`);
  expect(error).toBeInstanceOf(PostgresUnreachableError);
  expect(error.message).toBe(
    `cannot connect to PostgreSQL at 127.0.0.1:${silent.port}/agent (DATABASE_URL): no answer within ` +
      "300 ms; check DATABASE_URL's host and port, and that the server is up and reachable from here",
  );
  expect(error.message).not.toContain("pw-not-shown");
  expect(error.cause).toBeInstanceOf(Error);
});

test("a refused connection names PostgreSQL and DATABASE_URL, never the user name or password", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const error = await reachError(
    `postgresql://agent-user:pw-not-shown@127.0.0.1:${port}/jobs?sslmode=disable`,
  );
  expect(error).toBeInstanceOf(PostgresUnreachableError);
  expect(error.message).toMatch(
    new RegExp(
      `^cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}/jobs \\(DATABASE_URL\\): connect ECONNREFUSED `,
    ),
  );
  expect(error.message).not.toMatch(/pw-not-shown|agent-user/);
});

/**
 * A server that answers the client's first message with `answer` (PostgreSQL's wire format:
 * https://www.postgresql.org/docs/current/protocol-message-formats.html) and closes.
 */
function answeringServer(answer: Uint8Array): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  (async () => {
    for await (const conn of listener) {
      await conn.read(new Uint8Array(1024));
      await conn.write(answer);
      conn.close();
    }
  })().catch(() => undefined);
  closers.push(() => listener.close());
  return listener.addr.port;
}

/** An ErrorResponse (`E`) with severity FATAL, `code` and `message`. */
function errorResponse(code: string, message: string): Uint8Array {
  const fields = new TextEncoder().encode(`SFATAL\0C${code}\0M${message}\0\0`);
  const out = new Uint8Array(5 + fields.length);
  out[0] = "E".charCodeAt(0);
  new DataView(out.buffer).setUint32(1, 4 + fields.length);
  out.set(fields, 5);
  return out;
}

test("a log-in the server refuses says so and points at the user name, password and database", async () => {
  const port = answeringServer(errorResponse("28P01", 'password authentication failed for user "agent"'));
  const error = await reachError(`postgres://agent:pw-not-shown@127.0.0.1:${port}/agent`);
  expect(error.message).toBe(
    `cannot connect to PostgreSQL at 127.0.0.1:${port}/agent (DATABASE_URL): password authentication failed ` +
      `for user "agent"; check DATABASE_URL's user name, password and database`,
  );
});

test("TLS asked of a server without it points at sslmode", async () => {
  // The answer to an SSLRequest when the server has no TLS.
  const port = answeringServer(new TextEncoder().encode("N"));
  const error = await reachError(`postgres://agent:pw-not-shown@127.0.0.1:${port}/agent?sslmode=verify-full`);
  expect(error.message).toBe(
    `cannot connect to PostgreSQL at 127.0.0.1:${port}/agent (DATABASE_URL): The server does not support SSL ` +
      "connections; check DATABASE_URL's sslmode (and sslrootcert for a private CA) against the server's TLS",
  );
});
