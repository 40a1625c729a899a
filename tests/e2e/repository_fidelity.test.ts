/**
 * The sandbox holds exactly the base tree, the change set is measured against
 * it, and paths the agent may not change are left out and named (issue
 * faults 1–4), end to end through the real service, Docker and the stand-ins.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { bash, PYTEST, replace } from "../../examples/scenarios/script_helpers.ts";
import type { StandInPull } from "../stand_ins/github_server.ts";
import {
  addFunctionScript,
  BASE_FILES,
  createFiles,
  devIssue,
  FIDELITY_REPO,
  fidelityScenario,
  ORIGINAL_TEST_CORE,
  seedFidelityRepo,
  submit,
  SUBMODULE,
} from "./fidelity_fixture.ts";
import { type Harness, startHarness } from "./harness.ts";
import { type FinishedJob, submitJob } from "./submit_job.ts";

const TITLE = "[dev] Subtract numbers";
const CRITERION = "`sub(a, b)` returns `a - b`";
const base = addFunctionScript(TITLE, "sub", "-", CRITERION);
const SCRIPT = {
  match: TITLE,
  turns: [
    ...base.turns.slice(0, 3),
    replace("/workspace/settings/defaults.py", "DEBUG = False", "DEBUG = True"),
    ...createFiles({
      [`${SUBMODULE}/patch.py`]: "PATCHED = True\n",
      "data/new.csv": "a,b\n1,2\n",
      "debug.log": "noise\n",
    }),
    bash("python3 -c \"import os; os.symlink('/etc/passwd', 'app/passwd')\""),
    bash(PYTEST),
    submit(CRITERION),
    submit(CRITERION),
  ],
};

const text = (bytes?: Uint8Array) => new TextDecoder().decode(bytes);

let harness: Harness;
let run: FinishedJob;
let pull: StandInPull;
let files: Map<string, Uint8Array>;
beforeAll(async () => {
  harness = await startHarness(fidelityScenario("fidelity", [SCRIPT]));
  seedFidelityRepo(harness.github, [devIssue(1, TITLE, CRITERION)]);
  run = await submitJob(harness, { repo: FIDELITY_REPO, issue: 1 });
  pull = harness.github.pulls(FIDELITY_REPO)[0]!;
  files = harness.github.branchFiles(FIDELITY_REPO, pull.head)!;
}, 300_000);
afterAll(() => harness?.close());

/** Paths whose bytes or mode differ between the base and the PR's branch. */
function changedPaths(): string[] {
  const baseFiles = harness.github.branchFiles(FIDELITY_REPO, "main")!;
  const paths = new Set([...baseFiles.keys(), ...files.keys()]);
  return [...paths].filter((p) => text(baseFiles.get(p)) !== text(files.get(p))).sort();
}

describe("a repository whose tarball is not its tree", () => {
  test("the job succeeds with one pull request", () => {
    expect(run.job.status, run.job.reason).toBe("succeeded");
    expect(harness.github.pulls(FIDELITY_REPO)).toHaveLength(1);
  });

  test("the PR changes exactly the committable files: code, the existing test file, the ignored-but-tracked setting", () => {
    expect(changedPaths()).toEqual(["app/core.py", "settings/defaults.py", "tests/test_core.py"]);
  });

  test("tests/ (export-ignore) was in the sandbox: the PR extends the repo's test file instead of replacing it", () => {
    const committed = text(files.get("tests/test_core.py"));
    expect(committed).toBe(
      ORIGINAL_TEST_CORE.replace("import add\n", "import add, sub\n") +
        "\n\ndef test_sub() -> None:\n    assert sub(6, 3) == 6 - 3\n",
    );
    expect(run.events.some((e) => e.kind === "snapshot" && e.data.fetched > 0)).toBe(true);
  });

  test("an export-subst file is committed with its blob's bytes, not the expanded ones", () => {
    expect(text(files.get("app/_version.py"))).toBe(BASE_FILES["app/_version.py"]);
  });

  test("a tracked file .gitignore matches: its edit is committed", () => {
    expect(text(files.get("settings/defaults.py"))).toBe("DEBUG = True\n");
  });

  test("the submodule stays a gitlink; nothing is written under it", () => {
    expect(harness.github.branchModes(FIDELITY_REPO, pull.head)!.get(SUBMODULE)).toBe("160000");
    expect(files.has(`${SUBMODULE}/patch.py`)).toBe(false);
  });

  test("an LFS path, a symlink and an ignored new file are not committed, and the PR body names each with its reason", () => {
    for (const path of ["data/new.csv", "app/passwd", "debug.log"]) expect(files.has(path)).toBe(false);
    const notCommitted = pull.body.slice(pull.body.indexOf("Not committed"));
    expect(notCommitted).toContain(`${SUBMODULE}/patch.py`);
    expect(notCommitted).toMatch(/data\/new\.csv.*Git LFS/);
    expect(notCommitted).toMatch(/app\/passwd.*symbolic links/);
    expect(notCommitted).toMatch(/debug\.log.*\.gitignore/);
  });

  test("the model was told at submit_work which paths would not be committed, before its work was accepted", () => {
    const toModel = JSON.stringify(harness.anthropic!.requests);
    expect(toModel).toContain("these paths would not be committed");
    expect(toModel).toContain("app/passwd: symbolic links are not allowed");
  });

  test("the commit carries the job trailer and the PR the service's label and marker", () => {
    const head = harness.github.branchHead(FIDELITY_REPO, pull.head)!;
    expect(head.message).toContain(`Backend-Agent-Job: ${run.id}`);
    expect(pull.labels).toContain("backend-agent");
    expect(pull.body).toContain(`<!-- backend-agent:job=${run.id} -->`);
  });
});
