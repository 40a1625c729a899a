/**
 * The pull request body the role asks for: description, API changes, auth &
 * validation, linked issue, acceptance-criteria mapping, tests, follow-ups.
 */
import { describeTestExit } from "../sandbox/test_run.ts";
import { pullRequestMarker } from "./branch_ownership.ts";
import type { CriteriaSection } from "./acceptance_criteria.ts";
import {
  CRITERIA_LISTED_MAX,
  type CriteriaLimits,
  type CriteriaTable,
  CRITERION_MAX,
  prepareCriteria,
  renderCriteria,
} from "./criteria_section.ts";
import type { BaseCommit, Issue, RepoRef } from "./gateway.ts";
import { cutGraphemes, tailGraphemes } from "./grapheme_cut.ts";
import {
  codeSpan,
  type FieldRenderer,
  labelled,
  rememberingFieldRenderer,
  TRUNCATED,
} from "./markdown_field.ts";
import { sanitizeUntrusted } from "./sanitize.ts";
import { largestFitting } from "./body_fit.ts";
import { linkedIssueSection } from "./linked_issue_section.ts";
import type { Submission } from "../contracts/submission.ts";
import type { TestRun } from "../contracts/test_run.ts";

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
  submission: Submission;
  /** Acceptance criteria parsed from the issue (the source of truth for the mapping), 1-based as the prompt listed them. */
  criteria: string[];
  /**
   * The parser's verdict on the criteria section (`WorkItemText.criteriaSection`): with `unparsed`
   * and no criteria the body says they could not be parsed, never that there are none.
   */
  criteriaSection?: CriteriaSection;
  /** The verification run; its `tail` is shown when the run did not pass (empty: nothing shown). */
  tests: TestRun;
  /** Files the agent changed that were left out of the commit, each with why. */
  notCommitted?: Array<{ path: string; reason: string }>;
}

/** GitHub's limit on a pull request body, in UTF-16 code units (JavaScript's `length`). */
export const BODY_MAX = 65_536;
/** The most of each model-written field shown, before the body's own limit trims further. */
export const FIELD_MAX = 6_000;
/**
 * The most of each untrusted text read before it is sanitised: four times what is shown of it, as
 * sanitising only drops characters (hidden markup, invisible characters); the rest is never looked at.
 */
export const READ_FACTOR = 4;
const OUTPUT_MAX = 4_000;
const COMMAND_MAX = 1_000;
const PATH_MAX = 300;
const NOT_COMMITTED_MAX = 100;

/** `text` cut to what is read of a field shown at most `max` characters, then sanitised. */
function readUntrusted(text: string, max: number): string {
  return sanitizeUntrusted(cutGraphemes(text, max * READ_FACTOR));
}

/** The input's untrusted text, sanitised once. */
interface Prepared {
  input: PullRequestBodyInput;
  field: FieldRenderer;
  summary: string;
  apiChanges: string;
  auth: string;
  followUps: string;
  output: string;
  /** The first files left out, sanitised; {@link notCommittedCount} counts them all. */
  notCommitted: Array<{ path: string; reason: string }>;
  notCommittedCount: number;
  criteria: CriteriaTable;
}

/**
 * Renders the Markdown body, sections in this order: Description, API / service changes, Auth &
 * validation, Linked issue, Acceptance criteria mapping, Tests, Not committed (only when files were
 * left out), Follow-ups, then the ownership marker line (`<!-- backend-agent:job=<jobId> -->`) last.
 *
 * - `Closes #<n>` links the work item (`owner/name#<n>` when it lives in another repository;
 *   `Parent issue: #<p>` its parent), followed by when that closes it.
 * - Every criterion of the issue is listed, numbered, with its exact text (see `criteria_section.ts`).
 * - The test result gives the counts, the command and what the exit status means
 *   ({@link describeTestExit}: exit 5 of pytest is "no tests were collected").
 * - Model and issue text is sanitised ({@link sanitizeUntrusted}) and defused (`markdown_defuse.ts`),
 *   so it can neither add sections nor close issues nor notify anyone; each field shows at most
 *   6,000 characters, cut on whole grapheme clusters and ending `… (truncated)`.
 * - The whole body, marker included, stays within {@link BODY_MAX}. When it would not, the
 *   evidence is trimmed first (each criterion's to the same size, the largest that fits within
 *   512 characters (`FIT_SLACK`, `body_fit.ts`), so the longest lose most, down to none), then the other
 *   model-written text; then, for an issue whose criteria alone are too long, the criteria texts, and
 *   last how many criteria are listed. The linked issue and the test result are never cut.
 * - Every untrusted text is cut to {@link READ_FACTOR} times what can be shown of it before anything
 *   reads it, and the trimming renders the body a few times, not once per bit of a binary search:
 *   the time taken grows linearly with the input.
 *
 * Never throws.
 */
export function renderPullRequestBody(input: PullRequestBodyInput): string {
  const prepared = prepare(input);
  const marker = `\n${pullRequestMarker(input.jobId)}\n`;
  const budget = BODY_MAX - marker.length;
  const { rows, extras } = prepared.criteria;
  let limits: CriteriaLimits = {
    evidence: FIELD_MAX,
    other: FIELD_MAX,
    criteria: CRITERION_MAX,
    shown: Math.min(rows.length, CRITERIA_LISTED_MAX),
  };
  let body = render(prepared, limits);
  if (body.length > budget) {
    const listed = rows.slice(0, limits.shown);
    const others = [
      prepared.summary,
      prepared.apiChanges,
      prepared.auth,
      prepared.followUps,
      prepared.output,
    ];
    const sizes: Record<keyof CriteriaLimits, number[]> = {
      evidence: listed.map((row) => row.evidence.length),
      other: [...others, ...extras.flatMap((extra) => [extra.label, extra.evidence])].map((text) =>
        text.length
      ),
      criteria: listed.map((row) => row.text.length),
      shown: listed.map(() => 1),
    };
    for (const key of ["evidence", "other", "criteria", "shown"] as const) {
      const best = largestFitting(
        limits[key],
        body.length,
        sizes[key],
        (value) => render(prepared, { ...limits, [key]: value }).length,
        budget,
      );
      limits = { ...limits, [key]: best ?? 0 };
      body = render(prepared, limits);
      if (best !== undefined) break;
    }
    if (body.length > budget) body = `${cutGraphemes(body, budget - TRUNCATED.length - 1)}\n${TRUNCATED}`;
  }
  return body + marker;
}

function prepare(input: PullRequestBodyInput): Prepared {
  const { submission } = input;
  return {
    input,
    field: rememberingFieldRenderer(),
    summary: readUntrusted(submission.summary ?? "", FIELD_MAX),
    apiChanges: readUntrusted(submission.api_changes ?? "", FIELD_MAX),
    auth: readUntrusted(submission.auth_and_validation ?? "", FIELD_MAX),
    followUps: readUntrusted(submission.follow_ups ?? "", FIELD_MAX),
    output: readUntrusted(tailGraphemes(input.tests.tail, OUTPUT_MAX * READ_FACTOR), OUTPUT_MAX),
    notCommitted: (input.notCommitted ?? []).slice(0, NOT_COMMITTED_MAX).map((file) => ({
      path: readUntrusted(file.path, PATH_MAX),
      reason: readUntrusted(file.reason, PATH_MAX),
    })),
    notCommittedCount: input.notCommitted?.length ?? 0,
    criteria: prepareCriteria(input.criteria, submission.acceptance_criteria ?? [], input.criteriaSection),
  };
}

/** The body without its marker; `limits.other` also caps the model's text outside the criteria section. */
function render(prepared: Prepared, limits: CriteriaLimits): string {
  const { input } = prepared;
  const other = Math.min(limits.other, FIELD_MAX);
  const text = (clean: string, empty: string) => clean === "" ? empty : prepared.field(clean, other);
  const sections = [
    ["Description", text(prepared.summary, "_No description given._")],
    ["API / service changes", text(prepared.apiChanges, "None.")],
    ["Auth & validation", text(prepared.auth, "None.")],
    ["Linked issue", linkedIssueSection(input, PATH_MAX)],
    ["Acceptance criteria mapping", renderCriteria(prepared.criteria, limits, prepared.field)],
    ["Tests", testResult(input.tests, prepared.output, other)],
    ...(prepared.notCommittedCount > 0 ? [["Not committed", notCommittedList(prepared, other)]] : []),
    ["Follow-ups", text(prepared.followUps, "None.")],
  ];
  return sections.map(([title, content]) => `## ${title}\n\n${content}`).join("\n\n") + "\n";
}

/**
 * The command, the counts and what the exit status means; when the run did not pass, the end of
 * its output (at most `max` code units, cut from the start on a grapheme boundary) in a fence
 * longer than any backtick run inside it.
 */
function testResult(tests: TestRun, output: string, max: number): string {
  const counts = `${tests.passed} passed, ${tests.failed} failed`;
  const command = codeSpan(cutGraphemes(sanitizeUntrusted(tests.command), COMMAND_MAX));
  const passed = tests.exitCode === 0 && tests.failed === 0;
  let meaning = tests.exitCode === 0 && tests.failed > 0
    ? "failures were counted"
    : describeTestExit({ command: tests.command, exitCode: tests.exitCode, tail: output });
  if (tests.exitCode !== null && !meaning.includes("exit")) meaning += ` (exit code ${tests.exitCode})`;
  const status = tests.exitCode === null
    ? `⚠️ did not finish — ${meaning} (${counts} before it stopped)`
    : `${passed ? "✅" : "❌"} ${counts} — ${meaning}`;
  const tail = tailGraphemes(output, Math.min(max, OUTPUT_MAX));
  const longest = (tail.match(/`+/g) ?? []).reduce((most, run) => Math.max(most, run.length), 0);
  const fence = "`".repeat(Math.max(3, longest + 1));
  const details = !passed && tail !== ""
    ? `\n\n<details><summary>Test output (end)</summary>\n\n${fence}text\n${tail}\n${fence}\n</details>`
    : "";
  return `- Command: ${command}\n- Result: ${status}${details}`;
}

/** The "Not committed" list: path and reason of each file left out, at most 100 listed (none when `max` is 0). */
function notCommittedList(prepared: Prepared, max: number): string {
  const files = prepared.notCommitted;
  const listed = max === 0 ? 0 : files.length;
  const lines = files.slice(0, listed).map((file) =>
    labelled(
      `- ${codeSpan(cutGraphemes(file.path, Math.min(max, PATH_MAX)))}:`,
      prepared.field(file.reason, Math.min(max, PATH_MAX)),
      2,
    )
  );
  const more = prepared.notCommittedCount - listed;
  if (more > 0) lines.push(`- … and ${more} more`);
  return ["The agent changed these files, but they were left out of the commit:", "", ...lines].join("\n");
}
