/**
 * The settings schema: every environment variable the service reads, its
 * validation and its default, written once. `config.ts` turns the parsed
 * settings into the typed {@link Config} passed inward.
 */
import { z } from "zod";
import { TOKEN_USES } from "./api/auth/jwt_verifier.ts";
import { REPO_PATTERN } from "./api/auth/principal.ts";
import { repoNameProblem } from "./api/repo_name.ts";
import { TEST_COMMAND_MAX_CHARS } from "./contracts/test_run.ts";
import { ON_FAILING_TESTS } from "./pipeline/pipeline_settings.ts";
import { protectedGlobProblem } from "./pipeline/protected_paths.ts";
import { COMMAND_POLICY_MODES } from "./sandbox/command_policy.ts";
import { isAllowlistHost } from "./environments/egress_allowlist.ts";
import { parsePackageIndex } from "./environments/package_index.ts";
import { DEFAULT_SANDBOX_LIMITS } from "./sandbox/limits.ts";
import { MODEL_PROVIDERS } from "./agent/model_prices.ts";
import { parseCustomHeaders } from "./agent/custom_headers.ts";

/** `MODEL`'s default on `MODEL_PROVIDER=anthropic`; Bedrock and Vertex name their models their own way. */
export const DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-5-5";

const usdPerMillion = z.number().nonnegative();
/** `MODEL_PRICES`: USD per million tokens by exact model id; cache rates default from the input rate. */
const modelPricesSchema = z.record(
  z.string().min(1),
  z.object({
    input: usdPerMillion,
    output: usdPerMillion,
    cacheWrite: usdPerMillion.optional(),
    cacheRead: usdPerMillion.optional(),
  }).strict().transform((p) => ({
    input: p.input,
    output: p.output,
    cacheWrite: p.cacheWrite ?? p.input * 1.25,
    cacheRead: p.cacheRead ?? p.input * 0.1,
  })),
);

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
import { parseDockerEndpoint } from "./sandbox/docker_endpoint.ts";

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
/**
 * The settings that hold secrets. Each can also be given as a file, Docker's `*_FILE` convention
 * (`config_secret_files.ts`): mark a new secret setting with {@link secret} and it gets its `_FILE`.
 */
export const secretSettings = z.registry<{ secret: true }>();
/** Marks a setting's schema as a secret's (see {@link secretSettings}). */
const secret = <T extends z.ZodType>(schema: T): T => {
  secretSettings.add(schema, { secret: true });
  return schema;
};
const bool = (fallback: boolean) =>
  z.enum(["true", "false", "1", "0"]).default(fallback ? "true" : "false").transform((v) =>
    v === "true" || v === "1"
  );

/**
 * `DIFF_PROTECTED_PATHS`' default: what CI runs or obeys before anyone reviews a change. GitHub's
 * folder (workflows, composite actions, dependabot, CODEOWNERS), CODEOWNERS' other places, the
 * entry points of other CI systems, and the files a CI job runs through before the tests: Makefile,
 * tox, nox, pre-commit, pytest's conftest.py. Not protected by default: dependency manifests
 * (`pyproject.toml`, `requirements*.txt`, `setup.py`, `setup.cfg`), which adding a dependency
 * legitimately changes.
 */
export const DEFAULT_PROTECTED_PATHS = [
  ".github/**",
  "CODEOWNERS",
  "docs/CODEOWNERS",
  ".gitlab-ci.yml",
  ".gitlab/**",
  ".circleci/**",
  ".buildkite/**",
  "Jenkinsfile",
  "azure-pipelines.yml",
  "bitbucket-pipelines.yml",
  ".travis.yml",
  "Makefile",
  "tox.ini",
  "noxfile.py",
  ".pre-commit-config.yaml",
  "**/conftest.py",
] as const;

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

export const settingsSchema = z.object({
  HOST: z.string().default("127.0.0.1"),
  PORT: positiveInt("PORT", 8080),
  GITHUB_TOKEN: secret(z.string().min(1, "GITHUB_TOKEN is empty").optional()),
  GITHUB_APP_ID: optionalPositiveInt("GITHUB_APP_ID"),
  GITHUB_APP_PRIVATE_KEY: secret(z.string().min(1, "GITHUB_APP_PRIVATE_KEY is empty").optional()),
  GITHUB_APP_PRIVATE_KEY_PATH: z.string().min(1, "GITHUB_APP_PRIVATE_KEY_PATH is empty").optional(),
  GITHUB_APP_INSTALLATION_ID: optionalPositiveInt("GITHUB_APP_INSTALLATION_ID"),
  GITHUB_RETRY_BASE_MS: positiveInt("GITHUB_RETRY_BASE_MS", 1000),
  GITHUB_RETRIES: z.coerce.number({ error: "GITHUB_RETRIES must be a number" }).int().min(0).max(
    10,
    "GITHUB_RETRIES must be 0–10",
  )
    .default(3),
  GITHUB_API_URL: z.url({ error: "GITHUB_API_URL must be a URL" }).default("https://api.github.com"),
  GITHUB_WEBHOOK_SECRET: secret(
    z.string().min(16, "GITHUB_WEBHOOK_SECRET must be at least 16 characters").optional(),
  ),
  GITHUB_BOT_LOGIN: z.string().trim().regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/,
    'GITHUB_BOT_LOGIN must be a GitHub login, e.g. "my-agent[bot]"',
  ).optional(),
  TRIGGER_LABEL: z.string().trim().min(1, "TRIGGER_LABEL is empty").max(50, "TRIGGER_LABEL is too long")
    .default("agent"),
  MODEL_PROVIDER: z.enum(MODEL_PROVIDERS, {
    error: `MODEL_PROVIDER must be one of ${MODEL_PROVIDERS.join(", ")}`,
  }).default("anthropic"),
  ANTHROPIC_API_KEY: secret(z.string().min(1, "ANTHROPIC_API_KEY is empty").optional()),
  ANTHROPIC_BASE_URL: z.url({ error: "ANTHROPIC_BASE_URL must be a URL" }).optional(),
  ANTHROPIC_CUSTOM_HEADERS: secret(
    z.string().optional().transform((text, ctx) => {
      try {
        return parseCustomHeaders(text ?? "");
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  ),
  AWS_REGION: z.string().trim().regex(
    /^[a-z]{2}(?:-[a-z]+)+-\d+$/,
    'AWS_REGION must be an AWS Region code, e.g. "us-east-1"',
  ).optional(),
  ANTHROPIC_BEDROCK_BASE_URL: z.url({ error: "ANTHROPIC_BEDROCK_BASE_URL must be a URL" }).optional(),
  CLOUD_ML_REGION: z.string().trim().regex(
    /^[a-z0-9-]+$/,
    'CLOUD_ML_REGION must be a Google Cloud region, e.g. "us-east5" or "global"',
  ).optional(),
  ANTHROPIC_VERTEX_PROJECT_ID: z.string().trim().regex(
    /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
    "ANTHROPIC_VERTEX_PROJECT_ID must be a Google Cloud project id",
  ).optional(),
  ANTHROPIC_VERTEX_BASE_URL: z.url({ error: "ANTHROPIC_VERTEX_BASE_URL must be a URL" }).optional(),
  GOOGLE_APPLICATION_CREDENTIALS: z.string().trim().min(1, "GOOGLE_APPLICATION_CREDENTIALS is empty")
    .optional(),
  DOCKER_HOST: z.string().min(1).optional(),
  DOCKER_HOSTS: z.string().optional().transform((v) => v?.split(",").map((h) => h.trim()).filter(Boolean))
    .superRefine((hosts, ctx) => {
      if (hosts === undefined) return;
      if (hosts.length === 0) ctx.addIssue({ code: "custom", message: "DOCKER_HOSTS is empty" });
      for (const host of hosts) {
        try {
          parseDockerEndpoint(host, "each entry of DOCKER_HOSTS");
        } catch (error) {
          ctx.addIssue({ code: "custom", message: (error as Error).message });
        }
      }
      const twice = hosts.filter((h, i) => hosts.indexOf(h) !== i);
      if (twice.length > 0) {
        ctx.addIssue({ code: "custom", message: `DOCKER_HOSTS names ${twice.join(", ")} more than once` });
      }
    }),
  DOCKER_TLS_VERIFY: z.enum(["true", "false", "1", "0", ""], {
    error: "DOCKER_TLS_VERIFY must be 1 or 0 (or true or false)",
  }).default("").transform((v) => v === "true" || v === "1"),
  DOCKER_CERT_PATH: z.string().trim().min(1, "DOCKER_CERT_PATH is empty").optional(),
  SANDBOXES_PER_HOST: positiveInt("SANDBOXES_PER_HOST", 4),
  DOCKER_HOSTS_PING_MS: positiveInt("DOCKER_HOSTS_PING_MS", 5_000),
  MODEL: z.string().trim().min(1, "MODEL is empty").optional(),
  MODEL_PRICES: z.string().optional().transform((text, ctx) => {
    const parsed = modelPricesSchema.safeParse(parseJsonOr(text ?? "{}"));
    if (parsed.success) return parsed.data;
    ctx.addIssue({
      code: "custom",
      message: 'MODEL_PRICES must be a JSON object like {"model-id":{"input":3,"output":15}} ' +
        "(USD per million tokens; optional cacheWrite, cacheRead)",
    });
    return z.NEVER;
  }),
  IDEMPOTENCY_KEY_TTL_MS: positiveInt("IDEMPOTENCY_KEY_TTL_MS", 86_400_000),
  JOBS_DB_PATH: z.string().min(1).default("data/jobs.sqlite"),
  // A secret (its password): never logged; `redactedConfig` keeps only its host, port and database.
  DATABASE_URL: secret(
    z.string().regex(
      /^postgres(ql)?:\/\/\S+$/,
      "DATABASE_URL must be a postgres:// (or postgresql://) URL, e.g. postgres://agent:secret@db:5432/agent",
    ).optional(),
  ),
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
  // The SDK refuses a non-streaming call that could run past 10 minutes (128,000 tokens an hour).
  MAX_OUTPUT_TOKENS_CAP: positiveInt("MAX_OUTPUT_TOKENS_CAP", 16_384).refine(
    (n) => n <= 21_333,
    "MAX_OUTPUT_TOKENS_CAP must be at most 21333 (the SDK's limit for a non-streaming call)",
  ),
  BUDGET_COUNT_TOKENS_WITHIN: positive("BUDGET_COUNT_TOKENS_WITHIN", 0.25).refine(
    (n) => n <= 1,
    "BUDGET_COUNT_TOKENS_WITHIN must be a fraction between 0 and 1",
  ),
  ANTHROPIC_MAX_RETRIES: z.coerce.number({ error: "ANTHROPIC_MAX_RETRIES must be a number" }).int().min(0)
    .max(10).default(4),
  TOOL_OUTPUT_MAX_CHARS: positiveInt("TOOL_OUTPUT_MAX_CHARS", 20_000),
  CONTEXT_ELIDE_AFTER_CHARS: positiveInt("CONTEXT_ELIDE_AFTER_CHARS", 400_000),
  TEST_COMMAND: z.string().min(1).max(
    TEST_COMMAND_MAX_CHARS,
    `TEST_COMMAND must be at most ${TEST_COMMAND_MAX_CHARS} characters`,
  ).default("python3 -m pytest -q -p no:cacheprovider"),
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
  SETUP_TIMEOUT_MS: positiveInt("SETUP_TIMEOUT_MS", 15 * 60_000),
  SETUP_ALLOWED_HOSTS: z.string().default("").transform((v) =>
    v.split(/[\s,]+/).filter(Boolean).map((h) => h.toLowerCase())
  )
    .refine(
      (hosts) => hosts.every(isAllowlistHost),
      "SETUP_ALLOWED_HOSTS must be host names (no wildcard, no port), separated by commas or spaces",
    ),
  SETUP_EGRESS_NETWORK: z.string().optional().transform((v) => v?.trim() || undefined).refine(
    (v) => v === undefined || /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(v),
    "SETUP_EGRESS_NETWORK must be a Docker network name",
  ),
  PIP_INDEX_URL: secret(
    z.string().default("https://pypi.org/simple").transform((url, ctx) => {
      try {
        return parsePackageIndex(url.trim(), "PIP_INDEX_URL");
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  ),
  PIP_EXTRA_INDEX_URL: secret(
    z.string().default("").transform((value, ctx) => {
      try {
        return value.split(/\s+/).filter(Boolean).map((url) => parsePackageIndex(url, "PIP_EXTRA_INDEX_URL"));
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  ),
  ENV_CACHE_MAX: positiveInt("ENV_CACHE_MAX", 20),
  SNAPSHOT_MAX_FILES: positiveInt("SNAPSHOT_MAX_FILES", 100_000),
  SNAPSHOT_MAX_BYTES: positiveInt("SNAPSHOT_MAX_BYTES", 256 * 1024 * 1024),
  SANDBOX_MAX_OUTPUT_BYTES: positiveInt("SANDBOX_MAX_OUTPUT_BYTES", DEFAULT_SANDBOX_LIMITS.maxOutputBytes),
  DIFF_MAX_FILES: positiveInt("DIFF_MAX_FILES", 200),
  DIFF_MAX_FILE_BYTES: positiveInt("DIFF_MAX_FILE_BYTES", 1024 * 1024),
  DIFF_MAX_TOTAL_BYTES: positiveInt("DIFF_MAX_TOTAL_BYTES", 5 * 1024 * 1024),
  DIFF_PROTECTED_PATHS: z.string().default(DEFAULT_PROTECTED_PATHS.join(","))
    .transform((v) => v.split(",").map((glob) => glob.trim()).filter(Boolean))
    .refine((globs) => globs.length > 0, "DIFF_PROTECTED_PATHS is empty")
    .superRefine((globs, ctx) => {
      for (const glob of globs) {
        const problem = protectedGlobProblem(glob);
        if (problem) ctx.addIssue({ code: "custom", message: `DIFF_PROTECTED_PATHS: ${problem}` });
      }
    }),
  PR_DRAFT: bool(true),
  PR_HEAD_REPO: z.string().optional().superRefine((repo, ctx) => {
    const problem = repo === undefined ? undefined : repoNameProblem(repo);
    if (problem) ctx.addIssue({ code: "custom", message: `PR_HEAD_REPO: ${problem}` });
  }),
  API_MAX_BODY_BYTES: positiveInt("API_MAX_BODY_BYTES", 64 * 1024),
  API_PUBLIC_URL: z.url({ error: "API_PUBLIC_URL must be a URL" }).optional(),
  PROJECT_STATUS_IN_PROGRESS: z.string().trim().min(1, "PROJECT_STATUS_IN_PROGRESS is empty").default(
    "In Progress",
  ),
  PROJECT_STATUS_IN_REVIEW: z.string().trim().min(1, "PROJECT_STATUS_IN_REVIEW is empty").default(
    "In Review",
  ),
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
  API_KEYS: secret(z.string().optional()),
  AUTH_DISABLED: bool(false),
  AUDIT_LOG_PATH: z.string().min(1, "AUDIT_LOG_PATH is empty").optional(),
  JOBS_CONCURRENCY: positiveInt("JOBS_CONCURRENCY", 1).refine(
    (n) => n <= 64,
    "JOBS_CONCURRENCY must be at most 64",
  ),
  JOB_DEADLINE_MS: positiveInt("JOB_DEADLINE_MS", 2 * 3_600_000),
  JOB_CANCEL_GRACE_MS: positiveInt("JOB_CANCEL_GRACE_MS", 10_000),
  JOBS_REQUEUE_INTERRUPTED: bool(false),
  JOBS_LEASE_MS: positiveInt("JOBS_LEASE_MS", 30_000).refine(
    (n) => n >= 3_000,
    "JOBS_LEASE_MS must be at least 3000 (replicas beat every third of it)",
  ),
  WAIT_RECHECK_MS: positiveInt("WAIT_RECHECK_MS", 60_000),
  WAIT_TIMEOUT_MS: positiveInt("WAIT_TIMEOUT_MS", 3_600_000),
  QUOTA_MAX_QUEUED: positiveInt("QUOTA_MAX_QUEUED", 100),
  QUOTA_MAX_RUNNING: positiveInt("QUOTA_MAX_RUNNING", 4),
  QUOTA_MAX_STREAMS: positiveInt("QUOTA_MAX_STREAMS", 20),
  QUOTA_USD_PER_DAY: positive("QUOTA_USD_PER_DAY", 100),
});

/** The names of the secret settings, in the schema's order (each also read from its `_FILE`). */
export const SECRET_SETTINGS: readonly string[] = Object.entries(settingsSchema.shape)
  .filter(([, schema]) => secretSettings.has(schema))
  .map(([name]) => name);

/** The parsed environment, before it becomes a {@link Config}. */
export type Settings = z.infer<typeof settingsSchema>;
