/**
 * The settings of jobs: where they are stored (SQLite or PostgreSQL), how many run, their deadlines
 * and leases, how long an `[ops]`-first job waits, and the per-principal quotas. Part of the settings
 * schema (`config_schema.ts`).
 */
import { z } from "zod";
import { bool, positive, positiveInt, secret } from "./config_setting_kinds.ts";

/**
 * The `sslmode` values node-postgres acts on (pg-connection-string): `disable`; `prefer`, `require`
 * and `verify-ca`, which it takes as `verify-full`; `verify-full`; and its own `no-verify`. Any other
 * value (libpq's `allow`, a typo) would turn on verified TLS without a word.
 */
const SSL_MODES = ["disable", "prefer", "require", "verify-ca", "verify-full", "no-verify"];

function sslModeProblem(mode: string | null): string | undefined {
  if (mode === null || SSL_MODES.includes(mode)) return undefined;
  return `DATABASE_URL's sslmode must be one of ${SSL_MODES.join(", ")} (node-postgres reads no other; ` +
    "verify-full checks the server's certificate and name)";
}

/** `JOBS_DB_PATH`, `DATABASE_URL`, `JOBS_*`, `JOB_*`, `WAIT_*`, `QUOTA_*`. */
export const jobSettings = {
  JOBS_DB_PATH: z.string().min(1).default("data/jobs.sqlite"),
  // A secret (its password): never logged; `redactedConfig` keeps only its host, port and database.
  DATABASE_URL: secret(
    z.string().superRefine((url, ctx) => {
      // One problem, the first: the message never quotes the value (its password).
      const problem = !/^postgres(ql)?:\/\//.test(url.trim())
        ? "DATABASE_URL must be a postgres:// (or postgresql://) URL, e.g. postgres://agent:secret@db:5432/agent"
        : /\s/.test(url)
        ? "DATABASE_URL holds white space: remove it around the URL, and percent-encode it (%20) in the user " +
          "name or password"
        // WHATWG URL rules, as node-postgres reads it.
        : !URL.canParse(url)
        ? "DATABASE_URL is not a URL node-postgres can read: check its host and port, and percent-encode " +
          "the characters @ : / ? # [ ] % in its user name and password"
        : sslModeProblem(new URL(url).searchParams.get("sslmode"));
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }).optional(),
  ),
  JOBS_CONCURRENCY: positiveInt("JOBS_CONCURRENCY", 1).refine(
    (n) => n <= 64,
    "JOBS_CONCURRENCY must be at most 64",
  ),
  JOB_DEADLINE_MS: positiveInt("JOB_DEADLINE_MS", 2 * 3_600_000),
  JOB_CANCEL_GRACE_MS: positiveInt("JOB_CANCEL_GRACE_MS", 10_000),
  JOBS_REQUEUE_INTERRUPTED: bool(false),
  JOBS_HOST_RETRIES: z.coerce.number({ error: "JOBS_HOST_RETRIES must be a number" }).int().min(0).max(
    10,
    "JOBS_HOST_RETRIES must be between 0 and 10",
  ).default(2),
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
};
