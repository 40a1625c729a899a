/**
 * Where a work item runs: the engine its environment is prepared on and its sandbox created on,
 * held for the work item's whole use of it. One engine (`DOCKER_HOST`) places everything on itself;
 * a pool (`DOCKER_HOSTS`) picks one per work item (`service_hosts.ts`).
 */
import type { Environments } from "../environments/environment_provider.ts";
import type { SandboxFactory } from "../sandbox/sandbox.ts";
import type { JobEnvironmentSpec } from "./work_item_environment.ts";

/** What placement looks at. */
export interface PlacementRequest {
  /** The job's environment spec: engines already holding its image are preferred. */
  environment: JobEnvironmentSpec;
  /** The seed archive (a setup script's environment is keyed by it). */
  seed: Uint8Array;
  /** `owner/name`. */
  repo: string;
  /** Called once when every engine is full and the work item waits for a slot. */
  onWait: () => Promise<void>;
  /** Aborting ends a wait. */
  signal?: AbortSignal;
}

/** One work item's engine; disposing it frees the slot. */
export interface PlacedHost extends AsyncDisposable {
  /** The engine's URL (`DOCKER_HOSTS`); undefined with one engine. */
  readonly host?: string;
  readonly environments: Environments;
  readonly sandboxes: SandboxFactory;
}

/** Picks each work item's engine. */
export interface HostPlacement {
  /**
   * Reserves an engine for one work item.
   * @throws NoDockerHostError when no engine of the pool answers.
   */
  place(request: PlacementRequest): Promise<PlacedHost>;
}

/** Everything on one engine: no choice, no cap. */
export function oneHost(environments: Environments, sandboxes: SandboxFactory): HostPlacement {
  const placed: PlacedHost = { environments, sandboxes, [Symbol.asyncDispose]: () => Promise.resolve() };
  return { place: () => Promise.resolve(placed) };
}
