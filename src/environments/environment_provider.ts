/**
 * The boundary between the pipeline and environments: prepare the environment a work item's
 * sandbox starts from, and list the cached ones. The pipeline turns {@link EnvironmentProgress}
 * into job events; nothing here knows about jobs or GitHub.
 */
import type { EgressEntry, EnvironmentResult, EnvironmentSpec } from "../contracts/environment.ts";
import type { SetupFailure } from "./environment_error.ts";
import type { EnvironmentImage } from "../contracts/environment.ts";

/** What happened, as it happens. */
export type EnvironmentProgress =
  /** Nothing to install: the base image is used, no setup runs. */
  | { phase: "base"; result: EnvironmentResult }
  /** The image was in the cache: no setup runs. */
  | { phase: "cache_hit"; result: EnvironmentResult }
  /** Setup starts: installing from `sources` through the egress proxy allowing `allowlist`. */
  | { phase: "building"; key: string; sources: string[]; allowlist: string[] }
  /** Setup succeeded and its image is cached. */
  | { phase: "built"; result: EnvironmentResult }
  /** Setup failed or timed out: the last lines it printed (redacted) and what it fetched. */
  | {
    phase: "failed";
    key: string;
    failure: SetupFailure;
    reason: string;
    output: string;
    egress: EgressEntry[];
    elapsedMs: number;
  };

/** One environment to prepare. */
export interface EnvironmentRequest {
  spec: EnvironmentSpec;
  /** The seed archive of the repository (entries relative to /workspace). */
  seed: Uint8Array;
  /** `owner/name`, for the image's labels. */
  repo: string;
  /** Base name of the setup's containers and networks (Docker-safe, unique per work item). */
  name: string;
  /** Labels on the setup's containers and networks (the job's). */
  labels: Record<string, string>;
  /** Aborting removes the setup at once; the promise then rejects. */
  signal?: AbortSignal;
  /** Called at each step (awaited). */
  report(progress: EnvironmentProgress): Promise<void>;
  /**
   * Takes the removal of a setup's containers and networks once the build has ended, so that a
   * built environment is returned as soon as its image is committed. The caller awaits the removal
   * before the work item ends; it rejects with a SandboxError naming what could not be removed (the
   * reaper then removes it). Without it, `prepare` awaits the removal itself.
   */
  defer?(removal: Promise<void>): void;
}

/** Prepares and lists environments. */
export interface Environments {
  /**
   * The environment for `request`: the base image (nothing to install), a cached image, or one
   * built now. Requests needing the same key at once build it once.
   * @throws EnvironmentError when setup fails or times out (the work item ends `environment_failed`).
   */
  prepare(request: EnvironmentRequest): Promise<EnvironmentResult>;
  /** The cached environments, most recently used first. */
  list(): Promise<EnvironmentImage[]>;
}
