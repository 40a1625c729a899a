/** The jobs page's table: newest first, with status, repository, issue, submitter, PRs, cost, duration. */
import { html } from "hono/html";
import type { JobView } from "../api/job_schemas.ts";
import { dataTable } from "./data_table.ts";
import type { Html } from "./ui_layout.ts";
import { UI_BASE } from "./ui_layout.ts";
import { age, dollars, duration, safeHref } from "./ui_format.ts";

/** A status as a word in a badge (the word carries the meaning; colour only repeats it). */
export function statusBadge(status: string): Html {
  return html`<span class="status" data-status="${status}">${status.replaceAll("_", " ")}</span>`;
}

/** The link to job `id`'s page. */
export function jobHref(id: string): string {
  return `${UI_BASE}/jobs/${encodeURIComponent(id)}`;
}

/** Pull request `pr` as `#N`, a link only when its URL is http(s). */
export function pullRequestLink(pr: { number: number; url: string }): Html {
  const href = safeHref(pr.url);
  const label = `#${pr.number}`;
  return href ? html`<a href="${href}" rel="noreferrer">${label}</a>` : html`${label}`;
}

/** Links to `job`'s pull requests (only http(s) URLs become links). */
export function pullRequestLinks(job: Pick<JobView, "pullRequests">): Html {
  if (job.pullRequests.length === 0) return html`<span class="none">none</span>`;
  return html`${job.pullRequests.map((pr, i) => html`${i > 0 ? ", " : ""}${pullRequestLink(pr)}`)}`;
}

/** The time a job ran (or has waited, while queued). */
export function jobDuration(job: JobView): string {
  return job.timings.runMs !== undefined
    ? duration(job.timings.runMs)
    : `queued ${duration(job.timings.queuedMs)}`;
}

/** The work items' titles, or the issue number alone. */
function issueCell(job: JobView): Html {
  const titles = job.workItems.map((item) => item.title).filter((title): title is string => Boolean(title));
  return html`#${job.issue}${
    job.pull
      ? html`
        (follow-up on pull request #${job.pull})
      `
      : ""
  }${titles.length ? html`<br><span class="title">${titles.join("; ")}</span>` : ""}`;
}

/** The table of `jobs`, with a link to the next page when there is one. */
export function renderJobs(jobs: JobView[], next: string | undefined, now: Date): Html {
  if (jobs.length === 0) return html`<p class="empty">No jobs match.</p>`;
  return html`${
    dataTable({
      name: "jobs",
      caption: "Jobs, newest first",
      columns: [
        "Job",
        "Status",
        "Repository",
        "Issue",
        "Submitter",
        "Pull requests",
        "Cost",
        "Duration",
        "Created",
      ],
      items: jobs,
      row: (job) =>
        html`
          <tr data-job="${job.id}">
            <td><a href="${jobHref(job.id)}">${job.id}</a></td>
            <td>${statusBadge(job.status)}</td>
            <td>${job.repo}</td>
            <td>${issueCell(job)}</td>
            <td>${job.submitter ?? "—"}</td>
            <td>${pullRequestLinks(job)}</td>
            <td class="num">${dollars(job.usage.costUsd)}</td>
            <td class="num">${jobDuration(job)}</td>
            <td>${age(job.createdAt, now)}</td>
          </tr>
        `,
    })
  }<nav aria-label="Pages" class="pager">${
    next ? html`<a href="${next}" rel="next">Next page</a>` : html`<span>Last page</span>`
  }</nav>`;
}
