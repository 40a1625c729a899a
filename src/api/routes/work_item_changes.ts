/**
 * `GET /v1/jobs/{id}/work-items/{issue}/changes`: what a work item published — the pushed diff file by
 * file, the acceptance-criteria mapping as its pull request shows it, and the verification run with
 * the end of its output (scope `jobs:read`, the job visible to the caller).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { workItemPublicationSchema } from "../../contracts/work_item_publication.ts";
import type { ApiApp, ApiDeps } from "../api_env.ts";
import { requireScope } from "../auth/auth_middleware.ts";
import { HttpError } from "../http_error.ts";
import { visibleJob } from "../job_access.ts";
import { errorResponses, json, SECURED } from "../route_responses.ts";
import { jobIdParams } from "./jobs_get.ts";

const publicationSchema = workItemPublicationSchema.clone().openapi("WorkItemChanges");

/** Registers the route. */
export function registerWorkItemChanges(app: ApiApp, deps: ApiDeps): void {
  const route = createRoute({
    method: "get",
    path: "/v1/jobs/{id}/work-items/{issue}/changes",
    tags: ["jobs"],
    summary: "What a work item published",
    description:
      "The diff pushed to the pull request's branch (file by file, with added and deleted lines), " +
      "the acceptance-criteria mapping as the pull request shows it, and the verification run. 404 " +
      "`changes_not_found` when the work item published nothing (yet).",
    security: SECURED,
    middleware: [requireScope("jobs:read", deps.audit)] as const,
    request: {
      params: jobIdParams.extend({
        issue: z.coerce.number({ error: "issue must be a number" }).int("issue must be an integer").positive(
          "issue must be positive",
        ).openapi({ param: { name: "issue", in: "path" }, description: "The work item's issue number." }),
      }),
    },
    responses: {
      200: json(publicationSchema, "What it published."),
      ...errorResponses(401, 403, 404, 422, 503),
    },
  });
  app.openapi(route, async (c) => {
    const { id, issue } = c.req.valid("param");
    const job = await visibleJob(c, deps.store, id);
    const publication = await deps.store.getPublication(job.id, issue);
    if (!publication) {
      throw new HttpError(404, "changes_not_found", `Work item #${issue} of job "${id}" published nothing`);
    }
    return c.json(publication, 200);
  });
}
