/**
 * `GET /v1/jobs/{id}/events`: Server-Sent Events for clients that accept
 * `text/event-stream` (resume with `Last-Event-ID` or `?after=`), and the JSON
 * page of events after `?after=N` for everyone else.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ApiApp, ApiDeps } from "../api_env.ts";
import { quotaRefusal } from "../quota_refusal.ts";
import type { StreamSlots } from "../stream_slots.ts";
import { requireScope } from "../auth/auth_middleware.ts";
import { streamJobEvents } from "../event_stream.ts";
import { visibleJob } from "../job_access.ts";
import { eventsPageSchema } from "../job_schemas.ts";
import { errorResponses, SECURED } from "../route_responses.ts";
import { jobIdParams } from "./jobs_get.ts";

const seq = (name: string) =>
  z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be an integer`).min(
    0,
    `${name} must be a non-negative integer`,
  );

/** A client refused a stream may retry after this long: another of its streams may have closed. */
const STREAM_RETRY_AFTER_S = 10;

/** Registers the route; each event stream holds one of its principal's `slots` while open. */
export function registerJobEvents(app: ApiApp, deps: ApiDeps, slots: StreamSlots): void {
  const route = createRoute({
    method: "get",
    path: "/v1/jobs/{id}/events",
    tags: ["jobs"],
    summary: "A job's progress events",
    description:
      "With `Accept: text/event-stream`: every event after `Last-Event-ID` (or `after`), each with " +
      "`id: <seq>` and the event as JSON data, then new ones as they happen; when the job is final, an " +
      "`event: end` with its status closes the stream. Otherwise: the JSON list of events after `after`. " +
      "A caller may hold `QUOTA_MAX_STREAMS` streams open at once; past that, 429.",
    security: SECURED,
    middleware: [requireScope("jobs:read", deps.audit)] as const,
    request: {
      params: jobIdParams,
      query: z.object({
        after: seq("after").optional().openapi({
          description: "Sequence number to continue after. Default 0.",
        }),
        limit: z.coerce.number({ error: "limit must be a number" }).int().min(1, "limit must be at least 1")
          .max(
            1000,
            "limit must be at most 1000",
          ).default(1000).openapi({ description: "JSON form: most events returned." }),
      }),
      headers: z.object({
        "last-event-id": seq("Last-Event-ID").optional().openapi({ description: "SSE resume point." }),
      }),
    },
    responses: {
      200: {
        description: "The events.",
        content: {
          "application/json": { schema: eventsPageSchema },
          "text/event-stream": { schema: z.string().openapi({ example: 'id: 3\ndata: {"seq":3,…}\n\n' }) },
        },
      },
      ...errorResponses(401, 403, 404, 422, 429, 503),
    },
  });
  app.openapi(route, async (c) => {
    const job = await visibleJob(c, deps.store, c.req.valid("param").id);
    const { after, limit } = c.req.valid("query");
    const afterSeq = c.req.valid("header")["last-event-id"] ?? after ?? 0;
    if ((c.req.header("accept") ?? "").includes("text/event-stream")) {
      const principal = c.get("principal").id;
      const release = slots.take(principal);
      if (!release) {
        const max = deps.quotas.maxStreams;
        throw quotaRefusal(c, deps.audit, {
          setting: "QUOTA_MAX_STREAMS",
          limit: max,
          used: slots.open(principal),
          retryAfterSeconds: STREAM_RETRY_AFTER_S,
          message: `${principal} already has ${slots.open(principal)} event streams open, the most ` +
            `QUOTA_MAX_STREAMS=${max} allows; close one, or read the events as JSON (without ` +
            "Accept: text/event-stream)",
        });
      }
      return streamJobEvents(c, deps, { jobId: job.id, afterSeq, onClose: release });
    }
    return c.json({ events: await deps.store.listEvents(job.id, afterSeq, limit) }, 200);
  });
}
