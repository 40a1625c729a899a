import { expect, test } from "vitest";
import { loadConfig } from "../src/config.ts";
import { ConfigError } from "../src/errors.ts";
import { PostgresUnreachableError } from "../src/jobs/pg_reach.ts";
import { openServiceDatabase } from "../src/service_database.ts";

const BASE = { GITHUB_TOKEN: "ghp_x", ANTHROPIC_API_KEY: "sk-ant-test", AUTH_DISABLED: "true" };

/** The error opening the database of `DATABASE_URL` rejects with. */
async function openError(url: string): Promise<Error> {
  return await openServiceDatabase(loadConfig({ ...BASE, DATABASE_URL: url })).then(
    async (database) => {
      await database.close();
      throw new Error("opened");
    },
    (e: Error) => e,
  );
}

test("a TLS file DATABASE_URL names that cannot be read is named, not taken for a malformed URL", async () => {
  const error = await openError(
    "postgres://agent:pw-not-shown@db.internal:5432/agent?sslmode=verify-full&sslrootcert=/nonexistent/db-ca.pem",
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect(error.message).toMatch(/^DATABASE_URL cannot be used: .*no such file.*\/nonexistent\/db-ca\.pem/);
  expect(error.message).not.toMatch(/percent-encode|pw-not-shown/);
});

test("a database that refuses the connection stops the start naming PostgreSQL and where", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const error = await openError(`postgres://agent:pw-not-shown@127.0.0.1:${port}/agent`);
  expect(error).toBeInstanceOf(PostgresUnreachableError);
  expect(error.message).toMatch(
    new RegExp(
      `^cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}/agent \\(DATABASE_URL\\): connect ECONNREFUSED`,
    ),
  );
  expect(error.message).not.toContain("pw-not-shown");
});
