/**
 * The dashboard's data, as HTML fragments (`GET /ui/fragments/…`): authenticated like `/v1/*`, each
 * reads the API as the caller (`api_reader.ts`) and renders what it got, escaped. A refusal is
 * passed on as the API's JSON error, which the page's script shows.
 */
import type { Context } from "hono";
import type { ApiApp, ApiDeps, ApiEnv } from "../api/api_env.ts";
import { authenticate } from "../api/auth/auth_middleware.ts";
import { hasScope } from "../api/auth/principal.ts";
import { mayActOn } from "../api/job_access.ts";
import { jobPageSchema, jobViewSchema, trajectoriesSchema } from "../api/job_schemas.ts";
import { environmentListSchema } from "../api/routes/environments_list.ts";
import { workItemPublicationSchema } from "../contracts/work_item_publication.ts";
import { readApi } from "./api_reader.ts";
import { renderEnvironments } from "./render_environments.ts";
import { renderJob } from "./render_job.ts";
import { renderJobs } from "./render_jobs.ts";
import { renderTrajectory } from "./render_trajectory.ts";
import { renderWorkItem } from "./render_work_item.ts";
import type { Html } from "./ui_layout.ts";
import { UI_BASE } from "./ui_layout.ts";
import { jobFilterQuery } from "./ui_pages.ts";

/** Jobs per page of the jobs page. */
export const JOBS_PAGE_SIZE = 20;

const FRAGMENTS = `${UI_BASE}/fragments`;

function fragment(c: Context<ApiEnv>, body: Html): Response | Promise<Response> {
  return c.html(body, 200, { "cache-control": "no-store" });
}

/** A fragment's own refusal, shaped like the API's errors. */
function refusal(c: Context<ApiEnv>, status: 404, code: string, message: string): Response {
  return c.json({ error: { code, message, requestId: c.get("requestId") } }, status);
}

const jobPath = (id: string) => `/v1/jobs/${encodeURIComponent(id)}`;

/** Registers the fragment routes on `app`; they read `app`'s own API. */
export function registerUiFragments(app: ApiApp, deps: ApiDeps): void {
  const now = () => deps.now?.() ?? new Date();
  app.use(`${FRAGMENTS}/*`, authenticate(deps.authenticator, deps.audit));

  app.get(`${FRAGMENTS}/jobs`, async (c) => {
    const query = jobFilterQuery(c);
    query.set("limit", String(JOBS_PAGE_SIZE));
    const page = await readApi(app, c, `/v1/jobs?${query}`, jobPageSchema);
    if (!page.ok) return page.response;
    let next: string | undefined;
    if (page.data.nextCursor) {
      query.delete("limit");
      query.set("cursor", page.data.nextCursor);
      next = `${UI_BASE}?${query}`;
    }
    return fragment(c, renderJobs(page.data.jobs, next, now()));
  });

  app.get(`${FRAGMENTS}/jobs/:id`, async (c) => {
    const job = await readApi(app, c, jobPath(c.req.param("id")), jobViewSchema);
    if (!job.ok) return job.response;
    const principal = c.get("principal");
    // The cancel route's own rule: `jobs:write`, and the job is the caller's or it holds `jobs:admin`.
    const mayCancel = hasScope(principal, "jobs:write") && mayActOn(principal, job.data);
    return fragment(c, renderJob(job.data, mayCancel));
  });

  app.get(`${FRAGMENTS}/jobs/:id/items/:issue{[0-9]+}`, async (c) => {
    const { id } = c.req.param();
    const issue = Number(c.req.param("issue"));
    const job = await readApi(app, c, jobPath(id), jobViewSchema);
    if (!job.ok) return job.response;
    const item = job.data.workItems.find((w) => w.issue === issue);
    if (!item) return refusal(c, 404, "work_item_not_found", `Job "${id}" has no work item #${issue}`);
    const changes = await readApi(
      app,
      c,
      `${jobPath(id)}/work-items/${issue}/changes`,
      workItemPublicationSchema,
    );
    if (!changes.ok && changes.response.status !== 404) return changes.response;
    return fragment(c, renderWorkItem(item, changes.ok ? changes.data : undefined));
  });

  app.get(`${FRAGMENTS}/jobs/:id/items/:issue{[0-9]+}/trajectory`, async (c) => {
    const { id } = c.req.param();
    const issue = Number(c.req.param("issue"));
    const all = await readApi(app, c, `${jobPath(id)}/trajectory`, trajectoriesSchema);
    if (!all.ok) return all.response;
    const found = all.data.trajectories.find((t) => t.issue === issue);
    if (!found) {
      return refusal(c, 404, "trajectory_not_found", `Job "${id}" kept no trajectory for #${issue}`);
    }
    return fragment(c, renderTrajectory(found.trajectory));
  });

  app.get(`${FRAGMENTS}/environments`, async (c) => {
    const list = await readApi(app, c, "/v1/environments", environmentListSchema);
    if (!list.ok) return list.response;
    return fragment(c, renderEnvironments(list.data.environments, now()));
  });
}
