/**
 * The reaper: removes containers and volumes this service labelled and then
 * lost track of (a crash, a kill -9), at start-up and on an interval.
 */
import type Docker from "dockerode";
import { LABELS } from "./limits.ts";

/** Options for {@link reapSandboxes}. */
export interface ReapOptions {
  /** Only remove resources created at least this long ago. Default 0 (all). */
  olderThanMs?: number;
  /** Names to leave alone (sandboxes this process is using). */
  keep?: ReadonlySet<string>;
  /** Clock. Default `Date.now`. */
  now?: () => number;
}

/** Removes leftover labelled sandboxes; returns the names removed. */
export async function reapSandboxes(docker: Docker, options: ReapOptions = {}): Promise<string[]> {
  const cutoff = (options.now ?? Date.now)() - (options.olderThanMs ?? 0);
  const keep = options.keep ?? new Set<string>();
  const filters = JSON.stringify({ label: [`${LABELS.managed}=true`] });
  const removed: string[] = [];
  const stale = (labels: Record<string, string> | undefined | null) => {
    const name = labels?.[LABELS.sandbox];
    const created = Number(labels?.[LABELS.createdAt] ?? 0);
    return name !== undefined && !keep.has(name) && !keep.has(name.replace(/-workspace$/, "")) &&
      created <= cutoff;
  };
  for (const info of await docker.listContainers({ all: true, filters })) {
    if (!stale(info.Labels)) continue;
    await docker.getContainer(info.Id).remove({ force: true, v: true }).catch(() => undefined);
    removed.push(info.Labels[LABELS.sandbox]!);
  }
  const { Volumes } = await docker.listVolumes({ filters });
  for (const volume of Volumes ?? []) {
    if (!stale(volume.Labels)) continue;
    await docker.getVolume(volume.Name).remove({ force: true }).catch(() => undefined);
    removed.push(volume.Name);
  }
  return removed;
}
