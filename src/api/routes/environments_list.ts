/**
 * `GET /v1/environments`: the cached environment images (scope `jobs:read`), most recently used
 * first, of the repositories the caller may see. The API asks the injected listing; it never
 * touches Docker itself.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { environmentImageSchema } from "../../contracts/environment.ts";
import type { ApiApp, ApiDeps } from "../api_env.ts";
import { requireScope } from "../auth/auth_middleware.ts";
import { repoAllowed } from "../auth/principal.ts";
import { errorResponses, json, SECURED } from "../route_responses.ts";

/** The body of `GET /v1/environments`. */
export const environmentListSchema = z.object({
  environments: z.array(environmentImageSchema.clone().openapi("Environment")),
}).openapi("Environments");

/** Registers the route. */
export function registerListEnvironments(app: ApiApp, deps: ApiDeps): void {
  const route = createRoute({
    method: "get",
    path: "/v1/environments",
    tags: ["environments"],
    summary: "List cached environments",
    description:
      "The environment images setup built (`backend-agent/env:<key>`), most recently used first; " +
      "at most `ENV_CACHE_MAX` are kept, least recently used pruned first.",
    security: SECURED,
    middleware: [requireScope("jobs:read", deps.audit)] as const,
    responses: {
      200: json(environmentListSchema, "The cached environments."),
      ...errorResponses(401, 403, 503),
    },
  });
  app.openapi(route, async (c) => {
    const principal = c.get("principal");
    const images = deps.environments ? await deps.environments.list() : [];
    return c.json({ environments: images.filter((image) => repoAllowed(principal, image.repo)) }, 200);
  });
}
