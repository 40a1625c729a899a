/**
 * The API's error edge: every failure becomes `{"error":{"code","message","requestId"}}`
 * with a stable code. Unexpected errors are logged (message only) and answered
 * with a bare 500; nothing from a credential or an internal error reaches the body.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import type { ApiEnv } from "./api_env.ts";
import { HttpError } from "./http_error.ts";
import { logger } from "../logging.ts";

const apiLog = logger("api");

/** The error body, as sent; `details` adds fields beside `code` and `message` (e.g. `quota`). */
export function errorBody(
  c: Context<ApiEnv>,
  code: string,
  message: string,
  details: Readonly<Record<string, unknown>> = {},
) {
  const requestId = c.get("requestId");
  return { error: { code, message, ...details, ...(requestId ? { requestId } : {}) } };
}

/** One line naming the first invalid field: `repo: repo must look like "owner/name"`. */
export function describeZodError(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "body: invalid";
  const field = issue.path.join(".") ||
    (issue.code === "unrecognized_keys" ? issue.keys.join(", ") : "body");
  return `${field}: ${issue.message}`;
}

/** The validation hook of every route: a 422 naming the field. */
export function validationHook(result: { success: boolean; error?: unknown }): void {
  if (!result.success) {
    throw new HttpError(422, "invalid_request", describeZodError(result.error as ZodError));
  }
}

/** `app.onError`. */
export function onApiError(error: Error, c: Context<ApiEnv>): Response {
  if (error instanceof HttpError) {
    if (error.status === 401) c.header("WWW-Authenticate", 'Bearer realm="backend-agent"');
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    return c.json(errorBody(c, error.code, error.message, error.details), error.status);
  }
  if (error instanceof HTTPException && error.status === 400) {
    return c.json(errorBody(c, "invalid_json", "The request body is not valid JSON"), 400);
  }
  if (error instanceof HTTPException && error.status === 415) {
    return c.json(errorBody(c, "unsupported_media_type", "Send the body as application/json"), 415);
  }
  apiLog.error("unhandled API error {error}: {detail}", {
    requestId: c.get("requestId"),
    error: error.name,
    detail: error.message,
  });
  return c.json(errorBody(c, "internal", "Internal error"), 500);
}

/** `app.notFound`. */
export function onApiNotFound(c: Context<ApiEnv>): Response {
  return c.json(errorBody(c, "not_found", `No route ${c.req.method} ${c.req.path}`), 404);
}
