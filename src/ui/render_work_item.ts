/**
 * One work item: how it ended, then what it published — the pushed diff file by file with added and
 * deleted lines, the acceptance-criteria mapping as the pull request shows it, and the verification
 * run with the end of its output. Diff lines keep their `+`/`-`/space marks, so they read without
 * colour; file names and every line are escaped.
 */
import { html, raw } from "hono/html";
import type { WorkItem } from "../contracts/job.ts";
import type { PublishedFile, WorkItemPublication } from "../contracts/work_item_publication.ts";
import { pullRequestLink, statusBadge } from "./render_jobs.ts";
import { testsText, usageText } from "./render_job.ts";
import { renderSafeMarkdown } from "./safe_markdown.ts";
import { count, dollars } from "./ui_format.ts";
import type { Html } from "./ui_layout.ts";

const LINE_KIND: Record<string, string> = { "+": "add", "-": "del", "@": "hunk", "\\": "note" };

function patchLines(patch: string): Html {
  return html`${
    patch.split("\n").map((line) => html`<span class="${LINE_KIND[line[0] ?? ""] ?? "ctx"}">${line}</span>`)
  }`;
}

function fileSection(file: PublishedFile, index: number): Html {
  const id = `file-${index + 1}`;
  return html`<section class="file" aria-labelledby="${id}" data-path="${file.path}">
<h3 id="${id}"><code>${file.path}</code> <span class="change">${file.status}, ${
    file.binary ? "binary" : `+${count(file.additions)} −${count(file.deletions)}`
  }</span></h3>
${
    file.binary
      ? html`<p class="none">Binary file: no lines shown.</p>`
      : file.patch === ""
      ? html`<p class="none">${file.patchOmitted ?? "No line changes (mode only)."}</p>`
      : html`<pre class="diff" tabindex="0" aria-label="Diff of ${file.path}">${patchLines(file.patch)}</pre>`
  }
</section>`;
}

/** What work item `item` published (`publication`), or why there is nothing to show. */
export function renderWorkItem(item: WorkItem, publication: WorkItemPublication | undefined): Html {
  const pr = publication?.pullRequest ?? item.pullRequest;
  const additions = publication?.files.reduce((sum, f) => sum + f.additions, 0) ?? 0;
  const deletions = publication?.files.reduce((sum, f) => sum + f.deletions, 0) ?? 0;
  return html`<dl class="facts">
${
    item.title
      ? html`
        <dt>Title</dt>
        <dd class="title">${item.title}</dd>
      `
      : ""
  }
<dt>Status</dt><dd>${statusBadge(item.status)}</dd>
${
    item.reason
      ? html`
        <dt>Reason</dt>
        <dd class="reason">${item.reason}</dd>
      `
      : ""
  }
<dt>Pull request</dt><dd>${pr ? pullRequestLink(pr) : "none"}</dd>
${
    publication
      ? html`
        <dt>Commit</dt>
        <dd><code>${publication.commitSha}</code></dd>
      `
      : ""
  }
<dt>Tests</dt><dd>${testsText(item.tests)}</dd>
<dt>Usage</dt><dd>${usageText(item.usage)}</dd>
<dt>Cost</dt><dd>${dollars(item.usage.costUsd)}</dd>
</dl>
${
    publication
      ? html`<h2 id="changes">Changes: ${publication.files.length} files, +${count(additions)} −${
        count(deletions)
      }</h2>
<ul class="file-list">${
        publication.files.map((f, i) =>
          html`<li><a href="#file-${i + 1}"><code>${f.path}</code></a> ${f.status}${
            f.binary ? ", binary" : html`, +${f.additions} −${f.deletions}`
          }</li>`
        )
      }</ul>
${publication.files.map(fileSection)}
<h2 id="criteria">Acceptance criteria mapping</h2>
<div class="markdown criteria">${raw(renderSafeMarkdown(publication.criteriaMapping))}</div>
<h2 id="tests">Tests</h2>
<p>${testsText(publication.tests)}: <code>${publication.tests.command}</code></p>
${
        publication.tests.tail
          ? html`
            <details open>
              <summary>Output (its end)</summary>
              <pre class="output" tabindex="0">${publication.tests.tail}</pre>
            </details>
          `
          : html`<p class="none">No output kept.</p>`
      }`
      : html`<p class="empty">This work item published nothing${
        item.status === "running" ? " yet" : ""
      }: no diff or criteria mapping to show.</p>`
  }`;
}
