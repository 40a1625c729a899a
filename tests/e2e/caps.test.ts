/**
 * Every cap is a setting whose error names it, and a work item over a cap
 * fails alone (issue faults 11 and 12).
 */
import { afterEach, describe, expect, test } from "vitest";
import type { ScenarioIssue } from "../../examples/scenario.ts";
import { bash, create, PYTEST } from "../../examples/scenarios/script_helpers.ts";
import {
  addFunctionScript,
  devIssue,
  FIDELITY_REPO,
  fidelityScenario,
  seedFidelityRepo,
  submit,
} from "./fidelity_fixture.ts";
import { type Harness, startHarness } from "./harness.ts";
import { submitJob } from "./submit_job.ts";

const MANY = "[dev] Generate the fixtures";
const MANY_CRITERION = "250 fixture files exist under `gen/`";
const MAKE_250 = bash(
  "python3 -c \"import os; os.makedirs('gen', exist_ok=True); " +
    "[open(f'gen/f{i:03}.txt', 'w').write(str(i)) for i in range(250)]\"",
);
const manyScript = (extraTurns: ReturnType<typeof bash>[] = []) => ({
  match: MANY,
  turns: [MAKE_250, submit(MANY_CRITERION, "gen/"), ...extraTurns],
});
const SMALL = "[dev] Add a power function";
const SMALL_CRITERION = "`pow2(a, b)` returns `a ** b`";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(
  scripts: Parameters<typeof fidelityScenario>[1],
  issues: ScenarioIssue[],
  env: Record<string, string> = {},
  extraFiles: Record<string, string> = {},
) {
  harness = await startHarness(fidelityScenario("caps", scripts), { env });
  seedFidelityRepo(harness.github, issues, extraFiles);
  return harness;
}

describe("diff caps", () => {
  test("DIFF_MAX_FILES=500 takes effect: 250 changed files get their PR", async () => {
    const h = await start([manyScript()], [devIssue(30, MANY, MANY_CRITERION)], { DIFF_MAX_FILES: "500" });
    const run = await submitJob(h, { repo: FIDELITY_REPO, issue: 30 });
    expect(run.job.status, run.job.reason).toBe("succeeded");
    const files = h.github.branchFiles(FIDELITY_REPO, h.github.pulls(FIDELITY_REPO)[0]!.head)!;
    expect([...files.keys()].filter((p) => p.startsWith("gen/"))).toHaveLength(250);
    expect(new TextDecoder().decode(files.get("gen/f249.txt"))).toBe("249");
  });

  test("over the default cap, the first sub-issue ends diff_rejected naming DIFF_MAX_FILES, and the second still runs", async () => {
    const parent: ScenarioIssue = {
      number: 29,
      title: "Fixtures and power",
      body: "Both.",
      subIssues: [30, 31],
    };
    const h = await start(
      [manyScript(), addFunctionScript(SMALL, "pow2", "**", SMALL_CRITERION)],
      [parent, devIssue(30, MANY, MANY_CRITERION), devIssue(31, SMALL, SMALL_CRITERION)],
      { VERIFY_RETRIES: "0" },
    );
    const run = await submitJob(h, { repo: FIDELITY_REPO, issue: 29 });
    expect(run.job.status).toBe("failed");
    expect(run.job.workItems.map((w) => [w.issue, w.status])).toEqual([[30, "diff_rejected"], [
      31,
      "submitted",
    ]]);
    expect(run.job.workItems[0]!.reason).toContain("250 files changed, over DIFF_MAX_FILES (200)");
    const pulls = h.github.pulls(FIDELITY_REPO);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.body).toContain("Closes #31");
  });

  test("a change set over the cap goes back to the model, which shrinks it and gets its PR", async () => {
    const shrink = [
      bash("rm -rf gen"),
      create(
        "/workspace/gen/fixtures.txt",
        Array.from({ length: 250 }, (_, i) => String(i)).join("\n") + "\n",
      ),
      bash(PYTEST),
      submit(MANY_CRITERION, "gen/fixtures.txt"),
    ];
    const h = await start([manyScript(shrink)], [devIssue(30, MANY, MANY_CRITERION)]);
    const run = await submitJob(h, { repo: FIDELITY_REPO, issue: 30 });
    expect(run.job.status, run.job.reason).toBe("succeeded");
    const toModel = JSON.stringify(h.anthropic!.requests);
    expect(toModel).toContain(
      "Not accepted: the change set is too large: 250 files changed, over DIFF_MAX_FILES (200)",
    );
    const files = h.github.branchFiles(FIDELITY_REPO, h.github.pulls(FIDELITY_REPO)[0]!.head)!;
    expect([...files.keys()].filter((p) => p.startsWith("gen/"))).toEqual(["gen/fixtures.txt"]);
  });
});

describe("snapshot caps", () => {
  const many = Object.fromEntries(
    Array.from({ length: 21_000 }, (_, i) => [`data/rows/r${i}.txt`, `${i}\n`]),
  );

  test("a repository of 21,000 files works at the default SNAPSHOT_MAX_FILES", async () => {
    const h = await start(
      [addFunctionScript(SMALL, "pow2", "**", SMALL_CRITERION)],
      [devIssue(31, SMALL, SMALL_CRITERION)],
      {},
      many,
    );
    const run = await submitJob(h, { repo: FIDELITY_REPO, issue: 31 });
    expect(run.job.status, run.job.reason).toBe("succeeded");
    expect(run.events.some((e) => e.kind === "snapshot" && e.data.files >= 21000 && e.data.files < 21100))
      .toBe(true);
  }, 300_000);

  test("below its size, SNAPSHOT_MAX_FILES refuses the repository, naming the setting, before any sandbox starts", async () => {
    const h = await start(
      [addFunctionScript(SMALL, "pow2", "**", SMALL_CRITERION)],
      [devIssue(31, SMALL, SMALL_CRITERION)],
      { SNAPSHOT_MAX_FILES: "5" },
    );
    const run = await submitJob(h, { repo: FIDELITY_REPO, issue: 31 });
    expect(run.job.status).toBe("failed");
    expect(run.job.reason).toMatch(/has 9 files, over SNAPSHOT_MAX_FILES \(5\); raise SNAPSHOT_MAX_FILES/);
    expect(run.events.some((e) => e.kind === "sandbox")).toBe(false);
  });

  test("SNAPSHOT_MAX_BYTES refuses a base tree over it, naming the setting", async () => {
    const h = await start(
      [addFunctionScript(SMALL, "pow2", "**", SMALL_CRITERION)],
      [devIssue(31, SMALL, SMALL_CRITERION)],
      { SNAPSHOT_MAX_BYTES: "100" },
    );
    const run = await submitJob(h, { repo: FIDELITY_REPO, issue: 31 });
    expect(run.job.status).toBe("failed");
    expect(run.job.reason).toMatch(/bytes, over SNAPSHOT_MAX_BYTES \(100\); raise SNAPSHOT_MAX_BYTES/);
  });
});
