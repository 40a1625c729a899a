/**
 * Turns an allowed route and its request into the request the engine gets:
 * bodies checked and re-serialised, queries rebuilt from known parameters,
 * listings filtered to managed resources, and resources named in the path
 * looked up and required to carry the managed label (containers are then
 * addressed by their full id, so a name re-used meanwhile cannot redirect the
 * call). A container create and a volume removal hold the volumes they name
 * (`volume_holds.ts`) until the engine has answered, look them up fresh on
 * the engine, and a created container's mounts are checked before the client
 * sees the answer (`created_mounts.ts`).
 */
import { parseJsonObject } from "./body_check.ts";
import { checkCreatedMounts } from "./created_mounts.ts";
import { checkContainerCreate } from "./create_policy.ts";
import { checkExecCreate, checkExecStart } from "./exec_policy.ts";
import type { HttpRequest } from "./http_message.ts";
import { managedFilters } from "./list_filters.ts";
import { mountedVolumeNames } from "./mount_policy.ts";
import type { Ownership } from "./ownership.ts";
import { forbidden } from "./refusal.ts";
import { rebuildQuery, suffix } from "./query_rules.ts";
import type { ResourceCaps } from "./resource_policy.ts";
import type { MatchedRoute } from "./routes.ts";
import type { SandboxCap } from "./sandbox_cap.ts";
import { type EngineAnswer, getJson, type UpstreamRequest } from "./upstream.ts";
import type { VolumeHolds } from "./volume_holds.ts";
import { checkVolumeCreate } from "./volume_policy.ts";
import { ENV_IMAGE, ENV_IMAGE_REPO } from "./env_images.ts";
import {
  checkCommitBody,
  checkNetworkConnect,
  checkNetworkCreate,
  checkSandboxImage,
  checkSetupPartCreate,
  COMMIT_TAG,
  setupRoleOf,
} from "./setup_policy.ts";
import { SETUP_ROLE_LABEL } from "../environments/environment_labels.ts";

/** What {@link authorize} needs. */
export interface AuthorizeDeps {
  ownership: Ownership;
  allowedImages: ReadonlySet<string>;
  allowedRuntimes: ReadonlySet<string>;
  caps: ResourceCaps;
  /** Admits container and volume creates under `PROXY_MAX_SANDBOXES`. */
  sandboxes: SandboxCap;
  /** Keeps a volume from being removed while a create that mounts it is in flight. */
  volumes: VolumeHolds;
  /** The engine's socket (for the check after a create). */
  upstreamSocket: string;
  /** `PROXY_EGRESS_NETWORK`: the network an egress proxy container may be created on; undefined: none. */
  egressNetwork: string | undefined;
}

/** An approved request, and what to do once the engine has answered it. */
export interface Approved {
  upstream: UpstreamRequest;
  /** Runs after the exchange (cache invalidation after a removal). */
  after?: () => void;
  /**
   * Checks the engine's whole answer before the client sees any of it; a refusal it throws replaces the
   * answer. When set, the answer is read in full first (so never for a streamed exchange).
   */
  check?: (answer: EngineAnswer) => Promise<void>;
  /**
   * Must run once the exchange (and `check`) is over, whether or not it succeeded (lets the next create be
   * counted, and frees the volumes held).
   */
  release?: () => void;
}

const BOOL = /^(true|false|1|0)$/;
const CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

/**
 * @throws ProxyRefusal 403 (policy), 400 (malformed), 404 (missing target), 429 (sandbox limit),
 *   502 (engine down).
 */
export async function authorize(
  request: HttpRequest,
  route: MatchedRoute,
  deps: AuthorizeDeps,
): Promise<Approved> {
  const call = `${request.method} ${request.target.split("?")[0]}`;
  const p = route.prefix;
  const ref = route.ref ?? "";
  const body = () => parseJsonObject(request.body, call);
  const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  const query = (allowed: Record<string, RegExp>, unknown: "drop" | "refuse") =>
    rebuildQuery(route.query, allowed, unknown, call);
  switch (route.name) {
    case "ping":
      return { upstream: { method: request.method, target: `${p}/_ping` } };
    case "version":
      return { upstream: { method: "GET", target: `${p}/version` } };
    case "volume_list": {
      const q = query({ filters: /^/ }, "refuse");
      q.set("filters", managedFilters(q.get("filters")));
      return { upstream: { method: "GET", target: `${p}/volumes?${q}` } };
    }
    case "container_list": {
      const q = query({ all: BOOL, size: BOOL, limit: /^-?\d{1,6}$/, filters: /^/ }, "refuse");
      q.set("filters", managedFilters(q.get("filters")));
      return { upstream: { method: "GET", target: `${p}/containers/json?${q}` } };
    }
    case "volume_create": {
      const checked = checkVolumeCreate(body(), deps.caps.maxTmpfsBytes);
      const release = await deps.sandboxes.admit("volume");
      return { upstream: { method: "POST", target: `${p}/volumes/create`, body: json(checked) }, release };
    }
    case "volume_remove": {
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
    }
    case "container_create": {
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
    }
    case "container_start": {
      if (Object.keys(body()).length > 0) {
        throw forbidden(`docker-proxy: ${call} refused: the body must be empty`);
      }
      const { id } = await deps.ownership.container(ref);
      return { upstream: { method: "POST", target: `${p}/containers/${id}/start` } };
    }
    case "container_inspect": {
      const q = query({ size: BOOL }, "refuse");
      const { id } = await deps.ownership.container(ref);
      return { upstream: { method: "GET", target: `${p}/containers/${id}/json${suffix(q)}` } };
    }
    case "container_remove": {
      const q = query({ force: BOOL, v: BOOL }, "refuse");
      const { id } = await deps.ownership.container(ref);
      return {
        upstream: { method: "DELETE", target: `${p}/containers/${id}${suffix(q)}` },
        after: () => {
          deps.ownership.forget(ref);
          deps.ownership.forget(id);
        },
      };
    }
    case "exec_create": {
      const checked = checkExecCreate(body());
      const { id } = await deps.ownership.container(ref);
      return { upstream: { method: "POST", target: `${p}/containers/${id}/exec`, body: json(checked) } };
    }
    case "exec_start": {
      const checked = checkExecStart(body());
      await deps.ownership.exec(ref);
      const upgrade = (request.headers.get("upgrade") ?? "").toLowerCase() === "tcp";
      return {
        upstream: { method: "POST", target: `${p}/exec/${ref}/start`, body: json(checked), hijack: upgrade },
      };
    }
    case "exec_inspect": {
      await deps.ownership.exec(ref);
      return { upstream: { method: "GET", target: `${p}/exec/${ref}/json` } };
    }
    case "network_create": {
      const checked = checkNetworkCreate(body());
      return { upstream: { method: "POST", target: `${p}/networks/create`, body: json(checked) } };
    }
    case "network_list": {
      const q = query({ filters: /^/ }, "refuse");
      q.set("filters", managedFilters(q.get("filters")));
      return { upstream: { method: "GET", target: `${p}/networks?${q}` } };
    }
    case "network_connect": {
      const container = checkNetworkConnect(body());
      const network = await deps.ownership.network(ref, true);
      if (!network.internal) {
        throw forbidden(`docker-proxy: ${call} refused: the network must be internal (no route out)`);
      }
      const target = await deps.ownership.container(container);
      if (target.labels[SETUP_ROLE_LABEL] !== "proxy") {
        throw forbidden(
          `docker-proxy: ${call} refused: only an egress proxy container (${SETUP_ROLE_LABEL}=proxy) joins a network`,
        );
      }
      return {
        upstream: {
          method: "POST",
          target: `${p}/networks/${network.id}/connect`,
          body: json({ Container: target.id }),
        },
      };
    }
    case "network_remove": {
      const network = await deps.ownership.network(ref, true);
      return {
        upstream: { method: "DELETE", target: `${p}/networks/${network.id}` },
        after: () => deps.ownership.forget(ref),
      };
    }
    case "commit": {
      const q = query(
        { container: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, repo: /^/, tag: /^/, pause: BOOL },
        "refuse",
      );
      if (q.get("repo") !== ENV_IMAGE_REPO) {
        throw forbidden(`docker-proxy: ${call} refused: repo must be ${ENV_IMAGE_REPO}`);
      }
      if (!COMMIT_TAG.test(q.get("tag") ?? "")) {
        throw forbidden(`docker-proxy: ${call} refused: tag must be an environment key (64 hex characters)`);
      }
      const checked = checkCommitBody(body());
      const setup = await deps.ownership.container(q.get("container") ?? "");
      if (setup.labels[SETUP_ROLE_LABEL] !== "setup") {
        throw forbidden(
          `docker-proxy: ${call} refused: only a setup container (${SETUP_ROLE_LABEL}=setup) is committed`,
        );
      }
      q.set("container", setup.id);
      return { upstream: { method: "POST", target: `${p}/commit?${q}`, body: json(checked) } };
    }
    case "image_inspect": {
      if (!deps.allowedImages.has(ref) && !ENV_IMAGE.test(ref)) {
        throw forbidden(
          `docker-proxy: ${call} refused: ${ref} is not an allowed image or an environment image`,
        );
      }
      return { upstream: { method: "GET", target: `${p}/images/${ref}/json` } };
    }
    case "image_list": {
      const q = query({ filters: /^/ }, "refuse");
      q.set("filters", managedFilters(q.get("filters")));
      return { upstream: { method: "GET", target: `${p}/images/json?${q}` } };
    }
    case "image_remove": {
      query({}, "refuse");
      return { upstream: { method: "DELETE", target: `${p}/images/${ref}` } };
    }
  }
}
