/**
 * The Engine API calls the service makes, matched on method and path (with or
 * without a `/v1.NN` prefix). Anything not in this table is refused.
 */
import { forbidden } from "./refusal.ts";

/** One allowed call. */
export type RouteName =
  | "ping"
  | "version"
  | "volume_create"
  | "volume_list"
  | "volume_remove"
  | "container_create"
  | "container_start"
  | "container_inspect"
  | "container_list"
  | "container_remove"
  | "exec_create"
  | "exec_start"
  | "exec_inspect"
  | "network_create"
  | "network_list"
  | "network_connect"
  | "network_remove"
  | "commit"
  | "image_inspect"
  | "image_list"
  | "image_remove";

/** A request matched to a route. */
export interface MatchedRoute {
  name: RouteName;
  /** The `/v1.NN` prefix as sent, or "". */
  prefix: string;
  /** The container reference, exec id, volume, network or image name in the path, when the route has one. */
  ref?: string;
  query: URLSearchParams;
}

const REF = "([A-Za-z0-9][A-Za-z0-9_.-]{0,127})";
const EXEC_ID = "([0-9a-f]{64})";
/** An image reference as the service names its images: `repo/name:tag`, lower case, no digest. */
const IMAGE = "([a-z0-9][a-z0-9._-]*(?:/[a-z0-9][a-z0-9._-]*)*(?::[A-Za-z0-9_.-]{1,128})?)";
/** An environment image (`backend-agent/env:<sha256>`), the only kind that may be removed. */
const ENV_IMAGE = "(backend-agent/env:[0-9a-f]{64})";
/** API versions older than 1.24 let `POST /containers/{id}/start` carry a HostConfig; they are refused. */
const MIN_MINOR_VERSION = 24;

const TABLE: ReadonlyArray<{ methods: readonly string[]; path: RegExp; name: RouteName }> = [
  { methods: ["GET", "HEAD"], path: /^\/_ping$/, name: "ping" },
  { methods: ["GET"], path: /^\/version$/, name: "version" },
  { methods: ["POST"], path: /^\/volumes\/create$/, name: "volume_create" },
  { methods: ["GET"], path: /^\/volumes$/, name: "volume_list" },
  { methods: ["DELETE"], path: new RegExp(`^/volumes/${REF}$`), name: "volume_remove" },
  { methods: ["POST"], path: /^\/containers\/create$/, name: "container_create" },
  { methods: ["GET"], path: /^\/containers\/json$/, name: "container_list" },
  { methods: ["POST"], path: new RegExp(`^/containers/${REF}/start$`), name: "container_start" },
  { methods: ["GET"], path: new RegExp(`^/containers/${REF}/json$`), name: "container_inspect" },
  { methods: ["DELETE"], path: new RegExp(`^/containers/${REF}$`), name: "container_remove" },
  { methods: ["POST"], path: new RegExp(`^/containers/${REF}/exec$`), name: "exec_create" },
  { methods: ["POST"], path: new RegExp(`^/exec/${EXEC_ID}/start$`), name: "exec_start" },
  { methods: ["GET"], path: new RegExp(`^/exec/${EXEC_ID}/json$`), name: "exec_inspect" },
  // Environments: setup networks, the commit of a setup container, the environment images.
  { methods: ["POST"], path: /^\/networks\/create$/, name: "network_create" },
  { methods: ["GET"], path: /^\/networks$/, name: "network_list" },
  { methods: ["POST"], path: new RegExp(`^/networks/${REF}/connect$`), name: "network_connect" },
  { methods: ["DELETE"], path: new RegExp(`^/networks/${REF}$`), name: "network_remove" },
  { methods: ["POST"], path: /^\/commit$/, name: "commit" },
  { methods: ["GET"], path: /^\/images\/json$/, name: "image_list" },
  { methods: ["GET"], path: new RegExp(`^/images/${IMAGE}/json$`), name: "image_inspect" },
  { methods: ["DELETE"], path: new RegExp(`^/images/${ENV_IMAGE}$`), name: "image_remove" },
];

/**
 * Matches `method` and the request `target` (path and query) against the table.
 * @throws ProxyRefusal 403 naming the method and path when no route allows them.
 */
export function matchRoute(method: string, target: string): MatchedRoute {
  const q = target.indexOf("?");
  const path = q < 0 ? target : target.slice(0, q);
  const query = new URLSearchParams(q < 0 ? "" : target.slice(q + 1));
  const refused = forbidden(`docker-proxy: ${method} ${path} is not allowed`);
  // Only plain path characters: no percent-encoding, no dot segments, nothing a second parser could read differently.
  // `:` only for an image's tag (`/images/repo:tag/json`); no route's other names allow it.
  if (!/^[A-Za-z0-9_.\/:-]+$/.test(path) || /\/\.{1,2}(\/|$)|\/\//.test(path)) throw refused;
  let prefix = "";
  let rest = path;
  const versioned = /^(\/v(\d{1,3})\.(\d{1,3}))(\/.*)$/.exec(path);
  if (versioned) {
    if (Number(versioned[2]) !== 1 || Number(versioned[3]) < MIN_MINOR_VERSION) {
      throw forbidden(
        `docker-proxy: ${method} ${path} is not allowed: API version below 1.${MIN_MINOR_VERSION}`,
      );
    }
    prefix = versioned[1]!;
    rest = versioned[4]!;
  }
  for (const route of TABLE) {
    const m = route.path.exec(rest);
    if (!m || !route.methods.includes(method)) continue;
    return { name: route.name, prefix, ...(m[1] ? { ref: m[1] } : {}), query };
  }
  throw refused;
}
