/**
 * The per-repo environment, one contract for every place it travels: the spec
 * is read on the host from the snapshot's manifest files
 * (`environments/environment_spec.ts`), the builder installs it in a setup
 * container behind the egress proxy and caches the result as an image
 * (`environments/`), the job record and the events keep the result, and the
 * system prompt names what is installed (`agent/prompt.ts`).
 */
import { z } from "zod";

/** One manifest file the spec was read from: repo-relative path and SHA-256 (hex) of its bytes. */
export const manifestFileSchema = z.object({
  /** Repo-relative POSIX path, e.g. `requirements/test.txt`. */
  path: z.string(),
  /** SHA-256 of the file's bytes, lowercase hex (64 characters). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/** {@link manifestFileSchema}'s type. */
export type ManifestFile = z.infer<typeof manifestFileSchema>;

/**
 * How setup installs, decided on the host from the snapshot (no repo code runs on the host).
 * - `none`: nothing to install; no setup container at all, the base image is used.
 * - `script`: the repo's own script replaces the automatic install; run as `bash <path>` in `/workspace`.
 * - `pip`: pip into `/opt/venv`; each entry of `installs` is one `pip install` argv tail, run in order in
 *   `/workspace`, e.g. `[["-r", "requirements.txt"], ["-e", ".[test]"], ["fastapi==0.1", "..."]]`.
 *   Index settings never appear here: they come only from the service's `PIP_INDEX_URL`.
 */
export const installPlanSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("none") }),
  z.object({ kind: z.literal("script"), path: z.literal(".backend-agent/setup.sh") }),
  z.object({ kind: z.literal("pip"), installs: z.array(z.array(z.string()).min(1)).min(1) }),
]);

/** {@link installPlanSchema}'s type. */
export type InstallPlan = z.infer<typeof installPlanSchema>;

/** What a repo needs installed, read on the host from its manifest files. */
export const environmentSpecSchema = z.object({
  /** Every file that shaped the plan, sorted by path; their bytes are part of the cache key. */
  manifests: z.array(manifestFileSchema),
  /** How setup installs. */
  plan: installPlanSchema,
  /** For people, e.g. `["requirements.txt", "pyproject.toml"]`: the files the install starts from. */
  sources: z.array(z.string()),
  /** Requirement names (PEP 503 normalised, sorted, unique) for the system prompt, e.g. `["pyjwt", "sqlalchemy"]`. */
  topLevelRequirements: z.array(z.string()),
});

/** {@link environmentSpecSchema}'s type. */
export type EnvironmentSpec = z.infer<typeof environmentSpecSchema>;

/** One egress proxy log entry: one request (or CONNECT tunnel) the setup container made. */
export const egressEntrySchema = z.object({
  /** The host asked for, without port or credentials. */
  host: z.string(),
  /** `CONNECT` for a tunnel, else the HTTP method. */
  method: z.string(),
  /** Whether the proxy let it through (the host is on the allowlist). */
  allowed: z.boolean(),
  /**
   * Bytes the proxy relayed for it, both ways, as squid logged them: the request received from the
   * setup container plus the reply sent back, headers included (for a `CONNECT` tunnel, every byte
   * that crossed it; for a refusal, the proxy's error page); null when the proxy could not tell.
   */
  bytes: z.number().int().nonnegative().nullable(),
});

/** {@link egressEntrySchema}'s type. */
export type EgressEntry = z.infer<typeof egressEntrySchema>;

/** The environment a work item ran in. */
export const environmentResultSchema = z.object({
  /** The cache key: SHA-256 hex of base image id, manifest bytes, setup script, allowlist, index URL without credentials. */
  key: z.string(),
  /** `backend-agent/env:<key>`, or the base image when `plan.kind === "none"`. */
  image: z.string(),
  /** True when the image was found in the cache and no setup ran. */
  cacheHit: z.boolean(),
  /** When the image was built (ISO 8601), null for the base image. */
  builtAt: z.string().datetime().nullable(),
  /** Packages installed in the venv (the `pip list` count). */
  packages: z.number().int().nonnegative(),
  /** What setup fetched; empty on a cache hit. */
  egress: z.array(egressEntrySchema),
  /** Time this step took, in milliseconds. */
  elapsedMs: z.number().int().nonnegative(),
});

/** {@link environmentResultSchema}'s type. */
export type EnvironmentResult = z.infer<typeof environmentResultSchema>;

/** One cached environment, as `GET /v1/environments` lists it. */
export const environmentImageSchema = z.object({
  key: z.string().describe("The cache key (SHA-256 hex)."),
  image: z.string().describe("`backend-agent/env:<key>`."),
  repo: z.string().describe("`owner/name` it was built for."),
  createdAt: z.string().describe("When it was built (ISO 8601)."),
  sizeBytes: z.number().int().nonnegative().describe("Bytes setup added to the base image."),
  packages: z.number().int().nonnegative().describe("Distributions installed in /opt/venv."),
  lastUsedAt: z.string().nullable().describe(
    "Its last cache hit or build (ISO 8601); null when not recorded.",
  ),
});

/** {@link environmentImageSchema}'s type. */
export type EnvironmentImage = z.infer<typeof environmentImageSchema>;
