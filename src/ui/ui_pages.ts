/**
 * The dashboard's shell pages (`GET /ui`, `/ui/jobs/{id}`, `/ui/jobs/{id}/items/{issue}`,
 * `…/trajectory`, `/ui/environments`). Public and free of data: each names the fragments its script
 * fetches with the caller's credential, and the job page the event stream it follows.
 */
import type { Context } from "hono";
import { html } from "hono/html";
import type { ApiApp } from "../api/api_env.ts";
import { JOB_STATUSES } from "../contracts/job.ts";
import { jobHref } from "./render_jobs.ts";
import { workItemHref } from "./render_job.ts";
import { region, shell, type ShellPage, UI_BASE } from "./ui_layout.ts";

/** The query parameters of the jobs page that travel to its fragment. */
export const JOB_FILTERS = ["status", "repo", "cursor"] as const;

/** The {@link JOB_FILTERS} of `c`'s request that are set, as a query. */
export function jobFilterQuery(c: Context): URLSearchParams {
  const query = new URLSearchParams();
  for (const name of JOB_FILTERS) {
    const value = c.req.query(name);
    if (value) query.set(name, value);
  }
  return query;
}

const ISSUE = /^[1-9][0-9]{0,9}$/;

function filterForm(status: string, repo: string) {
  return html`
    <form class="filters" method="get" action="${UI_BASE}" role="search" aria-label="Filter jobs">
      <label for="f-status">Status</label>
      <select id="f-status" name="status"><option value="">any</option>${JOB_STATUSES.map((s) =>
        html`
          <option value="${s}" ${s === status
            ? html`
              selected
            `
            : ""}>${s}</option>
        `
      )}</select>
      <label for="f-repo">Repository</label>
      <input id="f-repo" name="repo" value="${repo}" placeholder="owner/name" size="24">
      <button type="submit">Filter</button>
    </form>
  `;
}

/** `shellPage` as the response (never cached: the shell may change with the service). */
function page(c: Context, shellPage: ShellPage): Response | Promise<Response> {
  return c.html(shell(shellPage), 200, { "cache-control": "no-store" });
}

/** Registers the shell pages on `app`. */
export function registerUiPages(app: ApiApp): void {
  app.get(UI_BASE, (c) => {
    const query = jobFilterQuery(c);
    return page(c, {
      title: "Jobs",
      section: "jobs",
      body: html`${filterForm(c.req.query("status") ?? "", c.req.query("repo") ?? "")}${
        query.has("cursor") ? html`<p><a href="${UI_BASE}?${withoutCursor(query)}">First page</a></p>` : ""
      }${region("Jobs", `${UI_BASE}/fragments/jobs?${query}`)}`,
    });
  });
  app.get(`${UI_BASE}/jobs/:id`, (c) => {
    const id = c.req.param("id");
    const fragment = `${UI_BASE}/fragments/jobs/${encodeURIComponent(id)}`;
    return page(c, {
      title: `Job ${id}`,
      section: "jobs",
      trail: [[UI_BASE, "Jobs"]],
      body: html`
        ${region("Job summary", fragment, { refresh: true })}
        <section aria-labelledby="events-title" class="events">
          <h2 id="events-title">Events</h2>
          <p id="stream-status" class="stream" role="status">Not connected.</p>
          <ol id="event-log" class="event-log" data-events="/v1/jobs/${encodeURIComponent(id)}/events"></ol>
        </section>
      `,
    });
  });
  app.get(`${UI_BASE}/jobs/:id/items/:issue`, (c) => {
    const { id, issue } = c.req.param();
    if (!ISSUE.test(issue)) return c.notFound();
    return page(c, {
      title: `Work item #${issue}`,
      section: "jobs",
      trail: [[UI_BASE, "Jobs"], [jobHref(id), `Job ${id}`]],
      body: html`<p><a href="${workItemHref(id, Number(issue))}/trajectory">Trajectory</a></p>${
        region("Work item", `${UI_BASE}/fragments/jobs/${encodeURIComponent(id)}/items/${issue}`)
      }`,
    });
  });
  app.get(`${UI_BASE}/jobs/:id/items/:issue/trajectory`, (c) => {
    const { id, issue } = c.req.param();
    if (!ISSUE.test(issue)) return c.notFound();
    return page(c, {
      title: `Trajectory of #${issue}`,
      section: "jobs",
      trail: [[UI_BASE, "Jobs"], [jobHref(id), `Job ${id}`], [
        workItemHref(id, Number(issue)),
        `#${issue}`,
      ]],
      body: region(
        "Trajectory",
        `${UI_BASE}/fragments/jobs/${encodeURIComponent(id)}/items/${issue}/trajectory`,
      ),
    });
  });
  app.get(`${UI_BASE}/environments`, (c) =>
    page(c, {
      title: "Environments",
      section: "environments",
      body: region("Environments", `${UI_BASE}/fragments/environments`),
    }));
}

function withoutCursor(query: URLSearchParams): URLSearchParams {
  const copy = new URLSearchParams(query);
  copy.delete("cursor");
  return copy;
}
