/**
 * The pull request body the role asks for: description, API changes, auth &
 * validation, linked issue, acceptance-criteria mapping, tests, follow-ups.
 */
import type { Issue } from "./gateway.ts";
import { sanitizeUntrusted } from "./sanitize.ts";

/** What the model submitted at the end of its work. */
export interface PullRequestSubmission {
  summary: string;
  api_changes: string;
  auth_and_validation: string;
  acceptance_criteria: Array<{ criterion: string; evidence: string }>;
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
  issue: Issue;
  parent?: Issue;
  submission: PullRequestSubmission;
  /** Acceptance criteria parsed from the issue (the source of truth for the mapping). */
  criteria: string[];
  tests: TestRunSummary;
}

const FIELD_MAX = 6_000;
const BODY_MAX = 60_000;

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
  const left = reported.map((entry) => ({ ...entry, key: normalised(entry.criterion) }));
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
      lines.push(`- ${indented(neutral(entry.criterion))}\n  Evidence: ${indented(orNone(entry.evidence))}`);
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

/**
 * Renders the Markdown body. `Closes #<n>` links the work item (and `Parent issue: #<p>` its
 * parent); every criterion parsed from the issue is listed with the model's evidence, matched by
 * normalised text (exact, then containment), and flagged `⚠️ not mapped` when there is none.
 * Model text is sanitised and defused (closing keywords, mentions); fields are capped at 6,000
 * characters and the body at 60,000. Never throws.
 */
export function renderPullRequestBody(input: PullRequestBodyInput): string {
  const { issue, parent, submission, criteria, tests } = input;
  const linked = [`Closes #${issue.number}`, ...(parent ? [`Parent issue: #${parent.number}`] : [])];
  const description = neutral(submission.summary);
  const sections = [
    ["Description", description === "" ? "_No description given._" : description],
    ["API / service changes", orNone(submission.api_changes)],
    ["Auth & validation", orNone(submission.auth_and_validation)],
    ["Linked issue", linked.join("\n")],
    ["Acceptance criteria mapping", mapping(criteria, submission.acceptance_criteria)],
    ["Tests", testResult(tests)],
    ["Follow-ups", orNone(submission.follow_ups)],
  ];
  const body = sections.map(([title, text]) => `## ${title}\n\n${text}`).join("\n\n") + "\n";
  return body.length > BODY_MAX ? `${body.slice(0, BODY_MAX)}\n\n… (truncated)\n` : body;
}
