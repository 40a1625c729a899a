/**
 * `[ops]` first: when the parent issue's body puts `[ops]` before `[dev]` (`github/ops_order.ts`),
 * its `[dev]` work items wait until every `[ops]` sub-issue is closed. The job is `waiting` with the
 * open ones named (a `waiting` event); it looks again when an `issues.closed` webhook names one
 * of them (`jobs/issue_wakeups.ts` implements the wait) or every `WAIT_RECHECK_MS`, and gives up after
 * `WAIT_TIMEOUT_MS` (`ops_not_done`). A cancel ends the wait at once.
 */
import type { GitHubGateway, Issue, RepoRef } from "../github/gateway.ts";
import { isOpsTitle, readsOpsFirst } from "../github/ops_order.ts";
import type { IssueWaits } from "./pipeline_contract.ts";
import { jobEvents } from "./job_event_builders.ts";
import type { EmitJobEvent } from "../contracts/job_events.ts";

/** How long to wait (`WAIT_RECHECK_MS`, `WAIT_TIMEOUT_MS`). */
export interface OpsWaitSettings {
  /** Between two looks at the `[ops]` sub-issues when no webhook says one closed, ms. */
  recheckMs: number;
  /** Most time the `[dev]` work items wait, ms; then the job fails `ops_not_done`. */
  timeoutMs: number;
}

/** What {@link waitForOps} works with. */
export interface OpsWaitDeps {
  github: GitHubGateway;
  waits: IssueWaits;
  emit: EmitJobEvent;
  /** Marks the job `waiting` (true) or `running` again (false). */
  setWaiting(waiting: boolean): Promise<void>;
}

/** How {@link waitForOps} ended: go on, stop (cancelled), or fail with `reason`. */
export type OpsWaitEnd = { go: true } | { go: false; reason?: string };

const fullName = (repo: RepoRef) => `${repo.owner}/${repo.name}`;

/**
 * Waits, when `parent` puts `[ops]` first, until none of its `[ops]` sub-issues is open. Returns
 * `{ go: true }` at once when the parent sets no order or they are all closed.
 * @returns `{ go: false }` when `signal` aborted, `{ go: false, reason: "ops_not_done: …" }` after
 *   `timeoutMs`.
 * @throws GitHubError when the sub-issues cannot be read.
 */
export async function waitForOps(
  deps: OpsWaitDeps,
  input: { repo: RepoRef; parent: Issue; signal?: AbortSignal },
  settings: OpsWaitSettings,
): Promise<OpsWaitEnd> {
  const { repo, parent, signal } = input;
  if (!readsOpsFirst(parent.body)) return { go: true };
  const deadline = Date.now() + settings.timeoutMs;
  let announced: string | undefined;
  try {
    while (true) {
      if (signal?.aborted) return { go: false };
      const since = deps.waits.mark();
      const open = (await deps.github.listSubIssues(repo, parent.number))
        .filter((child) => isOpsTitle(child.title) && child.state === "open");
      const named = open.map((i) => `${fullName(i.repo)}#${i.number}`).join(", ");
      if (open.length === 0) {
        if (announced !== undefined) await deps.emit(jobEvents.waiting({ parent: parent.number, open: [] }));
        return { go: true };
      }
      if (named !== announced) {
        if (announced === undefined) await deps.setWaiting(true);
        announced = named;
        await deps.emit(jobEvents.waiting({
          parent: parent.number,
          open: open.map((i) => ({ repo: fullName(i.repo), number: i.number, title: i.title, url: i.url })),
        }));
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        return {
          go: false,
          reason: `ops_not_done: parent #${parent.number} puts [ops] first and ${named} ` +
            `${open.length === 1 ? "is" : "are"} still open after ${settings.timeoutMs} ms ` +
            `(WAIT_TIMEOUT_MS); close ${open.length === 1 ? "it" : "them"} and submit the job again`,
        };
      }
      const keys = open.map((i) => ({ repo: fullName(i.repo), number: i.number }));
      const end = await deps.waits.wait(keys, {
        timeoutMs: Math.min(settings.recheckMs, left),
        since,
        ...(signal ? { signal } : {}),
      });
      if (end === "aborted") return { go: false };
    }
  } finally {
    if (announced !== undefined) await deps.setWaiting(false);
  }
}
