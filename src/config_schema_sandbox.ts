/**
 * The settings of sandboxes and environments: the per-issue container's image and limits, its command
 * policy, the base snapshot's caps, and the online setup behind the egress proxy (allowed hosts, package
 * indexes, image cache). Part of the settings schema (`config_schema.ts`).
 */
import { z } from "zod";
import { positive, positiveInt, secret } from "./config_setting_kinds.ts";
import { isAllowlistHost } from "./environments/egress_allowlist.ts";
import { parsePackageIndex } from "./environments/package_index.ts";
import { COMMAND_POLICY_MODES } from "./sandbox/command_policy.ts";
import { DEFAULT_SANDBOX_LIMITS } from "./sandbox/limits.ts";

/** `SANDBOX_*`, `SNAPSHOT_*`, `SETUP_*`, `PIP_INDEX_URL`, `PIP_EXTRA_INDEX_URL`, `ENV_CACHE_MAX`. */
export const sandboxSettings = {
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
};
