/**
 * The project board and the progress comment, end to end: a parent with two `[dev]` sub-issues, one
 * on a Projects v2 board in `Ready`, one on no board. The first moves Ready → In Progress → In Review
 * in the stand-in's project; the second's comment names the column it belongs in. Each work item has
 * exactly one comment, created when the job starts and edited in place as the work goes.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  addFunctionScript,
  devIssue,
  FIDELITY_REPO,
  fidelityScenario,
  seedFidelityRepo,
} from "./fidelity_fixture.ts";
import { type Harness, startHarness } from "./harness.ts";
import { type FinishedJob, submitJob } from "./submit_job.ts";
import { PROGRESS_MARKER } from "../../src/github/progress_comment_body.ts";

const ON_BOARD = devIssue(2, "[dev] Subtract numbers", "`sub(a, b)` returns a - b.");
const OFF_BOARD = devIssue(3, "[dev] Multiply numbers", "`mul(a, b)` returns a * b.");

let harness: Harness;
let run: FinishedJob;

beforeAll(async () => {
  harness = await startHarness(
    fidelityScenario("board", [
      addFunctionScript(ON_BOARD.title, "sub", "-", "`sub(a, b)` returns a - b."),
      addFunctionScript(OFF_BOARD.title, "mul", "*", "`mul(a, b)` returns a * b."),
    ]),
    { env: { API_PUBLIC_URL: "https://agent.example.com/" } },
  );
  seedFidelityRepo(harness.github, [
    { number: 1, title: "Arithmetic", body: "Two small functions.", subIssues: [2, 3] },
    ON_BOARD,
    OFF_BOARD,
  ]);
  harness.github.addProject({
    title: "Sprint",
    statuses: ["Todo", "Ready", "In Progress", "In Review", "Done"],
    items: { [`${FIDELITY_REPO}#2`]: "Ready" },
  });
  run = await submitJob(harness, { repo: FIDELITY_REPO, issue: 1 });
}, 600_000);

afterAll(() => harness?.close());

describe("the board and the progress comment", () => {
  test("the job opens a pull request for each work item", () => {
    expect(run.job.status, run.job.reason).toBe("succeeded");
    expect(run.job.workItems.map((w) => w.status)).toEqual(["submitted", "submitted"]);
  });

  test("the item on the board moves Ready → In Progress → In Review in the stand-in's project", () => {
    expect(harness.github.projectMoves("Sprint", `${FIDELITY_REPO}#2`)).toEqual(["In Progress", "In Review"]);
    expect(harness.github.projectStatus("Sprint", `${FIDELITY_REPO}#2`)).toBe("In Review");
  });

  test("each work item has exactly one comment, edited in place through its statuses to the outcome", () => {
    for (const issue of [2, 3]) {
      const comments = harness.github.issueComments(FIDELITY_REPO, issue);
      expect(comments).toHaveLength(1);
      const versions = comments[0]!.versions;
      expect(versions.every((v) => v.startsWith(PROGRESS_MARKER))).toBe(true);
      const statuses = versions.map((v) => /status: \*\*([^*]+)\*\*/.exec(v)?.[1]);
      expect(statuses[0]).toBe("queued");
      expect(statuses).toContain("working");
      expect(statuses).toContain("testing");
      expect(statuses).toContain("PR opened");
      expect(statuses.at(-1)).toBe("done");
      // Coalesced: an edit per status change, not per tool call or model call.
      expect(versions.length).toBeLessThanOrEqual(8);
      const last = versions.at(-1)!;
      const pull = run.job.workItems.find((w) => w.issue === issue)!.pullRequest!;
      expect(last).toContain(`[#${pull.number}](`);
      expect(last).toContain(`[\`${run.id}\`](https://agent.example.com/v1/jobs/${run.id})`);
      expect(last).toMatch(/Tests: passing, \d+ passed, 0 failed/);
      expect(last).toMatch(/Cost so far: \$\d+\.\d{4}/);
      expect(last).toContain("Done: the pull request is ready for review.");
    }
  });

  test("the comment of the item on the board says where it was moved", () => {
    const last = harness.github.issueComments(FIDELITY_REPO, 2)[0]!.versions.at(-1)!;
    expect(last).toContain('Board: moved to **In Review** on "Sprint".');
  });

  test("running the work item again edits its one comment again, and the board stays in review", async () => {
    const again = await submitJob(harness, { repo: FIDELITY_REPO, issue: 2 });
    expect(again.job.status, again.job.reason).toBe("succeeded");
    const comments = harness.github.issueComments(FIDELITY_REPO, 2);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.versions.at(-1)).toContain(again.id);
    expect(harness.github.projectStatus("Sprint", `${FIDELITY_REPO}#2`)).toBe("In Review");
  }, 300_000);

  test("the item on no board gets the column it belongs in named in its comment", () => {
    const versions = harness.github.issueComments(FIDELITY_REPO, 3)[0]!.versions;
    expect(
      versions.some((v) =>
        v.includes("this issue is on no project board; it belongs in the **In Progress**")
      ),
    )
      .toBe(true);
    expect(versions.at(-1)).toContain(
      "this issue is on no project board; it belongs in the **In Review** column.",
    );
  });
});
