/**
 * Protected paths (`DIFF_PROTECTED_PATHS`): globs naming the files CI runs or
 * obeys before anyone reviews a change (workflows, composite actions,
 * CODEOWNERS, conftest.py, Makefile, tox, nox, pre-commit, other CI
 * systems' entry points). The agent's change set leaves them out, naming the
 * glob and the setting.
 *
 * Globs are matched with picomatch, anchored at the repository root: `*` stays
 * within one folder, `**` crosses folders (`**\/conftest.py` matches
 * `conftest.py` at the root too), and a glob that matches a folder protects
 * everything under it. A path is compared in its folded form
 * ({@link foldedPath}: case-insensitive, with the NTFS and HFS+ equivalences
 * git knows), so `.GitHub./Workflows/ci.yml` is `.github/**` too.
 */
import picomatch from "picomatch";
import { foldedPath } from "../github/git_path.ts";

/** Tells which glob protects a path; undefined when none does. */
export type ProtectedPathMatcher = (path: string) => string | undefined;

/**
 * Why `glob` cannot be a protected-path glob, or undefined when it can: it must
 * be relative to the repository root (no leading `/`), without `.`, `..` or
 * empty components, backslashes or a leading `!` (negations are not supported:
 * list the paths to protect instead).
 */
export function protectedGlobProblem(glob: string): string | undefined {
  if (glob === "") return "a glob is empty";
  if (glob.startsWith("!")) return `"${glob}" is a negation; list only the paths to protect`;
  if (glob.startsWith("/")) return `"${glob}" starts with /; globs are relative to the repository root`;
  if (glob.includes("\\")) return `"${glob}" holds a backslash; use / between folders`;
  const components = glob.split("/");
  if (components.some((c) => c === "" || c === "." || c === "..")) {
    return `"${glob}" has an empty, "." or ".." component`;
  }
  return undefined;
}

/**
 * Builds the matcher for `globs` (already checked with {@link protectedGlobProblem}).
 * The matcher takes a canonical repository path and returns the first glob
 * that matches it or one of its folders, compared case-insensitively in the
 * path's folded form. Pure.
 */
export function protectedPathMatcher(globs: readonly string[]): ProtectedPathMatcher {
  const options = { dot: true, nocase: true, nonegate: true, windows: false };
  // `glob/**` matches what lies under a folder the glob names, so ancestors need no test of their own.
  const compiled = globs.map((glob) => ({
    glob,
    test: picomatch([glob.normalize("NFC"), `${glob.normalize("NFC")}/**`], options),
  }));
  return (path) => {
    const folded = foldedPath(path);
    return compiled.find((c) => c.test(folded))?.glob;
  };
}
