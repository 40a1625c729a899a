/**
 * The Docker engines the service runs sandboxes on: the one at `DOCKER_HOST` (everything on it, as
 * before), or the pool of `DOCKER_HOSTS` (`sandbox/docker_host_pool.ts`: each work item on the
 * least-loaded engine that answers, preferring one that holds its environment image, at most
 * `SANDBOXES_PER_HOST` per engine, counted across replicas when a slot ledger is given). Also what `/readyz` reports of them, the environment listing
 * and the reaper over all of them.
 */
import type { Config } from "./config.ts";
import type { DockerHostsConfig } from "./config_docker_hosts.ts";
import type { EnvironmentUses } from "./environments/environment_uses.ts";
import type { EnvironmentImage } from "./contracts/environment.ts";
import { errorText, logger } from "./logging.ts";
import { type HostPlacement, oneHost } from "./pipeline/host_placement.ts";
import { createDockerClient, dockerClientFor, pingEngine } from "./sandbox/docker_client.ts";
import { DockerHostPool } from "./sandbox/docker_host_pool.ts";
import type { SlotLedger } from "./sandbox/slot_ledger.ts";
import type { DockerHostState } from "./contracts/docker_host_state.ts";
import { containerEnded, type GuardedHost, guardSandboxes, onHost } from "./sandbox/host_guard.ts";
import { LABELS } from "./sandbox/limits.ts";
import { type ReapOptions, reapSandboxes } from "./sandbox/reaper.ts";
import { buildEngine, type Engine } from "./service_engine.ts";
import { sandboxImageProblems } from "./sandbox/sandbox_image.ts";

const hostsLog = logger("docker-hosts");

/**
 * A ping of the pool's monitor slower than this fails (the engine is then down): long enough that a
 * busy engine is not taken for a dead one.
 */
const PING_TIMEOUT_MS = 5_000;

/** A ping `/readyz` makes itself: below its own 2 s bound. */
const READYZ_PING_TIMEOUT_MS = 1_500;

/** What `/readyz` asks of the engines. */
export interface EngineReadiness {
  /** Resolves when an engine answers (with a pool: any of them). */
  ping(signal?: AbortSignal): Promise<unknown>;
  /** With a pool: every engine's state, each pinged now. */
  hosts?: () => Promise<DockerHostState[]>;
}

/** The engines, built. */
export interface SandboxHosts {
  placement: HostPlacement;
  /** The environment images of every engine that answers (one entry per key). */
  environments: { list(): Promise<EnvironmentImage[]> };
  readiness: EngineReadiness;
  /** Runs the reaper on every engine that answers; returns what it removed. */
  reap(options?: ReapOptions): Promise<string[]>;
  /**
   * Stops the pings and removes the spare egress pair of each engine that answers (one that cannot
   * be removed is logged; the reaper removes it, and those of engines that are down).
   */
  close(): Promise<void>;
}

/**
 * Builds the engines of `config` and, with a pool, pings them all before it returns. `ledger`
 * (replicas on PostgreSQL) counts the pool's slots across every replica sharing it.
 */
export async function openSandboxHosts(
  config: Config,
  uses: EnvironmentUses,
  ledger?: SlotLedger,
): Promise<SandboxHosts> {
  if (!config.dockerHosts) {
    const engine = buildEngine(
      config.dockerHost ?? "local",
      createDockerClient(config.dockerHost),
      config,
      uses,
    );
    return {
      placement: oneHost(engine.environments, engine.sandboxes),
      environments: engine.environments,
      readiness: { ping: engine.ping },
      reap: (options) => reapSandboxes(engine.docker, options),
      close: () => closeEngines([engine]),
    };
  }
  return await openPool(config, config.dockerHosts, uses, ledger);
}

/** What `/readyz` needs, without building engines (a service whose pipeline is injected). */
export function engineReadiness(config: Config): EngineReadiness {
  if (!config.dockerHosts) {
    const docker = createDockerClient(config.dockerHost);
    return { ping: (signal) => pingEngine(docker, signal) };
  }
  const pool = new DockerHostPool(
    config.dockerHosts.endpoints.map((e) => {
      const docker = dockerClientFor(e);
      return { name: e.url, ping: (signal?: AbortSignal) => pingEngine(docker, signal) };
    }),
    { capacity: config.dockerHosts.sandboxesPerHost, pingTimeoutMs: READYZ_PING_TIMEOUT_MS },
  );
  return poolReadiness(() => pool.check());
}

/** Readiness from the engines' states: pinged now (`check`), or as the pool's monitor last saw them. */
function poolReadiness(states: () => Promise<DockerHostState[]>): EngineReadiness {
  return {
    async ping() {
      if (!(await states()).some((s) => s.status === "up")) {
        throw new Error("no Docker host of DOCKER_HOSTS answers");
      }
    },
    hosts: states,
  };
}

async function openPool(
  config: Config,
  hosts: DockerHostsConfig,
  uses: EnvironmentUses,
  ledger: SlotLedger | undefined,
): Promise<SandboxHosts> {
  const engines = hosts.endpoints.map((e) => buildEngine(e.url, dockerClientFor(e), config, uses));
  /** Per engine, sandboxes that could not be removed while it was down. */
  const lost = new Map<string, Set<string>>(engines.map((e) => [e.name, new Set<string>()]));
  const pool: DockerHostPool<Engine> = new DockerHostPool(engines, {
    capacity: hosts.sandboxesPerHost,
    pingTimeoutMs: PING_TIMEOUT_MS,
    ...(ledger ? { ledger } : {}),
    onUp: async (name) => {
      hostsLog.info("Docker host {host} answers again", { host: name });
      const engine = engines.find((e) => e.name === name)!;
      for (const sandbox of [...lost.get(name)!]) {
        for (const label of [sandbox, `${sandbox}-workspace`]) {
          await reapSandboxes(engine.docker, { withLabels: { [LABELS.sandbox]: label } });
        }
        lost.get(name)!.delete(sandbox);
      }
      // Its spare egress pair stopped with it: removed, and made again after the next setup there.
      await engine.environments.dropSpare();
    },
    onDown: (name, error) => hostsLog.warn("Docker host {host} is down: {error}", { host: name, error }),
    onError: (error) =>
      hostsLog.warn("Docker host check or slot count failed: {error}", { error: errorText(error) }),
  });
  await pool.start(hosts.pingIntervalMs);
  const guardOf = (engine: Engine): GuardedHost => ({
    name: engine.name,
    confirmUp: () => pool.confirmUp(engine),
    lost: (sandbox) => lost.get(engine.name)!.add(sandbox),
    sandboxEnded: (sandbox) => containerEnded(engine.docker, sandbox),
  });
  const live = () => engines.filter((e) => pool.states().find((s) => s.host === e.name)?.status === "up");
  return {
    placement: {
      async place(request) {
        const { environment } = request;
        const slot = await pool.acquire({
          ...("spec" in environment
            ? {
              prefer: (engine: Engine) =>
                engine.holdsEnvironment({ spec: environment.spec, repo: request.repo, seed: request.seed }),
            }
            : {}),
          onWait: request.onWait,
          ...(request.signal ? { signal: request.signal } : {}),
        });
        const engine = slot.host;
        const guard = guardOf(engine);
        return {
          host: engine.name,
          sandboxes: guardSandboxes(engine.sandboxes, guard),
          environments: {
            prepare: (r) => onHost(guard, () => engine.environments.prepare(r)),
            list: () => engine.environments.list(),
          },
          [Symbol.asyncDispose]: () => slot[Symbol.asyncDispose](),
        };
      },
    },
    environments: {
      async list() {
        const seen = new Map<string, EnvironmentImage>();
        for (const engine of live()) {
          const images = await engine.environments.list().catch(() => []);
          for (const image of images) if (!seen.has(image.key)) seen.set(image.key, image);
        }
        return [...seen.values()];
      },
    },
    // The monitor's view (pinged every DOCKER_HOSTS_PING_MS): /readyz never waits on a slow engine.
    readiness: poolReadiness(() => Promise.resolve(pool.states())),
    async reap(options) {
      const removed: string[] = [];
      for (const engine of live()) {
        try {
          removed.push(...await reapSandboxes(engine.docker, options));
        } catch (error) {
          hostsLog.warn("reaper failed on Docker host {host}: {error}", {
            host: engine.name,
            error: errorText(error),
          });
        }
      }
      return removed;
    },
    // Engines the monitor saw down are left to the reaper: a call to one could wait long.
    close: () => {
      const up = live();
      pool.stop();
      return closeEngines(up);
    },
  };
}

/**
 * `/readyz`'s sandbox image check: `SANDBOX_IMAGE` inspected on each engine (through the Docker API
 * proxy where `DOCKER_HOST` names one); see `sandbox/sandbox_image.ts`.
 */
export function sandboxImageReadiness(config: Config): (signal?: AbortSignal) => Promise<string[]> {
  const engines = config.dockerHosts
    ? config.dockerHosts.endpoints.map((e) => ({ name: e.url, docker: dockerClientFor(e) }))
    : [{ name: config.dockerHost ?? "local", docker: createDockerClient(config.dockerHost) }];
  return (signal) => sandboxImageProblems(engines, config.sandbox.image, signal);
}

/** Closes each engine's environments (their spare egress pairs); a failure is logged. */
async function closeEngines(engines: readonly Engine[]): Promise<void> {
  await Promise.all(
    engines.map((engine) =>
      engine.environments.close().catch((error) =>
        hostsLog.warn("cannot close the environments of Docker host {host}: {error}", {
          host: engine.name,
          error: errorText(error),
        })
      )
    ),
  );
}
