/**
 * The proxy's settings, read once from the environment and validated.
 *
 * | Variable                 | Default                               |
 * | ------------------------ | ------------------------------------- |
 * | `PROXY_LISTEN`           | `127.0.0.1:2375`                      |
 * | `PROXY_UPSTREAM`         | `/var/run/docker.sock`                |
 * | `PROXY_ALLOWED_IMAGES`   | `backend-agent/python-sandbox:latest` |
 * | `PROXY_ALLOWED_RUNTIMES` | none (the engine's default runtime)   |
 * | `PROXY_MAX_CONNECTIONS`  | `64`                                  |
 * | `PROXY_MAX_BODY_BYTES`   | `262144`                              |
 * | `PROXY_MAX_MEMORY_MB`    | `4096`                                |
 * | `PROXY_MAX_CPUS`         | `4`                                   |
 * | `PROXY_MAX_PIDS`         | `1024`                                |
 * | `PROXY_MAX_TMPFS_MB`     | `2048`                                |
 * | `PROXY_MAX_FILE_MB`      | `1024`                                |
 * | `PROXY_MAX_SANDBOXES`    | `16`                                  |
 * | `PROXY_EGRESS_NETWORK`   | none                                  |
 */
import { z } from "zod";
import { DEFAULT_SANDBOX_LIMITS } from "../sandbox/limits.ts";
import { ProxyConfigError } from "./refusal.ts";
import { DEFAULT_RESOURCE_CAPS, type ResourceCaps } from "./resource_policy.ts";

const MIB = 1024 * 1024;
/** Largest size setting in MiB: its bytes must stay a safe integer. */
const MAX_MB = Math.floor(Number.MAX_SAFE_INTEGER / MIB);

/** Validated proxy settings. */
export interface ProxyConfig {
  /** Address to listen on (TCP). */
  hostname: string;
  /** Port to listen on; 0 picks a free one (tests). */
  port: number;
  /** Path of the engine's unix socket. */
  upstreamSocket: string;
  /** Images a container may be created from, compared as written (`repo:tag`). */
  allowedImages: ReadonlySet<string>;
  /** OCI runtimes a container may ask for (e.g. `runsc`); none means the engine's default only. */
  allowedRuntimes: ReadonlySet<string>;
  /** Most client connections open at once; more get 503. */
  maxConnections: number;
  /** Largest request body accepted; larger ones get 413. */
  maxBodyBytes: number;
  /** The largest memory, CPUs, pids, tmpfs and file size one sandbox may ask for. */
  caps: ResourceCaps;
  /** Most managed containers (and most managed volumes) on the engine; a create past it gets 429. */
  maxSandboxes: number;
  /**
   * The existing network an environment setup's egress proxy container may be created on (the
   * service's `SETUP_EGRESS_NETWORK`); undefined: none, so setups cannot reach out through this proxy.
   */
  egressNetwork: string | undefined;
}

/** The names {@link readProxyConfig} reads (the `--allow-env` list). */
export const PROXY_ENV = [
  "PROXY_LISTEN",
  "PROXY_UPSTREAM",
  "PROXY_ALLOWED_IMAGES",
  "PROXY_ALLOWED_RUNTIMES",
  "PROXY_MAX_CONNECTIONS",
  "PROXY_MAX_BODY_BYTES",
  "PROXY_MAX_MEMORY_MB",
  "PROXY_MAX_CPUS",
  "PROXY_MAX_PIDS",
  "PROXY_MAX_TMPFS_MB",
  "PROXY_MAX_FILE_MB",
  "PROXY_MAX_SANDBOXES",
  "PROXY_EGRESS_NETWORK",
] as const;

type ProxyEnv = Partial<Record<(typeof PROXY_ENV)[number], string>>;

/** `"x"` as the problem lines quote what was given. */
const given = (input: unknown) => `got "${String(input)}"`;

/** A setting that is unset or blank takes `fallback`; otherwise `schema` reads its trimmed text. */
function setting<T extends z.ZodType<unknown, string>>(schema: T, fallback: string) {
  return z.string().optional().transform((value) => value?.trim() || fallback).pipe(schema);
}

/** A positive integer setting no larger than `max`. */
function positiveInt(name: string, fallback: number, max = Number.MAX_SAFE_INTEGER) {
  const most = max < Number.MAX_SAFE_INTEGER ? ` no larger than ${max}` : "";
  const problem = (issue: { input?: unknown }) =>
    `${name} must be a positive integer${most}, ${given(issue.input)}`;
  return setting(
    z.string().regex(/^[0-9]+$/, { error: problem }).refine((text) => {
      const n = Number(text);
      return n > 0 && n <= max;
    }, { error: problem }).transform(Number),
    String(fallback),
  );
}

/** A size setting in MiB, as bytes (its bytes must stay a safe integer). */
const megabytes = (name: string, fallbackBytes: number) =>
  positiveInt(name, fallbackBytes / MIB, MAX_MB).transform((mb) => mb * MIB);

/** A comma-separated list. */
const list = (fallback: string) =>
  z.string().optional().transform((value) =>
    (value ?? fallback).split(",").map((item) => item.trim()).filter((item) => item.length > 0)
  );

/** Image references as written (`repo:tag`, `repo@digest`). */
const IMAGE_REFERENCE = /^[a-z0-9][a-z0-9._\/:@-]*$/;

/** The proxy's settings: each `PROXY_*` variable, its default and its rule, once. */
const proxySettingsSchema = z.object({
  PROXY_LISTEN: setting(
    z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/, {
      error: (issue) => `PROXY_LISTEN must be host:port, ${given(issue.input)}`,
    }).transform((listen) => {
      const colon = listen.lastIndexOf(":");
      return {
        hostname: listen.slice(0, colon).replace(/^\[|\]$/g, ""),
        port: Number(listen.slice(colon + 1)),
      };
    }).refine((address) => address.port <= 65535, {
      error: (issue) => `PROXY_LISTEN must be host:port, ${given(JSON.stringify(issue.input))}`,
    }),
    "127.0.0.1:2375",
  ),
  PROXY_UPSTREAM: setting(
    z.string().transform((path) => path.replace(/^unix:\/\//, "")).refine((path) => path.startsWith("/"), {
      error: (issue) => `PROXY_UPSTREAM must be an absolute unix socket path, ${given(issue.input)}`,
    }),
    "/var/run/docker.sock",
  ),
  PROXY_ALLOWED_IMAGES: list(DEFAULT_SANDBOX_LIMITS.image).check((context) => {
    if (context.value.length === 0) {
      context.issues.push({
        code: "custom",
        input: context.value,
        message: "PROXY_ALLOWED_IMAGES must name at least one image",
      });
    }
    for (const image of context.value) {
      if (!IMAGE_REFERENCE.test(image)) {
        context.issues.push({
          code: "custom",
          input: image,
          message: `PROXY_ALLOWED_IMAGES: "${image}" is not an image reference`,
        });
      }
    }
  }),
  PROXY_ALLOWED_RUNTIMES: list(""),
  PROXY_MAX_CONNECTIONS: positiveInt("PROXY_MAX_CONNECTIONS", 64),
  PROXY_MAX_BODY_BYTES: positiveInt("PROXY_MAX_BODY_BYTES", 256 * 1024),
  PROXY_MAX_MEMORY_MB: megabytes("PROXY_MAX_MEMORY_MB", DEFAULT_RESOURCE_CAPS.maxMemoryBytes),
  PROXY_MAX_CPUS: setting(
    z.string().regex(/^[0-9]{1,4}(\.[0-9]{1,3})?$/, {
      error: (issue) =>
        `PROXY_MAX_CPUS must be a positive number of CPUs (e.g. 4 or 0.5), ${given(issue.input)}`,
    }).transform(Number).refine((cpus) => cpus > 0, {
      error: (issue) =>
        `PROXY_MAX_CPUS must be a positive number of CPUs (e.g. 4 or 0.5), ${given(issue.input)}`,
    }).transform((cpus) => Math.round(cpus * 1e9)),
    String(DEFAULT_RESOURCE_CAPS.maxNanoCpus / 1e9),
  ),
  PROXY_MAX_PIDS: positiveInt("PROXY_MAX_PIDS", DEFAULT_RESOURCE_CAPS.maxPids),
  PROXY_MAX_TMPFS_MB: megabytes("PROXY_MAX_TMPFS_MB", DEFAULT_RESOURCE_CAPS.maxTmpfsBytes),
  PROXY_MAX_FILE_MB: megabytes("PROXY_MAX_FILE_MB", DEFAULT_RESOURCE_CAPS.maxFileBytes),
  PROXY_MAX_SANDBOXES: positiveInt("PROXY_MAX_SANDBOXES", 16),
  PROXY_EGRESS_NETWORK: z.string().optional().transform((value) => value?.trim() || undefined).refine(
    (name) => name === undefined || /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(name),
    { error: (issue) => `PROXY_EGRESS_NETWORK must be a Docker network name, ${given(issue.input)}` },
  ),
});

/**
 * Builds the config from `env` (e.g. `Deno.env.toObject()` filtered to {@link PROXY_ENV}).
 * @throws ProxyConfigError naming every invalid setting.
 */
export function readProxyConfig(env: ProxyEnv): ProxyConfig {
  const parsed = proxySettingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message);
    throw new ProxyConfigError(`Invalid proxy settings: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  return {
    hostname: e.PROXY_LISTEN.hostname,
    port: e.PROXY_LISTEN.port,
    upstreamSocket: e.PROXY_UPSTREAM,
    allowedImages: new Set(e.PROXY_ALLOWED_IMAGES),
    allowedRuntimes: new Set(e.PROXY_ALLOWED_RUNTIMES),
    maxConnections: e.PROXY_MAX_CONNECTIONS,
    maxBodyBytes: e.PROXY_MAX_BODY_BYTES,
    caps: {
      maxMemoryBytes: e.PROXY_MAX_MEMORY_MB,
      maxNanoCpus: e.PROXY_MAX_CPUS,
      maxPids: e.PROXY_MAX_PIDS,
      maxTmpfsBytes: e.PROXY_MAX_TMPFS_MB,
      maxFileBytes: e.PROXY_MAX_FILE_MB,
    },
    maxSandboxes: e.PROXY_MAX_SANDBOXES,
    egressNetwork: e.PROXY_EGRESS_NETWORK,
  };
}
