/** `GET /v1/jobs`: the caller's visible jobs, newest first, filtered, a page at a time. */
import { JOB_STATUSES } from "../../contracts/job.ts";
import { createRoute, z } from "@hono/zod-openapi";
import { InvalidCursorError } from "../../jobs/store.ts";
import type { ApiApp, ApiDeps } from "../api_env.ts";
import { requireScope } from "../auth/auth_middleware.ts";
import { repoPatterns } from "../auth/principal.ts";
import { HttpError } from "../http_error.ts";
import { jobPageSchema, toJobView } from "../job_schemas.ts";
import { repoNameSchema } from "../repo_name.ts";
import { errorResponses, json, SECURED } from "../route_responses.ts";

/** Registers the route. */
export function registerListJobs(app: ApiApp, deps: ApiDeps): void {
  const route = createRoute({
    method: "get",
    path: "/v1/jobs",
    tags: ["jobs"],
    summary: "List jobs",
    description: "Jobs of the repositories the caller may see, newest first. Follow `nextCursor` for more.",
    security: SECURED,
    middleware: [requireScope("jobs:read", deps.audit)] as const,
    request: {
      query: z.object({
        status: z.enum(JOB_STATUSES, {
          error: `status must be ${JOB_STATUSES.slice(0, -1).join(", ")} or ${JOB_STATUSES.at(-1)}`,
        }).optional(),
        repo: repoNameSchema("repo").optional(),
        limit: z.coerce.number({ error: "limit must be a number" }).int("limit must be an integer").min(
          1,
          "limit must be at least 1",
        ).max(100, "limit must be at most 100").default(20),
        cursor: z.string().max(512).optional().openapi({ description: "`nextCursor` of the previous page." }),
      }),
    },
    responses: { 200: json(jobPageSchema, "A page of jobs."), ...errorResponses(401, 403, 422, 503) },
  });
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const patterns = repoPatterns(c.get("principal"));
    let page;
    try {
      page = await deps.store.list({
        limit: query.limit,
        ...(query.status ? { status: query.status } : {}),
        ...(query.repo ? { repo: query.repo } : {}),
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
        ...(patterns ? { repoPatterns: patterns } : {}),
      });
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        throw new HttpError(422, "invalid_request", "cursor: not a cursor this service handed out", {
          cause: error,
        });
      }
      throw error;
    }
    const now = deps.now?.() ?? new Date();
    return c.json(
      { jobs: page.jobs.map((job) => toJobView(job, now)), nextCursor: page.nextCursor ?? null },
      200,
    );
  });
}
