/**
 * How many sandboxes may exist: a container create is admitted only while
 * fewer than `PROXY_MAX_SANDBOXES` managed containers exist on the engine, and
 * a volume create only while fewer than that many managed volumes do (a tmpfs
 * volume keeps its memory after its container is gone). Both are counted on
 * the engine with the managed-label filter, stopped containers included.
 * Creates of one kind pass one at a time, from the count until the engine has
 * answered the create, so concurrent creates cannot all slip under the cap
 * (one first-come, first-served `async-mutex` lock per kind).
 */
import { Mutex } from "async-mutex";
import { LABELS } from "../sandbox/limits.ts";
import { ProxyRefusal } from "./refusal.ts";
import { getJson, type LookupAnswer } from "./upstream.ts";

/** What is counted: managed containers, or managed volumes. */
export type SandboxKind = "container" | "volume";

/** Admission of creates under the sandbox cap. */
export interface SandboxCap {
  /**
   * Waits for the other creates of `kind`, counts, and resolves with the
   * release to call once the engine has answered this create (calling it again does nothing).
   * @throws ProxyRefusal 429 naming `PROXY_MAX_SANDBOXES` at the cap, 502 when the engine cannot count.
   */
  admit(kind: SandboxKind): Promise<() => void>;
}

/** Options for {@link createSandboxCap}. */
export interface SandboxCapOptions {
  /**
   * Labels the count also filters on, ANDed with the managed label (tests: only
   * their own run counts). Default none: every managed resource counts.
   */
  alsoLabelled?: Record<string, string>;
  /** The look-up (tests). Default: `GET` on the engine's socket. */
  get?: (target: string) => Promise<LookupAnswer>;
}

const CALLS: Record<SandboxKind, string> = {
  container: "POST /containers/create",
  volume: "POST /volumes/create",
};

/**
 * Builds the cap of `max` sandboxes on the engine at `socketPath`.
 * Needs: `--allow-read` and `--allow-write` on the socket.
 */
export function createSandboxCap(
  socketPath: string,
  max: number,
  options: SandboxCapOptions = {},
): SandboxCap {
  const get = options.get ?? ((target: string) => getJson(socketPath, target));
  const extra = Object.entries(options.alsoLabelled ?? {}).map(([k, v]) => `${k}=${v}`);
  const filters = encodeURIComponent(JSON.stringify({ label: [`${LABELS.managed}=true`, ...extra] }));
  const locks: Record<SandboxKind, Mutex> = { container: new Mutex(), volume: new Mutex() };

  async function count(kind: SandboxKind): Promise<number> {
    const answer = await get(
      kind === "container" ? `/containers/json?all=1&filters=${filters}` : `/volumes?filters=${filters}`,
    );
    const list = kind === "container"
      ? answer.json
      : (answer.json as { Volumes?: unknown } | null)?.Volumes ?? [];
    if (answer.status !== 200 || !Array.isArray(list)) {
      throw new ProxyRefusal(
        502,
        `docker-proxy: cannot count managed ${kind}s (engine status ${answer.status})`,
      );
    }
    return list.length;
  }

  return {
    async admit(kind) {
      // The release async-mutex hands out is idempotent: a second call does nothing.
      const release = await locks[kind].acquire();
      try {
        const existing = await count(kind);
        if (existing >= max) {
          throw new ProxyRefusal(
            429,
            `docker-proxy: ${
              CALLS[kind]
            } refused: PROXY_MAX_SANDBOXES=${max} managed ${kind}s already exist ` +
              `(${existing}); remove one first`,
          );
        }
        return release;
      } catch (error) {
        release();
        throw error;
      }
    },
  };
}
