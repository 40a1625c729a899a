/**
 * One job's summary: status, reason, repository, issue, submitter, cost and timings, its work items
 * (status, reason, pull request, tests, usage, cost) and, for a credential with `jobs:write` while
 * the job is not final, the cancel button.
 */
import { html } from "hono/html";
import type { JobView } from "../api/job_schemas.ts";
import type { WorkItem } from "../contracts/job.ts";
import { isFinal } from "../contracts/job.ts";
import { jobDuration, pullRequestLink, pullRequestLinks, statusBadge } from "./render_jobs.ts";
import { dataTable } from "./data_table.ts";
import { count, dollars, duration } from "./ui_format.ts";
import { type Html, UI_BASE } from "./ui_layout.ts";

/** The link to work item `issue` of job `id`. */
export function workItemHref(id: string, issue: number): string {
  return `${UI_BASE}/jobs/${encodeURIComponent(id)}/items/${issue}`;
}

/** A test run's counts in words, e.g. `4 passed, 0 failed (exit 0)`. */
export function testsText(tests: WorkItem["tests"]): string {
  if (!tests) return "not run";
  const exit = tests.exitCode === null ? "killed" : `exit ${tests.exitCode}`;
  return `${tests.passed} passed, ${tests.failed} failed (${exit})`;
}

/** A usage record in words: tokens and model calls. */
export function usageText(usage: WorkItem["usage"]): string {
  return `${count(usage.totalTokens)} tokens (${count(usage.inputTokens)} in, ${
    count(usage.outputTokens)
  } out), ${usage.turns} model calls`;
}

function pullRequestCell(item: WorkItem): Html {
  return item.pullRequest ? pullRequestLink(item.pullRequest) : html`<span class="none">none</span>`;
}

/** The summary and work items of `job`; `mayCancel` says whether the caller holds `jobs:write`. */
export function renderJob(job: JobView, mayCancel: boolean): Html {
  const cancellable = mayCancel && !isFinal(job.status);
  return html`<dl class="facts" data-job-status="${job.status}">
<dt>Status</dt><dd>${statusBadge(job.status)}${job.cancelRequested ? " (stopping)" : ""}</dd>
${
    job.reason
      ? html`
        <dt>Reason</dt>
        <dd class="reason">${job.reason}</dd>
      `
      : ""
  }
<dt>Repository</dt><dd>${job.repo}</dd>
<dt>Issue</dt><dd>#${job.issue}${
    job.base
      ? html`
        on ${job.base}
      `
      : ""
  }</dd>
<dt>Submitter</dt><dd>${job.submitter ?? "—"}</dd>
<dt>Pull requests</dt><dd>${pullRequestLinks(job)}</dd>
<dt>Cost</dt><dd>${dollars(job.usage.costUsd)} — ${usageText(job.usage)}</dd>
<dt>Duration</dt><dd>${jobDuration(job)} (queued ${duration(job.timings.queuedMs)})</dd>
</dl>
${
    cancellable
      ? html`<p><button type="button" class="danger" data-cancel="${job.id}">Cancel job</button></p>`
      : ""
  }
<h2>Work items</h2>
${
    job.workItems.length === 0 ? html`<p class="empty">No work items yet.</p>` : dataTable({
      name: "items",
      caption: "Work items in the order they run",
      columns: ["Issue", "Status", "Reason", "Pull request", "Tests", "Usage", "Cost", "Details"],
      items: job.workItems,
      row: (item) => workItemRow(job.id, item),
    })
  }`;
}

function workItemRow(id: string, item: WorkItem): Html {
  const href = workItemHref(id, item.issue);
  return html`
    <tr data-issue="${item.issue}">
      <td>#${item.issue}${item.title ? html`<br><span class="title">${item.title}</span>` : ""}</td>
      <td>${statusBadge(item.status)}</td>
      <td class="reason">${item.reason ?? "—"}</td>
      <td>${pullRequestCell(item)}</td>
      <td>${testsText(item.tests)}</td>
      <td>${usageText(item.usage)}</td>
      <td class="num">${dollars(item.usage.costUsd)}</td>
      <td><a href="${href}">Changes and tests<span class="sr"> of #${item.issue}</span></a><br>
    <a href="${href}/trajectory">Trajectory<span class="sr"> of #${item.issue}</span></a></td>
    </tr>
  `;
}
