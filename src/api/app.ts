/**
 * The Hono app: request ids, secure headers, a body limit, authentication on
 * `/v1/*`, thin routes over the job store and the worker, the OpenAPI
 * document, the web dashboard (`/ui`, with its own Content-Security-Policy), and one error edge. It never touches Docker, GitHub or the model.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { ApiApp, ApiDeps, ApiEnv } from "./api_env.ts";
import { authenticate } from "./auth/auth_middleware.ts";
import { onApiError, onApiNotFound, validationHook } from "./error_handling.ts";
import { HttpError } from "./http_error.ts";
import { registerDocs } from "./routes/docs.ts";
import { registerHealth } from "./routes/health.ts";
import { registerJobEvents } from "./routes/job_events.ts";
import { registerCancelJob } from "./routes/jobs_cancel.ts";
import { registerCreateJob } from "./routes/jobs_create.ts";
import { registerGetJob } from "./routes/jobs_get.ts";
import { registerGitHubWebhook } from "./routes/github_webhook.ts";
import { registerListJobs } from "./routes/jobs_list.ts";
import { registerListEnvironments } from "./routes/environments_list.ts";
import { registerWorkItemChanges } from "./routes/work_item_changes.ts";
import { createStreamSlots } from "./stream_slots.ts";
import { isUiPath, registerUi, UI_CONTENT_SECURITY_POLICY } from "../ui/ui_routes.ts";

export type { ApiDeps, JobQueue } from "./api_env.ts";

/** Builds the HTTP API. Serve it with `Deno.serve(app.fetch)` or call `app.request()` in tests. */
export function createApp(deps: ApiDeps): ApiApp {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  const maxSize = deps.maxBodyBytes;
  app.use("*", requestId());
  const apiHeaders = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: ["'unsafe-inline'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    crossOriginResourcePolicy: "same-origin",
  });
  const uiHeaders = secureHeaders({
    contentSecurityPolicy: UI_CONTENT_SECURITY_POLICY,
    crossOriginResourcePolicy: "same-origin",
    referrerPolicy: "no-referrer",
  });
  app.use("*", (c, next) => isUiPath(c.req.path) ? uiHeaders(c, next) : apiHeaders(c, next));
  // Signed by GitHub, not by an API credential, and with GitHub's larger bodies: before both.
  registerGitHubWebhook(app, deps);
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize,
      onError: () => {
        throw new HttpError(413, "body_too_large", `The request body is larger than ${maxSize} bytes`);
      },
    }),
  );
  app.use("/v1/*", authenticate(deps.authenticator, deps.audit));
  registerHealth(app, deps);
  registerCreateJob(app, deps);
  registerListJobs(app, deps);
  registerGetJob(app, deps);
  registerJobEvents(app, deps, createStreamSlots(deps.quotas.maxStreams));
  registerCancelJob(app, deps);
  registerListEnvironments(app, deps);
  registerWorkItemChanges(app, deps);
  registerDocs(app);
  registerUi(app, deps);
  app.notFound(onApiNotFound);
  app.onError(onApiError);
  return app;
}
