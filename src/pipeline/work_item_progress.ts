/**
 * A work item's presence on GitHub while it runs: its project board column and its one progress
 * comment. The comment is created (`queued`) when the job's work items start, and from then on
 * edited in place: it follows the work item's typed job events through {@link WorkItemProgress.wrap}
 * (the pipeline's `emit`, wrapped). Edits are coalesced: only status changes, test results and the
 * pull request ask for an edit, never a tool call or a model call (their cost rides along), and while
 * one edit is in flight the next waits and carries every change made meanwhile.
 *
 * The board moves to `PROJECT_STATUS_IN_PROGRESS` when the work item starts and to
 * `PROJECT_STATUS_IN_REVIEW` when its pull request opens; when it cannot (no board, no such column,
 * no permission) the comment names the column. Neither the board nor the comment ever fails the
 * work item: a GitHub failure here is logged and the work goes on.
 */
import type { BoardMove, GitHubGateway, Issue, RepoRef } from "../github/gateway.ts";
import {
  type ProgressState,
  type ProgressStatus,
  renderProgressComment,
} from "../github/progress_comment_body.ts";
import type { EmitJobEvent, NewJobEvent } from "../contracts/job_events.ts";
import type { WorkItemResult } from "../contracts/job.ts";
import { logJobError } from "./error_line.ts";

/** The board's column names (`PROJECT_STATUS_IN_PROGRESS`, `PROJECT_STATUS_IN_REVIEW`). */
export interface BoardColumns {
  inProgress: string;
  inReview: string;
}

/**
 * Which comment is a work item's progress comment (migration 7), so a re-run or a follow-up of the
 * same work item edits it instead of posting another. `repo` is `owner/name`.
 */
export interface ProgressCommentIds {
  get(repo: string, issue: number): Promise<number | undefined>;
  set(repo: string, issue: number, commentId: number): Promise<void>;
}

/** What a work item's progress needs. */
export interface WorkItemProgressDeps {
  github: GitHubGateway;
  commentIds: ProgressCommentIds;
  repo: RepoRef;
  jobId: string;
  /** The job's page, when the service's public URL is known. */
  jobUrl?: string;
  columns: BoardColumns;
}

/** Words a user can act on, per way a work item ends. */
const OUTCOME_WORDS: Record<WorkItemResult["status"], string> = {
  submitted: "Done: the pull request is ready for review.",
  tests_failed: "The tests still fail: the pull request (if any) is a draft showing the failure. Reason:",
  budget_exceeded: "Stopped at its budget (BUDGET_* settings); raise the budget or narrow the issue. Reason:",
  timeout: "Ran out of time; raise the job's time limit or split the issue. Reason:",
  model_error: "The model API failed; run the job again later. Reason:",
  model_refused: "The model declined to work on this issue; no pull request was opened. Reason:",
  model_unavailable: "The model API stayed overloaded or unavailable; run the job again later. Reason:",
  model_not_found: "The model id is not served (unknown or retired); change the MODEL setting. Reason:",
  context_exhausted:
    "The conversation outgrew the model's context window even after compaction; split the issue. Reason:",
  no_submission:
    "The agent ended without submitting work; make the issue's acceptance criteria clearer. Reason:",
  no_changes: "No file could be committed. Reason:",
  diff_rejected: "The change touches what the service may not commit. Reason:",
  branch_taken:
    "The branch or pull request belongs to someone else; close or rename it and run again. Reason:",
  environment_failed: "The repository's dependencies could not be installed; check its manifests. Reason:",
  skipped: "Skipped:",
  error: "An infrastructure failure ended this work item; run the job again. Reason:",
  cancelled: "The job was cancelled.",
};

/** One work item's board column and progress comment. */
export class WorkItemProgress {
  readonly #deps: WorkItemProgressDeps;
  readonly #issue: Issue;
  readonly #state: ProgressState;
  #commentId: number | undefined;
  /** The edit in flight, if any; edits never overlap. */
  #writing: Promise<void> | undefined;
  /** A change arrived while an edit was in flight. */
  #dirty = false;
  #ended = false;

  constructor(deps: WorkItemProgressDeps, issue: Issue) {
    this.#deps = deps;
    this.#issue = issue;
    this.#state = {
      jobId: deps.jobId,
      ...(deps.jobUrl ? { jobUrl: deps.jobUrl } : {}),
      status: "queued",
      costUsd: 0,
    };
  }

  /** Whether the work item has ended (its comment shows the outcome). */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Shows `queued`: in the work item's comment when it has one (an earlier job's), else in a new one,
   * whose id is kept. A kept comment that is gone (deleted) is replaced by a new one.
   */
  async open(): Promise<void> {
    const { github, repo, commentIds } = this.#deps;
    const fullName = `${repo.owner}/${repo.name}`;
    await this.#guard("create the progress comment", async () => {
      const body = renderProgressComment(this.#state);
      const kept = await commentIds.get(fullName, this.#issue.number);
      if (kept !== undefined && await github.updateIssueComment(repo, kept, body)) {
        this.#commentId = kept;
        return;
      }
      const comment = await github.createIssueComment(repo, this.#issue.number, body);
      this.#commentId = comment.id;
      await commentIds.set(fullName, this.#issue.number, comment.id);
    });
  }

  /** The job waits for its `[ops]` sub-issues (`open`, as `owner/name#N`); none: it resumes. */
  async waiting(open: string[]): Promise<void> {
    if (this.#ended) return;
    this.#state.status = open.length > 0 ? "waiting" : "queued";
    this.#state.waitingFor = open;
    await this.#edit();
  }

  /** The work starts: the board moves to In Progress, the comment says `working`. */
  async begin(): Promise<void> {
    this.#state.status = "working";
    await this.#move(this.#deps.columns.inProgress);
    await this.#edit();
  }

  /** `emit`, with every event also followed by the comment and the board. */
  wrap(emit: EmitJobEvent): EmitJobEvent {
    return async (event) => {
      await emit(event);
      await this.#follow(event);
    };
  }

  /** The work item ended: the comment shows the outcome (waiting for any edit in flight first). */
  async finish(
    result: Pick<WorkItemResult, "status" | "reason" | "pullRequest"> & { usage?: { costUsd: number } },
  ): Promise<void> {
    this.#ended = true;
    if (result.usage) this.#state.costUsd = result.usage.costUsd;
    if (result.pullRequest) this.#state.pullRequest = result.pullRequest;
    const failed = result.status !== "submitted";
    this.#state.status = failed ? "failed" : "done";
    const words = OUTCOME_WORDS[result.status];
    this.#state.outcome = failed && result.reason && words.endsWith(":")
      ? `${words} ${result.reason}`
      : words;
    await this.#edit();
  }

  async #follow(event: NewJobEvent): Promise<void> {
    switch (event.kind) {
      case "usage":
        this.#state.costUsd = event.data.costUsd;
        return;
      case "test":
        this.#state.tests = event.data;
        this.#setStatus("testing");
        break;
      case "pr":
        this.#state.pullRequest = { number: event.data.number, url: event.data.url };
        this.#setStatus("PR opened");
        await this.#move(this.#deps.columns.inReview, true);
        break;
      default:
        return;
    }
    await this.#edit();
  }

  #setStatus(status: ProgressStatus): void {
    if (!this.#ended) this.#state.status = status;
  }

  /** Moves the board; `optional`: a project without that column is left alone and not reported. */
  async #move(column: string, optional = false): Promise<void> {
    await this.#guard(`move the issue to "${column}"`, async () => {
      const move: BoardMove = await this.#deps.github.moveOnBoard(
        this.#deps.repo,
        this.#issue.number,
        column,
      );
      if (optional && move.kind === "no_column") return;
      this.#state.board = move;
    });
  }

  /** Rewrites the comment, coalescing the edits asked for while one is in flight. */
  async #edit(): Promise<void> {
    if (this.#writing) {
      this.#dirty = true;
      await this.#writing;
      return;
    }
    this.#writing = (async () => {
      do {
        this.#dirty = false;
        await this.#write();
      } while (this.#dirty);
    })();
    try {
      await this.#writing;
    } finally {
      this.#writing = undefined;
    }
  }

  async #write(): Promise<void> {
    const id = this.#commentId;
    if (id === undefined) return;
    const body = renderProgressComment(this.#state);
    await this.#guard("edit the progress comment", async () => {
      await this.#deps.github.updateIssueComment(this.#deps.repo, id, body);
    });
  }

  async #guard(what: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      logJobError(`cannot ${what}`, error, { jobId: this.#deps.jobId, issue: this.#issue.number });
    }
  }
}
