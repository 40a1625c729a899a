/**
 * Which engine resources the service may touch: those carrying the managed
 * label, looked up on the engine itself (container and volume inspect, exec
 * inspect → its container), with a short cache of positive answers.
 */
import { LABELS } from "../sandbox/limits.ts";
import { ProxyRefusal } from "./refusal.ts";
import { getJson, type LookupAnswer } from "./upstream.ts";

const MAX_CACHED = 1024;

/** A resource the service may use: its full id (a volume's is its name). */
export interface Managed {
  id: string;
}

/** A managed container, with its labels (its setup role among them). */
export interface ManagedContainer extends Managed {
  labels: Readonly<Record<string, string>>;
}

/** A managed network: its full id, and whether it is internal (no route out). */
export interface ManagedNetwork extends Managed {
  internal: boolean;
}

/** Options for {@link createOwnership}. */
export interface OwnershipOptions {
  /** How long a positive answer is reused, ms. Default 5000. */
  ttlMs?: number;
  /** Clock. Default `Date.now`. */
  now?: () => number;
  /** The look-up (tests). Default: `GET` on the engine's socket. */
  get?: (target: string) => Promise<LookupAnswer>;
}

/** Look-ups of managed resources; each throws 404 (missing) or 403 (not managed). */
export interface Ownership {
  /** A container by name, id or id prefix. */
  container(ref: string): Promise<ManagedContainer>;
  /** A network by name or id; `fresh` skips the cache. */
  network(ref: string, fresh?: boolean): Promise<ManagedNetwork>;
  /** A volume by name; `fresh` skips the cache (before a removal). */
  volume(name: string, fresh?: boolean): Promise<Managed>;
  /** An exec by id, managed when its container is. */
  exec(id: string): Promise<Managed>;
  /** Drops cached answers for `ref`, a container reference or id or a volume name (after a removal). */
  forget(ref: string): void;
}

/**
 * Builds the look-ups against the engine at `socketPath`.
 * Needs: `--allow-read` and `--allow-write` on the socket.
 */
export function createOwnership(socketPath: string, options: OwnershipOptions = {}): Ownership {
  const ttlMs = options.ttlMs ?? 5_000;
  const now = options.now ?? Date.now;
  const get = options.get ?? ((target: string) => getJson(socketPath, target));
  const cache = new Map<string, { id: string; until: number; facts: Record<string, unknown> }>();

  function cached<T extends Managed>(key: string, fresh: boolean): T | undefined {
    const hit = cache.get(key);
    if (!fresh && hit && hit.until > now()) return { ...hit.facts, id: hit.id } as T;
    cache.delete(key);
    return undefined;
  }

  function remember<T extends Managed>(
    key: string,
    id: string,
    facts: Omit<T, "id"> = {} as Omit<T, "id">,
  ): T {
    if (cache.size >= MAX_CACHED) {
      for (const [k, entry] of cache) if (entry.until <= now()) cache.delete(k);
      if (cache.size >= MAX_CACHED) cache.clear();
    }
    cache.set(key, { id, until: now() + ttlMs, facts });
    return { ...facts, id } as T;
  }

  async function inspect(what: string, ref: string, target: string): Promise<Record<string, unknown>> {
    const answer = await get(target);
    if (answer.status === 404) {
      const message = (answer.json as { message?: unknown } | undefined)?.message;
      throw new ProxyRefusal(404, typeof message === "string" ? message : `No such ${what}: ${ref}`);
    }
    if (answer.status !== 200 || typeof answer.json !== "object" || answer.json === null) {
      throw new ProxyRefusal(
        502,
        `docker-proxy: cannot inspect ${what} "${ref}" (engine status ${answer.status})`,
      );
    }
    return answer.json as Record<string, unknown>;
  }

  async function container(ref: string): Promise<ManagedContainer> {
    const key = `container:${ref}`;
    const hit = cached<ManagedContainer>(key, false);
    if (hit) return hit;
    const info = await inspect("container", ref, `/containers/${ref}/json`);
    const id = typeof info.Id === "string" && /^[0-9a-f]{64}$/.test(info.Id) ? info.Id : undefined;
    const labels = (info.Config as { Labels?: Record<string, string> | null } | null)?.Labels;
    if (!id) throw new ProxyRefusal(502, `docker-proxy: the engine gave no id for container "${ref}"`);
    if (labels?.[LABELS.managed] !== "true") {
      throw new ProxyRefusal(403, `docker-proxy: container "${ref}" does not carry ${LABELS.managed}=true`);
    }
    return remember<ManagedContainer>(key, id, { labels: { ...labels } });
  }

  async function network(ref: string, fresh = false): Promise<ManagedNetwork> {
    const key = `network:${ref}`;
    const hit = cached<ManagedNetwork>(key, fresh);
    if (hit) return hit;
    const info = await inspect("network", ref, `/networks/${ref}`);
    const id = typeof info.Id === "string" && /^[0-9a-f]{64}$/.test(info.Id) ? info.Id : undefined;
    const labels = (info as { Labels?: Record<string, string> | null }).Labels;
    if (!id) throw new ProxyRefusal(502, `docker-proxy: the engine gave no id for network "${ref}"`);
    if (labels?.[LABELS.managed] !== "true") {
      throw new ProxyRefusal(403, `docker-proxy: network "${ref}" does not carry ${LABELS.managed}=true`);
    }
    return remember<ManagedNetwork>(key, id, { internal: info.Internal === true });
  }

  async function volume(name: string, fresh = false): Promise<Managed> {
    const key = `volume:${name}`;
    const hit = cached(key, fresh);
    if (hit) return hit;
    const info = await inspect("volume", name, `/volumes/${name}`);
    const labels = (info as { Labels?: Record<string, string> | null }).Labels;
    if (info.Name !== name || labels?.[LABELS.managed] !== "true") {
      throw new ProxyRefusal(403, `docker-proxy: volume "${name}" does not carry ${LABELS.managed}=true`);
    }
    return remember(key, name);
  }

  async function exec(id: string): Promise<Managed> {
    const key = `exec:${id}`;
    const hit = cached(key, false);
    if (hit) return hit;
    const info = await inspect("exec instance", id, `/exec/${id}/json`);
    const owner = String(info.ContainerID);
    if (!/^[0-9a-f]{64}$/.test(owner)) {
      throw new ProxyRefusal(502, `docker-proxy: exec "${id}" has no container`);
    }
    await container(owner).catch((error) => {
      if (error instanceof ProxyRefusal && error.status === 403) {
        throw new ProxyRefusal(
          403,
          `docker-proxy: exec "${id}" belongs to a container without ${LABELS.managed}=true`,
        );
      }
      throw error;
    });
    return remember(key, id);
  }

  return {
    container,
    network,
    volume,
    exec,
    forget(ref) {
      cache.delete(`container:${ref}`);
      cache.delete(`network:${ref}`);
      cache.delete(`volume:${ref}`);
      for (const [key, entry] of cache) if (entry.id === ref) cache.delete(key);
    },
  };
}
