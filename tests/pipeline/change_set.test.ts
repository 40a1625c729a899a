import { describe, expect, test } from "vitest";
import { gitBlobSha } from "../../src/github/git_object_id.ts";
import { baseTree } from "../../src/pipeline/base_tree.ts";
import { buildChangeSet } from "../../src/pipeline/change_set.ts";
import { isCanonicalPath } from "../../src/pipeline/diff_policy.ts";
import type { ReportedChange, WorkspaceReport } from "../../src/sandbox/changes.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const CAPS = { maxFiles: 200, maxFileBytes: 1024 * 1024, maxTotalBytes: 5 * 1024 * 1024 };
const TREE = baseTree(
  new Map([
    ["app/main.py", { mode: "100644" as const, sha: gitBlobSha(bytes("print(1)\n")) }],
    ["run.sh", { mode: "100755" as const, sha: gitBlobSha(bytes("#!/bin/sh\n")) }],
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

  test.each([
    ".github//workflows/x.yml",
    "./.github/workflows/x.yml",
    ".github/./workflows/x.yml",
    "../x",
    "/etc/x",
    "a/",
    "a\0b",
    "",
  ])("a non-canonical path %j is left out", (path) => {
    expect(isCanonicalPath(path)).toBe(false);
    const set = buildChangeSet(
      report([{ path, status: "added", kind: "file", mode: "100644", content: bytes("x") }]),
      TREE,
      CAPS,
    );
    expect(set.files).toEqual([]);
    expect(set.leftOut).toEqual([{ path, reason: "not a canonical repository path" }]);
  });

  test.each([
    [".git/config", "paths under .git/ are not allowed"],
    ["pkg/.GIT/hooks/x", "paths under .git/ are not allowed"],
    [".gitmodules", "the submodule list (.gitmodules) is not changed by the agent"],
    [".github/workflows/ci.yml", "CI workflows (.github/workflows/) are not changed by the agent"],
    ["vendor/lib", "vendor/lib is a submodule: its files belong to another repository"],
    ["vendor/lib/x.py", "vendor/lib is a submodule: its files belong to another repository"],
  ])("%s is left out: %s", (path, reason) => {
    const set = buildChangeSet(
      report([
        { path, status: "added", kind: "file", mode: "100644", content: bytes("x") },
        { path: "ok.py", status: "added", kind: "file", mode: "100644", content: bytes("ok") },
      ]),
      TREE,
      CAPS,
    );
    expect(set.files.map((f) => f.path)).toEqual(["ok.py"]);
    expect(set.leftOut).toEqual([{ path, reason }]);
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
