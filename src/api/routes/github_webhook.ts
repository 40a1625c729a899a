/**
 * `POST /v1/webhooks/github`: GitHub App webhook deliveries. No API credential: the body's
 * `X-Hub-Signature-256` with `GITHUB_WEBHOOK_SECRET` is the authentication, and a missing or bad one
 * is a 401 with an audit line. A delivery seen before (`X-GitHub-Delivery`, stored) is answered 200
 * and starts nothing again; a new one is handed to the inbox and answered 202 at once (GitHub gives
 * up after 10 s), whatever its event: unknown events are ignored there.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import type { ApiApp, ApiDeps } from "../api_env.ts";
import { HttpError } from "../http_error.ts";
import { errorSchema } from "../job_schemas.ts";
import { json } from "../route_responses.ts";

/** GitHub caps a webhook payload at 25 MB; larger deliveries are not sent. */
export const WEBHOOK_MAX_BODY_BYTES = 25 * 1024 * 1024;

const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;
const EVENT_NAME = /^[a-z_]{1,64}$/;
const PATH = "/v1/webhooks/github";

const acceptedSchema = z.object({
  status: z.enum(["accepted", "duplicate"]),
  delivery: z.string(),
}).openapi("WebhookAccepted");

/** Registers the route; call before the API's authentication middleware. */
export function registerGitHubWebhook(app: ApiApp, deps: ApiDeps): void {
  const route = createRoute({
    method: "post",
    path: PATH,
    tags: ["webhooks"],
    summary: "GitHub App webhook",
    description: "Signed with `GITHUB_WEBHOOK_SECRET` (`X-Hub-Signature-256`); no API credential. " +
      "Triggers: `issues.labeled` with `TRIGGER_LABEL`, `issues.assigned` to `GITHUB_BOT_LOGIN`, an issue " +
      "comment starting with `/agent run`, from users with write access; comments and reviews on the " +
      "service's pull requests; `issues.closed`. Other events are accepted and ignored.",
    middleware: [
      bodyLimit({
        maxSize: WEBHOOK_MAX_BODY_BYTES,
        onError: () => {
          throw new HttpError(
            413,
            "body_too_large",
            `The request body is larger than ${WEBHOOK_MAX_BODY_BYTES} bytes`,
          );
        },
      }),
    ] as const,
    request: {
      headers: z.object({
        "x-github-event": z.string().optional().openapi({ example: "issues" }),
        "x-github-delivery": z.string().optional().openapi({
          example: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        }),
        "x-hub-signature-256": z.string().optional().openapi({ example: "sha256=…" }),
      }),
    },
    responses: {
      202: json(acceptedSchema, "A new delivery, queued (or ignored when its event starts nothing)."),
      200: json(acceptedSchema, "This delivery was received before; nothing is started again."),
      400: json(errorSchema, "No `X-GitHub-Delivery` / `X-GitHub-Event`, or the body is not JSON."),
      401: json(errorSchema, "Missing or bad `X-Hub-Signature-256` (`webhook_signature_invalid`)."),
      404: json(errorSchema, "`GITHUB_WEBHOOK_SECRET` is not set (`webhooks_disabled`)."),
      413: json(errorSchema, "The body is larger than 25 MB (`body_too_large`)."),
    },
  });
  app.openapi(route, async (c) => {
    const webhooks = deps.webhooks;
    if (!webhooks) {
      throw new HttpError(
        404,
        "webhooks_disabled",
        "Webhooks are off: set GITHUB_WEBHOOK_SECRET to receive them",
      );
    }
    const delivery = c.req.header("x-github-delivery");
    const event = c.req.header("x-github-event");
    const signature = c.req.header("x-hub-signature-256");
    const body = await c.req.text();
    if (signature === undefined || !(await webhooks.verify(body, signature))) {
      deps.audit.record({
        event: "webhook_rejected",
        reason: signature === undefined ? "missing_signature" : "bad_signature",
        ...(delivery !== undefined && DELIVERY_ID.test(delivery) ? { delivery } : {}),
        ...(event !== undefined && EVENT_NAME.test(event) ? { githubEvent: event } : {}),
        method: c.req.method,
        path: c.req.path,
        requestId: c.get("requestId"),
      });
      throw new HttpError(
        401,
        "webhook_signature_invalid",
        "X-Hub-Signature-256 is missing or does not match: the webhook's secret must equal GITHUB_WEBHOOK_SECRET",
      );
    }
    if (
      delivery === undefined || !DELIVERY_ID.test(delivery) || event === undefined || !EVENT_NAME.test(event)
    ) {
      throw new HttpError(400, "invalid_request", "X-GitHub-Delivery and X-GitHub-Event are required");
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch (error) {
      throw new HttpError(
        400,
        "invalid_json",
        "The webhook body is not JSON: set the webhook's content type to application/json",
        { cause: error },
      );
    }
    const first = await webhooks.deliveries.claim(delivery, event, deps.now?.() ?? new Date());
    if (!first) return c.json({ status: "duplicate" as const, delivery }, 200);
    webhooks.inbox.receive({ id: delivery, event, payload });
    return c.json({ status: "accepted" as const, delivery }, 202);
  });
}
