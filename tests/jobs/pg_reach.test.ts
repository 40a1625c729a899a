import { afterEach, expect, test } from "vitest";
import { reachPostgres } from "../../src/jobs/pg_reach.ts";
import { PostgresUnreachableError } from "../../src/jobs/pg_reach.ts";

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
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  (async () => {
    for await (const conn of silent) held.push(conn);
  })().catch(() => undefined);
  closers.push(() => {
    silent.close();
    for (const conn of held) conn.close();
  });
  const error = await reachError(`postgres://agent:pw-not-shown@127.0.0.1:${silent.addr.port}/agent`);
  expect(error).toBeInstanceOf(PostgresUnreachableError);
  expect(error.message).toBe(
    `cannot connect to PostgreSQL at 127.0.0.1:${silent.addr.port}/agent (DATABASE_URL): no answer within ` +
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
