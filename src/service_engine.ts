/**
 * One Docker engine's parts, as the composition root builds them: the client, the environment
 * builder and its image cache, and the sandbox factory. Used once with `DOCKER_HOST`, once per
 * engine with `DOCKER_HOSTS` (`service_hosts.ts`).
 */
import type Docker from "dockerode";
import type { Config } from "./config.ts";
import { EnvironmentBuilder } from "./environments/environment_builder.ts";
import type { EnvironmentRequest } from "./environments/environment_provider.ts";
import type { EnvironmentUses } from "./environments/environment_uses.ts";
import { EnvironmentCache } from "./environments/image_cache.ts";
import { pingEngine } from "./sandbox/docker_client.ts";
import { createDockerSandboxFactory } from "./sandbox/docker_sandbox.ts";
import type { SandboxFactory } from "./sandbox/sandbox.ts";

/** One engine's parts. */
export interface Engine {
  /** The engine's URL (`DOCKER_HOSTS`), or `DOCKER_HOST` (default: the local socket). */
  readonly name: string;
  readonly docker: Docker;
  readonly environments: EnvironmentBuilder;
  readonly sandboxes: SandboxFactory;
  /** `signal` ends the request (see `PoolHost.ping`). */
  ping(signal?: AbortSignal): Promise<unknown>;
  /**
   * Whether this engine already holds the environment image `request` needs (false when it needs
   * none, or its key cannot be computed here, e.g. the sandbox image is missing).
   */
  holdsEnvironment(request: Pick<EnvironmentRequest, "spec" | "repo" | "seed">): Promise<boolean>;
}

/** Builds the parts of the engine `docker` answers at. */
export function buildEngine(name: string, docker: Docker, config: Config, uses: EnvironmentUses): Engine {
  const cache = new EnvironmentCache(docker, uses);
  const environments = new EnvironmentBuilder(docker, cache, {
    limits: config.sandbox,
    ...config.environments,
    egressNetwork: config.environments.egressNetwork,
    // Used well before the reaper could take it for a leftover.
    spareMaxAgeMs: Math.floor(config.reapAfterMs / 2),
  });
  return {
    name,
    docker,
    environments,
    sandboxes: createDockerSandboxFactory(docker, {
      limits: config.sandbox,
      // A seed larger than the workspace volume cannot be unpacked into it.
      maxSeedBytes: config.sandbox.workspaceMb * 1024 * 1024,
    }),
    ping: (signal) => pingEngine(docker, signal),
    async holdsEnvironment(request) {
      if (request.spec.plan.kind === "none") return false;
      return (await cache.find(await environments.key(request))) !== undefined;
    },
  };
}
