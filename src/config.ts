/**
 * Configuration: every setting comes from the environment, is read once here,
 * validated, and passed inward as a typed object. Secrets stay in this object
 * and are never logged; see {@link redactedConfig}.
 */
import { z } from "zod";
import { ConfigError } from "./errors.ts";
import { DEFAULT_SANDBOX_LIMITS, type SandboxLimits } from "./sandbox/limits.ts";
import { type ApiKeyEntry, parseApiKeys } from "./api/auth/api_keys.ts";
import { type JwtSettings, TOKEN_USES } from "./api/auth/jwt_verifier.ts";
import { ON_FAILING_TESTS, type OnFailingTests } from "./pipeline/pipeline_settings.ts";
import { COMMAND_POLICY_MODES, type CommandPolicyMode } from "./sandbox/command_policy.ts";
import { REPO_PATTERN } from "./api/auth/principal.ts";

const positiveInt = (name: string, fallback: number) =>
  z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be an integer`).positive(
    `${name} must be positive`,
  ).default(fallback);
const optionalPositiveInt = (name: string) =>
  z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be an integer`).positive(
    `${name} must be positive`,
  ).optional();
const positive = (name: string, fallback: number) =>
  z.coerce.number({ error: `${name} must be a number` }).positive(`${name} must be positive`).default(
    fallback,
  );
const list = (name: string) =>
  z.string().transform((v) => v.split(/[\s,]+/).filter(Boolean)).refine(
    (items) => items.length > 0,
    `${name} is empty`,
  );
const bool = (fallback: boolean) =>
  z.enum(["true", "false", "1", "0"]).default(fallback ? "true" : "false").transform((v) =>
    v === "true" || v === "1"
  );

/** Signature algorithms `AUTH_ALGORITHMS` may name (never `none` or HMAC). */
const JWT_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
];

const schema = z.object({
  HOST: z.string().default("127.0.0.1"),
  PORT: positiveInt("PORT", 8080),
  GITHUB_TOKEN: z.string().min(1, "GITHUB_TOKEN is empty").optional(),
  GITHUB_APP_ID: optionalPositiveInt("GITHUB_APP_ID"),
  GITHUB_APP_PRIVATE_KEY: z.string().min(1, "GITHUB_APP_PRIVATE_KEY is empty").optional(),
  GITHUB_APP_PRIVATE_KEY_PATH: z.string().min(1, "GITHUB_APP_PRIVATE_KEY_PATH is empty").optional(),
  GITHUB_APP_INSTALLATION_ID: optionalPositiveInt("GITHUB_APP_INSTALLATION_ID"),
  GITHUB_RETRY_BASE_MS: positiveInt("GITHUB_RETRY_BASE_MS", 1000),
  GITHUB_API_URL: z.url({ error: "GITHUB_API_URL must be a URL" }).default("https://api.github.com"),
  ANTHROPIC_API_KEY: z.string({ error: "ANTHROPIC_API_KEY is required" }).min(
    1,
    "ANTHROPIC_API_KEY is empty",
  ),
  ANTHROPIC_BASE_URL: z.url({ error: "ANTHROPIC_BASE_URL must be a URL" }).optional(),
  DOCKER_HOST: z.string().min(1).optional(),
  MODEL: z.string().min(1).default("claude-sonnet-5-5"),
  IDEMPOTENCY_KEY_TTL_MS: positiveInt("IDEMPOTENCY_KEY_TTL_MS", 86_400_000),
  JOBS_DB_PATH: z.string().min(1).default("data/jobs.sqlite"),
  SANDBOX_IMAGE: z.string().min(1).default(DEFAULT_SANDBOX_LIMITS.image),
  SANDBOX_MEMORY_MB: positiveInt("SANDBOX_MEMORY_MB", DEFAULT_SANDBOX_LIMITS.memoryMb),
  SANDBOX_CPUS: positive("SANDBOX_CPUS", DEFAULT_SANDBOX_LIMITS.cpus),
  SANDBOX_PIDS_LIMIT: positiveInt("SANDBOX_PIDS_LIMIT", DEFAULT_SANDBOX_LIMITS.pidsLimit),
  SANDBOX_WORKSPACE_MB: positiveInt("SANDBOX_WORKSPACE_MB", DEFAULT_SANDBOX_LIMITS.workspaceMb),
  SANDBOX_COMMAND_TIMEOUT_MS: positiveInt(
    "SANDBOX_COMMAND_TIMEOUT_MS",
    DEFAULT_SANDBOX_LIMITS.commandTimeoutMs,
  ),
  SANDBOX_RUNTIME: z.string().min(1).optional(),
  SANDBOX_REAP_AFTER_MS: positiveInt("SANDBOX_REAP_AFTER_MS", 3_600_000),
  BUDGET_USD: positive("BUDGET_USD", 5),
  BUDGET_TURNS: positiveInt("BUDGET_TURNS", 60),
  BUDGET_TOKENS: positiveInt("BUDGET_TOKENS", 2_000_000),
  BUDGET_WALL_CLOCK_MS: positiveInt("BUDGET_WALL_CLOCK_MS", 30 * 60_000),
  MAX_OUTPUT_TOKENS: positiveInt("MAX_OUTPUT_TOKENS", 8192),
  TEST_COMMAND: z.string().min(1).default("python3 -m pytest -q -p no:cacheprovider"),
  TEST_TIMEOUT_MS: positiveInt("TEST_TIMEOUT_MS", 600_000),
  VERIFY_RETRIES: z.coerce.number({ error: "VERIFY_RETRIES must be a number" }).int().min(0).max(10).default(
    2,
  ),
  PR_ON_FAILING_TESTS: z.enum(ON_FAILING_TESTS, {
    error: `PR_ON_FAILING_TESTS must be one of ${ON_FAILING_TESTS.join(", ")}`,
  }).default("draft"),
  SANDBOX_COMMAND_POLICY: z.enum(COMMAND_POLICY_MODES, {
    error: `SANDBOX_COMMAND_POLICY must be one of ${COMMAND_POLICY_MODES.join(", ")}`,
  }).default("restricted"),
  SNAPSHOT_MAX_FILES: positiveInt("SNAPSHOT_MAX_FILES", 100_000),
  SNAPSHOT_MAX_BYTES: positiveInt("SNAPSHOT_MAX_BYTES", 256 * 1024 * 1024),
  SANDBOX_MAX_OUTPUT_BYTES: positiveInt("SANDBOX_MAX_OUTPUT_BYTES", DEFAULT_SANDBOX_LIMITS.maxOutputBytes),
  DIFF_MAX_FILES: positiveInt("DIFF_MAX_FILES", 200),
  DIFF_MAX_FILE_BYTES: positiveInt("DIFF_MAX_FILE_BYTES", 1024 * 1024),
  DIFF_MAX_TOTAL_BYTES: positiveInt("DIFF_MAX_TOTAL_BYTES", 5 * 1024 * 1024),
  PR_DRAFT: bool(true),
  API_MAX_BODY_BYTES: positiveInt("API_MAX_BODY_BYTES", 64 * 1024),
  AUTH_JWKS_URL: z.url({ error: "AUTH_JWKS_URL must be a URL" }).optional(),
  AUTH_ISSUER: z.string().min(1, "AUTH_ISSUER is empty").optional(),
  AUTH_AUDIENCE: list("AUTH_AUDIENCE").optional(),
  AUTH_TOKEN_USE: z.enum(TOKEN_USES, { error: `AUTH_TOKEN_USE must be one of ${TOKEN_USES.join(", ")}` })
    .default("access"),
  AUTH_ALGORITHMS: list("AUTH_ALGORITHMS").default(["RS256", "ES256"]).refine(
    (algs) => algs.every((a) => JWT_ALGORITHMS.includes(a)),
    `AUTH_ALGORITHMS must be a comma-separated list of ${JWT_ALGORITHMS.join(", ")}`,
  ),
  AUTH_CLOCK_TOLERANCE_S: z.coerce.number({ error: "AUTH_CLOCK_TOLERANCE_S must be a number" })
    .int("AUTH_CLOCK_TOLERANCE_S must be an integer").min(0).max(
      300,
      "AUTH_CLOCK_TOLERANCE_S must be at most 300",
    )
    .default(30),
  AUTH_SCOPE_PREFIX: z.string().default(""),
  AUTH_REPOS_CLAIM: z.string().min(1, "AUTH_REPOS_CLAIM is empty").default("repos"),
  AUTH_DEFAULT_REPOS: list("AUTH_DEFAULT_REPOS").default(["*"]).refine(
    (repos) => repos.every((r) => REPO_PATTERN.test(r)),
    'AUTH_DEFAULT_REPOS must be repository globs like "acme/*"',
  ),
  API_KEYS: z.string().optional(),
  AUTH_DISABLED: bool(false),
  AUDIT_LOG_PATH: z.string().min(1, "AUDIT_LOG_PATH is empty").optional(),
  JOBS_CONCURRENCY: positiveInt("JOBS_CONCURRENCY", 1).refine(
    (n) => n <= 64,
    "JOBS_CONCURRENCY must be at most 64",
  ),
  JOB_DEADLINE_MS: positiveInt("JOB_DEADLINE_MS", 2 * 3_600_000),
  JOB_CANCEL_GRACE_MS: positiveInt("JOB_CANCEL_GRACE_MS", 10_000),
  JOBS_REQUEUE_INTERRUPTED: bool(false),
});

/** The service's validated settings. */
export interface Config {
  host: string;
  port: number;
  github: { auth: GitHubAuthConfig; apiUrl: string; retryBaseMs: number };
  anthropic: { apiKey: string; baseUrl?: string; model: string };
  jobsDbPath: string;
  /** How long an `Idempotency-Key` keeps answering with its job. */
  idempotencyTtlMs: number;
  /** `DOCKER_HOST` as given; undefined means the local socket. */
  dockerHost?: string;
  /** Labelled sandboxes older than this are leftovers: removed at start-up and every 10 minutes. */
  reapAfterMs: number;
  sandbox: SandboxLimits;
  budget: { usd: number; turns: number; tokens: number; wallClockMs: number; maxOutputTokens: number };
  testCommand: string;
  testTimeoutMs: number;
  maxVerifyRetries: number;
  onFailingTests: OnFailingTests;
  commandPolicy: CommandPolicyMode;
  diffPolicy: { maxFiles: number; maxFileBytes: number; maxTotalBytes: number };
  /** Caps of the base snapshot a sandbox is seeded with. */
  snapshot: { maxFiles: number; maxBytes: number };
  draftPullRequests: boolean;
  api: { maxBodyBytes: number };
  auth: AuthConfig;
  /** `AUDIT_LOG_PATH`; undefined: audit lines go to stderr. */
  auditLogPath?: string;
  jobs: { concurrency: number; deadlineMs: number; cancelGraceMs: number; requeueInterrupted: boolean };
}

/** How API callers are authenticated. */
export interface AuthConfig {
  /** `AUTH_DISABLED=true`: every caller is `anonymous` with every scope. */
  disabled: boolean;
  /** Set when `AUTH_JWKS_URL` is. */
  jwt?: JwtSettings & { jwksUrl: string };
  /** From `API_KEYS`. */
  apiKeys: ApiKeyEntry[];
}

/**
 * Reads and validates the settings.
 * @param env the environment (Deno: `Deno.env.toObject()`, needs `--allow-env`).
 * @throws ConfigError listing every invalid or missing setting.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  readTextFile: (path: string) => string = (path) => Deno.readTextFileSync(path),
): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      `  - ${i.message}${i.path.length ? ` (${i.path.join(".")})` : ""}`
    );
    if (!env.GITHUB_TOKEN && !env.GITHUB_APP_ID) problems.unshift(`  - ${MISSING_GITHUB_CREDENTIALS}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}`);
  }
  const e = parsed.data;
  const auth = authConfig(e);
  return {
    host: e.HOST,
    port: e.PORT,
    github: {
      auth: githubAuth(e, readTextFile),
      apiUrl: e.GITHUB_API_URL.replace(/\/$/, ""),
      retryBaseMs: e.GITHUB_RETRY_BASE_MS,
    },
    anthropic: {
      apiKey: e.ANTHROPIC_API_KEY,
      ...(e.ANTHROPIC_BASE_URL ? { baseUrl: e.ANTHROPIC_BASE_URL } : {}),
      model: e.MODEL,
    },
    jobsDbPath: e.JOBS_DB_PATH,
    idempotencyTtlMs: e.IDEMPOTENCY_KEY_TTL_MS,
    reapAfterMs: e.SANDBOX_REAP_AFTER_MS,
    ...(e.DOCKER_HOST ? { dockerHost: e.DOCKER_HOST } : {}),
    sandbox: {
      ...DEFAULT_SANDBOX_LIMITS,
      image: e.SANDBOX_IMAGE,
      memoryMb: e.SANDBOX_MEMORY_MB,
      cpus: e.SANDBOX_CPUS,
      pidsLimit: e.SANDBOX_PIDS_LIMIT,
      workspaceMb: e.SANDBOX_WORKSPACE_MB,
      commandTimeoutMs: e.SANDBOX_COMMAND_TIMEOUT_MS,
      maxOutputBytes: e.SANDBOX_MAX_OUTPUT_BYTES,
      ...(e.SANDBOX_RUNTIME ? { runtime: e.SANDBOX_RUNTIME } : {}),
    },
    budget: {
      usd: e.BUDGET_USD,
      turns: e.BUDGET_TURNS,
      tokens: e.BUDGET_TOKENS,
      wallClockMs: e.BUDGET_WALL_CLOCK_MS,
      maxOutputTokens: e.MAX_OUTPUT_TOKENS,
    },
    testCommand: e.TEST_COMMAND,
    testTimeoutMs: e.TEST_TIMEOUT_MS,
    maxVerifyRetries: e.VERIFY_RETRIES,
    onFailingTests: e.PR_ON_FAILING_TESTS,
    commandPolicy: e.SANDBOX_COMMAND_POLICY,
    diffPolicy: {
      maxFiles: e.DIFF_MAX_FILES,
      maxFileBytes: e.DIFF_MAX_FILE_BYTES,
      maxTotalBytes: e.DIFF_MAX_TOTAL_BYTES,
    },
    snapshot: { maxFiles: e.SNAPSHOT_MAX_FILES, maxBytes: e.SNAPSHOT_MAX_BYTES },
    draftPullRequests: e.PR_DRAFT,
    api: { maxBodyBytes: e.API_MAX_BODY_BYTES },
    auth,
    ...(e.AUDIT_LOG_PATH ? { auditLogPath: e.AUDIT_LOG_PATH } : {}),
    jobs: {
      concurrency: e.JOBS_CONCURRENCY,
      deadlineMs: e.JOB_DEADLINE_MS,
      cancelGraceMs: e.JOB_CANCEL_GRACE_MS,
      requeueInterrupted: e.JOBS_REQUEUE_INTERRUPTED,
    },
  };
}

function authConfig(e: z.infer<typeof schema>): AuthConfig {
  const problems: string[] = [];
  let apiKeys: ApiKeyEntry[] = [];
  if (e.API_KEYS !== undefined) {
    try {
      apiKeys = parseApiKeys(e.API_KEYS);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  let jwt: AuthConfig["jwt"];
  if (e.AUTH_JWKS_URL) {
    if (!e.AUTH_ISSUER) problems.push("AUTH_ISSUER is required with AUTH_JWKS_URL (the tokens' iss)");
    if (!e.AUTH_AUDIENCE) {
      problems.push(
        "AUTH_AUDIENCE is required with AUTH_JWKS_URL (the tokens' aud, or Cognito app client ids)",
      );
    }
    if (e.AUTH_ISSUER && e.AUTH_AUDIENCE) {
      jwt = {
        jwksUrl: e.AUTH_JWKS_URL,
        issuer: e.AUTH_ISSUER,
        audiences: e.AUTH_AUDIENCE,
        algorithms: e.AUTH_ALGORITHMS,
        clockToleranceSec: e.AUTH_CLOCK_TOLERANCE_S,
        tokenUse: e.AUTH_TOKEN_USE,
        scopePrefix: e.AUTH_SCOPE_PREFIX,
        reposClaim: e.AUTH_REPOS_CLAIM,
        defaultRepos: e.AUTH_DEFAULT_REPOS,
      };
    }
  } else if (e.AUTH_ISSUER || e.AUTH_AUDIENCE) {
    problems.push("AUTH_ISSUER and AUTH_AUDIENCE need AUTH_JWKS_URL (where the signing keys are)");
  }
  if (e.AUTH_DISABLED && (e.AUTH_JWKS_URL || e.API_KEYS !== undefined)) {
    problems.push("AUTH_DISABLED=true cannot be combined with AUTH_JWKS_URL or API_KEYS; choose one");
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  return { disabled: e.AUTH_DISABLED, ...(jwt ? { jwt } : {}), apiKeys };
}

/**
 * The HTTP service refuses to start without authentication: it needs
 * `AUTH_JWKS_URL` (with `AUTH_ISSUER`, `AUTH_AUDIENCE`), `API_KEYS`, or an explicit `AUTH_DISABLED=true`.
 * @throws ConfigError saying so.
 */
export function assertAuthConfigured(config: Config): void {
  const { auth } = config;
  if (auth.disabled || auth.jwt || auth.apiKeys.length > 0) return;
  throw new ConfigError(
    "Authentication is not configured: set AUTH_JWKS_URL with AUTH_ISSUER and AUTH_AUDIENCE (JWTs), " +
      "or API_KEYS (hashes from `deno task hash-key`), or AUTH_DISABLED=true to accept every caller " +
      "(local use only).",
  );
}

/** How the host authenticates to GitHub: a token, or a GitHub App installation. */
export type GitHubAuthConfig =
  | { kind: "token"; token: string }
  | { kind: "app"; appId: number; privateKey: string; installationId: number };

/** Picks the GitHub credentials: a complete App configuration wins over a token; one of the two is required. */
function githubAuth(e: z.infer<typeof schema>, readTextFile: (path: string) => string): GitHubAuthConfig {
  const appParts = [
    e.GITHUB_APP_ID,
    e.GITHUB_APP_PRIVATE_KEY ?? e.GITHUB_APP_PRIVATE_KEY_PATH,
    e.GITHUB_APP_INSTALLATION_ID,
  ];
  if (appParts.some((p) => p !== undefined)) {
    if (appParts.some((p) => p === undefined)) {
      throw new ConfigError(
        "Invalid configuration:\n  - a GitHub App needs GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and " +
          "GITHUB_APP_PRIVATE_KEY (or GITHUB_APP_PRIVATE_KEY_PATH)",
      );
    }
    let privateKey = e.GITHUB_APP_PRIVATE_KEY;
    if (privateKey === undefined) {
      try {
        privateKey = readTextFile(e.GITHUB_APP_PRIVATE_KEY_PATH!);
      } catch (error) {
        throw new ConfigError(
          `Invalid configuration:\n  - GITHUB_APP_PRIVATE_KEY_PATH: cannot read ${e.GITHUB_APP_PRIVATE_KEY_PATH}`,
          { cause: error },
        );
      }
    }
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
      throw new ConfigError(
        "Invalid configuration:\n  - the GitHub App private key is not a PEM private key",
      );
    }
    return {
      kind: "app",
      appId: e.GITHUB_APP_ID!,
      privateKey,
      installationId: e.GITHUB_APP_INSTALLATION_ID!,
    };
  }
  if (e.GITHUB_TOKEN) return { kind: "token", token: e.GITHUB_TOKEN };
  throw new ConfigError(`Invalid configuration:\n  - ${MISSING_GITHUB_CREDENTIALS}`);
}

const MISSING_GITHUB_CREDENTIALS = "GITHUB_TOKEN is required (contents:write, pull_requests:write, " +
  "issues:read), or a GitHub App: GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and GITHUB_APP_PRIVATE_KEY " +
  "(or GITHUB_APP_PRIVATE_KEY_PATH)";

/** A copy of `config` safe to print: secrets replaced by `[redacted]`. */
export function redactedConfig(config: Config): Config {
  return {
    ...config,
    github: {
      ...config.github,
      apiUrl: withoutUserinfo(config.github.apiUrl),
      auth: config.github.auth.kind === "token"
        ? { kind: "token", token: "[redacted]" }
        : { ...config.github.auth, privateKey: "[redacted]" },
    },
    anthropic: {
      ...config.anthropic,
      apiKey: "[redacted]",
      ...(config.anthropic.baseUrl ? { baseUrl: withoutUserinfo(config.anthropic.baseUrl) } : {}),
    },
    ...(config.dockerHost ? { dockerHost: withoutUserinfo(config.dockerHost) } : {}),
    auth: {
      ...config.auth,
      ...(config.auth.jwt
        ? { jwt: { ...config.auth.jwt, jwksUrl: withoutUserinfo(config.auth.jwt.jwksUrl) } }
        : {}),
      apiKeys: config.auth.apiKeys.map((k) => ({ ...k, sha256: "[redacted]" })),
    },
  };
}

/** `https://user:secret@host/x` → `https://[redacted]@host/x`; other strings unchanged. */
function withoutUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i, "$1[redacted]@");
}
