import { describe, expect, test } from "vitest";
import { DEFAULT_PROTECTED_PATHS } from "../../src/config_schema_verify.ts";
import { protectedGlobProblem, protectedPathMatcher } from "../../src/pipeline/protected_paths.ts";

describe("protected-path globs", () => {
  const isProtected = protectedPathMatcher([
    ".github/**",
    "**/conftest.py",
    "Makefile",
    ".circleci",
    "deploy/*.sh",
  ]);

  test.each([
    [".github/workflows/ci.yml", ".github/**"],
    [".github", ".github/**"],
    ["conftest.py", "**/conftest.py"],
    ["a/b/c/conftest.py", "**/conftest.py"],
    ["Makefile", "Makefile"],
    ["makefile", "Makefile"],
    // A glob that names a folder protects what is under it.
    [".circleci/config.yml", ".circleci"],
    ["Makefile/inner.mk", "Makefile"],
    ["deploy/run.sh", "deploy/*.sh"],
    ["DEPLOY/Run.SH", "deploy/*.sh"],
    // Compared in the folded form: NTFS trailing dots, streams, HFS+ ignorables.
    [".github./workflows/x.yml", ".github/**"],
    [".github::$INDEX_ALLOCATION/workflows/x.yml", ".github/**"],
    [".\u200dgithub/workflows/x.yml", ".github/**"],
  ])("%j is protected by %j", (path, glob) => {
    expect(isProtected(path)).toBe(glob);
  });

  test.each(["app/Makefile", "deploy/sub/run.sh", "app/conftest.py.bak", ".githubx/x.yml", "src/app.py"])(
    "%j is not protected: globs are anchored at the root, * stays in one folder",
    (path) => {
      expect(isProtected(path)).toBeUndefined();
    },
  );

  test("every default glob is valid", () => {
    expect(DEFAULT_PROTECTED_PATHS.map(protectedGlobProblem).filter(Boolean)).toEqual([]);
  });

  test("a path thousands of folders deep is matched", () => {
    const deep = `${"a/".repeat(2000)}conftest.py`;
    expect(protectedPathMatcher(DEFAULT_PROTECTED_PATHS)(deep)).toBe("**/conftest.py");
  });
});
