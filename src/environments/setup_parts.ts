/**
 * How one setup's parts are made, each as soon as what it needs exists: the internal network (and
 * the egress network unless `SETUP_EGRESS_NETWORK` names one); the proxy container started on the
 * egress network while the internal one is made, then connected to it; the setup container started
 * on the internal network only. Every part is labelled (the reaper knows them) and recorded as soon
 * as it exists, for the session to remove.
 */
import type Docker from "dockerode";
import type { Container, Network } from "dockerode";
import { SandboxError } from "../errors.ts";
import type { SandboxLimits } from "../sandbox/limits.ts";
import { setupLabels, type SetupRole } from "./environment_labels.ts";
import { networkBody, proxyContainerBody, setupContainerBody } from "./setup_bodies.ts";

/** The names of one setup's parts, from one base name. */
export interface SetupNames {
  setup: string;
  proxy: string;
  internalNetwork: string;
  egressNetwork: string;
}

/** The names of the setup whose base name is `base` (e.g. `backend-agent-1a2b3c4d-12-env`). */
export function setupNames(base: string): SetupNames {
  return {
    setup: base,
    proxy: `${base}-proxy`,
    internalNetwork: `${base}-internal`,
    egressNetwork: `${base}-egress`,
  };
}

/** What {@link SetupSession.open} needs. */
export interface SetupSessionOptions {
  names: SetupNames;
  /** Extra labels on every part (the job's). */
  labels: Readonly<Record<string, string>>;
  /** Hosts the proxy lets through. */
  allowlist: readonly string[];
  /** The sandbox's limits; the base image is `limits.image`. */
  limits: SandboxLimits;
  /** An existing network to reach out through (`SETUP_EGRESS_NETWORK`); undefined: make one. */
  egressNetwork: string | undefined;
}

/** What was made so far: every part is pushed here once the engine has it. */
export interface MadeParts {
  containers: Container[];
  networks: Network[];
}

/** The two containers, each settling once it runs (the proxy once it has joined the internal network too). */
export interface StartingParts {
  setup: Promise<Container>;
  proxy: Promise<Container>;
}

/** The internal network's name, once made, and the proxy, once it runs on both networks. */
interface StartingPair {
  internal: Promise<string>;
  proxy: Promise<Container>;
}

/**
 * Starts making every part of the setup `options` names, recording each in `made`. The proxy's
 * promise settles only after both networks settled, so once both promises settled every part made
 * is recorded. A failure is a SandboxError naming the part that could not be made.
 */
export function startSetupParts(
  docker: Docker,
  options: SetupSessionOptions,
  made: MadeParts,
): StartingParts {
  const pair = startEgressPair(docker, options, made);
  return { setup: startSetupContainer(docker, options, pair.internal, made), proxy: pair.proxy };
}

/**
 * Starts making the internal network (and the egress network unless `SETUP_EGRESS_NETWORK` names
 * one) and the proxy: started on the egress network while the internal one is made, then connected
 * to it. Each part is recorded in `made` once it exists; the proxy's promise settles only after both
 * networks settled.
 */
export function startEgressPair(
  docker: Docker,
  options: SetupSessionOptions,
  made: MadeParts,
): StartingPair {
  const { names, limits } = options;
  const labels = partLabels(options);
  const network = (name: string, internal: boolean) =>
    step(names, `create the ${internal ? "internal" : "egress"} network`, async () => {
      const role = internal ? "internal-network" : "egress-network";
      made.networks.push(await docker.createNetwork(networkBody(name, internal, labels(name, role))));
      return name;
    });
  const internal = network(names.internalNetwork, true);
  const egress = options.egressNetwork !== undefined
    ? Promise.resolve(options.egressNetwork)
    : network(names.egressNetwork, false);
  const proxy = (async () => {
    const started = await step(names, "start the egress proxy", async () => {
      const created = await docker.createContainer(proxyContainerBody({
        name: names.proxy,
        network: await egress,
        labels: labels(names.proxy, "proxy"),
        allowlist: options.allowlist,
      }, limits));
      made.containers.push(created);
      await created.start();
      return created;
    });
    const joined = await internal;
    await step(names, "connect the egress proxy to the internal network", async () => {
      await docker.getNetwork(joined).connect({ Container: started.id });
    });
    return started;
  })();
  return { internal, proxy };
}

/** Starts the setup container on `internal` once it exists; recorded in `made` once created. */
export async function startSetupContainer(
  docker: Docker,
  options: SetupSessionOptions,
  internal: Promise<string>,
  made: MadeParts,
): Promise<Container> {
  const { names, limits } = options;
  const network = await internal;
  return await step(names, "start the setup container", async () => {
    const created = await docker.createContainer(
      setupContainerBody({
        name: names.setup,
        network,
        labels: partLabels(options)(names.setup, "setup"),
      }, limits),
    );
    made.containers.push(created);
    await created.start();
    return created;
  });
}

/**
 * Removes `made`'s containers, then its networks (a network with a container on it cannot be
 * removed), emptying both lists. @returns the failures (a part already gone is not one).
 */
export async function removeParts(made: MadeParts): Promise<unknown[]> {
  const failures: unknown[] = [];
  await Promise.all(
    made.containers.splice(0).map((c) =>
      c.remove({ force: true, v: true }).catch((e) => missingOr(e, failures))
    ),
  );
  await Promise.all(made.networks.splice(0).map((n) => n.remove().catch((e) => missingOr(e, failures))));
  return failures;
}

/**
 * Throws, when there are `failures` (from {@link removeParts}), a SandboxError saying `what` could
 * not be removed (the reaper will) with the engine's words, caused by the first.
 */
export function throwRemovalFailures(what: string, failures: readonly unknown[]): void {
  if (failures.length === 0) return;
  throw new SandboxError(`Cannot remove ${what} (the reaper will): ${failures.map(describe).join("; ")}`, {
    cause: failures[0],
  });
}

/** Pushes `error` to `failures` unless the engine said the part was gone already (404). */
export function missingOr(error: unknown, failures: unknown[]): void {
  if ((error as { statusCode?: number }).statusCode !== 404) failures.push(error);
}

function partLabels(options: Pick<SetupSessionOptions, "labels">) {
  const now = Date.now();
  return (name: string, role: SetupRole) => setupLabels(name, role, options.labels, now);
}

async function step<T>(names: SetupNames, what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new SandboxError(`Cannot ${what} for setup "${names.setup}": ${describe(error)}`, { cause: error });
  }
}

/** An engine error's message. */
function describe(error: unknown): string {
  const e = error as { json?: { message?: string }; message?: string };
  return e.json?.message ?? e.message ?? String(error);
}
