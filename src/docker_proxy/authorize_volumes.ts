/**
 * Volume creates and removals. A create is checked (`volume_policy.ts`) and counted under
 * `PROXY_MAX_SANDBOXES`; a removal waits for any container create that mounts the volume
 * (`volume_holds.ts`) and requires it to be managed, looked up fresh on the engine.
 */
import { BOOL, json, type RouteHandlers } from "./authorize_call.ts";
import { suffix } from "./query_rules.ts";
import { checkVolumeCreate } from "./volume_policy.ts";

/** `volume_create`, `volume_remove`. */
export const volumeRoutes: RouteHandlers<"volume_create" | "volume_remove"> = {
  volume_create: async ({ deps, p, body }) => {
    const checked = checkVolumeCreate(body(), deps.caps.maxTmpfsBytes);
    const release = await deps.sandboxes.admit("volume");
    return { upstream: { method: "POST", target: `${p}/volumes/create`, body: json(checked) }, release };
  },
  volume_remove: async ({ deps, p, ref, query }) => {
    const q = query({ force: BOOL }, "refuse");
    // Waits for any create that mounts this volume to be answered: the engine then refuses a volume in use.
    const release = await deps.volumes.hold([ref]);
    try {
      await deps.ownership.volume(ref, true);
    } catch (error) {
      release();
      throw error;
    }
    return {
      upstream: { method: "DELETE", target: `${p}/volumes/${ref}${suffix(q)}` },
      after: () => deps.ownership.forget(ref),
      release,
    };
  },
};
