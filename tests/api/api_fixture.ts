/**
 * An API over a real in-memory SQLite store, with a recording queue and audit
 * log, for `app.request()` tests.
 */
import { createApp } from "../../src/api/app.ts";
import { loadConfig } from "../../src/config.ts";
import type { ApiApp, ApiDeps, ApiQuotas } from "../../src/api/api_env.ts";
import { createApiKeyVerifier, hashApiKey, parseApiKeys } from "../../src/api/auth/api_keys.ts";
import { type AuthenticatorOptions, createAuthenticator } from "../../src/api/auth/authenticator.ts";
import { type AuditEvent, createAuditLog } from "../../src/audit.ts";
import { createJobChanges, notifyingStore } from "../../src/jobs/job_changes.ts";
import { openSqliteStore } from "../../src/jobs/sqlite_store.ts";
import type { JobStore } from "../../src/jobs/store.ts";

/** The service's settings with only the required secrets given: every default as configured. */
const DEFAULT_SETTINGS = loadConfig({ GITHUB_TOKEN: "ghp_fixture", ANTHROPIC_API_KEY: "sk-ant-fixture" });

/** A built API and what it recorded. */
export interface ApiFixture {
  app: ApiApp;
  store: JobStore;
  kicks: number;
  cancels: Array<{ id: string; reason: string }>;
  /** Audit lines as written. */
  auditLines: string[];
  audit: () => AuditEvent[];
  /** `fetch`-like helper: JSON body, headers. */
  call(
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
}

/** The API key the default fixture accepts (scopes jobs:read, jobs:write; repos acme/*). */
export const TEST_KEY = "bak_test-key-0123456789abcdefghijklmnopqrstuvw";
/** A key with every scope and every repository. */
export const ADMIN_KEY = "bak_admin-key-0123456789abcdefghijklmnopqrstu";
/** A key with only jobs:read on every repository. */
export const READER_KEY = "bak_reader-key-0123456789abcdefghijklmnopqrs";
/** A second submitter on the same repositories as {@link TEST_KEY} (scopes jobs:read, jobs:write; repos acme/*). */
export const OTHER_KEY = "bak_other-key-0123456789abcdefghijklmnopqrst";
/** An operator: jobs:admin on acme/* (may cancel other submitters' jobs there). */
export const OPS_KEY = "bak_ops-key-0123456789abcdefghijklmnopqrstuvw";

/** The quotas of a fixture unless a test sets its own. */
export const TEST_QUOTAS: ApiQuotas = { maxQueued: 100, usdPerDay: 100, maxStreams: 20 };

/** Options for {@link apiFixture}. */
export interface FixtureOptions {
  /** Authenticator options; default: the three test keys. */
  auth?: AuthenticatorOptions;
  /** What `queue.cancel` answers. Default true. */
  cancelAnswer?: boolean;
  pingDocker?: ApiDeps["pingDocker"];
  maxBodyBytes?: number;
  store?: JobStore;
  stopping?: AbortSignal;
  /** Per-principal quotas, over {@link TEST_QUOTAS}. */
  quotas?: Partial<ApiQuotas>;
  /** The API's clock. */
  now?: () => Date;
  /** A real worker (or any queue) instead of the recording one; `kicks` and `cancels` then stay empty. */
  queue?: ApiDeps["queue"];
  /** The cached environments `GET /v1/environments` lists. */
  environments?: ApiDeps["environments"];
}

/** Builds the fixture; close its store after the test. */
export function apiFixture(options: FixtureOptions = {}): ApiFixture {
  const changes = createJobChanges();
  const store = options.store ??
    notifyingStore(openSqliteStore(":memory:", { idempotencyTtlMs: 86_400_000 }), changes);
  const auditLines: string[] = [];
  const keys = parseApiKeys(JSON.stringify([
    { name: "ci", hash: hashApiKey(TEST_KEY), repos: ["acme/*"] },
    { name: "root", hash: hashApiKey(ADMIN_KEY), scopes: ["admin"] },
    { name: "reader", hash: hashApiKey(READER_KEY), scopes: ["jobs:read"] },
    { name: "other", hash: hashApiKey(OTHER_KEY), repos: ["acme/*"] },
    { name: "ops", hash: hashApiKey(OPS_KEY), scopes: ["jobs:admin"], repos: ["acme/*"] },
  ]));
  const fixture: ApiFixture = {
    app: undefined as unknown as ApiApp,
    store,
    kicks: 0,
    cancels: [],
    auditLines,
    audit: () => auditLines.map((line) => JSON.parse(line) as AuditEvent),
    call(path, init = {}) {
      const headers: Record<string, string> = { authorization: `Bearer ${TEST_KEY}`, ...init.headers };
      if (init.body !== undefined && !("content-type" in headers)) {
        headers["content-type"] = "application/json";
      }
      return Promise.resolve(fixture.app.request(path, {
        method: init.method ?? (init.body === undefined ? "GET" : "POST"),
        headers,
        ...(init.body !== undefined
          ? { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }
          : {}),
      }));
    },
  };
  fixture.app = createApp({
    store,
    queue: options.queue ?? {
      kick: () => fixture.kicks++,
      cancel: (id, reason) => {
        fixture.cancels.push({ id, reason });
        return options.cancelAnswer ?? true;
      },
    },
    authenticator: createAuthenticator(options.auth ?? { apiKey: createApiKeyVerifier(keys) }),
    audit: createAuditLog({ write: (line) => auditLines.push(line) }),
    quotas: { ...TEST_QUOTAS, ...options.quotas },
    pingDocker: options.pingDocker ?? (() => Promise.resolve("OK")),
    changes,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_SETTINGS.api.maxBodyBytes,
    ...(options.stopping ? { stopping: options.stopping } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.environments ? { environments: options.environments } : {}),
  });
  return fixture;
}

/** The `{error}` body of a response. */
export async function errorOf(
  response: Response,
): Promise<{ code: string; message: string; requestId?: string }> {
  return ((await response.json()) as { error: { code: string; message: string; requestId?: string } }).error;
}
