/**
 * Configuration: every setting comes from the environment, is read once here,
 * validated, and passed inward as a typed object. Secrets stay in this object
 * and are never logged; see `redactedConfig` (`config_redacted.ts`).
 */
import { type AuthConfig, authConfig } from "./config_auth.ts";
import { githubAuth, type GitHubAuthConfig, headRepoOf } from "./config_github.ts";
import type { RepoRef } from "./github/gateway.ts";
import { parseSettings } from "./config_settings.ts";
import { type ModelConfig, modelConfig } from "./config_model.ts";
import { type DockerHostsConfig, dockerHostsConfig } from "./config_docker_hosts.ts";
import { ConfigError } from "./errors.ts";
import type { OnFailingTests } from "./pipeline/pipeline_settings.ts";
import type { CommandPolicyMode } from "./sandbox/command_policy.ts";
import { DEFAULT_SANDBOX_LIMITS, type SandboxLimits } from "./sandbox/limits.ts";
import type { PackageIndex } from "./environments/package_index.ts";

/** The service's validated settings. */
export interface Config {
  host: string;
  port: number;
  github: {
    auth: GitHubAuthConfig;
    apiUrl: string;
    /** `GITHUB_RETRIES` and `GITHUB_RETRY_BASE_MS`: a 5xx or network failure is retried `retries` times, waiting base × n². */
    retries: number;
    retryBaseMs: number;
    /** `PR_HEAD_REPO`: the fork branches are pushed to and pull requests opened from; undefined: the base. */
    headRepo?: RepoRef;
    /** `GITHUB_BOT_LOGIN`: the App's bot account (`<app-slug>[bot]`), the login people assign and mention. */
    botLogin?: string;
  };
  /**
   * GitHub webhooks: `GITHUB_WEBHOOK_SECRET` (undefined: `POST /v1/webhooks/github` is off) and the
   * label that starts the agent (`TRIGGER_LABEL`).
   */
  webhooks: { secret?: string; triggerLabel: string };
  /** The model, its provider and how the host reaches it (`MODEL_PROVIDER`, `MODEL`, `ANTHROPIC_*`, …). */
  model: ModelConfig;
  jobsDbPath: string;
  /**
   * `DATABASE_URL`: with it, jobs live in PostgreSQL and graphile-worker is the queue, shared by
   * every replica; without it, SQLite at `jobsDbPath` (one process). A secret: never logged.
   */
  databaseUrl?: string;
  /** How long an `Idempotency-Key` keeps answering with its job. */
  idempotencyTtlMs: number;
  /** `DOCKER_HOST` as given; undefined means the local socket. */
  dockerHost?: string;
  /** `DOCKER_HOSTS`: a pool of engines instead of the one at `DOCKER_HOST`; undefined: no pool. */
  dockerHosts?: DockerHostsConfig;
  /** Labelled sandboxes older than this are leftovers: removed at start-up and every 10 minutes. */
  reapAfterMs: number;
  sandbox: SandboxLimits;
  /**
   * Budgets of one work item's run; `maxOutputTokensCap`: the most `max_tokens` a cut-off tool call is
   * retried with; `countTokensWithin`: how near a cap the input is counted by the API, not estimated.
   */
  budget: {
    usd: number;
    turns: number;
    tokens: number;
    wallClockMs: number;
    maxOutputTokens: number;
    maxOutputTokensCap: number;
    countTokensWithin: number;
  };
  /** What the model sees of tool outputs: one output's cap, and when old ones are elided (characters). */
  context: { maxToolOutputChars: number; elideAfterChars: number };
  testCommand: string;
  testTimeoutMs: number;
  maxVerifyRetries: number;
  onFailingTests: OnFailingTests;
  commandPolicy: CommandPolicyMode;
  diffPolicy: { maxFiles: number; maxFileBytes: number; maxTotalBytes: number; protectedPaths: string[] };
  /** Caps of the base snapshot a sandbox is seeded with. */
  snapshot: { maxFiles: number; maxBytes: number };
  /**
   * `[ops]` first: how often a waiting job looks at its `[ops]` sub-issues without a webhook
   * (`WAIT_RECHECK_MS`), and how long it waits at most (`WAIT_TIMEOUT_MS`), ms.
   */
  opsWait: { recheckMs: number; timeoutMs: number };
  /** Per-repo environments: setup behind the egress proxy, the package indexes, the image cache. */
  environments: {
    setupTimeoutMs: number;
    allowedHosts: string[];
    /** `SETUP_EGRESS_NETWORK`; undefined: a network per setup. */
    egressNetwork?: string;
    index: PackageIndex;
    extraIndexes: PackageIndex[];
    cacheMax: number;
  };
  draftPullRequests: boolean;
  /** `API_PUBLIC_URL`: where people reach the API (links to jobs in progress comments); undefined: no links. */
  api: { maxBodyBytes: number; publicUrl?: string };
  /** The project board's columns (`PROJECT_STATUS_IN_PROGRESS`, `PROJECT_STATUS_IN_REVIEW`). */
  board: { inProgress: string; inReview: string };
  auth: AuthConfig;
  /** `AUDIT_LOG_PATH`; undefined: audit lines go to stderr. */
  auditLogPath?: string;
  /**
   * `JOBS_*`, `JOB_*`. `leaseMs` (PostgreSQL only): a replica that has not beaten for this long is
   * dead, and its jobs are retried by another.
   */
  jobs: {
    concurrency: number;
    deadlineMs: number;
    cancelGraceMs: number;
    requeueInterrupted: boolean;
    /** `JOBS_HOST_RETRIES`: times a job goes back in the queue after a work item lost its Docker host. */
    hostRetries: number;
    leaseMs: number;
  };
  /** Per-principal limits (`QUOTA_*`): queued and running jobs, open event streams, dollars per UTC day. */
  quota: { maxQueued: number; maxRunning: number; maxStreams: number; usdPerDay: number };
}

/**
 * Reads and validates the settings. A secret setting may come from a file instead (`GITHUB_TOKEN_FILE`
 * and so on: `config_secret_files.ts`).
 * @param env the environment (Deno: `Deno.env.toObject()`, needs `--allow-env`).
 * @param readTextFile reads `GITHUB_APP_PRIVATE_KEY_PATH` and the `_FILE` settings' files.
 * @throws ConfigError listing every invalid or missing setting.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  readTextFile: (path: string) => string = (path) => Deno.readTextFileSync(path),
): Config {
  const e = parseSettings(env, readTextFile);
  const auth = authConfig(e);
  const dockerHosts = dockerHostsConfig(e, readTextFile);
  return {
    host: e.HOST,
    port: e.PORT,
    github: {
      auth: githubAuth(e, readTextFile),
      apiUrl: e.GITHUB_API_URL.replace(/\/$/, ""),
      retries: e.GITHUB_RETRIES,
      retryBaseMs: e.GITHUB_RETRY_BASE_MS,
      ...headRepoOf(e),
      ...(e.GITHUB_BOT_LOGIN ? { botLogin: e.GITHUB_BOT_LOGIN } : {}),
    },
    webhooks: {
      ...(e.GITHUB_WEBHOOK_SECRET ? { secret: e.GITHUB_WEBHOOK_SECRET } : {}),
      triggerLabel: e.TRIGGER_LABEL,
    },
    model: modelConfig(e),
    jobsDbPath: e.JOBS_DB_PATH,
    ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}),
    idempotencyTtlMs: e.IDEMPOTENCY_KEY_TTL_MS,
    reapAfterMs: e.SANDBOX_REAP_AFTER_MS,
    ...(e.DOCKER_HOST ? { dockerHost: e.DOCKER_HOST } : {}),
    ...(dockerHosts ? { dockerHosts } : {}),
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
      maxOutputTokensCap: e.MAX_OUTPUT_TOKENS_CAP,
      countTokensWithin: e.BUDGET_COUNT_TOKENS_WITHIN,
    },
    context: { maxToolOutputChars: e.TOOL_OUTPUT_MAX_CHARS, elideAfterChars: e.CONTEXT_ELIDE_AFTER_CHARS },
    testCommand: e.TEST_COMMAND,
    testTimeoutMs: e.TEST_TIMEOUT_MS,
    maxVerifyRetries: e.VERIFY_RETRIES,
    onFailingTests: e.PR_ON_FAILING_TESTS,
    commandPolicy: e.SANDBOX_COMMAND_POLICY,
    diffPolicy: {
      maxFiles: e.DIFF_MAX_FILES,
      maxFileBytes: e.DIFF_MAX_FILE_BYTES,
      maxTotalBytes: e.DIFF_MAX_TOTAL_BYTES,
      protectedPaths: e.DIFF_PROTECTED_PATHS,
    },
    snapshot: { maxFiles: e.SNAPSHOT_MAX_FILES, maxBytes: e.SNAPSHOT_MAX_BYTES },
    opsWait: { recheckMs: e.WAIT_RECHECK_MS, timeoutMs: e.WAIT_TIMEOUT_MS },
    environments: {
      setupTimeoutMs: e.SETUP_TIMEOUT_MS,
      allowedHosts: e.SETUP_ALLOWED_HOSTS,
      ...(e.SETUP_EGRESS_NETWORK ? { egressNetwork: e.SETUP_EGRESS_NETWORK } : {}),
      index: e.PIP_INDEX_URL,
      extraIndexes: e.PIP_EXTRA_INDEX_URL,
      cacheMax: e.ENV_CACHE_MAX,
    },
    draftPullRequests: e.PR_DRAFT,
    api: {
      maxBodyBytes: e.API_MAX_BODY_BYTES,
      ...(e.API_PUBLIC_URL ? { publicUrl: e.API_PUBLIC_URL.replace(/\/+$/, "") } : {}),
    },
    board: { inProgress: e.PROJECT_STATUS_IN_PROGRESS, inReview: e.PROJECT_STATUS_IN_REVIEW },
    auth,
    ...(e.AUDIT_LOG_PATH ? { auditLogPath: e.AUDIT_LOG_PATH } : {}),
    jobs: {
      concurrency: e.JOBS_CONCURRENCY,
      deadlineMs: e.JOB_DEADLINE_MS,
      cancelGraceMs: e.JOB_CANCEL_GRACE_MS,
      requeueInterrupted: e.JOBS_REQUEUE_INTERRUPTED,
      hostRetries: e.JOBS_HOST_RETRIES,
      leaseMs: e.JOBS_LEASE_MS,
    },
    quota: {
      maxQueued: e.QUOTA_MAX_QUEUED,
      maxRunning: e.QUOTA_MAX_RUNNING,
      maxStreams: e.QUOTA_MAX_STREAMS,
      usdPerDay: e.QUOTA_USD_PER_DAY,
    },
  };
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
