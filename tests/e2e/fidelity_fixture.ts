/**
 * A small Python repository with everything that made the service unfaithful
 * to a repository: a tracked file `.gitignore` matches, `export-ignore` and
 * `export-subst` paths, a submodule, Git LFS paths, a release branch; and the
 * scripted engineers that work on it.
 */
import type { ModelScript, Scenario, ScenarioIssue } from "../../examples/scenario.ts";
import { bash, create, issueBody, PYTEST, replace, turn } from "../../examples/scenarios/script_helpers.ts";
import type { GitHubStandIn } from "../stand_ins/github_server.ts";

/** The repository's name on the stand-in. */
export const FIDELITY_REPO = "acme/fidelity";

const TEST_CORE = "from app.core import add\n\n\ndef test_add() -> None:\n    assert add(1, 2) == 3\n";

/** The default branch's files. */
export const BASE_FILES: Record<string, string> = {
  ".gitignore": "settings/\n*.log\n",
  ".gitattributes":
    "tests/ export-ignore\napp/_version.py export-subst\ndata/*.csv filter=lfs diff=lfs merge=lfs -text\n",
  "app/__init__.py": "",
  "app/_version.py": '__commit__ = "$Format:%H$"\n',
  "app/core.py": "def add(a: int, b: int) -> int:\n    return a + b\n",
  "settings/defaults.py": "DEBUG = False\n",
  "tests/__init__.py": "",
  "tests/test_core.py": TEST_CORE,
  "data/existing.csv": "version https://git-lfs.github.com/spec/v1\noid sha256:0000\nsize 3\n",
};

/** Where the repository has a submodule. */
export const SUBMODULE = "vendor/lib";

/** Creates {@link FIDELITY_REPO} on `github`, with `main` and `release/1.2`, and `issues`. */
export function seedFidelityRepo(
  github: GitHubStandIn,
  issues: ScenarioIssue[],
  extra: Record<string, string> = {},
): void {
  const files = new Map(
    Object.entries({ ...BASE_FILES, ...extra }).map(([path, text]) => [path, new TextEncoder().encode(text)]),
  );
  github.addRepo(FIDELITY_REPO, {
    defaultBranch: "main",
    files,
    gitlinks: new Map([[SUBMODULE, "5d5e3a0b2c1f4e6d7a8b9c0d1e2f3a4b5c6d7e8f"]]),
  });
  github.pushCommitAs(FIDELITY_REPO, "release/1.2", {
    files: new Map([["RELEASE_ONLY.txt", new TextEncoder().encode("only on the release branch\n")]]),
    message: "Release 1.2 notes",
    author: { login: "release-manager" },
  });
  for (const issue of issues) github.addIssue(FIDELITY_REPO, issue);
}

/** A `[dev]` issue with one criterion. */
export function devIssue(number: number, title: string, criterion: string): ScenarioIssue {
  return { number, title, body: issueBody(`As a user, I want ${title.toLowerCase()}.`, [criterion]) };
}

/** `submit_work` mapping `criterion`. */
export function submit(criterion: string, evidence = "app/core.py and tests/test_core.py") {
  return turn("submit_work", {
    summary: "Done.",
    api_changes: "None.",
    auth_and_validation: "None.",
    acceptance_criteria: [{ criterion, evidence }],
    follow_ups: "None.",
  });
}

/** A script that adds `name(a, b)` to app/core.py and its test, runs pytest and submits. */
export function addFunctionScript(match: string, name: string, op: string, criterion: string): ModelScript {
  return {
    match,
    turns: [
      replace(
        "/workspace/app/core.py",
        "    return a + b\n",
        `    return a + b\n\n\ndef ${name}(a: int, b: int) -> int:\n    return a ${op} b\n`,
      ),
      replace(
        "/workspace/tests/test_core.py",
        "from app.core import add\n",
        `from app.core import add, ${name}\n`,
      ),
      replace(
        "/workspace/tests/test_core.py",
        "    assert add(1, 2) == 3\n",
        `    assert add(1, 2) == 3\n\n\ndef test_${name}() -> None:\n    assert ${name}(6, 3) == 6 ${op} 3\n`,
      ),
      bash(PYTEST),
      submit(criterion),
    ],
  };
}

/** A scenario whose repository the test seeds itself (the harness's own repo is a placeholder). */
export function fidelityScenario(name: string, scripts: ModelScript[]): Scenario {
  return {
    name,
    repo: { fullName: "acme/placeholder", dir: "examples/task_service", defaultBranch: "main" },
    issues: [],
    jobIssue: 1,
    scripts,
  };
}

/** The original test file, as the base holds it. */
export const ORIGINAL_TEST_CORE = TEST_CORE;

/** Creates the script's files: `create` turns for each path. */
export const createFiles = (files: Record<string, string>) =>
  Object.entries(files).map(([path, text]) => create(`/workspace/${path}`, text));
