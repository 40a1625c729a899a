/**
 * The reaper: removes containers, volumes and networks this service labelled
 * and then lost track of (a crash, a kill -9), at start-up and on an interval:
 * sandboxes and their workspace volumes, and an environment setup's containers
 * (setup and egress proxy) and networks (internal and egress), which carry the
 * same labels, with the spare egress pair a setup had taken. Containers go first, so no network is
 * still in use.
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
  const stale = (labels: Record<string, string> | undefined | null, engineCreatedMs: number) => {
    const name = labels?.[LABELS.sandbox];
    const labelled = Number(labels?.[LABELS.createdAt]);
    const created = Number.isFinite(labelled) && labelled > 0 ? labelled : engineCreatedMs;
    return name !== undefined && !keep.has(name) && !keep.has(name.replace(/-workspace$/, "")) &&
      !(created > cutoff);
  };
  /** Base names of the spare egress pairs the setups removed here had taken. */
  const pairs = new Set<string>();
  for (const info of await docker.listContainers({ all: true, filters })) {
    if (!stale(info.Labels, info.Created * 1000)) continue;
    await docker.getContainer(info.Id).remove({ force: true, v: true }).catch(() => undefined);
    removed.push(info.Labels[LABELS.sandbox]!);
    for (const network of Object.keys(info.NetworkSettings?.Networks ?? {})) {
      const pair = SPARE_INTERNAL_NETWORK.exec(network)?.[1];
      if (pair && info.Labels[SETUP_ROLE_LABEL] === "setup") pairs.add(pair);
    }
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
    if (!stale(volume.Labels, createdAt)) continue;
    await docker.getVolume(volume.Name).remove({ force: true }).catch(() => undefined);
    removed.push(volume.Name);
  }
  for (const network of await docker.listNetworks({ filters })) {
    if (!stale(network.Labels, Date.parse(network.Created ?? ""))) continue;
    await docker.getNetwork(network.Id).remove().catch(() => undefined);
    removed.push(network.Labels![LABELS.sandbox]!);
  }
  return removed;
}
