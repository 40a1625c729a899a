import { describe, expect, test } from "vitest";
import { DEFAULT_PROTECTED_PATHS } from "../../src/config_schema_verify.ts";
import { gitBlobSha } from "../../src/github/git_object_id.ts";
import { baseTree } from "../../src/pipeline/base_tree.ts";
import { buildChangeSet } from "../../src/pipeline/change_set.ts";
import type { DiffPolicy } from "../../src/pipeline/diff_policy.ts";
import type { ReportedChange, WorkspaceReport } from "../../src/sandbox/changes.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const CAPS: DiffPolicy = {
  maxFiles: 200,
  maxFileBytes: 1024 * 1024,
  maxTotalBytes: 5 * 1024 * 1024,
  protectedPaths: DEFAULT_PROTECTED_PATHS,
};
const TREE = baseTree(
  new Map([
    ["app/main.py", { mode: "100644" as const, sha: gitBlobSha(bytes("print(1)\n")) }],
    ["run.sh", { mode: "100755" as const, sha: gitBlobSha(bytes("#!/bin/sh\n")) }],
    ["docs/latest", { mode: "120000" as const, sha: gitBlobSha(bytes("v2")) }],
  ]),
  ["vendor/lib"],
  new Map(),
);

function report(changes: ReportedChange[]): WorkspaceReport {
  const files = changes.filter((c) => c.content);
  return {
    changes,
    ignored: [],
    files: files.length,
    bytes: files.reduce((n, c) => n + c.content!.length, 0),
  };
}

describe("the host's check of the sandbox's change report", () => {
  test("a file reported as modified whose bytes and mode equal the base blob is not uploaded", () => {
    const set = buildChangeSet(
      report([{
        path: "app/main.py",
        status: "modified",
        kind: "file",
        mode: "100644",
        content: bytes("print(1)\n"),
      }]),
      TREE,
      CAPS,
    );
    expect(set.files).toEqual([]);
  });

  test("the same bytes with another mode is a change", () => {
    const set = buildChangeSet(
      report([{
        path: "run.sh",
        status: "modified",
        kind: "file",
        mode: "100644",
        content: bytes("#!/bin/sh\n"),
      }]),
      TREE,
      CAPS,
    );
    expect(set.files).toEqual([
      { path: "run.sh", status: "modified", mode: "100644", content: bytes("#!/bin/sh\n") },
    ]);
  });

  test("the status comes from the base tree, not from the report", () => {
    const set = buildChangeSet(
      report([
        { path: "app/main.py", status: "added", kind: "file", mode: "100644", content: bytes("x\n") },
        { path: "new.py", status: "modified", kind: "file", mode: "100644", content: bytes("y\n") },
        { path: "never-tracked.py", status: "deleted", kind: "file" },
      ]),
      TREE,
      CAPS,
    );
    expect(set.files.map((f) => [f.path, f.status])).toEqual([["app/main.py", "modified"], [
      "new.py",
      "added",
    ]]);
  });

  const file = (path: string): ReportedChange => ({
    path,
    status: "added",
    kind: "file",
    mode: "100644",
    content: bytes("x"),
  });
  const OK = file("ok.py");

  test.each([
    [".github//workflows/x.yml", "the path has an empty component (// or a trailing /)"],
    ["./.github/workflows/x.yml", 'the path has a "." component'],
    [".github/./workflows/x.yml", 'the path has a "." component'],
    ["../x", 'the path has a ".." component'],
    ["/etc/x", "the path is absolute"],
    ["a/", "the path has an empty component (// or a trailing /)"],
    ["", "the path is empty"],
    ["a\nb", "the path holds a control character"],
    [
      "GITHUB~1/workflows/x.yml",
      '"GITHUB~1" looks like a Windows 8.3 short name, which can name another file there',
    ],
  ])("a non-canonical path %j is left out: %s", (path, problem) => {
    const set = buildChangeSet(report([file(path), OK]), TREE, CAPS);
    expect(set.files.map((f) => f.path)).toEqual(["ok.py"]);
    expect(set.leftOut).toEqual([{
      path: path.replace("\n", "\\u{a}"),
      reason: `not a canonical repository path: ${problem}`,
    }]);
  });

  const DOT_GIT = "paths under .git/ are not allowed";
  const MODULES = "the submodule list (.gitmodules) is not changed by the agent";
  const ALIAS = "on Windows or macOS file systems)";
  test.each([
    [".git/config", DOT_GIT],
    ["pkg/.GIT/hooks/x", `${DOT_GIT} (".GIT" is .git ${ALIAS}`],
    [".git./config", `${DOT_GIT} (".git." is .git ${ALIAS}`],
    [".git /config", `${DOT_GIT} (".git " is .git ${ALIAS}`],
    ["git~1/config", `${DOT_GIT} ("git~1" is .git ${ALIAS}`],
    [".git::$INDEX_ALLOCATION/config", `${DOT_GIT} (".git::$INDEX_ALLOCATION" is .git ${ALIAS}`],
    [".g\u200cit/config", `${DOT_GIT} (".g\\u{200c}it" is .git ${ALIAS}`],
    ["\ufeff.git/hooks/pre-commit", `${DOT_GIT} ("\\u{feff}.git" is .git ${ALIAS}`],
    [".gitmodules", MODULES],
    [".Gitmodules", `${MODULES} (".Gitmodules" is .gitmodules ${ALIAS}`],
    ["gitmod~1", `${MODULES} ("gitmod~1" is .gitmodules ${ALIAS}`],
    ["vendor/lib", "vendor/lib is a submodule: its files belong to another repository"],
    ["vendor/lib/x.py", "vendor/lib is a submodule: its files belong to another repository"],
    ["docs/latest/index.md", "docs/latest is a symbolic link in the base tree, not a folder"],
  ])("%j is left out: %s", (path, reason) => {
    const set = buildChangeSet(report([file(path), OK]), TREE, CAPS);
    expect(set.files.map((f) => f.path)).toEqual(["ok.py"]);
    expect(set.leftOut).toEqual([{ path: set.leftOut[0]!.path, reason }]);
  });

  const protectedBy = (glob: string) =>
    `protected by DIFF_PROTECTED_PATHS ("${glob}"): CI can run or obey it before anyone reviews the ` +
    "change; a person makes this edit, or the setting drops the glob";
  test.each([
    [".github/workflows/ci.yml", ".github/**"],
    [".github/actions/setup/action.yml", ".github/**"],
    [".github/dependabot.yml", ".github/**"],
    [".github/CODEOWNERS", ".github/**"],
    ["CODEOWNERS", "CODEOWNERS"],
    ["docs/CODEOWNERS", "docs/CODEOWNERS"],
    [".gitlab-ci.yml", ".gitlab-ci.yml"],
    [".gitlab/ci/test.yml", ".gitlab/**"],
    [".circleci/config.yml", ".circleci/**"],
    [".buildkite/pipeline.yml", ".buildkite/**"],
    ["Jenkinsfile", "Jenkinsfile"],
    ["azure-pipelines.yml", "azure-pipelines.yml"],
    ["bitbucket-pipelines.yml", "bitbucket-pipelines.yml"],
    [".travis.yml", ".travis.yml"],
    ["Makefile", "Makefile"],
    ["tox.ini", "tox.ini"],
    ["noxfile.py", "noxfile.py"],
    [".pre-commit-config.yaml", ".pre-commit-config.yaml"],
    ["conftest.py", "**/conftest.py"],
    ["tests/conftest.py", "**/conftest.py"],
    ["tests/api/conftest.py", "**/conftest.py"],
    // The same files in the spellings a case-insensitive checkout (Windows, macOS runners) opens.
    [".GitHub/Workflows/ci.yml", ".github/**"],
    [".github./workflows/ci.yml", ".github/**"],
    [".git\u200chub/actions/setup/action.yml", ".github/**"],
    ["tests/CONFTEST.PY", "**/conftest.py"],
    ["MAKEFILE", "Makefile"],
    ["tox.ini.", "tox.ini"],
  ])("%j is protected by %j, added, changed or deleted", (path, glob) => {
    for (const status of ["added", "modified", "deleted"] as const) {
      const change = status === "deleted"
        ? { path, status, kind: "file" as const }
        : { ...file(path), status };
      const set = buildChangeSet(report([change, OK]), TREE, CAPS);
      expect(set.files.map((f) => f.path)).toEqual(["ok.py"]);
      expect(set.leftOut).toEqual([{ path: set.leftOut[0]!.path, reason: protectedBy(glob) }]);
    }
  });

  test.each([
    "pyproject.toml",
    "requirements.txt",
    "requirements-dev.txt",
    "setup.py",
    "setup.cfg",
    "app/Makefile.md",
  ])(
    "%j, which adding a dependency legitimately changes, is not protected by default",
    (path) => {
      expect(buildChangeSet(report([file(path)]), TREE, CAPS).files.map((f) => f.path)).toEqual([path]);
    },
  );

  test("DIFF_PROTECTED_PATHS is the whole list: a path it drops can be committed, one it adds cannot", () => {
    const policy = { ...CAPS, protectedPaths: [".github/**", "app/settings.py"] };
    const set = buildChangeSet(
      report([file("tests/conftest.py"), file("app/settings.py")]),
      TREE,
      policy,
    );
    expect(set.files.map((f) => f.path)).toEqual(["tests/conftest.py"]);
    expect(set.leftOut).toEqual([{ path: "app/settings.py", reason: protectedBy("app/settings.py") }]);
  });

  test.each([
    ["120000", "mode 120000 (a symbolic link) is not a regular file's: only 100644 and 100755 are committed"],
    ["160000", "mode 160000 (a submodule) is not a regular file's: only 100644 and 100755 are committed"],
    ["040000", "mode 040000 (a folder) is not a regular file's: only 100644 and 100755 are committed"],
    ["100664", "mode 100664 is not a regular file's: only 100644 and 100755 are committed"],
    [
      "garbage\u001b[2J",
      "mode garbage\\u{1b}[2J is not a regular file's: only 100644 and 100755 are committed",
    ],
    [undefined, "mode (none) is not a regular file's: only 100644 and 100755 are committed"],
  ])("a file reported with mode %j is left out, never committed", (mode, reason) => {
    const { mode: _, ...bare } = file("id_rsa");
    const set = buildChangeSet(
      report([{ ...bare, ...(mode === undefined ? {} : { mode }) }, OK]),
      TREE,
      CAPS,
    );
    expect(set.files.map((f) => [f.path, f.mode])).toEqual([["ok.py", "100644"]]);
    expect(set.leftOut).toEqual([{ path: "id_rsa", reason }]);
  });

  test("a reported path is shown escaped and cut, and .gitignore'd paths that are not canonical are dropped", () => {
    const hostile = `\u001b[2J${"x".repeat(400)}/../a`;
    const set = buildChangeSet(
      { ...report([file(hostile)]), ignored: ["debug.log", "build/", "../etc/", "a\u001b[31m.log"] },
      TREE,
      CAPS,
    );
    expect(set.leftOut[0]!.path).toBe(`\\u{1b}[2J${"x".repeat(296)}…`);
    expect(set.refusedPaths).toEqual([hostile]);
    expect(set.ignored).toEqual(["debug.log", "build/"]);
  });

  test("symlinks and other non-files are left out whatever mode the report claims", () => {
    const set = buildChangeSet(
      report([
        { path: "link", status: "added", kind: "symlink" },
        { path: "fifo", status: "added", kind: "other" },
      ]),
      TREE,
      CAPS,
    );
    expect(set.files).toEqual([]);
    expect(set.leftOut).toEqual([
      { path: "link", reason: "symbolic links are not allowed" },
      { path: "fifo", reason: "only regular files can be committed" },
    ]);
  });

  test("over the file cap, the reason names DIFF_MAX_FILES; deletions count", () => {
    const changes: ReportedChange[] = [
      { path: "app/main.py", status: "deleted", kind: "file" },
      { path: "a.py", status: "added", kind: "file", mode: "100644", content: bytes("a") },
      { path: "b.py", status: "added", kind: "file", mode: "100644", content: bytes("b") },
    ];
    expect(buildChangeSet(report(changes), TREE, { ...CAPS, maxFiles: 2 }).overCap)
      .toBe("3 files changed, over DIFF_MAX_FILES (2)");
    expect(buildChangeSet(report(changes), TREE, { ...CAPS, maxFiles: 3 }).overCap).toBeUndefined();
  });
});
