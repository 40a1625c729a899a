/** `GET /v1/jobs/{id}` and `GET /v1/jobs/{id}/trajectory`. */
import { createRoute, z } from "@hono/zod-openapi";
import type { ApiApp, ApiDeps } from "../api_env.ts";
import { requireScope } from "../auth/auth_middleware.ts";
import { visibleJob } from "../job_access.ts";
import { jobViewSchema, toJobView, trajectoriesSchema } from "../job_schemas.ts";
import { errorResponses, json, SECURED } from "../route_responses.ts";

/** The `{id}` path parameter. */
export const jobIdParams = z.object({
  id: z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" }, description: "The job's id." }),
});

/** Registers both routes. */
export function registerGetJob(app: ApiApp, deps: ApiDeps): void {
  const scope = requireScope("jobs:read", deps.audit);
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/jobs/{id}",
      tags: ["jobs"],
      summary: "Get a job",
      description: "Status, reason, work items, pull requests, model usage and cost, timings.",
      security: SECURED,
      middleware: [scope] as const,
      request: { params: jobIdParams },
      responses: { 200: json(jobViewSchema, "The job."), ...errorResponses(401, 403, 404, 503) },
    }),
    async (c) => {
      const job = await visibleJob(c, deps.store, c.req.valid("param").id);
      return c.json(toJobView(job, deps.now?.() ?? new Date()), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/jobs/{id}/trajectory",
      tags: ["jobs"],
      summary: "Get a job's agent trajectories",
      description: "Per work item: the model's turns, tool calls and results, as recorded.",
      security: SECURED,
      middleware: [scope] as const,
      request: { params: jobIdParams },
      responses: {
        200: json(trajectoriesSchema, "The trajectories."),
        ...errorResponses(401, 403, 404, 503),
      },
    }),
    async (c) => {
      const job = await visibleJob(c, deps.store, c.req.valid("param").id);
      return c.json({ jobId: job.id, trajectories: await deps.store.getTrajectories(job.id) }, 200);
    },
  );
}
