/**
 * What authorizing one call works with: the proxy's policy and state ({@link AuthorizeDeps}), the
 * call as the route handlers see it ({@link RouteCall}), and what they answer ({@link Approved}).
 * The handlers, by area, are `authorize_listings.ts`, `authorize_volumes.ts`,
 * `authorize_containers.ts` and `authorize_environments.ts`; `authorize.ts` picks one by route.
 */
import { type JsonObject, parseJsonObject } from "./body_check.ts";
import type { HttpRequest } from "./http_message.ts";
import type { Ownership } from "./ownership.ts";
import { rebuildQuery } from "./query_rules.ts";
import type { ResourceCaps } from "./resource_policy.ts";
import type { MatchedRoute, RouteName } from "./routes.ts";
import type { SandboxCap } from "./sandbox_cap.ts";
import type { EngineAnswer, UpstreamRequest } from "./upstream.ts";
import type { VolumeHolds } from "./volume_holds.ts";

/** What `authorize` needs. */
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

/** One call as a route's handler sees it. */
export interface RouteCall {
  request: HttpRequest;
  deps: AuthorizeDeps;
  /** `METHOD /path` (no query), as refusals name the call. */
  call: string;
  /** The `/v1.NN` prefix as sent, or "". */
  p: string;
  /** The container, exec, volume, network or image named in the path; "" when none. */
  ref: string;
  /** The request's body as a JSON object. @throws ProxyRefusal 400 when it is not one. */
  body: () => JsonObject;
  /** The query rebuilt from `allowed` parameters (`query_rules.ts`). @throws ProxyRefusal 403. */
  query: (allowed: Record<string, RegExp>, unknown: "drop" | "refuse") => URLSearchParams;
}

/** Approves (or refuses, by throwing a ProxyRefusal) one route's calls. */
export type RouteHandler = (c: RouteCall) => Approved | Promise<Approved>;
/** Handlers by route name. */
export type RouteHandlers<N extends RouteName> = { [name in N]: RouteHandler };

/** A boolean query parameter as the engine reads one. */
export const BOOL = /^(true|false|1|0)$/;

/** A checked body, re-serialised for the engine. */
export const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** The {@link RouteCall} of `request`, matched to `route`. */
export function routeCall(request: HttpRequest, route: MatchedRoute, deps: AuthorizeDeps): RouteCall {
  const call = `${request.method} ${request.target.split("?")[0]}`;
  return {
    request,
    deps,
    call,
    p: route.prefix,
    ref: route.ref ?? "",
    body: () => parseJsonObject(request.body, call),
    query: (allowed, unknown) => rebuildQuery(route.query, allowed, unknown, call),
  };
}
