/**
 * Builders of job events: each makes one kind of {@link NewJobEvent} from its data, with the
 * message people read, so a message never says something its data does not. A work item's events
 * carry its issue number in `data` and start their message with `#N: `.
 */
import type { EnvironmentProgress } from "../environments/environment_provider.ts";
import { environmentEvent } from "./environment_event.ts";
import type { JobEventData, NewJobEvent } from "../contracts/job_events.ts";

/** Events about the job as a whole. */
export const jobEvents = {
  step: (message: string): NewJobEvent => ({ kind: "step", message, data: {} }),
  workItems: (data: JobEventData<"work_items">): NewJobEvent => ({
    kind: "work_items",
    message: `work items: ${data.issues.map((n) => `#${n}`).join(", ")}${
      data.parent ? ` (from parent #${data.parent})` : ""
    }`,
    data,
  }),
  waiting: (data: JobEventData<"waiting">): NewJobEvent => ({
    kind: "waiting",
    message: data.open.length === 0
      ? `every [ops] sub-issue of #${data.parent} is closed; resuming`
      : `waiting: parent #${data.parent} puts [ops] first; open: ${
        data.open.map((i) => `${i.repo}#${i.number}`).join(", ")
      }`,
    data,
  }),
  skipped: (data: JobEventData<"skipped">): NewJobEvent => ({
    kind: "skipped",
    message: `skipped ${data.repo}#${data.issue}: ${data.reason}`,
    data,
  }),
  snapshot: (data: JobEventData<"snapshot">): NewJobEvent => ({
    kind: "snapshot",
    message: `snapshot ${data.files} files, ${Math.round(data.bytes / 1024)} KiB${
      data.fetched > 0 ? `; ${data.fetched} fetched as blobs (the tarball left them out or changed them)` : ""
    }; guidance: ${data.guidance.join(", ") || "none"}`,
    data,
  }),
  retry: (data: JobEventData<"retry">): NewJobEvent => ({
    kind: "retry",
    message: `back in the queue to run again (retry ${data.retry} of ${data.maxRetries}): ${data.reason}`,
    data,
  }),
  /** The job failed with `reason`. */
  error: (reason: string): NewJobEvent => ({ kind: "error", message: reason, data: {} }),
  done: (reason?: string): NewJobEvent => ({
    kind: "done",
    message: reason ?? "succeeded",
    data: { status: "succeeded", ...(reason ? { reason } : {}) },
  }),
  cancelled: (reason: string): NewJobEvent => ({
    kind: "cancelled",
    message: reason,
    data: { status: "cancelled", reason },
  }),
};

/** The data of a work item's event of kind `K`, without the issue (the builder adds it). */
type ItemData<K extends "sandbox" | "tool" | "usage" | "model_recovery" | "test" | "pr"> = Omit<
  JobEventData<K>,
  "issue"
>;

/** Builders of one work item's events (see {@link workItemEvents}). */
export interface WorkItemEvents {
  readonly issue: number;
  step(message: string): NewJobEvent;
  error(message: string): NewJobEvent;
  sandbox(data: ItemData<"sandbox">): NewJobEvent;
  /** The environment's progress; ages in the message are measured at `now` (ms, default now). */
  environment(progress: EnvironmentProgress, now?: number): NewJobEvent;
  tool(data: ItemData<"tool">): NewJobEvent;
  usage(data: ItemData<"usage">): NewJobEvent;
  /** The agent loop got past a hard case of the model API (see `recoveryActionSchema`). */
  modelRecovery(data: ItemData<"model_recovery">): NewJobEvent;
  /** Takes a test run's counts; its other fields (the output) are left out. */
  test(run: ItemData<"test">): NewJobEvent;
  notCommitted(paths: JobEventData<"not_committed">["paths"]): NewJobEvent;
  pullRequest(data: ItemData<"pr">): NewJobEvent;
}

/** The builders of work item `issue`'s events. */
export function workItemEvents(issue: number): WorkItemEvents {
  const about = (text: string) => `#${issue}: ${text}`;
  return {
    issue,
    step: (message) => ({ kind: "step", message: about(message), data: { issue } }),
    error: (message) => ({ kind: "error", message: about(message), data: { issue } }),
    environment: (progress, now = Date.now()) => environmentEvent(issue, progress, now),
    sandbox: ({ name, criteria, host }) => ({
      kind: "sandbox",
      message: about(
        `${
          criteria === null
            ? "could not parse the acceptance criteria under the issue's criteria heading"
            : `${criteria} acceptance criteria`
        }; starting sandbox ${name}${host ? ` on Docker host ${host}` : ""}`,
      ),
      data: { issue, name, criteria, ...(host ? { host } : {}) },
    }),
    tool: ({ turn, tool, summary }) => ({
      kind: "tool",
      message: about(summary),
      data: { issue, turn, tool, summary },
    }),
    usage: ({ turn, inputTokens, outputTokens, totalTokens, costUsd, call }) => ({
      kind: "usage",
      message: about(
        `turn ${turn}: ${totalTokens} tokens, $${costUsd.toFixed(4)}` +
          (call
            ? ` (this call: ${call.actual.inputTokens} in + ${call.actual.outputTokens} out, ` +
              `$${call.actual.costUsd.toFixed(4)}; projected at most ${call.projected.inputTokens} in ` +
              `(${call.projected.by}) + ${call.projected.outputTokens} out, $${
                call.projected.costUsd.toFixed(4)
              })`
            : ""),
      ),
      data: { issue, turn, inputTokens, outputTokens, totalTokens, costUsd, ...(call ? { call } : {}) },
    }),
    modelRecovery: ({ turn, action, detail }) => ({
      kind: "model_recovery",
      message: about(`turn ${turn}: ${action.replaceAll("_", " ")}: ${detail}`),
      data: { issue, turn, action, detail },
    }),
    test: ({ command, passed, failed, exitCode }) => ({
      kind: "test",
      message: about(`${passed} passed, ${failed} failed (exit ${exitCode})`),
      data: { issue, command, passed, failed, exitCode },
    }),
    notCommitted: (paths) => ({
      kind: "not_committed",
      message: about(`not committed: ${paths.map((p) => `${p.path} (${p.reason})`).join("; ")}`),
      data: { issue, paths: paths.map(({ path, reason }) => ({ path, reason })) },
    }),
    pullRequest: ({ number, url, draft, testsFailing }) => ({
      kind: "pr",
      message: about(`pull request #${number} ${url}${testsFailing ? " (draft: tests failing)" : ""}`),
      data: { issue, number, url, draft, testsFailing },
    }),
  };
}
