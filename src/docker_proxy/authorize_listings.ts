/**
 * The calls that only read: the engine's ping and version, and the listings of volumes, containers,
 * networks and images, each filtered to the resources the service manages (`list_filters.ts`).
 */
import { BOOL, type RouteHandlers } from "./authorize_call.ts";
import { managedFilters } from "./list_filters.ts";

/** `ping`, `version`, `volume_list`, `container_list`, `network_list`, `image_list`. */
export const listingRoutes: RouteHandlers<
  "ping" | "version" | "volume_list" | "container_list" | "network_list" | "image_list"
> = {
  ping: ({ request, p }) => ({ upstream: { method: request.method, target: `${p}/_ping` } }),
  version: ({ p }) => ({ upstream: { method: "GET", target: `${p}/version` } }),
  volume_list: ({ p, query }) => {
    const q = query({ filters: /^/ }, "refuse");
    q.set("filters", managedFilters(q.get("filters")));
    return { upstream: { method: "GET", target: `${p}/volumes?${q}` } };
  },
  container_list: ({ p, query }) => {
    const q = query({ all: BOOL, size: BOOL, limit: /^-?\d{1,6}$/, filters: /^/ }, "refuse");
    q.set("filters", managedFilters(q.get("filters")));
    return { upstream: { method: "GET", target: `${p}/containers/json?${q}` } };
  },
  network_list: ({ p, query }) => {
    const q = query({ filters: /^/ }, "refuse");
    q.set("filters", managedFilters(q.get("filters")));
    return { upstream: { method: "GET", target: `${p}/networks?${q}` } };
  },
  image_list: ({ p, query }) => {
    const q = query({ filters: /^/ }, "refuse");
    q.set("filters", managedFilters(q.get("filters")));
    return { upstream: { method: "GET", target: `${p}/images/json?${q}` } };
  },
};
