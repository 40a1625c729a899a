/**
 * One setup: an internal network, an egress network (made here unless `SETUP_EGRESS_NETWORK`
 * names one), the proxy container on both (made here, or a spare pair taken over) and the setup
 * container on the internal one only. Every part is labelled (the reaper knows them) and removed
 * by {@link SetupSession.dispose}, which the builder runs on every path (or hands on to be
 * awaited before the work item ends) and an abort runs at once.
 */
import type Docker from "dockerode";
import type { Container, Network } from "dockerode";
import type { EgressEntry, InstallPlan } from "../contracts/environment.ts";
import { SandboxError } from "../errors.ts";
import { execInContainer } from "../sandbox/docker_exec.ts";
import { ProcessStopper } from "../sandbox/process_stopper.ts";
import { parseEgressLog } from "./egress_log.ts";
import { PROXY_PORT } from "./setup_bodies.ts";
import { ENV_IMAGE_REPO } from "./environment_labels.ts";
import {
  missingOr,
  removeParts,
  type SetupSessionOptions,
  startSetupContainer,
  startSetupParts,
  throwRemovalFailures,
} from "./setup_parts.ts";
import type { EgressPair } from "./spare_pair.ts";
import { scanSetup, seedAndInstall, type SetupRun } from "./setup_program.ts";

/** squid's access log (`images/python-sandbox/egress/squid.conf`). */
const LOG = "/tmp/egress/access.log";
const MAX_LOG_BYTES = 1024 * 1024;

/** The parts of one setup, live. */
export class SetupSession implements AsyncDisposable {
  readonly #containers: Container[] = [];
  readonly #networks: Network[] = [];
  #setup: Container | undefined;
  #proxy: Container | undefined;
  /** Settles once the proxy's start succeeded or failed. */
  #proxyStarted: Promise<void> = Promise.resolve();
  /** The proxy's early removal ({@link releaseProxy}); settles without failing. */
  #proxyRemoval: Promise<void> | undefined;
  #disposed: Promise<void> | undefined;

  private constructor(private readonly docker: Docker, private readonly options: SetupSessionOptions) {}

  /**
   * Creates and starts every part, or, given a running `pair` (whose names `options.names` carries),
   * the setup container alone; the session owns the pair from then on. On a failure what was made
   * (and the pair) is removed before the error is thrown.
   * @throws SandboxError naming the part that could not be made.
   */
  static async open(docker: Docker, options: SetupSessionOptions, pair?: EgressPair): Promise<SetupSession> {
    const session = new SetupSession(docker, options);
    try {
      await (pair ? session.#adopt(pair) : session.#start());
      return session;
    } catch (error) {
      await session.dispose().catch(() => undefined);
      throw error;
    }
  }

  /** Makes the parts ({@link startSetupParts}); resolves once the setup container runs. */
  async #start(): Promise<void> {
    const parts = startSetupParts(this.docker, this.options, {
      containers: this.#containers,
      networks: this.#networks,
    });
    this.#proxyStarted = parts.proxy.then((proxy) => {
      this.#proxy = proxy;
    });
    // Handled where it is awaited (install, egress, dispose); this keeps it from floating meanwhile.
    this.#proxyStarted.catch(() => undefined);
    this.#setup = await parts.setup;
  }

  /** Takes `pair` over and starts the setup container on its internal network. */
  async #adopt(pair: EgressPair): Promise<void> {
    this.#containers.push(...pair.made.containers.splice(0));
    this.#networks.push(...pair.made.networks.splice(0));
    this.#proxy = pair.proxy;
    const made = { containers: this.#containers, networks: this.#networks };
    this.#setup = await startSetupContainer(
      this.docker,
      this.options,
      Promise.resolve(pair.names.internalNetwork),
      made,
    );
  }

  /** The proxy URL the setup container uses (`HTTP_PROXY`, `HTTPS_PROXY`). */
  get proxyUrl(): string {
    return `http://${this.options.names.proxy}:${PROXY_PORT}`;
  }

  /**
   * Unpacks the seed archive into the setup container's /workspace (`tar` as the sandbox user, fed
   * over the exec's stdin; the engine's archive API is never used), then runs the setup program on
   * `plan` there with `env` added for this process only (the proxy and the index settings,
   * credentials included: an exec's environment is not part of the container's configuration, so it
   * is not committed). One exec does both; the program starts once the egress proxy accepts
   * connections (the proxy may still be starting when it is called; at most 10 s are waited).
   * @throws SandboxError when the seed does not unpack or the proxy could not be started (the exec
   *   is stopped by dispose).
   */
  async install(
    plan: InstallPlan,
    seed: Uint8Array,
    env: readonly string[],
    timeoutMs: number,
  ): Promise<SetupRun> {
    // Started once the proxy is on the internal network: before, its name does not resolve there,
    // and the engine's resolver stalls on a name it does not know.
    await this.#proxyStarted;
    return await seedAndInstall(this.#live(this.#setup), this.options.names, { plan, seed, env, timeoutMs });
  }

  /**
   * Kills every process of the sandbox user in the setup container (whatever setup left running in
   * the background) and resolves once none is alive, so nothing setup started can write after the
   * credential scan or into the commit. Uses the sandbox's stopper (an execute-only bash the setup
   * user's processes cannot trace).
   * @throws SandboxError when they could not all be stopped; then nothing is committed.
   */
  async stopProcesses(): Promise<void> {
    const stopper = new ProcessStopper(this.#live(this.#setup));
    try {
      await stopper.stop();
    } finally {
      stopper.detach();
    }
  }

  /**
   * Searches what setup may have written for the secrets in `env` (`BACKEND_AGENT_SECRETS`), in a
   * fresh exec of the setup program (`scan`); run after {@link stopProcesses}.
   */
  async scan(env: readonly string[]): Promise<SetupRun> {
    return await scanSetup(this.#live(this.#setup), env);
  }

  /** The proxy's log, read into egress entries. */
  async egress(): Promise<EgressEntry[]> {
    await this.#proxyStarted;
    const result = await execInContainer(this.#live(this.#proxy), ["cat", LOG], {
      user: "sandbox",
      timeoutMs: 10_000,
      maxOutputBytes: MAX_LOG_BYTES,
      cwd: "/",
    });
    return parseEgressLog(result.stdout);
  }

  /**
   * Starts removing the proxy container, once its log has been read: setup needs no network after
   * the install, and the removal overlaps what follows. {@link dispose} waits for it, and removes
   * the proxy again (reporting its failure) if this removal failed.
   */
  releaseProxy(): void {
    if (this.#disposed) return;
    this.#proxyRemoval ??= this.#removeProxy();
  }

  async #removeProxy(): Promise<void> {
    await this.#proxyStarted.catch(() => undefined);
    const proxy = this.#proxy;
    if (!proxy) return;
    const failures: unknown[] = [];
    await proxy.remove({ force: true, v: true }).catch((e) => missingOr(e, failures));
    const at = this.#containers.indexOf(proxy);
    if (failures.length === 0 && at >= 0) this.#containers.splice(at, 1);
  }

  /** Bytes setup wrote into the container's root (its writable layer: what the image adds). */
  async addedBytes(): Promise<number> {
    // `GET /containers/{id}/json?size=1`; dockerode passes the option as the query, its types omit it.
    const inspect = this.#live(this.#setup).inspect as (
      options: { size: boolean },
    ) => Promise<{ SizeRw?: number }>;
    const info = await inspect.call(this.#setup, { size: true });
    return Math.max(0, info.SizeRw ?? 0);
  }

  /**
   * Commits the setup container as `backend-agent/env:<key>` with `labels`. The container's own
   * configuration carries nothing from setup (its environment is the base image's; the proxy and
   * index settings were given per exec), so neither does the image's.
   * @returns the image id.
   */
  async commit(key: string, labels: Record<string, string>): Promise<string> {
    const setup = this.#live(this.#setup);
    const answer = await setup.commit({
      _query: { container: setup.id, repo: ENV_IMAGE_REPO, tag: key, pause: true },
      _body: { Labels: labels },
    }) as { Id?: string };
    if (typeof answer.Id !== "string") {
      throw new SandboxError("The engine gave no id for the committed image");
    }
    return answer.Id;
  }

  /** Removes both containers, then the networks this session made. Idempotent. */
  dispose(): Promise<void> {
    this.#disposed ??= this.#remove();
    return this.#disposed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  async #remove(): Promise<void> {
    // A proxy still being made is waited for, so that what it made is removed too. A proxy being
    // removed already ({@link releaseProxy}) is not removed twice: its removal runs alongside the
    // other containers', and the proxy is removed again only if that failed. The networks go last
    // (a network with a container on it cannot be removed).
    await this.#proxyStarted.catch(() => undefined);
    const removing = this.#proxyRemoval;
    const others = this.#containers.filter((c) => removing === undefined || c !== this.#proxy);
    const [, failures] = await Promise.all([
      removing,
      removeParts({ containers: [...others], networks: [] }),
    ]);
    const left = this.#containers.splice(0).filter((c) => !others.includes(c));
    failures.push(...await removeParts({ containers: left, networks: this.#networks }));
    throwRemovalFailures(`every part of setup "${this.options.names.setup}"`, failures);
  }

  #live<T>(part: T | undefined): T {
    if (this.#disposed || part === undefined) {
      throw new SandboxError(`Setup "${this.options.names.setup}" has been removed`);
    }
    return part;
  }
}
