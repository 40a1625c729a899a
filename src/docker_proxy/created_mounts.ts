/**
 * The check after a container create, before the client sees the engine's
 * answer: every volume the new container mounts must be a managed volume.
 * The mount check before the create only sees names; if a volume is gone by
 * the time the engine creates the container (removed on the engine directly,
 * past the proxy's holds), or the image declares a `VOLUME`, the engine
 * creates that volume itself — unlabelled, on the host's disk, where the
 * proxy would neither count nor remove it. Such a container is removed with
 * those volumes, and the create is refused.
 */
import { LABELS } from "../sandbox/limits.ts";
import type { Ownership } from "./ownership.ts";
import { ProxyRefusal } from "./refusal.ts";
import { answerJson, askEngine, type EngineAnswer, getJson } from "./upstream.ts";

const CALL = "POST /containers/create";

/** What {@link checkCreatedMounts} needs. */
export interface CreatedMountsDeps {
  /** The engine's socket. */
  socketPath: string;
  /** The `/v1.NN` prefix the client used, or "". */
  prefix: string;
  ownership: Ownership;
}

/**
 * Checks the container `answer` reports created. An answer other than 201 is left as it is.
 * @throws ProxyRefusal 409 when the container mounts a volume without the managed label (the container and
 *   those volumes are removed first); 502 when the container cannot be inspected (it is removed) or the
 *   clean-up fails.
 */
export async function checkCreatedMounts(answer: EngineAnswer, deps: CreatedMountsDeps): Promise<void> {
  if (answer.status !== 201) return;
  const id = (answerJson(answer) as { Id?: unknown } | undefined)?.Id;
  if (typeof id !== "string" || !/^[0-9a-f]{64}$/.test(id)) {
    throw new ProxyRefusal(502, `docker-proxy: ${CALL}: the engine's answer names no container id`);
  }
  const inspected = await getJson(deps.socketPath, `${deps.prefix}/containers/${id}/json`);
  const mounts = (inspected.json as { Mounts?: unknown } | undefined)?.Mounts;
  if (inspected.status !== 200 || !Array.isArray(mounts)) {
    await remove(deps, `/containers/${id}?force=1&v=1`);
    throw new ProxyRefusal(
      502,
      `docker-proxy: ${CALL}: cannot inspect the new container (engine status ${inspected.status}); it was removed`,
    );
  }
  const strays: string[] = [];
  for (const mount of mounts as Array<{ Type?: unknown; Name?: unknown }>) {
    if (mount.Type !== "volume" || typeof mount.Name !== "string") continue;
    if (!await isManaged(deps.ownership, mount.Name)) strays.push(mount.Name);
  }
  if (strays.length === 0) return;
  await remove(deps, `/containers/${id}?force=1&v=1`);
  for (const name of strays) await remove(deps, `/volumes/${encodeURIComponent(name)}`);
  const names = strays.map((name) => `"${name}"`).join(", ");
  const one = strays.length === 1;
  throw new ProxyRefusal(
    409,
    `docker-proxy: ${CALL} refused: the engine mounted ${one ? "volume" : "volumes"} ${names}, which ` +
      `${one ? "does" : "do"} not carry ${LABELS.managed}=true (the engine made ${
        one ? "it" : "them"
      } during ` +
      "the create: removed meanwhile, or declared by the image); the container and " +
      `${one ? "that volume were" : "those volumes were"} removed`,
  );
}

async function isManaged(ownership: Ownership, name: string): Promise<boolean> {
  try {
    await ownership.volume(name, true);
    return true;
  } catch (error) {
    if (error instanceof ProxyRefusal && (error.status === 403 || error.status === 404)) return false;
    throw error;
  }
}

/** `DELETE target` on the engine; gone already is fine. @throws ProxyRefusal 502 when the engine refuses. */
async function remove(deps: CreatedMountsDeps, target: string): Promise<void> {
  const answer = await askEngine(deps.socketPath, { method: "DELETE", target: `${deps.prefix}${target}` });
  if (answer.status >= 300 && answer.status !== 404) {
    const message = (answerJson(answer) as { message?: unknown } | undefined)?.message;
    throw new ProxyRefusal(
      502,
      `docker-proxy: ${CALL}: the new container mounts an unlabelled volume, and removing ` +
        `${target.split("?")[0]} failed (engine status ${answer.status}: ${
          String(message).slice(0, 200)
        }); ` +
        "remove it on the engine",
    );
  }
}
