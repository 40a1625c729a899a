import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../src/config.ts";
import { SECRET_SETTINGS } from "../src/config_schema.ts";
import { hashApiKey } from "../src/api/auth/api_keys.ts";

const BASE = { AUTH_DISABLED: "true" };

describe("secret settings from files (Docker's *_FILE convention)", () => {
  let dir: string;
  /** Writes `content` to a new file in the test's folder; @returns its path. */
  const secretFile = (name: string, content: string) => {
    const path = `${dir}/${name}`;
    Deno.writeTextFileSync(path, content);
    return path;
  };
  beforeAll(async () => {
    dir = await Deno.makeTempDir({ prefix: "backend-agent-secrets-" });
  });
  afterAll(async () => {
    await Deno.remove(dir, { recursive: true });
  });

  test("every secret of the issue and any later one marked in the schema has its _FILE", () => {
    expect(SECRET_SETTINGS).toEqual(expect.arrayContaining([
      "GITHUB_TOKEN",
      "ANTHROPIC_API_KEY",
      "API_KEYS",
      "GITHUB_WEBHOOK_SECRET",
      "GITHUB_APP_PRIVATE_KEY",
    ]));
    expect(SECRET_SETTINGS).not.toContain("PORT");
  });

  test("a file's content is the setting, its trailing line break (as `echo` and editors leave it) removed", () => {
    const hash = hashApiKey("bak_from_file");
    const config = loadConfig({
      GITHUB_TOKEN_FILE: secretFile("github_token", "ghp_from_file\n"),
      ANTHROPIC_API_KEY_FILE: secretFile("anthropic", "sk-ant-from-file\r\n"),
      API_KEYS_FILE: secretFile("api_keys", `[{"name":"ci","hash":"${hash}","repos":["acme/*"]}]\n`),
      GITHUB_WEBHOOK_SECRET_FILE: secretFile("webhook", "a-webhook-secret-of-32-characters\n"),
    });
    expect(config.github.auth).toEqual({ kind: "token", token: "ghp_from_file" });
    expect(config.model).toMatchObject({ provider: "anthropic", apiKey: "sk-ant-from-file" });
    expect(config.auth.apiKeys).toEqual([
      {
        name: "ci",
        sha256: hash.slice("sha256:".length),
        scopes: ["jobs:read", "jobs:write"],
        repos: ["acme/*"],
      },
    ]);
    expect(config.webhooks.secret).toBe("a-webhook-secret-of-32-characters");
  });

  test("every secret setting reads its _FILE", () => {
    const read: string[] = [];
    const env = Object.fromEntries(SECRET_SETTINGS.map((name) => [`${name}_FILE`, `/run/secrets/${name}`]));
    try {
      loadConfig({ ...BASE, ...env }, (path) => {
        read.push(path);
        return "x";
      });
    } catch {
      // "x" is not a valid value for most of them; that each file was read is the point.
    }
    expect(read).toEqual(SECRET_SETTINGS.map((name) => `/run/secrets/${name}`));
  });

  test("a secret set both ways is refused, naming both settings", () => {
    expect(() =>
      loadConfig({
        ...BASE,
        ANTHROPIC_API_KEY: "sk-ant-env",
        GITHUB_TOKEN: "ghp_env",
        GITHUB_TOKEN_FILE: secretFile("token_both", "ghp_file\n"),
      })
    ).toThrow(/GITHUB_TOKEN and GITHUB_TOKEN_FILE are both set: keep one/);
  });

  test("the App's key from a file and from GITHUB_APP_PRIVATE_KEY_PATH at once is refused, not one picked", () => {
    const pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n";
    expect(() =>
      loadConfig({
        ...BASE,
        GITHUB_APP_ID: "1",
        GITHUB_APP_INSTALLATION_ID: "2",
        GITHUB_APP_PRIVATE_KEY_FILE: secretFile("app_key_file", pem),
        GITHUB_APP_PRIVATE_KEY_PATH: secretFile("app_key_path", pem),
      })
    ).toThrow(
      /GITHUB_APP_PRIVATE_KEY \(or GITHUB_APP_PRIVATE_KEY_FILE\) and GITHUB_APP_PRIVATE_KEY_PATH are both set/,
    );
    const app = loadConfig({
      ...BASE,
      ANTHROPIC_API_KEY: "sk-ant-x",
      GITHUB_APP_ID: "1",
      GITHUB_APP_INSTALLATION_ID: "2",
      GITHUB_APP_PRIVATE_KEY_FILE: secretFile("app_key_only", pem),
    }).github.auth;
    expect(app).toMatchObject({ kind: "app", privateKey: pem.trimEnd() });
  });

  test("an unreadable file is named by its setting and path; nothing else about the setting is repeated", () => {
    let message = "";
    try {
      loadConfig({ ...BASE, GITHUB_TOKEN: "ghp_x", ANTHROPIC_API_KEY_FILE: `${dir}/missing` });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`ANTHROPIC_API_KEY_FILE: cannot read ${dir}/missing (no such file)`);
    expect(message).not.toContain("ANTHROPIC_API_KEY is required");
    expect(() => loadConfig({ ...BASE, GITHUB_TOKEN: "ghp_x", ANTHROPIC_API_KEY_FILE: dir })).toThrow(
      /ANTHROPIC_API_KEY_FILE: cannot read .* \(it is a folder\)/,
    );
  });

  test("a bad value read from a file says which file, and never shows the value", () => {
    let message = "";
    try {
      loadConfig({
        ...BASE,
        GITHUB_TOKEN: "ghp_x",
        ANTHROPIC_API_KEY: "sk-ant-x",
        GITHUB_WEBHOOK_SECRET_FILE: secretFile("short_webhook", "short-secret\n"),
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      /GITHUB_WEBHOOK_SECRET must be at least 16 characters .*read from GITHUB_WEBHOOK_SECRET_FILE/,
    );
    expect(message).not.toContain("short-secret");
    expect(() =>
      loadConfig({ ...BASE, GITHUB_TOKEN: "ghp_x", ANTHROPIC_API_KEY_FILE: secretFile("empty", "\n") })
    ).toThrow(/ANTHROPIC_API_KEY is empty .*read from ANTHROPIC_API_KEY_FILE/);
  });

  test("a _FILE for a setting that is not a secret is refused rather than ignored", () => {
    expect(() =>
      loadConfig({
        ...BASE,
        GITHUB_TOKEN: "ghp_x",
        ANTHROPIC_API_KEY: "k",
        PORT_FILE: secretFile("port", "80"),
      })
    ).toThrow(/PORT_FILE: PORT is not a secret and has no file form; set PORT itself/);
  });
});
