import { expect, test } from "vitest";
import { PROJECT_ROOT } from "./e2e/harness.ts";
import { processEnv } from "./service_process.ts";

/** Runs `deno task start` (the service's own permissions) with only `env`; @returns its exit code and stderr lines. */
async function start(env: Record<string, string>) {
  const result = await new Deno.Command("deno", {
    args: ["task", "--quiet", "start"],
    cwd: PROJECT_ROOT,
    env: processEnv(env),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(result.stderr).split("\n").filter(Boolean);
  return { code: result.code, stdout: new TextDecoder().decode(result.stdout), stderr };
}

test("an invalid configuration is one JSON log line naming every problem, then a non-zero exit", async () => {
  const secret = "sk-ant-must-not-be-logged";
  const { code, stdout, stderr } = await start({
    PORT: "notanumber",
    ANTHROPIC_API_KEY: secret,
    GITHUB_TOKEN_FILE: "/run/secrets/absent_github_token",
    AUTH_DISABLED: "true",
  });
  expect(code).toBe(2);
  expect(stdout).toBe("");
  expect(stderr).toHaveLength(1);
  const line = JSON.parse(stderr[0]!);
  expect(line).toMatchObject({
    level: "FATAL",
    logger: "backend-agent.service",
    properties: {
      problems: expect.arrayContaining([
        "PORT must be a number (PORT)",
        expect.stringMatching(
          /^GITHUB_TOKEN_FILE: cannot read \/run\/secrets\/absent_github_token \(no such file\)/,
        ),
      ]),
    },
  });
  expect(line.message).toMatch(/^invalid configuration, not starting: /);
  expect(stderr[0]).not.toContain(secret);
});

test("a service without authentication configured says how to configure it, as one JSON line", async () => {
  const { code, stderr } = await start({
    GITHUB_TOKEN: "ghp_x",
    ANTHROPIC_API_KEY: "sk-ant-x",
    JOBS_DB_PATH: "data/never.sqlite",
  });
  expect(code).toBe(2);
  expect(stderr).toHaveLength(1);
  expect(JSON.parse(stderr[0]!)).toMatchObject({
    level: "FATAL",
    properties: {
      problems: [expect.stringMatching(/^Authentication is not configured: .*deno task hash-key/)],
    },
  });
});

test("a DATABASE_URL node-postgres cannot read is a settings problem (exit 2) naming it, never its password", async () => {
  const password = "pg-password-must-not-be-logged";
  const { code, stderr } = await start({
    GITHUB_TOKEN: "ghp_x",
    ANTHROPIC_API_KEY: "sk-ant-x",
    AUTH_DISABLED: "true",
    // postgres:// in shape, but port 99999 is not a port: no URL parser reads it.
    DATABASE_URL: `postgres://agent:${password}@db:99999/agent`,
  });
  expect(code).toBe(2);
  const fatal = stderr.map((line) => JSON.parse(line)).find((line) => line.level === "FATAL");
  expect(fatal?.properties.problems).toEqual([
    expect.stringMatching(/^DATABASE_URL is not a URL node-postgres can read: check its host and port/),
  ]);
  expect(stderr.join("\n")).not.toContain(password);
});
