/**
 * One setup: an internal network, an egress network (made here unless `SETUP_EGRESS_NETWORK`
 * names one), the proxy container on both and the setup container on the internal one only. Every
 * part is labelled (the reaper knows them) and removed by {@link SetupSession.dispose}, which
 * `await using` runs on every path and an abort runs at once.
 */
import type Docker from "dockerode";
import type { Container, Network } from "dockerode";
import type { EgressEntry, InstallPlan } from "../contracts/environment.ts";
import { SandboxError } from "../errors.ts";
import { execInContainer } from "../sandbox/docker_exec.ts";
import { ProcessStopper } from "../sandbox/process_stopper.ts";
import type { ExecResult } from "../sandbox/sandbox.ts";
import { WORKSPACE } from "../sandbox/sandbox.ts";
import { parseEgressLog } from "./egress_log.ts";
import { ENV_IMAGE_REPO } from "./environment_labels.ts";
import { PROXY_PORT } from "./setup_bodies.ts";
import { describe, type SetupSessionOptions, startSetupParts } from "./setup_parts.ts";

/** What one run of the setup program did. */
export interface SetupRun {
  result: ExecResult;
  /** stdout and stderr as it ran (stderr merged into stdout by the command). */
  output: string;
}

const PROGRAM = ["python3", "-I", "/opt/backend-agent/setup_env.py"];
/** Exit status of {@link SEED_THEN_INSTALL} when the seed archive does not unpack. */
const SEED_FAILED = 96;
/** What {@link SEED_THEN_INSTALL} prints (stderr) last when the seed does not unpack. */
const SEED_FAILURE = "setup: the repository did not unpack into /workspace";
/**
 * `bash -c` script run as the sandbox user in /workspace: read the plan (stdin's first line),
 * unpack the rest of stdin (the seed archive) into /workspace, wait until the proxy (`$0`) accepts
 * a connection, then run `$@` with the plan as its stdin, stderr merged. One exec seeds and
 * installs. Exit {@link SEED_FAILED}: the seed did not unpack (tar's message on stderr).
 */
const SEED_THEN_INSTALL = `unpacked() { echo "${SEED_FAILURE}" >&2; exit ${SEED_FAILED}; }
IFS= read -r plan || unpacked
tar -x --no-same-owner --no-same-permissions -C ${WORKSPACE} -f - || unpacked
for i in $(seq 1 200); do
  (exec 3<>"/dev/tcp/$0/${PROXY_PORT}") 2>/dev/null && exec "$@" 2>&1 <<<"$plan"
  sleep 0.05
done
echo "setup: the egress proxy did not accept connections within 10 s" >&2
exit 97`;
/** squid's access log (`images/python-sandbox/egress/squid.conf`). */
const LOG = "/tmp/egress/access.log";
/** Output kept of a setup run: pip is verbose, and the report is the last line. */
const MAX_SETUP_OUTPUT = 256 * 1024;
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
   * Creates and starts every part. On a failure what was made is removed before the error is thrown.
   * @throws SandboxError naming the part that could not be made.
   */
  static async open(docker: Docker, options: SetupSessionOptions): Promise<SetupSession> {
    const session = new SetupSession(docker, options);
    try {
      await session.#start();
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
    const result = await execInContainer(
      this.#live(this.#setup),
      ["bash", "-c", SEED_THEN_INSTALL, this.options.names.proxy, ...PROGRAM],
      {
        user: "sandbox",
        env,
        // The plan's JSON is one line; the archive follows it as it is (not copied).
        stdin: [new TextEncoder().encode(`${JSON.stringify({ plan })}\n`), seed],
        timeoutMs,
        maxOutputBytes: MAX_SETUP_OUTPUT,
        cwd: WORKSPACE,
      },
    );
    if (result.exitCode === SEED_FAILED && result.stderr.trimEnd().endsWith(SEED_FAILURE)) {
      throw new SandboxError(`Cannot seed setup "${this.options.names.setup}": ${result.stderr.trim()}`);
    }
    return { result, output: result.stdout + result.stderr };
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
    const result = await execInContainer(this.#live(this.#setup), [...PROGRAM, "scan"], {
      user: "sandbox",
      env,
      timeoutMs: 120_000,
      maxOutputBytes: MAX_SETUP_OUTPUT,
      cwd: "/",
    });
    return { result, output: result.stdout + result.stderr };
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
    const failures: unknown[] = [];
    const remove = (containers: Container[]) =>
      Promise.all(
        containers.map((c) => c.remove({ force: true, v: true }).catch((e) => missingOr(e, failures))),
      );
    const others = this.#containers.filter((c) => removing === undefined || c !== this.#proxy);
    await Promise.all([removing, remove(others)]);
    const left = this.#containers.splice(0).filter((c) => !others.includes(c));
    await remove(left);
    await Promise.all(this.#networks.splice(0).map((n) => n.remove().catch((e) => missingOr(e, failures))));
    if (failures.length > 0) {
      throw new SandboxError(
        `Cannot remove every part of setup "${this.options.names.setup}" (the reaper will): ${
          failures.map(describe).join("; ")
        }`,
        { cause: failures[0] },
      );
    }
  }

  #live<T>(part: T | undefined): T {
    if (this.#disposed || part === undefined) {
      throw new SandboxError(`Setup "${this.options.names.setup}" has been removed`);
    }
    return part;
  }
}

function missingOr(error: unknown, failures: unknown[]): void {
  if ((error as { statusCode?: number }).statusCode !== 404) failures.push(error);
}
