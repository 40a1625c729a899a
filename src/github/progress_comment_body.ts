/**
 * The text of a work item's progress comment: one comment per work item, rewritten as the work goes
 * (status, links to the job and the pull request, test result, cost so far, the board column, and
 * at the end the outcome or what to do about a failure). Untrusted text (failure reasons carry tool
 * and GitHub output) is cut and defused so it cannot mention anyone or close an issue.
 */
import type { TestSummary } from "../contracts/test_run.ts";
import type { BoardMove } from "./gateway.ts";
import { defuseMarkdown } from "./markdown_defuse.ts";

/** What the comment shows as the work item's status. */
export const PROGRESS_STATUSES = [
  "queued",
  "waiting",
  "working",
  "testing",
  "PR opened",
  "failed",
  "done",
] as const;

/** One of {@link PROGRESS_STATUSES}. */
export type ProgressStatus = typeof PROGRESS_STATUSES[number];

/** Everything the comment shows. */
export interface ProgressState {
  jobId: string;
  /** The job's page (`API_PUBLIC_URL` + `/v1/jobs/{id}`), when the service's public URL is set. */
  jobUrl?: string;
  status: ProgressStatus;
  pullRequest?: { number: number; url: string };
  tests?: TestSummary;
  /** Dollars spent on the model so far. */
  costUsd: number;
  /** The last board move, when one was tried. */
  board?: BoardMove;
  /** At the end: what happened, in words (a failure says what to do about it). */
  outcome?: string;
  /** While `waiting`: the open `[ops]` issues (`owner/name#N`) the work item waits for. */
  waitingFor?: string[];
}

/** Starts every progress comment, so the service can tell its own apart. */
export const PROGRESS_MARKER = "<!-- backend-agent:progress -->";

const REASON_MAX_CHARS = 1_500;

/** Untrusted text as one safe block, at most {@link REASON_MAX_CHARS} characters. */
function safe(text: string): string {
  const cut = text.length > REASON_MAX_CHARS;
  return defuseMarkdown(cut ? text.slice(0, REASON_MAX_CHARS) : text, cut ? " … (cut)" : "");
}

/** The board line: where the item was moved, or which column a person should move it to. */
function boardLine(board: BoardMove): string {
  const column = `**${board.status}**`;
  const projects = (board.projects ?? []).map((p) => `"${safe(p)}"`).join(", ");
  switch (board.kind) {
    case "moved":
      return `Board: moved to ${column} on ${projects}.`;
    case "no_project":
      return `Board: this issue is on no project board; it belongs in the ${column} column.`;
    case "no_column":
      return `Board: ${projects} has no ${column} column; move this issue to ${column} (or the nearest column).`;
    case "forbidden":
      return `Board: the service may not edit ${
        projects || "the project"
      }; please move this issue to ${column}.`;
  }
}

/** The comment's Markdown. */
export function renderProgressComment(state: ProgressState): string {
  const job = state.jobUrl ? `[\`${state.jobId}\`](${state.jobUrl})` : `\`${state.jobId}\``;
  const lines = [
    PROGRESS_MARKER,
    `**Backend agent** · status: **${state.status}**`,
    "",
    `- Job: ${job}`,
  ];
  if (state.pullRequest) {
    lines.push(`- Pull request: [#${state.pullRequest.number}](${state.pullRequest.url})`);
  }
  if (state.tests) {
    const t = state.tests;
    const verdict = t.exitCode === 0 ? "passing" : t.exitCode === null ? "killed (timeout)" : "failing";
    lines.push(`- Tests: ${verdict}, ${t.passed} passed, ${t.failed} failed`);
  }
  if (state.status === "waiting" && state.waitingFor?.length) {
    lines.push(
      `- Waiting for the \`[ops]\` issues to be closed first: ${
        state.waitingFor.map((i) => `\`${i}\``).join(", ")
      }`,
    );
  }
  lines.push(`- Cost so far: $${state.costUsd.toFixed(4)}`);
  if (state.board) lines.push(`- ${boardLine(state.board)}`);
  if (state.outcome) lines.push("", safe(state.outcome));
  return lines.join("\n");
}
