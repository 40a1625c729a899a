/** `POST /v1/jobs`: submit a work item; `Idempotency-Key` makes retries safe. */
import { createHash } from "node:crypto";
import { createRoute, z } from "@hono/zod-openapi";
import type { JobRequest } from "../../contracts/job.ts";
import { type CreateOnceResult, QuotaExceededError } from "../../jobs/store.ts";
import type { ApiApp, ApiDeps } from "../api_env.ts";
import { requireScope } from "../auth/auth_middleware.ts";
import { HttpError } from "../http_error.ts";
import { assertRepoAllowed } from "../job_access.ts";
import { type SubmitJobBody, submitJobSchema } from "../job_request_schema.ts";
import { jobViewSchema, toJobView } from "../job_schemas.ts";
import { quotaRefusal, submitQuotaBreach } from "../quota_refusal.ts";
import { errorResponses, json, SECURED } from "../route_responses.ts";

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Registers the route. */
export function registerCreateJob(app: ApiApp, deps: ApiDeps): void {
  const route = createRoute({
    method: "post",
    path: "/v1/jobs",
    tags: ["jobs"],
    summary: "Submit a work item",
    description:
      "Queues a job for a `[dev]` issue (or a parent issue with `[dev]` sub-issues), or a follow-up " +
      "on a pull request the service opened (`pull` and `instructions`: new commits on its branch). " +
      "The submitter is the verified caller. With `Idempotency-Key`, the same key and body from the same " +
      "caller return the same job (200); the same key with a different body is a 409. A caller with " +
      "`QUOTA_MAX_QUEUED` jobs queued, or whose model spend today (UTC) reached `QUOTA_USD_PER_DAY`, gets a 429.",
    security: SECURED,
    middleware: [requireScope("jobs:write", deps.audit)] as const,
    request: {
      headers: z.object({
        "idempotency-key": z.string().regex(
          IDEMPOTENCY_KEY,
          "Idempotency-Key must be 1-255 visible ASCII characters",
        )
          .optional().openapi({ description: "Makes retries safe; reuse it only for the same request." }),
      }),
      body: { required: true, ...json(submitJobSchema, "What to work on.") },
    },
    responses: {
      202: {
        ...json(jobViewSchema, "Queued."),
        headers: z.object({ Location: z.string().openapi({ example: "/v1/jobs/3f1c…" }) }),
      },
      200: json(jobViewSchema, "The job this Idempotency-Key created before."),
      ...errorResponses(400, 401, 403, 409, 413, 415, 422, 429, 503),
    },
  });
  app.openapi(route, async (c) => {
    const principal = c.get("principal");
    const request = toJobRequest(c.req.valid("json"));
    assertRepoAllowed(c, request.repo, deps.audit);
    const key = c.req.valid("header")["idempotency-key"];
    const submitted = { ...request, submitter: principal.id };
    const quota = { maxQueued: deps.quotas.maxQueued, usdPerDay: deps.quotas.usdPerDay };
    let result: CreateOnceResult;
    try {
      result = key === undefined
        ? { job: await deps.store.create(submitted, quota), created: true }
        : await deps.store.createOnce(
          submitted,
          { principal: principal.id, key, fingerprint: fingerprint(request) },
          quota,
        );
    } catch (error) {
      if (!(error instanceof QuotaExceededError)) throw error;
      const now = deps.now?.() ?? new Date();
      throw quotaRefusal(c, deps.audit, submitQuotaBreach(principal.id, error, now));
    }
    if ("conflict" in result) {
      throw new HttpError(
        409,
        "idempotency_conflict",
        `Idempotency-Key was used before with a different request (job ${result.conflict.id})`,
      );
    }
    const { job, created } = result;
    if (created) {
      deps.audit.record({
        event: "job_created",
        principal: principal.id,
        jobId: job.id,
        repo: job.repo,
        issue: job.issue,
        requestId: c.get("requestId"),
      });
      deps.queue.kick();
    }
    const view = toJobView(job, deps.now?.() ?? new Date());
    c.header("Location", `/v1/jobs/${job.id}`);
    return created ? c.json(view, 202) : c.json(view, 200);
  });
}

/** A follow-up's job is on the pull request's number (a pull request is an issue on GitHub). */
function toJobRequest(body: SubmitJobBody): JobRequest {
  const { issue, pull, ...rest } = body;
  return pull === undefined ? { ...rest, issue: issue! } : { ...rest, issue: pull, pull };
}

function fingerprint(request: JobRequest): string {
  const followUp = request.pull === undefined
    ? []
    : [request.pull, request.instructions ?? null, request.comment ?? null];
  return createHash("sha256").update(
    JSON.stringify([request.repo, request.issue, request.base ?? null, ...followUp]),
  )
    .digest("hex");
}
