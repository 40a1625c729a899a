import { describe, expect, test } from "vitest";
import { branchName, pullRequestTitle } from "../../src/github/branch_name.ts";

const issue = (number: number, title: string) => ({ number, title, body: "", url: "" });

describe("branchName()", () => {
  test("is agent/issue-<n>-<slug> from the title without [dev]", () => {
    expect(branchName(issue(12, "[dev] Add GET /tasks/{id} endpoint"))).toBe(
      "agent/issue-12-add-get-tasks-id-endpoint",
    );
  });

  test("drops accents and symbols, and cuts long titles at a dash within 40 characters", () => {
    const name = branchName(issue(3, "[DEV] Créer l'API de réservation pour les salles de réunion (v2)"));
    expect(name).toBe("agent/issue-3-creer-l-api-de-reservation-pour-les");
    expect(name.length - "agent/issue-3-".length).toBeLessThanOrEqual(40);
    expect(name).toMatch(/^agent\/issue-\d+(-[a-z0-9]+)*$/);
  });

  test("falls back to agent/issue-<n> when nothing is left", () => {
    expect(branchName(issue(5, "[dev] 🚀🚀"))).toBe("agent/issue-5");
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
});
