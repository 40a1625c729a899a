/**
 * Configuration: every setting comes from the environment, is read once here,
 * validated, and passed inward as a typed object. Secrets stay in this object
 * and are never logged; see {@link redactedConfig}.
 */
import { z } from "zod";
import { ConfigError } from "./errors.ts";
import { DEFAULT_SANDBOX_LIMITS, type SandboxLimits } from "./sandbox/limits.ts";

const positiveInt = (name: string, fallback: number) =>
  z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be an integer`).positive(
    `${name} must be positive`,
  ).default(fallback);
const positive = (name: string, fallback: number) =>
  z.coerce.number({ error: `${name} must be a number` }).positive(`${name} must be positive`).default(
    fallback,
  );
const bool = (fallback: boolean) =>
  z.enum(["true", "false", "1", "0"]).default(fallback ? "true" : "false").transform((v) =>
    v === "true" || v === "1"
  );

const schema = z.object({
  HOST: z.string().default("127.0.0.1"),
  PORT: positiveInt("PORT", 8080),
  GITHUB_TOKEN: z.string({
    error: "GITHUB_TOKEN is required (a token with contents:write, pull_requests:write, issues:read)",
  })
    .min(1, "GITHUB_TOKEN is empty"),
  GITHUB_API_URL: z.url({ error: "GITHUB_API_URL must be a URL" }).default("https://api.github.com"),
  ANTHROPIC_API_KEY: z.string({ error: "ANTHROPIC_API_KEY is required" }).min(
    1,
    "ANTHROPIC_API_KEY is empty",
  ),
  ANTHROPIC_BASE_URL: z.url({ error: "ANTHROPIC_BASE_URL must be a URL" }).optional(),
  DOCKER_HOST: z.string().min(1).optional(),
  MODEL: z.string().min(1).default("claude-sonnet-5-5"),
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
  PR_ON_FAILING_TESTS: z.enum(["draft", "none"], { error: "PR_ON_FAILING_TESTS must be draft or none" })
    .default("draft"),
  SANDBOX_COMMAND_POLICY: z.enum(["restricted", "shell"], {
    error: "SANDBOX_COMMAND_POLICY must be restricted or shell",
  })
    .default("restricted"),
  DIFF_MAX_FILES: positiveInt("DIFF_MAX_FILES", 200),
  DIFF_MAX_FILE_BYTES: positiveInt("DIFF_MAX_FILE_BYTES", 1024 * 1024),
  DIFF_MAX_TOTAL_BYTES: positiveInt("DIFF_MAX_TOTAL_BYTES", 5 * 1024 * 1024),
  PR_DRAFT: bool(true),
});

/** The service's validated settings. */
export interface Config {
  host: string;
  port: number;
  github: { token: string; apiUrl: string };
  anthropic: { apiKey: string; baseUrl?: string; model: string };
  jobsDbPath: string;
  /** `DOCKER_HOST` as given; undefined means the local socket. */
  dockerHost?: string;
  sandbox: SandboxLimits;
  budget: { usd: number; turns: number; tokens: number; wallClockMs: number; maxOutputTokens: number };
  testCommand: string;
  testTimeoutMs: number;
  maxVerifyRetries: number;
  onFailingTests: "draft" | "none";
  commandPolicy: "restricted" | "shell";
  diffPolicy: { maxFiles: number; maxFileBytes: number; maxTotalBytes: number };
  draftPullRequests: boolean;
}

/**
 * Reads and validates the settings.
 * @param env the environment (Deno: `Deno.env.toObject()`, needs `--allow-env`).
 * @throws ConfigError listing every invalid or missing setting.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      `  - ${i.message}${i.path.length ? ` (${i.path.join(".")})` : ""}`
    );
    throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}`);
  }
  const e = parsed.data;
  return {
    host: e.HOST,
    port: e.PORT,
    github: { token: e.GITHUB_TOKEN, apiUrl: e.GITHUB_API_URL.replace(/\/$/, "") },
    anthropic: {
      apiKey: e.ANTHROPIC_API_KEY,
      ...(e.ANTHROPIC_BASE_URL ? { baseUrl: e.ANTHROPIC_BASE_URL } : {}),
      model: e.MODEL,
    },
    jobsDbPath: e.JOBS_DB_PATH,
    ...(e.DOCKER_HOST ? { dockerHost: e.DOCKER_HOST } : {}),
    sandbox: {
      ...DEFAULT_SANDBOX_LIMITS,
      image: e.SANDBOX_IMAGE,
      memoryMb: e.SANDBOX_MEMORY_MB,
      cpus: e.SANDBOX_CPUS,
      pidsLimit: e.SANDBOX_PIDS_LIMIT,
      workspaceMb: e.SANDBOX_WORKSPACE_MB,
      commandTimeoutMs: e.SANDBOX_COMMAND_TIMEOUT_MS,
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
    draftPullRequests: e.PR_DRAFT,
  };
}

/** A copy of `config` safe to print: secrets replaced by `[redacted]`. */
export function redactedConfig(config: Config): Config {
  return {
    ...config,
    github: { ...config.github, token: "[redacted]" },
    anthropic: { ...config.anthropic, apiKey: "[redacted]" },
  };
}
