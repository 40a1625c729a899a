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

/**
 * Builds the config from `env` (e.g. `Deno.env.toObject()` filtered to {@link PROXY_ENV}).
 * @throws ProxyConfigError naming every invalid setting.
 */
export function readProxyConfig(env: ProxyEnv): ProxyConfig {
  const problems: string[] = [];
  const listen = (env.PROXY_LISTEN ?? "127.0.0.1:2375").trim();
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(listen);
  const port = Number(match?.[2]);
  if (!match || port > 65535) problems.push(`PROXY_LISTEN must be host:port, got "${listen}"`);
  const upstream = (env.PROXY_UPSTREAM ?? "/var/run/docker.sock").trim().replace(/^unix:\/\//, "");
  if (!upstream.startsWith("/")) {
    problems.push(`PROXY_UPSTREAM must be an absolute unix socket path, got "${upstream}"`);
  }
  const images = list(env.PROXY_ALLOWED_IMAGES ?? DEFAULT_SANDBOX_LIMITS.image);
  if (images.length === 0) problems.push("PROXY_ALLOWED_IMAGES must name at least one image");
  for (const image of images) {
    if (!/^[a-z0-9][a-z0-9._\/:@-]*$/.test(image)) {
      problems.push(`PROXY_ALLOWED_IMAGES: "${image}" is not an image reference`);
    }
  }
  const runtimes = list(env.PROXY_ALLOWED_RUNTIMES ?? "");
  const maxConnections = positiveInt("PROXY_MAX_CONNECTIONS", env.PROXY_MAX_CONNECTIONS, 64, problems);
  const maxBodyBytes = positiveInt("PROXY_MAX_BODY_BYTES", env.PROXY_MAX_BODY_BYTES, 256 * 1024, problems);
  const mb = (name: "PROXY_MAX_MEMORY_MB" | "PROXY_MAX_TMPFS_MB" | "PROXY_MAX_FILE_MB", fallback: number) =>
    positiveInt(name, env[name], fallback / MIB, problems, MAX_MB) * MIB;
  const caps: ResourceCaps = {
    maxMemoryBytes: mb("PROXY_MAX_MEMORY_MB", DEFAULT_RESOURCE_CAPS.maxMemoryBytes),
    maxNanoCpus: cpus(env.PROXY_MAX_CPUS, DEFAULT_RESOURCE_CAPS.maxNanoCpus, problems),
    maxPids: positiveInt("PROXY_MAX_PIDS", env.PROXY_MAX_PIDS, DEFAULT_RESOURCE_CAPS.maxPids, problems),
    maxTmpfsBytes: mb("PROXY_MAX_TMPFS_MB", DEFAULT_RESOURCE_CAPS.maxTmpfsBytes),
    maxFileBytes: mb("PROXY_MAX_FILE_MB", DEFAULT_RESOURCE_CAPS.maxFileBytes),
  };
  const maxSandboxes = positiveInt("PROXY_MAX_SANDBOXES", env.PROXY_MAX_SANDBOXES, 16, problems);
  const egressNetwork = env.PROXY_EGRESS_NETWORK?.trim() || undefined;
  if (egressNetwork !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(egressNetwork)) {
    problems.push(`PROXY_EGRESS_NETWORK must be a Docker network name, got "${egressNetwork}"`);
  }
  if (problems.length > 0) throw new ProxyConfigError(`Invalid proxy settings: ${problems.join("; ")}`);
  return {
    hostname: match![1]!.replace(/^\[|\]$/g, ""),
    port,
    upstreamSocket: upstream,
    allowedImages: new Set(images),
    allowedRuntimes: new Set(runtimes),
    maxConnections,
    maxBodyBytes,
    caps,
    maxSandboxes,
    egressNetwork,
  };
}

function list(value: string): string[] {
  return value.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}

function positiveInt(
  name: string,
  value: string | undefined,
  fallback: number,
  problems: string[],
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > max) {
    const most = max < Number.MAX_SAFE_INTEGER ? ` no larger than ${max}` : "";
    problems.push(`${name} must be a positive integer${most}, got "${value}"`);
    return fallback;
  }
  return n;
}

/** `PROXY_MAX_CPUS` (e.g. `4`, `0.5`) as NanoCpus. */
function cpus(value: string | undefined, fallback: number, problems: string[]): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value.trim());
  if (!/^[0-9]{1,4}(\.[0-9]{1,3})?$/.test(value.trim()) || n <= 0) {
    problems.push(`PROXY_MAX_CPUS must be a positive number of CPUs (e.g. 4 or 0.5), got "${value}"`);
    return fallback;
  }
  return Math.round(n * 1e9);
}
