/**
 * Untrusted text is processed in linear time: for every path that text from an issue, the model or the
 * sandbox takes, and for every worst-case shape of input tried (long runs of the characters the parsers
 * and patterns treat specially), 64 times the input may take at most about 64 times as long. Measured as
 * a ratio on this machine, never against a clock: runs on the long input against 64 times as many runs on
 * the short one (the same amount of text), the best of a few tries each; the bound is 128×, twice linear.
 */
import { describe, expect, test } from "vitest";
import { sanitizeForBlock, sanitizeUntrusted } from "../../src/agent/untrusted_text.ts";
import { forTerminal } from "../../src/cli/terminal_text.ts";
import { parseWorkItem } from "../../src/github/acceptance_criteria.ts";
import { branchName, pullRequestTitle } from "../../src/github/branch_name.ts";
import { mapCriteria } from "../../src/github/criteria_mapping.ts";
import type { BaseCommit, Issue } from "../../src/github/gateway.ts";
import { defuseMarkdown } from "../../src/github/markdown_defuse.ts";
import { readsOpsFirst } from "../../src/github/ops_order.ts";
import { type PullRequestBodyInput, renderPullRequestBody } from "../../src/github/pull_request_body.ts";
import { describeTestExit, outputTail, parsePytestCounts } from "../../src/sandbox/test_run.ts";

/** The short input's length; the long one is {@link FACTOR} times as long (65,536: GitHub's body limit). */
const N = 1_024;
const FACTOR = 64;
/** The bound on time(long) / time(short): linear, with room for the noise of a shared machine. */
const MAX_RATIO = 2 * FACTOR;
const TRIES = 3;
/** How many times a ratio over the bound is measured again before it counts. */
const RECHECKS = 3;

/** Runs of what the parsers and patterns treat specially, alone and in the combinations that bit before. */
const SHAPES = [
  ..."@`[]()*_<>&\\$~-=|:#!/. \t\n",
  ...["@a", "`a", "``a", "[a](", "](", "<a", "< ", "<a ", "<x a='", "<!--", "<div hidden>", "</b>"],
  ...["&#64;", "&#", "&commat;", "\\#1", "&#35;1", "fixes #1 ", "closes: ", "GH-1 ", "a/b#1 ", "#1#"],
  ...["https://", "www.", "http://a/issues/1", "a@", "@a/", "_@", "*@", "**", "__", "~~"],
  ...["\n\n", "a\n", "- ", "> ", "- [ ] ", "1. ", "a\n=\n", "a\n-\n", "    ", "```\n", "~~~ "],
  ...["[a]: #", "[^", "AC1: ", "**AC", "Scenario: ", "As a ", "I want ", "|-", "a|", "| a |\n"],
  ...["ops ", "[ops] ", "ops before ", "dev after ", "first "],
  ...["1 ", "1", "1 passed ", "=", " in 1s", "\u200b", "é", "😀", "\r", "\u2028", "\x1b[", "\x9b"],
];

const repo = { owner: "acme", name: "tasks" };
const issue: Issue = { number: 12, title: "[dev] Add stats", body: "", url: "u", state: "open", repo };
const base: BaseCommit = {
  branch: "main",
  sha: "a".repeat(40),
  treeSha: "b".repeat(40),
  defaultBranch: "dev",
};

/** A PR body input whose fields are short, with `change` applied. */
function body(change: (input: PullRequestBodyInput) => void): string {
  const input: PullRequestBodyInput = {
    repo,
    base,
    jobId: "job-1",
    issue,
    submission: {
      summary: "Adds stats.",
      api_changes: "GET /stats",
      auth_and_validation: "Token required.",
      acceptance_criteria: [{ criterion: 1, evidence: "tests/test_stats.py" }],
    },
    criteria: ["Returns the counts"],
    criteriaSection: "parsed",
    tests: { command: "python3 -m pytest -q", passed: 1, failed: 1, exitCode: 1, tail: "1 failed" },
  };
  change(input);
  return renderPullRequestBody(input);
}

/** Each path untrusted text takes, from where it enters to what is made of it. */
const PATHS: Record<string, (text: string) => unknown> = {
  "issue body → work item (sanitised, parsed)": (text) => parseWorkItem(text),
  "issue body → criteria section": (text) => parseWorkItem(`## Acceptance criteria\n\n${text}`),
  "issue body → prompt block": (text) => sanitizeForBlock(text, ["issue", "body", "title"]),
  "parent body → [ops]-first order": (text) => readsOpsFirst(text),
  "issue title → branch and PR title": (
    text,
  ) => [branchName({ ...issue, title: text }, base), pullRequestTitle({ ...issue, title: text })],
  "criteria → PR body": (text) =>
    body((input) =>
      input.criteria = parseWorkItem(`## Acceptance criteria\n\n- ${text}\n- b`).acceptanceCriteria
    ),
  "many criteria → PR body": (text) =>
    body((input) => input.criteria = text.split("\n").map((line, i) => `${i} ${line}`)),
  "model summary → PR body": (text) => body((input) => input.submission.summary = text),
  "model evidence → PR body": (text) =>
    body((input) => input.submission.acceptance_criteria = [{ criterion: 1, evidence: text }]),
  "model criterion text → mapping and PR body": (text) => [
    mapCriteria(["Returns the counts"], [{ criterion: text, evidence: "e" }]),
    body((input) => input.submission.acceptance_criteria = [{ criterion: text, evidence: text }]),
  ],
  "model text → Markdown": (text) => defuseMarkdown(sanitizeUntrusted(text)),
  "test output → counts, tail, PR body": (text) => [
    parsePytestCounts(text),
    describeTestExit({ command: "x", exitCode: 5, tail: outputTail(text) }),
    body((input) => input.tests = { ...input.tests, tail: outputTail(text) }),
  ],
  "test command → PR body": (text) => body((input) => input.tests = { ...input.tests, command: text }),
  "sandbox text → terminal": (text) => forTerminal(text),
};

/** How long the longer of the two timings lasts at least, in ms: quick paths are repeated until it does. */
const MIN_TIMING_MS = 8;

/** `work` done `times` times, in ms. */
function timed(work: () => void, times: number): number {
  const started = performance.now();
  for (let i = 0; i < times; i++) work();
  return performance.now() - started;
}

/**
 * time(one run on 64·N characters) / time(one run on N characters). The short side is timed over 64
 * runs, so both sides handle the same amount of text; both are repeated until the longer lasts
 * {@link MIN_TIMING_MS}, and timed in turns, {@link TRIES} times, the best of each kept (a busy moment
 * of a shared machine slows one timing, not all of them).
 */
function growth(run: (text: string) => unknown, shape: string): number {
  const short = shape.repeat(Math.ceil(N / shape.length));
  const long = shape.repeat(Math.ceil((N * FACTOR) / shape.length));
  const larger = Math.max(timed(() => run(long), 1), timed(() => run(short), FACTOR));
  const repeats = Math.max(1, Math.ceil(MIN_TIMING_MS / Math.max(larger, 1e-3)));
  let [shortBest, longBest] = [Infinity, Infinity];
  for (let i = 0; i < TRIES; i++) {
    shortBest = Math.min(shortBest, timed(() => run(short), FACTOR * repeats));
    longBest = Math.min(longBest, timed(() => run(long), repeats));
  }
  return (longBest / Math.max(shortBest, 1e-3)) * FACTOR;
}

describe("untrusted text is processed in linear time", () => {
  test.each(Object.entries(PATHS))("%s", (_, run) => {
    // A ratio over the bound is measured again (up to RECHECKS times, the lowest kept): a busy moment of a
    // shared machine can inflate one measurement, while a superlinear path stays over the bound every time.
    const ratioOf = (shape: string) => {
      let ratio = growth(run, shape);
      for (let i = 0; i < RECHECKS && ratio > MAX_RATIO; i++) ratio = Math.min(ratio, growth(run, shape));
      return ratio;
    };
    const superlinear = SHAPES
      .map((shape) => ({ shape, ratio: ratioOf(shape) }))
      .filter(({ ratio }) => ratio > MAX_RATIO)
      .map(({ shape, ratio }) => `${JSON.stringify(shape)}: ${ratio.toFixed(0)}×`);
    expect(superlinear).toEqual([]);
  });
});
