/**
 * The Hono app: thin routes over the job store and the worker. It never
 * touches Docker, GitHub or the model.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import { requestId } from "hono/request-id";
import type { JobStore } from "../jobs/store.ts";
import { HttpError } from "./http_error.ts";
import { jobRequestSchema } from "./job_request_schema.ts";

/** What the API needs from the rest of the service. */
export interface ApiDeps {
  store: JobStore;
  /** Called after a job is stored, so the worker picks it up. */
  onJobQueued: () => void;
}

/** Builds the HTTP API. Serve it with `Deno.serve(app.fetch)` or call `app.request()` in tests. */
export function createApp(deps: ApiDeps): Hono {
  const app = new Hono();
  app.use("*", requestId());
  app.use("*", secureHeaders());
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: 64 * 1024,
      onError: () => {
        throw new HttpError(413, "body_too_large", "The request body is larger than 64 KiB");
      },
    }),
  );

  app.get("/healthz", (c) => c.json({ status: "ok" }));

  app.post("/v1/jobs", async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new HttpError(400, "invalid_json", "The request body is not valid JSON");
    }
    const parsed = jobRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join(".") ||
        (issue.code === "unrecognized_keys" ? issue.keys.join(", ") : "body");
      throw new HttpError(422, "invalid_request", `${field}: ${issue.message}`);
    }
    const job = await deps.store.create(parsed.data);
    deps.onJobQueued();
    return c.json({ id: job.id, status: job.status }, 202, { Location: `/v1/jobs/${job.id}` });
  });

  app.get("/v1/jobs/:id", async (c) => {
    const job = await deps.store.get(c.req.param("id"));
    if (!job) throw new HttpError(404, "job_not_found", `No job with id "${c.req.param("id")}"`);
    return c.json(job);
  });

  app.get("/v1/jobs/:id/events", async (c) => {
    const id = c.req.param("id");
    if (!await deps.store.get(id)) throw new HttpError(404, "job_not_found", `No job with id "${id}"`);
    const after = Number(c.req.query("after") ?? "0");
    if (!Number.isInteger(after) || after < 0) {
      throw new HttpError(422, "invalid_request", "after: must be a non-negative integer");
    }
    return c.json({ events: await deps.store.listEvents(id, after) });
  });

  app.notFound((c) =>
    c.json({ error: { code: "not_found", message: `No route ${c.req.method} ${c.req.path}` } }, 404)
  );
  app.onError((error, c) => {
    if (error instanceof HttpError) {
      return c.json({ error: { code: error.code, message: error.message } }, error.status);
    }
    console.error(JSON.stringify({ level: "error", msg: "unhandled API error", error: String(error) }));
    return c.json({ error: { code: "internal", message: "Internal error" } }, 500);
  });
  return app;
}
