/**
 * Container and exec calls. A container create holds the volumes it mounts (`volume_holds.ts`) until the
 * engine has answered, is checked as a sandbox (`create_policy.ts`) or a setup part (`setup_policy.ts`),
 * counted under `PROXY_MAX_SANDBOXES`, and its mounts are checked again on the engine's answer
 * (`created_mounts.ts`). Other calls name a managed container, addressed then by its full id, or an exec
 * of one.
 */
import { BOOL, json, type RouteHandlers } from "./authorize_call.ts";
import { checkCreatedMounts } from "./created_mounts.ts";
import { checkContainerCreate } from "./create_policy.ts";
import { checkExecCreate, checkExecStart } from "./exec_policy.ts";
import { mountedVolumeNames } from "./mount_policy.ts";
import { suffix } from "./query_rules.ts";
import { forbidden } from "./refusal.ts";
import { checkSandboxImage, checkSetupPartCreate, setupRoleOf } from "./setup_policy.ts";
import { getJson } from "./upstream.ts";

const CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

/** `container_create`, `container_start`, `container_inspect`, `container_remove`, `exec_*`. */
export const containerRoutes: RouteHandlers<
  | "container_create"
  | "container_start"
  | "container_inspect"
  | "container_remove"
  | "exec_create"
  | "exec_start"
  | "exec_inspect"
> = {
  container_create: async ({ deps, p, body, query }) => {
    // dockerode copies the whole body into the query; the engine reads only `name` (and `platform`) there.
    const q = query({ name: CONTAINER_NAME }, "drop");
    const parsed = body();
    // Held from the mount check until the engine has answered, so no removal can slip in between.
    const releaseVolumes = await deps.volumes.hold(mountedVolumeNames(parsed));
    try {
      const policy = {
        allowedImages: deps.allowedImages,
        allowedRuntimes: deps.allowedRuntimes,
        caps: deps.caps,
        // Fresh: a remembered answer could name a volume removed since.
        managedVolume: (name: string) => deps.ownership.volume(name, true),
      };
      const role = setupRoleOf(parsed);
      const checked = role
        ? await checkSetupPartCreate(parsed, role, {
          ...policy,
          network: (name) => deps.ownership.network(name, true),
          egressNetwork: deps.egressNetwork,
        })
        : await checkContainerCreate(parsed, policy);
      if (!role) {
        await checkSandboxImage(String(parsed.Image), (target) => getJson(deps.upstreamSocket, target));
      }
      const releaseSlot = await deps.sandboxes.admit("container");
      return {
        upstream: { method: "POST", target: `${p}/containers/create${suffix(q)}`, body: json(checked) },
        check: (answer) =>
          checkCreatedMounts(answer, {
            socketPath: deps.upstreamSocket,
            prefix: p,
            ownership: deps.ownership,
          }),
        release: () => {
          releaseSlot();
          releaseVolumes();
        },
      };
    } catch (error) {
      releaseVolumes();
      throw error;
    }
  },
  container_start: async ({ deps, p, ref, call, body }) => {
    if (Object.keys(body()).length > 0) {
      throw forbidden(`docker-proxy: ${call} refused: the body must be empty`);
    }
    const { id } = await deps.ownership.container(ref);
    return { upstream: { method: "POST", target: `${p}/containers/${id}/start` } };
  },
  container_inspect: async ({ deps, p, ref, query }) => {
    const q = query({ size: BOOL }, "refuse");
    const { id } = await deps.ownership.container(ref);
    return { upstream: { method: "GET", target: `${p}/containers/${id}/json${suffix(q)}` } };
  },
  container_remove: async ({ deps, p, ref, query }) => {
    const q = query({ force: BOOL, v: BOOL }, "refuse");
    const { id } = await deps.ownership.container(ref);
    return {
      upstream: { method: "DELETE", target: `${p}/containers/${id}${suffix(q)}` },
      after: () => {
        deps.ownership.forget(ref);
        deps.ownership.forget(id);
      },
    };
  },
  exec_create: async ({ deps, p, ref, body }) => {
    const checked = checkExecCreate(body());
    const { id } = await deps.ownership.container(ref);
    return { upstream: { method: "POST", target: `${p}/containers/${id}/exec`, body: json(checked) } };
  },
  exec_start: async ({ deps, p, ref, body, request }) => {
    const checked = checkExecStart(body());
    await deps.ownership.exec(ref);
    const upgrade = (request.headers.get("upgrade") ?? "").toLowerCase() === "tcp";
    return {
      upstream: { method: "POST", target: `${p}/exec/${ref}/start`, body: json(checked), hijack: upgrade },
    };
  },
  exec_inspect: async ({ deps, p, ref }) => {
    await deps.ownership.exec(ref);
    return { upstream: { method: "GET", target: `${p}/exec/${ref}/json` } };
  },
};
