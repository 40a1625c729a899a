/**
 * The resource bounds of a sandbox in a create body: memory (without swap),
 * CPUs and pids set and each at most its `PROXY_MAX_*` cap; ulimits only for
 * open files, file size and core dumps, each under a cap; every tmpfs sized
 * and under a cap; and the container's log rotated within a fixed size. The
 * policy elsewhere makes a sandbox harmless; these make it small.
 */
import { BodyCheck, brief, type JsonObject } from "./body_check.ts";
import { checkTmpfsSize, sizeBytes } from "./tmpfs_size.ts";

const MIB = 1024 * 1024;

/** The largest size one sandbox may ask for (from the `PROXY_MAX_*` settings). */
export interface ResourceCaps {
  /** Largest `Memory` (which `MemorySwap` must equal), bytes: `PROXY_MAX_MEMORY_MB`. */
  maxMemoryBytes: number;
  /** Largest `NanoCpus`: `PROXY_MAX_CPUS` × 10⁹. */
  maxNanoCpus: number;
  /** Largest `PidsLimit`: `PROXY_MAX_PIDS`. */
  maxPids: number;
  /** Largest `size=` of a tmpfs mount or a tmpfs volume, bytes: `PROXY_MAX_TMPFS_MB`. */
  maxTmpfsBytes: number;
  /** Largest `fsize` ulimit, bytes: `PROXY_MAX_FILE_MB`. */
  maxFileBytes: number;
}

/** The caps when no `PROXY_MAX_*` is set: four times the service's own defaults or more. */
export const DEFAULT_RESOURCE_CAPS: ResourceCaps = {
  maxMemoryBytes: 4096 * MIB,
  maxNanoCpus: 4e9,
  maxPids: 1024,
  maxTmpfsBytes: 2048 * MIB,
  maxFileBytes: 1024 * MIB,
};

/** Largest `nofile` ulimit (the service asks for 1024). */
export const MAX_OPEN_FILES = 65536;

/** Largest `max-size` of one log file (the service asks for 1m). */
export const MAX_LOG_FILE_BYTES = 16 * MIB;

/** Most log files kept (the service asks for 1). */
export const MAX_LOG_FILES = 4;

/**
 * Checks the resource fields of a create body's `HostConfig`.
 * @throws ProxyRefusal 403 naming the field and the cap.
 */
export function checkResources(host: JsonObject, caps: ResourceCaps, check: BodyCheck): void {
  const at = "HostConfig.";
  const memory = check.positiveInteger(host, "Memory", at);
  if (memory > caps.maxMemoryBytes) {
    check.fail(
      `${at}Memory`,
      atMost(caps.maxMemoryBytes, `PROXY_MAX_MEMORY_MB=${caps.maxMemoryBytes / MIB}`, memory),
    );
  }
  if (host.MemorySwap !== memory) check.fail(`${at}MemorySwap`, "must equal Memory (no swap)");
  const cpus = check.positiveInteger(host, "NanoCpus", at);
  if (cpus > caps.maxNanoCpus) {
    check.fail(`${at}NanoCpus`, atMost(caps.maxNanoCpus, `PROXY_MAX_CPUS=${caps.maxNanoCpus / 1e9}`, cpus));
  }
  const pids = check.positiveInteger(host, "PidsLimit", at);
  if (pids > caps.maxPids) {
    check.fail(`${at}PidsLimit`, atMost(caps.maxPids, `PROXY_MAX_PIDS=${caps.maxPids}`, pids));
  }
  checkUlimits(host.Ulimits, caps, check);
  const tmpfs = check.stringMap(host, "Tmpfs", at) ?? {};
  for (const [target, options] of Object.entries(tmpfs)) {
    checkTmpfsSize(options, `${at}Tmpfs[${brief(target)}]`, caps.maxTmpfsBytes, "PROXY_MAX_TMPFS_MB", check);
  }
  checkLogConfig(host, check);
}

function atMost(cap: number, setting: string, got: number): string {
  return `must be at most ${cap} (${setting}), got ${got}`;
}

function checkUlimits(ulimits: unknown, caps: ResourceCaps, check: BodyCheck): void {
  if (ulimits == null) return;
  if (!Array.isArray(ulimits)) check.fail("HostConfig.Ulimits", "must be a list");
  const limits: Record<string, [number, string]> = {
    nofile: [MAX_OPEN_FILES, "the proxy's cap"],
    fsize: [caps.maxFileBytes, `PROXY_MAX_FILE_MB=${caps.maxFileBytes / MIB}`],
    core: [0, "no core dumps"],
  };
  for (const [i, u] of ulimits.entries()) {
    const at = `HostConfig.Ulimits[${i}]`;
    const ok = typeof u === "object" && u !== null && !Array.isArray(u) &&
      Object.keys(u).every((k) => ["Name", "Soft", "Hard"].includes(k)) && typeof u.Name === "string" &&
      Number.isSafeInteger(u.Soft) && Number.isSafeInteger(u.Hard);
    if (!ok) check.fail(at, "must be {Name, Soft, Hard}");
    const { Name: name, Soft: soft, Hard: hard } = u as { Name: string; Soft: number; Hard: number };
    const limit = Object.hasOwn(limits, name) ? limits[name] : undefined;
    if (!limit) check.fail(`${at}.Name`, `may only be nofile, fsize or core, got ${brief(name)}`);
    // -1 would mean unlimited.
    if (soft < 0 || soft > hard) check.fail(at, `${name} needs 0 <= Soft <= Hard, got ${soft} and ${hard}`);
    if (hard > limit[0]) check.fail(`${at}.Hard`, `${name} ${atMost(limit[0], limit[1], hard)}`);
  }
}

function checkLogConfig(host: JsonObject, check: BodyCheck): void {
  const at = "HostConfig.LogConfig";
  const log = check.object(host, "LogConfig", "HostConfig.");
  if (!log) check.fail(at, 'is required: {"Type": "json-file", "Config": {"max-size", "max-file"}}');
  check.onlyKeys(log, ["Type", "Config"], `${at}.`);
  if (!["json-file", "local"].includes(log.Type as string)) {
    check.fail(`${at}.Type`, `must be "json-file" or "local", got ${brief(log.Type)}`);
  }
  const config = check.stringMap(log, "Config", `${at}.`) ?? {};
  check.onlyKeys(config, ["max-size", "max-file"], `${at}.Config.`);
  const bytes = sizeBytes(config["max-size"] ?? "") ?? 0;
  if (bytes === 0 || bytes > MAX_LOG_FILE_BYTES) {
    check.fail(
      `${at}.Config.max-size`,
      `must be set, at most ${MAX_LOG_FILE_BYTES / MIB}m, got ${brief(config["max-size"])}`,
    );
  }
  const files = /^[1-9][0-9]{0,2}$/.test(config["max-file"] ?? "") ? Number(config["max-file"]) : NaN;
  if (!(files <= MAX_LOG_FILES)) {
    check.fail(
      `${at}.Config.max-file`,
      `must be set, at most ${MAX_LOG_FILES}, got ${brief(config["max-file"])}`,
    );
  }
}
