/**
 * Turns an allowed route and its request into the request the engine gets:
 * bodies checked and re-serialised, queries rebuilt from known parameters,
 * listings filtered to managed resources, and resources named in the path
 * looked up and required to carry the managed label (containers are then
 * addressed by their full id, so a name re-used meanwhile cannot redirect the
 * call). A container create and a volume removal hold the volumes they name
 * (`volume_holds.ts`) until the engine has answered, look them up fresh on
 * the engine, and a created container's mounts are checked before the client
 * sees the answer (`created_mounts.ts`). Each route's handler is in the file
 * of its area (`authorize_*.ts`).
 */
import { type Approved, type AuthorizeDeps, routeCall, type RouteHandlers } from "./authorize_call.ts";
import { containerRoutes } from "./authorize_containers.ts";
import { environmentRoutes } from "./authorize_environments.ts";
import { listingRoutes } from "./authorize_listings.ts";
import { volumeRoutes } from "./authorize_volumes.ts";
import type { HttpRequest } from "./http_message.ts";
import type { MatchedRoute, RouteName } from "./routes.ts";

/** Every route's handler; a route without one is a type error. */
const HANDLERS: RouteHandlers<RouteName> = {
  ...listingRoutes,
  ...volumeRoutes,
  ...containerRoutes,
  ...environmentRoutes,
};

/**
 * @throws ProxyRefusal 403 (policy), 400 (malformed), 404 (missing target), 429 (sandbox limit),
 *   502 (engine down).
 */
export async function authorize(
  request: HttpRequest,
  route: MatchedRoute,
  deps: AuthorizeDeps,
): Promise<Approved> {
  return await HANDLERS[route.name](routeCall(request, route, deps));
}
