import { describe, expect, test } from "vitest";
import { loadConfig } from "../src/config.ts";
import { redactedConfig } from "../src/config_redacted.ts";
import { DEFAULT_PROTECTED_PATHS } from "../src/config_schema_verify.ts";

const PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
const BASE = { ANTHROPIC_API_KEY: "sk-ant-test", AUTH_DISABLED: "true" };

/** The problem lines `loadConfig` reports for `env` over a valid base (none: it loads). */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...BASE, GITHUB_TOKEN: "ghp_x", ...env });
  } catch (e) {
    return (e as Error).message.split("\n").slice(1);
  }
  return [];
}

/** The problem lines for `DATABASE_URL=url`. */
const databaseUrlProblems = (url: string) => problems({ DATABASE_URL: url });

describe("GitHub credentials in the config", () => {
  test("a token is used as is", () => {
    expect(loadConfig({ ...BASE, GITHUB_TOKEN: "ghp_x" }).github.auth).toEqual({
      kind: "token",
      token: "ghp_x",
    });
  });

  test("PR_HEAD_REPO names the fork of fork mode; unset, branches go to each job's repository", () => {
    expect(loadConfig({ ...BASE, GITHUB_TOKEN: "ghp_x", PR_HEAD_REPO: "agent-bot/tasks" }).github.headRepo)
      .toEqual({ owner: "agent-bot", name: "tasks" });
    expect(loadConfig({ ...BASE, GITHUB_TOKEN: "ghp_x" }).github.headRepo).toBeUndefined();
    for (const bad of ["agent-bot", "agent-bot/..", "a/b/c", "-bot/tasks"]) {
      expect(() => loadConfig({ ...BASE, GITHUB_TOKEN: "ghp_x", PR_HEAD_REPO: bad })).toThrow(
        /PR_HEAD_REPO: /,
      );
    }
  });

  test("a complete GitHub App wins over a token; the key can come from a file", () => {
    const fromEnv = loadConfig({
      ...BASE,
      GITHUB_TOKEN: "ghp_x",
      GITHUB_APP_ID: "12",
      GITHUB_APP_INSTALLATION_ID: "34",
      GITHUB_APP_PRIVATE_KEY: PEM,
    });
    expect(fromEnv.github.auth).toEqual({ kind: "app", appId: 12, installationId: 34, privateKey: PEM });
    const read: string[] = [];
    const fromFile = loadConfig(
      {
        ...BASE,
        GITHUB_APP_ID: "12",
        GITHUB_APP_INSTALLATION_ID: "34",
        GITHUB_APP_PRIVATE_KEY_PATH: "/run/secrets/app.pem",
      },
      (path) => {
        read.push(path);
        return PEM;
      },
    );
    expect(read).toEqual(["/run/secrets/app.pem"]);
    expect(fromFile.github.auth).toMatchObject({ kind: "app", privateKey: PEM });
  });

  test("an incomplete App, an unreadable key file, a key that is not PEM, or no credentials at all are named", () => {
    expect(() => loadConfig({ ...BASE, GITHUB_APP_ID: "12" })).toThrow(
      /GITHUB_APP_INSTALLATION_ID and GITHUB_APP_PRIVATE_KEY/,
    );
    expect(() =>
      loadConfig(
        {
          ...BASE,
          GITHUB_APP_ID: "1",
          GITHUB_APP_INSTALLATION_ID: "2",
          GITHUB_APP_PRIVATE_KEY_PATH: "/nope.pem",
        },
        () => {
          throw new Error("ENOENT");
        },
      )
    ).toThrow(/GITHUB_APP_PRIVATE_KEY_PATH: cannot read \/nope.pem/);
    expect(() =>
      loadConfig({
        ...BASE,
        GITHUB_APP_ID: "1",
        GITHUB_APP_INSTALLATION_ID: "2",
        GITHUB_APP_PRIVATE_KEY: "secret",
      })
    ).toThrow(/not a PEM private key/);
    expect(() => loadConfig(BASE)).toThrow(/GITHUB_TOKEN is required .* or a GitHub App/);
    expect(() => loadConfig({ GITHUB_APP_ID: "abc" })).toThrow(/GITHUB_APP_ID must be a number/);
  });

  test("the printable copy hides the token and the App's private key", () => {
    const withToken = JSON.stringify(redactedConfig(loadConfig({ ...BASE, GITHUB_TOKEN: "ghp_secret" })));
    expect(withToken).not.toContain("ghp_secret");
    expect(withToken).not.toContain("sk-ant-test");
    const app = loadConfig({
      ...BASE,
      GITHUB_APP_ID: "1",
      GITHUB_APP_INSTALLATION_ID: "2",
      GITHUB_APP_PRIVATE_KEY: PEM,
    });
    expect(JSON.stringify(redactedConfig(app))).not.toContain("MIIEvQ");
  });

  test("DATABASE_URL selects PostgreSQL; its password and query never reach the printable copy", () => {
    const config = loadConfig({
      ...BASE,
      GITHUB_TOKEN: "ghp_x",
      DATABASE_URL: "postgres://agent:db-pass@db.internal:5432/agent?password=q-pass",
    });
    expect(config.databaseUrl).toBe("postgres://agent:db-pass@db.internal:5432/agent?password=q-pass");
    const printed = JSON.stringify(redactedConfig(config));
    expect(printed).not.toContain("db-pass");
    expect(printed).not.toContain("q-pass");
    expect(printed).toContain("db.internal:5432/agent");
    expect(loadConfig({ ...BASE, GITHUB_TOKEN: "ghp_x" }).databaseUrl).toBeUndefined();
    expect(() => loadConfig({ ...BASE, GITHUB_TOKEN: "ghp_x", DATABASE_URL: "mysql://x@y/z" })).toThrow(
      /DATABASE_URL must be a postgres:\/\/ \(or postgresql:\/\/\) URL/,
    );
    // A port out of range or an unencoded character in the password: refused at load (exit 2 with the
    // other problems), naming the fix and never quoting the password.
    for (const url of ["postgres://agent:pw-9x@db:99999/agent", "postgres://agent:pw-9x#1@db:5432/agent"]) {
      let error: unknown;
      try {
        loadConfig({ ...BASE, GITHUB_TOKEN: "ghp_x", DATABASE_URL: url });
      } catch (e) {
        error = e;
      }
      expect(String(error)).toMatch(
        /DATABASE_URL is not a URL node-postgres can read: check its host and port/,
      );
      expect(String(error)).not.toContain("pw-9x");
    }
  });

  test("a DATABASE_URL with white space or no postgres:// gets one problem naming its fix, never the value", () => {
    const spaced = [
      "  - DATABASE_URL holds white space: remove it around the URL, and percent-encode it (%20) in the user " +
      "name or password (DATABASE_URL)",
    ];
    expect(databaseUrlProblems(" postgres://agent:pw-9x@db:5432/agent")).toEqual(spaced);
    expect(databaseUrlProblems("postgres://agent:pw-9x@db:5432/agent\t")).toEqual(spaced);
    expect(databaseUrlProblems("postgres://agent:pw 9x@db:5432/agent")).toEqual(spaced);
    const scheme = [
      "  - DATABASE_URL must be a postgres:// (or postgresql://) URL, e.g. postgres://agent:secret@db:5432/agent " +
      "(DATABASE_URL)",
    ];
    expect(databaseUrlProblems("")).toEqual(scheme);
    expect(databaseUrlProblems("host=db user=agent password=pw-9x")).toEqual(scheme);
    expect(databaseUrlProblems("postgresql://agent:pw-9x@db:5432/agent?sslmode=verify-full")).toEqual([]);
  });

  test("an API key or token that is blank or holds white space is refused, naming the setting, never the value", () => {
    const problem = (env: Record<string, string>) => problems(env).join("\n");
    expect(problem({ ANTHROPIC_API_KEY: " " })).toContain(
      "ANTHROPIC_API_KEY holds white space: remove it (a token has none)",
    );
    expect(problem({ ANTHROPIC_API_KEY: "sk-ant-c4nary " })).toContain("ANTHROPIC_API_KEY holds white space");
    expect(problem({ ANTHROPIC_API_KEY: "sk-ant-c4nary " })).not.toContain("c4nary");
    expect(problem({ GITHUB_TOKEN: "ghp_c4nary\nx" })).toContain("GITHUB_TOKEN holds white space");
    expect(problem({ ANTHROPIC_API_KEY: "" })).toContain("ANTHROPIC_API_KEY is empty");
    expect(problem({ ANTHROPIC_API_KEY: "sk-ant-c4nary", GITHUB_TOKEN: "ghp_c4nary" })).toBe("");
  });

  test("an sslmode node-postgres does not read is refused (it would turn on verified TLS without a word)", () => {
    const refused = [
      "  - DATABASE_URL's sslmode must be one of disable, prefer, require, verify-ca, verify-full, no-verify " +
      "(node-postgres reads no other; verify-full checks the server's certificate and name) (DATABASE_URL)",
    ];
    expect(databaseUrlProblems("postgres://agent:pw-9x@db:5432/agent?sslmode=allow")).toEqual(refused);
    expect(databaseUrlProblems("postgres://agent:pw-9x@db:5432/agent?sslmode=verify_full")).toEqual(refused);
    for (const mode of ["disable", "require", "verify-ca", "verify-full", "no-verify"]) {
      expect(databaseUrlProblems(`postgres://agent:pw-9x@db:5432/agent?sslmode=${mode}`)).toEqual([]);
    }
  });

  test("the printable copy hides credentials written into URLs", () => {
    const config = loadConfig({
      ...BASE,
      GITHUB_TOKEN: "ghp_x",
      GITHUB_API_URL: "https://svc:gh-pass@ghe.example.com/api/v3",
      ANTHROPIC_BASE_URL: "https://proxy-user:proxy-pass@llm-gateway.example.com",
    });
    const printed = JSON.stringify(redactedConfig(config));
    expect(printed).not.toContain("gh-pass");
    expect(printed).not.toContain("proxy-pass");
    expect(printed).toContain("https://[redacted]@ghe.example.com/api/v3");
    expect(config.github.apiUrl).toBe("https://svc:gh-pass@ghe.example.com/api/v3");
  });
});

describe("caps are settings", () => {
  test("each cap set above its default reaches the config the pipeline and the sandbox are built from", () => {
    const config = loadConfig({
      ...BASE,
      GITHUB_TOKEN: "ghp_x",
      SNAPSHOT_MAX_FILES: "250000",
      SNAPSHOT_MAX_BYTES: String(1024 * 1024 * 1024),
      SANDBOX_MAX_OUTPUT_BYTES: String(1024 * 1024),
      DIFF_MAX_FILES: "500",
      DIFF_MAX_FILE_BYTES: String(8 * 1024 * 1024),
      DIFF_MAX_TOTAL_BYTES: String(64 * 1024 * 1024),
    });
    expect(config.snapshot).toEqual({ maxFiles: 250_000, maxBytes: 1024 * 1024 * 1024 });
    expect(config.sandbox.maxOutputBytes).toBe(1024 * 1024);
    expect(config.diffPolicy).toEqual({
      maxFiles: 500,
      maxFileBytes: 8 * 1024 * 1024,
      maxTotalBytes: 64 * 1024 * 1024,
      protectedPaths: [...DEFAULT_PROTECTED_PATHS],
    });
  });

  test("the defaults are written once, in the config schema", () => {
    const config = loadConfig({ ...BASE, GITHUB_TOKEN: "ghp_x" });
    expect(config.snapshot).toEqual({ maxFiles: 100_000, maxBytes: 256 * 1024 * 1024 });
    expect(config.sandbox.maxOutputBytes).toBe(64 * 1024);
    expect(config.diffPolicy).toEqual({
      maxFiles: 200,
      maxFileBytes: 1024 * 1024,
      maxTotalBytes: 5 * 1024 * 1024,
      protectedPaths: [...DEFAULT_PROTECTED_PATHS],
    });
  });

  test("DIFF_PROTECTED_PATHS is a comma-separated list of globs replacing the default", () => {
    const config = loadConfig({
      ...BASE,
      GITHUB_TOKEN: "ghp_x",
      DIFF_PROTECTED_PATHS: " .github/** , Makefile,,deploy/*.sh ",
    });
    expect(config.diffPolicy.protectedPaths).toEqual([".github/**", "Makefile", "deploy/*.sh"]);
  });

  test.each([
    ["", /DIFF_PROTECTED_PATHS is empty/],
    [" , ", /DIFF_PROTECTED_PATHS is empty/],
    [
      "/Makefile",
      /DIFF_PROTECTED_PATHS: "\/Makefile" starts with \/; globs are relative to the repository root/,
    ],
    ["!tests/conftest.py", /DIFF_PROTECTED_PATHS: "!tests\/conftest.py" is a negation/],
    ["../x", /DIFF_PROTECTED_PATHS: "..\/x" has an empty, "." or ".." component/],
    [".github\\**", /DIFF_PROTECTED_PATHS: "\.github\\\*\*" holds a backslash/],
  ])("DIFF_PROTECTED_PATHS=%j is refused by name", (value, message) => {
    expect(() => loadConfig({ ...BASE, GITHUB_TOKEN: "ghp_x", DIFF_PROTECTED_PATHS: value })).toThrow(
      message,
    );
  });

  test("a cap that is not a positive integer is refused by name", () => {
    expect(() => loadConfig({ ...BASE, GITHUB_TOKEN: "ghp_x", SNAPSHOT_MAX_FILES: "lots" }))
      .toThrow(/SNAPSHOT_MAX_FILES must be a number/);
  });
});
