import { describe, expect, test } from "vitest";
import { jobEvents, workItemEvents } from "../../src/pipeline/job_event_builders.ts";
import { type NewJobEvent, newJobEventSchema } from "../../src/contracts/job_events.ts";

const item = workItemEvents(12);

/** One event of every builder, each with the message people have been reading. */
const CASES: Array<[NewJobEvent, string]> = [
  [jobEvents.step("started acme/tasks#12"), "started acme/tasks#12"],
  [jobEvents.workItems({ issues: [21, 23], parent: 20 }), "work items: #21, #23 (from parent #20)"],
  [jobEvents.workItems({ issues: [12] }), "work items: #12"],
  [
    jobEvents.skipped({ issue: 3, repo: "acme/other", reason: "in another repository" }),
    "skipped acme/other#3: in another repository",
  ],
  [
    jobEvents.snapshot({ files: 210, bytes: 20480, fetched: 2, guidance: ["AGENTS.md"] }),
    "snapshot 210 files, 20 KiB; 2 fetched as blobs (the tarball left them out or changed them); guidance: AGENTS.md",
  ],
  [
    jobEvents.snapshot({ files: 3, bytes: 1024, fetched: 0, guidance: [] }),
    "snapshot 3 files, 1 KiB; guidance: none",
  ],
  [jobEvents.error("#12 tests_failed: pytest exited 1"), "#12 tests_failed: pytest exited 1"],
  [jobEvents.done(), "succeeded"],
  [jobEvents.cancelled("cancelled by key:ci"), "cancelled by key:ci"],
  [item.step("sandbox removed"), "#12: sandbox removed"],
  [item.error("diff rejected: 501 files"), "#12: diff rejected: 501 files"],
  [
    item.sandbox({ name: "backend-agent-1-12", criteria: 3 }),
    "#12: 3 acceptance criteria; starting sandbox backend-agent-1-12",
  ],
  [
    item.sandbox({ name: "b", criteria: null }),
    "#12: could not parse the acceptance criteria under the issue's criteria heading; starting sandbox b",
  ],
  [item.tool({ turn: 1, tool: "bash", summary: "bash: pytest -q" }), "#12: bash: pytest -q"],
  [
    item.usage({ turn: 2, inputTokens: 2000, outputTokens: 1000, totalTokens: 3000, costUsd: 0.042 }),
    "#12: turn 2: 3000 tokens, $0.0420",
  ],
  [
    item.usage({
      turn: 3,
      inputTokens: 4000,
      outputTokens: 1100,
      totalTokens: 5100,
      costUsd: 0.05,
      call: {
        projected: { inputTokens: 2010, outputTokens: 4096, costUsd: 0.046, by: "count_tokens" },
        actual: { inputTokens: 2010, outputTokens: 100, costUsd: 0.005 },
      },
    }),
    "#12: turn 3: 5100 tokens, $0.0500 (this call: 2010 in + 100 out, $0.0050; projected at most 2010 in " +
    "(count_tokens) + 4096 out, $0.0460)",
  ],
  [
    item.modelRecovery({ turn: 4, action: "context_compacted", detail: "The prompt is too long: …" }),
    "#12: turn 4: context compacted: The prompt is too long: …",
  ],
  [
    item.test({ command: "pytest -q", passed: 19, failed: 0, exitCode: 0 }),
    "#12: 19 passed, 0 failed (exit 0)",
  ],
  [
    item.test({ command: "pytest -q", passed: 0, failed: 0, exitCode: null }),
    "#12: 0 passed, 0 failed (exit null)",
  ],
  [
    item.notCommitted([{ path: "lfs.bin", reason: "an LFS path" }, {
      path: "x.log",
      reason: "matched by .gitignore",
    }]),
    "#12: not committed: lfs.bin (an LFS path); x.log (matched by .gitignore)",
  ],
  [
    item.pullRequest({ number: 7, url: "https://github.example/p/7", draft: true, testsFailing: true }),
    "#12: pull request #7 https://github.example/p/7 (draft: tests failing)",
  ],
];

describe("job event builders", () => {
  test.each(CASES)("%# builds a valid event with the message people read", (event, message) => {
    expect(newJobEventSchema.parse(event)).toEqual(event);
    expect(event.message).toBe(message);
  });

  test("a work item's events carry its issue in their data; the data holds only the contract's fields", () => {
    for (const [event] of CASES.slice(9)) expect(event.data).toMatchObject({ issue: 12 });
    const run = { command: "pytest -q", passed: 1, failed: 0, exitCode: 0, tail: "lots of output" };
    expect(item.test(run).data).toEqual({
      issue: 12,
      command: "pytest -q",
      passed: 1,
      failed: 0,
      exitCode: 0,
    });
  });
});
