/**
 * The resource bounds of a sandbox, as the rows of the `HostConfig` policy
 * table they check: memory (without swap), CPUs and pids set and each at most
 * its `PROXY_MAX_*` cap; ulimits only for open files, file size and core
 * dumps, each under a cap; every tmpfs sized and under a cap; and the
 * container's log rotated within a fixed size. The policy elsewhere makes a
 * sandbox harmless; these make it small.
 */
import { brief } from "./body_check.ts";
import type { Fields } from "./policy_engine.ts";
import { all, defaultsTo, must, optional, required } from "./rule_combinators.ts";
import { sizeBytes, tmpfsMounts } from "./tmpfs_size.ts";
import { listOf, object, positiveInteger, stringMap } from "./type_rules.ts";
import { ulimit } from "./ulimit_rule.ts";
import { atMost, oneOf, type Setting } from "./value_rules.ts";

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

/** What the resource rules read from the settings. */
export interface Capped {
  caps: ResourceCaps;
}

const MEMORY: Setting<Capped> = ({ caps }) => ({
  cap: caps.maxMemoryBytes,
  name: `PROXY_MAX_MEMORY_MB=${caps.maxMemoryBytes / MIB}`,
});
const CPUS: Setting<Capped> = ({ caps }) => ({
  cap: caps.maxNanoCpus,
  name: `PROXY_MAX_CPUS=${caps.maxNanoCpus / 1e9}`,
});
const PIDS: Setting<Capped> = ({ caps }) => ({ cap: caps.maxPids, name: `PROXY_MAX_PIDS=${caps.maxPids}` });

/** The size cap of a tmpfs mount or a tmpfs volume. */
export const TMPFS: Setting<{ caps: Pick<ResourceCaps, "maxTmpfsBytes"> }> = ({ caps }) => ({
  cap: caps.maxTmpfsBytes,
  name: `PROXY_MAX_TMPFS_MB=${caps.maxTmpfsBytes / MIB}`,
});

/** The ulimits a sandbox may set, each with the cap of its `Hard` value. */
const ULIMITS: Record<string, Setting<Capped>> = {
  nofile: () => ({ cap: MAX_OPEN_FILES, name: "the proxy's cap" }),
  fsize: ({ caps }) => ({ cap: caps.maxFileBytes, name: `PROXY_MAX_FILE_MB=${caps.maxFileBytes / MIB}` }),
  core: () => ({ cap: 0, name: "no core dumps" }),
};

/** `HostConfig.LogConfig.Config`: both rotation settings, within the fixed caps. */
const LOG_ROTATION: Fields = {
  "max-size": must(
    (v) => {
      const bytes = sizeBytes(String(v ?? "")) ?? 0;
      return bytes > 0 && bytes <= MAX_LOG_FILE_BYTES;
    },
    (v) => `must be set, at most ${MAX_LOG_FILE_BYTES / MIB}m, got ${brief(v)}`,
  ),
  "max-file": must(
    (v) => /^[1-9][0-9]{0,2}$/.test(String(v ?? "")) && Number(v) <= MAX_LOG_FILES,
    (v) => `must be set, at most ${MAX_LOG_FILES}, got ${brief(v)}`,
  ),
};

/** The resource rows of the `HostConfig` table, in the order they are checked. */
export const RESOURCE_FIELDS: Fields<Capped> = {
  Memory: all(positiveInteger, atMost(MEMORY)),
  MemorySwap: must((v, { parent }) => v === parent.Memory, "must equal Memory (no swap)"),
  NanoCpus: all(positiveInteger, atMost(CPUS)),
  PidsLimit: all(positiveInteger, atMost(PIDS)),
  Ulimits: optional(listOf(ulimit(ULIMITS))),
  Tmpfs: optional(tmpfsMounts(TMPFS)),
  LogConfig: required(
    'is required: {"Type": "json-file", "Config": {"max-size", "max-file"}}',
    object({
      Type: oneOf("json-file", "local"),
      Config: defaultsTo({}, all(stringMap, object(LOG_ROTATION))),
    }),
  ),
};
