import { describe, expect, test } from "vitest";
import {
  foldedPath,
  isCanonicalPath,
  isDotGit,
  isDotGitmodules,
  MAX_COMPONENT_BYTES,
  MAX_PATH_BYTES,
  pathProblem,
  shownPath,
} from "../../src/github/git_path.ts";

describe("canonical repository paths", () => {
  test.each([
    ["", "the path is empty"],
    [".github//workflows/x.yml", "the path has an empty component (// or a trailing /)"],
    ["./.github/workflows/x.yml", 'the path has a "." component'],
    [".github/./workflows/x.yml", 'the path has a "." component'],
    ["../x", 'the path has a ".." component'],
    ["app/../../x", 'the path has a ".." component'],
    ["/etc/x", "the path is absolute"],
    ["app/", "the path has an empty component (// or a trailing /)"],
    ["a\0b", "the path holds a control character"],
    ["a\nb.py", "the path holds a control character"],
    ["\u001b[2Jok.py", "the path holds a control character"],
    ["a\u009bb", "the path holds a control character"],
    ["a\u007fb", "the path holds a control character"],
    ["bad\ud800.py", "the path is not valid Unicode"],
    [".github\\workflows\\x.yml", "the path holds a backslash, a folder separator on Windows"],
    ["app/. /x", "the path has a component of dots and spaces only"],
    ["app/.../x", "the path has a component of dots and spaces only"],
    [
      "GITHUB~1/workflows/x.yml",
      '"GITHUB~1" looks like a Windows 8.3 short name, which can name another file there',
    ],
    ["PRE-CO~1.YAM", '"PRE-CO~1.YAM" looks like a Windows 8.3 short name, which can name another file there'],
    [`${"a/".repeat(2048)}x`, `the path is longer than ${MAX_PATH_BYTES} bytes`],
    [`app/${"é".repeat(128)}`, `a component of the path is longer than ${MAX_COMPONENT_BYTES} bytes`],
  ])("%j is refused: %s", (path, problem) => {
    expect(pathProblem(path)).toBe(problem);
    expect(isCanonicalPath(path)).toBe(false);
  });

  test.each([
    "app/main.py",
    "README.md",
    ".github/workflows/ci.yml",
    "docs/naïve café.md",
    "a/b/c/d/e/f.txt",
    "backup~old.txt",
    `app/${"a".repeat(MAX_COMPONENT_BYTES)}`,
  ])("%j is canonical", (path) => {
    expect(pathProblem(path)).toBeUndefined();
  });
});

describe(".git and .gitmodules, as git recognises them (path.c, utf8.c)", () => {
  test.each([
    ".git",
    ".GIT",
    ".Git",
    // NTFS: trailing dots and spaces are trimmed, and alternate data streams open the same folder.
    ".git.",
    ".git ",
    ".git. . .",
    ".git::$INDEX_ALLOCATION",
    ".GIT:stream",
    // NTFS 8.3 short name of `.git`.
    "git~1",
    "GIT~1",
    "git~1.",
    // HFS+ ignores these code points.
    ".g\u200cit",
    ".\u200dgit",
    ".gi\u200et",
    ".git\u200f",
    "\u202a.git",
    ".g\u202bi\u202ct",
    ".g\u202d\u202eit",
    ".g\u206ait\u206b",
    ".\u206c\u206d\u206e\u206fgit",
    "\ufeff.GIT",
  ])("%j is .git", (name) => {
    expect(isDotGit(name)).toBe(true);
  });

  test.each([
    "git",
    ".gitignore",
    ".github",
    ".git2",
    "git~2",
    "x.git",
    ".g\u200bit", // ZERO WIDTH SPACE is not one HFS+ ignores
    ".gİt",
  ])("%j is not .git", (name) => {
    expect(isDotGit(name)).toBe(false);
  });

  test.each([
    ".gitmodules",
    ".Gitmodules",
    ".GITMODULES",
    ".gitmodules.",
    ".gitmodules :$DATA",
    "gitmod~1",
    "GITMOD~4",
    "gi7eba~1",
    "GI7EBA~9",
    ".git\u200cmodules",
  ])("%j is .gitmodules", (name) => {
    expect(isDotGitmodules(name)).toBe(true);
  });

  test.each([".gitmodules2", "gitmodules", "gitmod~5", "gi7eba~a", "gi7ebb~1"])(
    "%j is not .gitmodules",
    (name) => {
      expect(isDotGitmodules(name)).toBe(false);
    },
  );
});

describe("the folded form protected paths are compared in", () => {
  test.each([
    [".GitHub/Workflows/CI.yml", ".github/workflows/ci.yml"],
    [".github./workflows /ci.yml", ".github/workflows/ci.yml"],
    [".gith\u200cub/workflows/ci.yml", ".github/workflows/ci.yml"],
    [".github::$INDEX_ALLOCATION/workflows/ci.yml", ".github/workflows/ci.yml"],
    ["Makefile:stream", "makefile"],
    ["tests/CONFTEST.PY", "tests/conftest.py"],
    ["cafe\u0301.md", "café.md"],
  ])("%j folds to %j", (path, folded) => {
    expect(foldedPath(path)).toBe(folded);
  });
});

describe("paths shown to people", () => {
  test("control, format and bidi characters are written out, and long paths are cut", () => {
    expect(shownPath("\u001b[31mok\u202e.py")).toBe("\\u{1b}[31mok\\u{202e}.py");
    expect(shownPath(".g\u200cit/config")).toBe(".g\\u{200c}it/config");
    expect(shownPath("a".repeat(1000))).toBe(`${"a".repeat(300)}…`);
  });
});
