/** What environments need from config; every field is required (defaults live in the config schema). */
import type { SandboxLimits } from "../sandbox/limits.ts";
import type { PackageIndex } from "./package_index.ts";

/** Settings of {@link EnvironmentBuilder}. */
export interface EnvironmentSettings {
  /** The sandbox's limits; setup and proxy containers share its hardening, and `image` is the base. */
  limits: SandboxLimits;
  /** `PIP_INDEX_URL`. */
  index: PackageIndex;
  /** `PIP_EXTRA_INDEX_URL`, in order. */
  extraIndexes: readonly PackageIndex[];
  /** `SETUP_ALLOWED_HOSTS`: hosts allowed besides the indexes'. */
  allowedHosts: readonly string[];
  /** `SETUP_TIMEOUT_MS`: the whole setup, from its first container to its image. */
  setupTimeoutMs: number;
  /** `ENV_CACHE_MAX`: most environment images kept. */
  cacheMax: number;
  /** `SETUP_EGRESS_NETWORK`: an existing network the proxy reaches out through; undefined: one per setup. */
  egressNetwork: string | undefined;
  /**
   * Keep a spare internal network and egress proxy ready for the next setup on the engine, used
   * while younger than this (ms; the composition root gives half of `SANDBOX_REAP_AFTER_MS`);
   * null: none, each setup makes its own.
   */
  spareMaxAgeMs: number | null;
}
