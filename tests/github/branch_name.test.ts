import { describe, expect, test } from "vitest";
import { branchName, pullRequestTitle } from "../../src/github/branch_name.ts";
import type { BaseCommit, Issue } from "../../src/github/gateway.ts";

const issue = (number: number, title: string): Issue => ({
  number,
  title,
  body: "",
  url: "",
  state: "open",
  repo: { owner: "acme", name: "tasks" },
});
const onMain: BaseCommit = {
  branch: "main",
  sha: "a".repeat(40),
  treeSha: "b".repeat(40),
  defaultBranch: "main",
};
const on = (branch: string): BaseCommit => ({ ...onMain, branch });

/** `git check-ref-format` rules for a branch name (refs/heads/<name>). */
function isValidRefName(name: string): boolean {
  return name.split("/").every((part) => part !== "" && !part.startsWith(".") && !part.endsWith(".lock")) &&
    // deno-lint-ignore no-control-regex
    !/\.\.|@\{|[\x00-\x20\x7f~^:?*[\\]/.test(name) && !name.endsWith(".") && !name.endsWith("/") &&
    name !== "@";
}

describe("branchName()", () => {
  test("is agent/issue-<n>-<slug> from the title without [dev]", () => {
    expect(branchName(issue(12, "[dev] Add GET /tasks/{id} endpoint"), onMain)).toBe(
      "agent/issue-12-add-get-tasks-id-endpoint",
    );
  });

  test("drops accents and symbols, and cuts long titles at a dash within 40 characters", () => {
    const name = branchName(
      issue(3, "[DEV] Créer l'API de réservation pour les salles de réunion (v2)"),
      onMain,
    );
    expect(name).toBe("agent/issue-3-creer-l-api-de-reservation-pour-les");
    expect(name.length - "agent/issue-3-".length).toBeLessThanOrEqual(40);
    expect(name).toMatch(/^agent\/issue-\d+(-[a-z0-9]+)*$/);
  });

  test("falls back to agent/issue-<n> when nothing is left", () => {
    expect(branchName(issue(5, "[dev] 🚀🚀"), onMain)).toBe("agent/issue-5");
  });

  test("names the base when it is not the default branch, so two bases never share a branch", () => {
    const work = issue(7, "[dev] Add stats");
    expect(branchName(work, on("release/1.2"))).toBe("agent/issue-7-add-stats--release-1.2");
    expect(branchName(work, onMain)).toBe("agent/issue-7-add-stats");
    expect(branchName(issue(5, "[dev] 🚀"), on("hotfix"))).toBe("agent/issue-5--hotfix");
  });

  test("keeps the base a valid ref-name component: no '..', no leading dot, no '.lock' ending", () => {
    const cases: Array<[string, string]> = [
      ["feature/x..y", "agent/issue-7-add-stats--feature-x.y"],
      [".hidden/Next_Gen", "agent/issue-7-add-stats--hidden-Next_Gen"],
      ["deploy.lock", "agent/issue-7-add-stats--deploy"],
      ["v2.lock.lock.", "agent/issue-7-add-stats--v2"],
      ["a b~c^d:e?f*g[h\\i", "agent/issue-7-add-stats--a-b-c-d-e-f-g-h-i"],
      ["-dash-", "agent/issue-7-add-stats--dash"],
    ];
    for (const [base, expected] of cases) {
      const name = branchName(issue(7, "[dev] Add stats"), on(base));
      expect(name, base).toBe(expected);
      expect(isValidRefName(name), name).toBe(true);
    }
  });

  test("names a base with no usable character by a hash of it, different per base", () => {
    const first = branchName(issue(7, "[dev] Add stats"), on("リリース"));
    const second = branchName(issue(7, "[dev] Add stats"), on("版本"));
    expect(first).toMatch(/^agent\/issue-7-add-stats--base-[0-9a-f]{8}$/);
    expect(second).toMatch(/^agent\/issue-7-add-stats--base-[0-9a-f]{8}$/);
    expect(first).not.toBe(second);
  });

  test("cuts a long base at 60 characters and keeps the name valid", () => {
    const name = branchName(issue(7, "[dev] Add stats"), on(`release/${"very-long-".repeat(10)}.lock`));
    const suffix = name.slice("agent/issue-7-add-stats--".length);
    expect(suffix.length).toBeLessThanOrEqual(60);
    expect(suffix).toMatch(/^release-very-long-/);
    expect(isValidRefName(name)).toBe(true);
  });
});

describe("pullRequestTitle()", () => {
  test("is the title without the [dev] marker", () => {
    expect(pullRequestTitle(issue(12, "  [dev]: Add GET /tasks/{id}"))).toBe("Add GET /tasks/{id}");
  });

  test("is 'Issue #<n>' when the title is only the marker, and never holds invisible characters", () => {
    expect(pullRequestTitle(issue(4, "[dev]"))).toBe("Issue #4");
    expect(pullRequestTitle(issue(4, "[dev] Add\u200B search\nnow"))).toBe("Add search now");
  });

  test("puts mentions and issue references in code, so a squash merge's subject closes nothing", () => {
    expect(pullRequestTitle(issue(4, "[dev] Fixes #3, closes acme/x#5 for @bob"))).toBe(
      "Fixes `#3`, closes `acme/x#5` for `@bob`",
    );
  });
});
