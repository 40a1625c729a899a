/**
 * The pull request body the role asks for: description, API changes, auth &
 * validation, linked issue, acceptance-criteria mapping, tests, follow-ups.
 */
import { pullRequestMarker } from "./branch_ownership.ts";
import type { CriterionEntry } from "./criteria_mapping.ts";
import type { BaseCommit, Issue, RepoRef } from "./gateway.ts";
import { sanitizeUntrusted } from "./sanitize.ts";

/** What the model submitted at the end of its work. */
export interface PullRequestSubmission {
  summary: string;
  api_changes: string;
  auth_and_validation: string;
  acceptance_criteria: CriterionEntry[];
  follow_ups?: string;
}

/** The verification run in the sandbox. */
export interface TestRunSummary {
  command: string;
  passed: number;
  failed: number;
  /** Null when the command did not finish (e.g. timed out). */
  exitCode: number | null;
  /** The end of the test output, shown when the run did not pass. */
  output?: string;
}

/** Input for {@link renderPullRequestBody}. */
export interface PullRequestBodyInput {
  /** The repository the pull request is opened in. */
  repo: RepoRef;
  /** The commit the work started from; its branch is the pull request's base. */
  base: BaseCommit;
  /** The job's id, written in the hidden ownership marker at the end of the body. */
  jobId: string;
  issue: Issue;
  parent?: Issue;
  submission: PullRequestSubmission;
  /** Acceptance criteria parsed from the issue (the source of truth for the mapping). */
  criteria: string[];
  tests: TestRunSummary;
  /** Files the agent changed that were left out of the commit, each with why. */
  notCommitted?: Array<{ path: string; reason: string }>;
}

const FIELD_MAX = 6_000;
const BODY_MAX = 60_000;
const NOT_COMMITTED_MAX = 100;

/**
 * Makes model- or issue-written text safe to render: sanitised, capped, with closing keywords
 * (`fixes #3`) and `@mentions` put in code spans so they neither close issues nor notify anyone.
 */
function neutral(text: string | undefined): string {
  let clean = sanitizeUntrusted(text ?? "");
  if (clean.length > FIELD_MAX) clean = `${clean.slice(0, FIELD_MAX)}… (truncated)`;
  return clean
    .replace(/\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?)(\s*:?\s+)((?:[\w.-]+\/[\w.-]+)?#\d+)/gi, "$1$2`$3`")
    .replace(/(^|[^\w`])@([A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9][\w.-]*)?)/g, "$1`@$2`");
}

function orNone(text: string | undefined): string {
  const clean = neutral(text);
  return clean === "" ? "None." : clean;
}

/** Lowercase words only: how a criterion is compared with the model's wording of it. */
function normalised(text: string): string {
  return text
    .replace(/^\s*(?:[-*+]|\d+[.)])?\s*(?:\[[ xX]\])?\s*/, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Indents continuation lines so multi-line text stays inside a list item. */
function indented(text: string): string {
  return text.replace(/\n/g, "\n  ");
}

function mapping(criteria: string[], reported: PullRequestSubmission["acceptance_criteria"]): string {
  const left = reported.map((entry) => ({ ...entry, key: normalised(String(entry.criterion)) }));
  const take = (key: string) => {
    let index = left.findIndex((entry) => entry.key === key);
    if (index === -1 && key !== "") {
      index = left.findIndex((entry) =>
        entry.key !== "" && (entry.key.includes(key) || key.includes(entry.key))
      );
    }
    return index === -1 ? undefined : left.splice(index, 1)[0];
  };
  const lines: string[] = [];
  if (criteria.length === 0) lines.push("The issue lists no acceptance criteria.");
  for (const criterion of criteria) {
    const match = take(normalised(criterion));
    const evidence = match ? neutral(match.evidence) : "";
    lines.push(
      match && evidence !== ""
        ? `- ✅ ${indented(neutral(criterion))}\n  Evidence: ${indented(evidence)}`
        : `- ⚠️ not mapped: ${indented(neutral(criterion))}`,
    );
  }
  if (left.length > 0) {
    lines.push("", "Also reported by the agent (not among the issue's criteria):");
    for (const entry of left) {
      lines.push(
        `- ${indented(neutral(String(entry.criterion)))}\n  Evidence: ${indented(orNone(entry.evidence))}`,
      );
    }
  }
  return lines.join("\n");
}

function testResult(tests: TestRunSummary): string {
  const counts = `${tests.passed} passed, ${tests.failed} failed`;
  const command = sanitizeUntrusted(tests.command).replace(/\s+/g, " ");
  const fence = command.includes("`") ? "``" : "`";
  const status = tests.exitCode === null
    ? `⚠️ did not finish (${counts} before it stopped)`
    : tests.exitCode === 0 && tests.failed === 0
    ? `✅ ${counts} (exit code 0)`
    : `❌ ${counts} (exit code ${tests.exitCode})`;
  const passed = tests.exitCode === 0 && tests.failed === 0;
  const output = !passed && tests.output
    ? `\n\n<details><summary>Test output (end)</summary>\n\n\`\`\`text\n${
      sanitizeUntrusted(tests.output).replaceAll("```", "ʼʼʼ").slice(-4000)
    }\n\`\`\`\n</details>`
    : "";
  return `- Command: ${fence}${command}${fence}\n- Result: ${status}${output}`;
}

/** A path or branch name as an inline code span that no character of it can break out of. */
function codePath(path: string): string {
  const clean = sanitizeUntrusted(path).replace(/\s+/g, " ");
  const fence = clean.includes("`") ? "``" : "`";
  return `${fence}${clean.replaceAll("``", "`\u200a`")}${fence}`;
}

/** The "Not committed" list: path and reason of each file left out, at most 100 listed. */
function notCommittedList(files: Array<{ path: string; reason: string }>): string {
  const lines = files.slice(0, NOT_COMMITTED_MAX).map((file) =>
    `- ${codePath(file.path)}: ${neutral(file.reason)}`
  );
  if (files.length > NOT_COMMITTED_MAX) lines.push(`- … and ${files.length - NOT_COMMITTED_MAX} more`);
  return ["The agent changed these files, but they were left out of the commit:", "", ...lines].join("\n");
}

/** `#N` for an issue of `repo`, `owner/name#N` for one elsewhere (a bare `#N` would mean another issue). */
function reference(issue: Issue, repo: RepoRef): string {
  const same = issue.repo.owner.toLowerCase() === repo.owner.toLowerCase() &&
    issue.repo.name.toLowerCase() === repo.name.toLowerCase();
  return same ? `#${issue.number}` : `${issue.repo.owner}/${issue.repo.name}#${issue.number}`;
}

/**
 * The "Linked issue" section. GitHub closes an issue from a closing keyword only when the pull
 * request is merged into the default branch ("Linking a pull request to an issue", GitHub Docs),
 * so the section says which branch that is, and says plainly when merging this one will not.
 * The prose avoids `close #N` wording so GitHub reads only the first line as a closing keyword.
 */
function linkedIssue(input: PullRequestBodyInput): string {
  const { issue, parent, repo, base } = input;
  const ref = reference(issue, repo);
  const lines = [`Closes ${ref}`, ...(parent ? [`Parent issue: ${reference(parent, repo)}`] : []), ""];
  const defaultBranch = codePath(base.defaultBranch);
  lines.push(
    base.branch === base.defaultBranch
      ? `Issue ${ref} is closed automatically only when this pull request is merged into the ` +
        `default branch, ${defaultBranch}.`
      : `This pull request merges into ${codePath(base.branch)}, not the default branch ` +
        `${defaultBranch}: merging it will not close issue ${ref}. GitHub closes linked issues ` +
        `only on merges into the default branch.`,
  );
  return lines.join("\n");
}

/**
 * Renders the Markdown body, sections in this order: Description, API / service changes, Auth &
 * validation, Linked issue, Acceptance criteria mapping, Tests, Not committed (only when files were
 * left out), Follow-ups. `Closes #<n>` links the work item (`owner/name#<n>` when it lives in
 * another repository; `Parent issue: #<p>` its parent), followed by when that closes it; every
 * criterion parsed from the issue is listed with the model's evidence, matched by normalised text
 * (exact, then containment), and flagged `⚠️ not mapped` when there is none. Model text is
 * sanitised and defused (closing keywords, mentions); fields are capped at 6,000 characters and
 * the body at 60,000, after which the ownership marker line (`<!-- backend-agent:job=<jobId> -->`)
 * always ends the body. Never throws.
 */
export function renderPullRequestBody(input: PullRequestBodyInput): string {
  const { submission, criteria, tests } = input;
  const description = neutral(submission.summary);
  const sections = [
    ["Description", description === "" ? "_No description given._" : description],
    ["API / service changes", orNone(submission.api_changes)],
    ["Auth & validation", orNone(submission.auth_and_validation)],
    ["Linked issue", linkedIssue(input)],
    ["Acceptance criteria mapping", mapping(criteria, submission.acceptance_criteria)],
    ["Tests", testResult(tests)],
    ...(input.notCommitted?.length ? [["Not committed", notCommittedList(input.notCommitted)]] : []),
    ["Follow-ups", orNone(submission.follow_ups)],
  ];
  let body = sections.map(([title, text]) => `## ${title}\n\n${text}`).join("\n\n") + "\n";
  if (body.length > BODY_MAX) body = `${body.slice(0, BODY_MAX)}\n\n… (truncated)\n`;
  return `${body}\n${pullRequestMarker(input.jobId)}\n`;
}
