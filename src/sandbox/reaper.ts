/**
 * The reaper: removes containers, volumes and networks this service labelled
 * and then lost track of (a crash, a kill -9), at start-up and on an interval:
 * sandboxes and their workspace volumes, and an environment setup's containers
 * (setup and egress proxy) and networks (internal and egress), which carry the
 * same labels, with the spare egress pair a setup had taken. Containers go first, so no network is
 * still in use. What a running job uses is kept whatever its age (`isLive`), and so is the spare
 * pair under a setup that is kept.
 */
import type Docker from "dockerode";
import { SETUP_ROLE_LABEL } from "../environments/environment_labels.ts";
import { SPARE_INTERNAL_NETWORK } from "../environments/spare_names.ts";
import { LABELS } from "./limits.ts";

/** Options for {@link reapSandboxes}. */
export interface ReapOptions {
  /**
   * Only remove resources created at least this long ago (config:
   * `SANDBOX_REAP_AFTER_MS`). Default 0: everything labelled, which is right
   * only when no other process shares the engine's sandboxes.
   */
  olderThanMs?: number;
  /** Names to leave alone (sandboxes this process is using). */
  keep?: ReadonlySet<string>;
  /**
   * Only resources that also carry these labels, e.g. one deployment's when
   * several share an engine. Default: every resource this service labelled.
   */
  withLabels?: Record<string, string>;
  /**
   * Whether the job a resource is labelled with (`dev.backend-agent.job`) still runs, on any
   * replica: its resources are kept whatever their age, so a job that runs longer than
   * `olderThanMs` keeps its sandbox. A check that fails counts as running (nothing is removed on a
   * guess). Default: no resource is kept for its job.
   */
  isLive?: (jobId: string) => Promise<boolean>;
  /** Clock. Default `Date.now`. */
  now?: () => number;
}

/**
 * Removes leftover labelled sandboxes and returns the names removed. A
 * resource's age comes from its created-at label, else from the engine.
 * Needs: access to the Docker socket.
 */
export async function reapSandboxes(docker: Docker, options: ReapOptions = {}): Promise<string[]> {
  const cutoff = (options.now ?? Date.now)() - (options.olderThanMs ?? 0);
  const keep = options.keep ?? new Set<string>();
  const extra = Object.entries(options.withLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const filters = JSON.stringify({ label: [`${LABELS.managed}=true`, ...extra] });
  const removed: string[] = [];
  const liveJobs = new Map<string, Promise<boolean>>();
  const live = (job: string) => {
    const check = options.isLive;
    if (!check) return Promise.resolve(false);
    if (!liveJobs.has(job)) liveJobs.set(job, check(job).catch(() => true));
    return liveJobs.get(job)!;
  };
  const stale = async (labels: Record<string, string> | undefined | null, engineCreatedMs: number) => {
    const name = labels?.[LABELS.sandbox];
    const labelled = Number(labels?.[LABELS.createdAt]);
    const created = Number.isFinite(labelled) && labelled > 0 ? labelled : engineCreatedMs;
    if (name === undefined || keep.has(name) || keep.has(name.replace(/-workspace$/, ""))) return false;
    if (created > cutoff) return false;
    const job = labels?.[LABELS.job];
    return job === undefined || !await live(job);
  };
  /** Base names of the spare egress pairs the setups removed here had taken. */
  const pairs = new Set<string>();
  /** Base names of the spare egress pairs under setups that are kept: their parts are kept too. */
  const keptPairs = new Set<string>();
  const pairOf = (info: Docker.ContainerInfo) =>
    info.Labels[SETUP_ROLE_LABEL] === "setup"
      ? Object.keys(info.NetworkSettings?.Networks ?? {}).map((n) => SPARE_INTERNAL_NETWORK.exec(n)?.[1])
        .filter((pair) => pair !== undefined)
      : [];
  const inKeptPair = (labels: Record<string, string> | undefined | null) =>
    [...keptPairs].some((pair) => labels?.[LABELS.sandbox]?.startsWith(`${pair}-`));
  const containers = [];
  for (const info of await docker.listContainers({ all: true, filters })) {
    const isStale = await stale(info.Labels, info.Created * 1000);
    if (isStale) containers.push(info);
    else for (const pair of pairOf(info)) keptPairs.add(pair);
  }
  for (const info of containers) {
    if (inKeptPair(info.Labels)) continue;
    await docker.getContainer(info.Id).remove({ force: true, v: true }).catch(() => undefined);
    removed.push(info.Labels[LABELS.sandbox]!);
    for (const pair of pairOf(info)) pairs.add(pair);
  }
  // A setup that took a spare pair (`environments/spare_pair.ts`) is on the pair's internal network,
  // whose parts carry no job's labels: they go with the setup, whatever their age.
  for (const pair of pairs) {
    for (const part of ["proxy", "internal", "egress"]) {
      removed.push(...await reapSandboxes(docker, { withLabels: { [LABELS.sandbox]: `${pair}-${part}` } }));
    }
  }
  const { Volumes } = await docker.listVolumes({ filters });
  for (const volume of Volumes ?? []) {
    const createdAt = Date.parse((volume as { CreatedAt?: string }).CreatedAt ?? "");
    if (!await stale(volume.Labels, createdAt)) continue;
    await docker.getVolume(volume.Name).remove({ force: true }).catch(() => undefined);
    removed.push(volume.Name);
  }
  for (const network of await docker.listNetworks({ filters })) {
    if (!await stale(network.Labels, Date.parse(network.Created ?? "")) || inKeptPair(network.Labels)) {
      continue;
    }
    await docker.getNetwork(network.Id).remove().catch(() => undefined);
    removed.push(network.Labels![LABELS.sandbox]!);
  }
  return removed;
}
