import { describe, expect, test } from "vitest";
import { generateApiKey, hashApiKey, parseApiKeys } from "../../src/api/auth/api_keys.ts";
import { globToRegExp, repoAllowed } from "../../src/api/auth/principal.ts";
import { assertAuthConfigured, loadConfig } from "../../src/config.ts";
import { redactedConfig } from "../../src/config_redacted.ts";
import { isLoopback } from "../../src/config_auth.ts";

const BASE = { GITHUB_TOKEN: "ghp_secret", ANTHROPIC_API_KEY: "sk-ant-secret" };
const HASH = hashApiKey("bak_example");

describe("authentication and job settings", () => {
  test("the defaults: no authentication configured, which the HTTP service refuses to start with", () => {
    const config = loadConfig(BASE);
    expect(config.auth).toEqual({ disabled: false, apiKeys: [] });
    expect(config.jobs).toEqual({
      concurrency: 1,
      deadlineMs: 7_200_000,
      cancelGraceMs: 10_000,
      requeueInterrupted: false,
      hostRetries: 2,
      leaseMs: 30_000,
    });
    expect(config.api.maxBodyBytes).toBe(65_536);
    expect(() => assertAuthConfigured(config)).toThrow(/AUTH_JWKS_URL.*API_KEYS.*AUTH_DISABLED=true/s);
    expect(() => assertAuthConfigured(loadConfig({ ...BASE, AUTH_DISABLED: "true" }))).not.toThrow();
    expect(() => assertAuthConfigured(loadConfig({ ...BASE, API_KEYS: `["${HASH}"]` }))).not.toThrow();
  });

  test("JWT settings need an issuer and an audience, and take only asymmetric algorithms", () => {
    expect(() => loadConfig({ ...BASE, AUTH_JWKS_URL: "https://idp.example/jwks.json" })).toThrow(
      /AUTH_ISSUER is required.*AUTH_AUDIENCE is required/s,
    );
    expect(() => loadConfig({ ...BASE, AUTH_ISSUER: "https://idp.example" })).toThrow(/need AUTH_JWKS_URL/);
    const jwt = {
      ...BASE,
      AUTH_JWKS_URL: "https://idp.example/jwks.json",
      AUTH_ISSUER: "https://idp.example",
      AUTH_AUDIENCE: "api, 3n4b5urk1ft4fl3mg5e62d9ado",
    };
    expect(loadConfig(jwt).auth.jwt).toEqual({
      jwksUrl: "https://idp.example/jwks.json",
      issuer: "https://idp.example",
      audiences: ["api", "3n4b5urk1ft4fl3mg5e62d9ado"],
      algorithms: ["RS256", "ES256"],
      clockToleranceSec: 30,
      tokenUse: "access",
      scopePrefix: "",
      reposClaim: "repos",
      defaultRepos: ["*"],
    });
    expect(() => loadConfig({ ...jwt, AUTH_ALGORITHMS: "RS256,HS256" })).toThrow(/AUTH_ALGORITHMS must be/);
    expect(() => loadConfig({ ...jwt, AUTH_ALGORITHMS: "none" })).toThrow(/AUTH_ALGORITHMS must be/);
    expect(() => loadConfig({ ...jwt, AUTH_CLOCK_TOLERANCE_S: "3600" })).toThrow(/at most 300/);
    expect(() => loadConfig({ ...jwt, AUTH_DISABLED: "true" })).toThrow(/cannot be combined/);
  });

  test("API_KEYS takes hashes or objects and says exactly what is wrong", () => {
    const parsed = parseApiKeys(JSON.stringify([
      HASH,
      { name: "ci", hash: HASH, scopes: ["jobs:write"], repos: ["acme/*"] },
    ]));
    expect(parsed).toEqual([
      {
        name: `sha256-${HASH.slice(7, 15)}`,
        sha256: HASH.slice(7),
        scopes: ["jobs:read", "jobs:write"],
        repos: ["*"],
      },
      { name: "ci", sha256: HASH.slice(7), scopes: ["jobs:write"], repos: ["acme/*"] },
    ]);
    const cases: Array<[string, RegExp]> = [
      ["not json", /must be a JSON array/],
      ['{"name":"ci"}', /must be a JSON array/],
      ['["md5:abc"]', /API_KEYS\[0\]\.hash must be "sha256:"/],
      [
        `[{"hash":"${HASH}","scopes":["root"]}]`,
        /API_KEYS\[0\]\.scopes must be a list of jobs:read, jobs:write, jobs:admin, admin/,
      ],
      [`[{"hash":"${HASH}","repos":["acme tasks"]}]`, /API_KEYS\[0\]\.repos/],
      [`[{"hash":"${HASH}","key":"bak_plain"}]`, /API_KEYS\[0\] has unknown fields: key/],
      [`[{"name":"a","hash":"${HASH}"},{"name":"a","hash":"${HASH}"}]`, /"a" is used twice/],
    ];
    for (const [raw, message] of cases) {
      expect(() => loadConfig({ ...BASE, API_KEYS: raw }), raw).toThrow(message);
    }
  });

  test("AUTH_DISABLED=true is refused unless HOST is a loopback address, with the fix named", () => {
    for (const host of ["0.0.0.0", "::", "10.0.0.5", "[::]", "example.com", "127.0.0.256"]) {
      expect(() => loadConfig({ ...BASE, AUTH_DISABLED: "true", HOST: host }), host).toThrow(
        `AUTH_DISABLED=true lets every caller in, so it needs HOST on a loopback address, got HOST=${host}: ` +
          "set HOST=127.0.0.1 (or ::1, localhost), or configure API_KEYS or AUTH_JWKS_URL instead",
      );
    }
    for (const host of ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "0:0:0:0:0:0:0:1", "localhost"]) {
      expect(loadConfig({ ...BASE, AUTH_DISABLED: "true", HOST: host }).auth.disabled, host).toBe(true);
    }
    // Authentication configured: any address.
    expect(loadConfig({ ...BASE, API_KEYS: `["${HASH}"]`, HOST: "0.0.0.0" }).host).toBe("0.0.0.0");
    expect(isLoopback("::ffff:127.0.0.1")).toBe(false);
  });

  test("per-principal quotas: the defaults, and each setting validated", () => {
    expect(loadConfig(BASE).quota).toEqual({ maxQueued: 100, maxRunning: 4, maxStreams: 20, usdPerDay: 100 });
    expect(
      loadConfig({
        ...BASE,
        QUOTA_MAX_QUEUED: "5",
        QUOTA_MAX_RUNNING: "1",
        QUOTA_MAX_STREAMS: "3",
        QUOTA_USD_PER_DAY: "2.5",
      }).quota,
    ).toEqual({ maxQueued: 5, maxRunning: 1, maxStreams: 3, usdPerDay: 2.5 });
    expect(() => loadConfig({ ...BASE, QUOTA_MAX_QUEUED: "0" })).toThrow(/QUOTA_MAX_QUEUED must be positive/);
    expect(() => loadConfig({ ...BASE, QUOTA_MAX_RUNNING: "1.5" })).toThrow(
      /QUOTA_MAX_RUNNING must be an integer/,
    );
    expect(() => loadConfig({ ...BASE, QUOTA_MAX_STREAMS: "many" })).toThrow(
      /QUOTA_MAX_STREAMS must be a number/,
    );
    expect(() => loadConfig({ ...BASE, QUOTA_USD_PER_DAY: "-1" })).toThrow(
      /QUOTA_USD_PER_DAY must be positive/,
    );
  });

  test("hash-key hashes are SHA-256 hex; generated keys are 256-bit and distinct", () => {
    expect(hashApiKey("abc")).toBe("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const key = generateApiKey();
    expect(key).toMatch(/^bak_[A-Za-z0-9_-]{43}$/);
    expect(generateApiKey()).not.toBe(key);
  });

  test("job settings are validated", () => {
    expect(() => loadConfig({ ...BASE, JOBS_CONCURRENCY: "0" })).toThrow(/JOBS_CONCURRENCY must be positive/);
    expect(() => loadConfig({ ...BASE, JOBS_CONCURRENCY: "65" })).toThrow(/at most 64/);
    expect(() => loadConfig({ ...BASE, JOB_DEADLINE_MS: "soon" })).toThrow(
      /JOB_DEADLINE_MS must be a number/,
    );
    expect(() => loadConfig({ ...BASE, JOBS_REQUEUE_INTERRUPTED: "yes" })).toThrow(
      /JOBS_REQUEUE_INTERRUPTED/,
    );
    expect(loadConfig({ ...BASE, JOBS_CONCURRENCY: "4", JOBS_REQUEUE_INTERRUPTED: "true" }).jobs)
      .toMatchObject({ concurrency: 4, requeueInterrupted: true });
  });

  test("the printable config hides secrets and key hashes", () => {
    const config = loadConfig({ ...BASE, API_KEYS: JSON.stringify([{ name: "ci", hash: HASH }]) });
    const printed = JSON.stringify(redactedConfig(config));
    expect(printed).not.toContain("ghp_secret");
    expect(printed).not.toContain("sk-ant-secret");
    expect(printed).not.toContain(HASH.slice(7));
    expect(printed).toContain('"name":"ci"');
  });

  test("repository globs match like the store's SQL GLOB, case-insensitively", () => {
    expect(globToRegExp("acme/*").test("ACME/tasks")).toBe(true);
    expect(globToRegExp("acme/*").test("acme2/tasks")).toBe(false);
    expect(globToRegExp("acme/api-?").test("acme/api-1")).toBe(true);
    expect(globToRegExp("acme/a.b").test("acme/aXb")).toBe(false);
    const principal = {
      id: "key:x",
      kind: "api_key" as const,
      scopes: new Set<"jobs:read">(["jobs:read"]),
      repos: ["acme/*"],
    };
    expect(repoAllowed(principal, "acme/web")).toBe(true);
    expect(repoAllowed(principal, "globex/web")).toBe(false);
  });
});
