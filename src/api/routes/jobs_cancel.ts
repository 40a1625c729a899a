/** `POST /v1/jobs/{id}/cancel`: a queued job ends at once; a running one is told to stop. */
import { createRoute } from "@hono/zod-openapi";
import { isFinal } from "../../contracts/job.ts";
import type { ApiApp, ApiDeps } from "../api_env.ts";
import { requireScope } from "../auth/auth_middleware.ts";
import { HttpError } from "../http_error.ts";
import { assertMayActOn, visibleJob } from "../job_access.ts";
import { jobViewSchema, toJobView } from "../job_schemas.ts";
import { errorResponses, json, SECURED } from "../route_responses.ts";
import { jobIdParams } from "./jobs_get.ts";

/** Registers the route. */
export function registerCancelJob(app: ApiApp, deps: ApiDeps): void {
  const route = createRoute({
    method: "post",
    path: "/v1/jobs/{id}/cancel",
    tags: ["jobs"],
    summary: "Cancel a job",
    description: "A queued job is cancelled at once (200). A running or waiting job's pipeline is told to " +
      "stop: its agent stops and its sandboxes are removed, then the job ends `cancelled` (202; watch the " +
      "job or its events). Cancelling a cancelled job is a no-op (200); a succeeded or failed one is a 409. Only the " +
      "job's submitter may cancel it, or a credential with `jobs:admin` (403 otherwise).",
    security: SECURED,
    middleware: [requireScope("jobs:write", deps.audit)] as const,
    request: { params: jobIdParams },
    responses: {
      200: json(jobViewSchema, "Cancelled."),
      202: json(jobViewSchema, "Running; it is stopping."),
      ...errorResponses(401, 403, 404, 409, 503),
    },
  });
  app.openapi(route, async (c) => {
    const principal = c.get("principal");
    const current = await visibleJob(c, deps.store, c.req.valid("param").id);
    assertMayActOn(c, current, deps.audit);
    const now = () => deps.now?.() ?? new Date();
    if (current.status === "cancelled") return c.json(toJobView(current, now()), 200);
    if (isFinal(current.status)) {
      throw new HttpError(409, "job_final", `The job already ${current.status}; there is nothing to cancel`);
    }
    const reason = `cancelled by ${principal.id}`;
    const result = (await deps.store.requestCancel(current.id, reason))!;
    const stage = result.cancelled ? "queued" : "running";
    if (!result.cancelled && result.job.status !== "queued" && !deps.queue.cancel(current.id, reason)) {
      // Claimed a moment ago: the worker registers it on its next turn (it also sees the stored flag).
      await new Promise((resolve) => setTimeout(resolve, 0));
      deps.queue.cancel(current.id, reason);
    }
    deps.audit.record({
      event: "job_cancelled",
      principal: principal.id,
      jobId: current.id,
      repo: current.repo,
      stage,
      ...(current.submitter !== principal.id && current.submitter ? { submitter: current.submitter } : {}),
      requestId: c.get("requestId"),
    });
    const job = (await deps.store.get(current.id))!;
    return job.status === "cancelled"
      ? c.json(toJobView(job, now()), 200)
      : c.json(toJobView(job, now()), 202);
  });
}
