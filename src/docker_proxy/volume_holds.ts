/**
 * Holds on volumes by name, so a volume cannot be removed while a create that
 * mounts it is between its mount check and the engine's answer. Without it,
 * a removal that reaches the engine in that gap makes the engine create the
 * mounted volume afresh: unlabelled, on the host's disk, out of the proxy's
 * reach and count. A container create holds every volume it mounts from
 * before its check until the engine has answered (and the new container's
 * mounts are checked); a volume removal holds its volume from its look-up
 * until the engine has answered. Holds on one name are taken first come,
 * first served (one `async-mutex` lock per name, dropped once nobody holds or
 * waits for it); a create takes its names in sorted order, so two creates
 * cannot each wait for the other's.
 */
import { Mutex } from "async-mutex";

/** Holds on volumes by name. */
export interface VolumeHolds {
  /**
   * Waits until nobody else holds any of `names`, and holds them all.
   * Resolves with the release (calling it again does nothing).
   */
  hold(names: Iterable<string>): Promise<() => void>;
}

/** Builds the holds of one proxy. */
export function createVolumeHolds(): VolumeHolds {
  const locks = new Map<string, { mutex: Mutex; users: number }>();

  async function holdOne(name: string): Promise<() => void> {
    const lock = locks.get(name) ?? { mutex: new Mutex(), users: 0 };
    locks.set(name, lock);
    lock.users++;
    const release = await lock.mutex.acquire();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
      if (--lock.users === 0) locks.delete(name);
    };
  }

  return {
    async hold(names) {
      const releases: Array<() => void> = [];
      const releaseAll = () => {
        for (const release of releases.reverse()) release();
        releases.length = 0;
      };
      try {
        for (const name of [...new Set(names)].sort()) releases.push(await holdOne(name));
      } catch (error) {
        releaseAll();
        throw error;
      }
      return releaseAll;
    },
  };
}
