/**
 * Runs the repository's tests inside the sandbox and reads pytest's summary.
 * Everything read from the run is untrusted (the tests are the agent's code and
 * print what they like): counts are read up to 9 digits, the output's end is
 * cut to {@link TEST_TAIL_MAX_CHARS}, and the result is checked against
 * {@link testRunSchema} before it leaves this module.
 */
import { TEST_COUNT_MAX, TEST_TAIL_MAX_CHARS, type TestRun, testRunSchema } from "../contracts/test_run.ts";
import { SandboxError } from "../errors.ts";
import type { Sandbox } from "./sandbox.ts";

/** Lines of output kept at the end of a run. */
const TAIL_LINES = 15;

/**
 * Runs `command` (a shell command line, e.g. `python3 -m pytest -q`) in
 * /workspace through a fresh `bash -c`, outside the model's session, killing it after
 * `options.timeoutMs` (`TEST_TIMEOUT_MS`). Every process of the sandbox user is killed first
 * (the model's bash session with them).
 * @throws SandboxError when the run's result is not a valid {@link TestRun} (an exit status
 *   outside 0–255).
 */
export async function runTests(
  sandbox: Sandbox,
  command: string,
  options: { timeoutMs: number },
): Promise<TestRun> {
  // No process the agent left behind may watch, change or answer for the run.
  await sandbox.stopAgentProcesses();
  const result = await sandbox.run(["bash", "-c", command], { timeoutMs: options.timeoutMs });
  const output = `${result.stdout}\n${result.stderr}`;
  const run = testRunSchema.safeParse({
    command,
    ...parsePytestCounts(output),
    exitCode: result.exitCode,
    tail: outputTail(output),
  });
  if (!run.success) {
    throw new SandboxError(`Cannot read the test run in "${sandbox.name}": its result is out of bounds`, {
      cause: run.error,
    });
  }
  return run.data;
}

/** The last {@link TAIL_LINES} lines of `output`, at most {@link TEST_TAIL_MAX_CHARS} characters (its end). */
export function outputTail(output: string): string {
  const tail = output.slice(-4 * TEST_TAIL_MAX_CHARS).trim().split("\n").slice(-TAIL_LINES).join("\n");
  if (tail.length <= TEST_TAIL_MAX_CHARS) return tail;
  // Cut on a code point: a lone low surrogate would not be valid text.
  const cut = tail.slice(-(TEST_TAIL_MAX_CHARS - 1));
  return `…${/^[\udc00-\udfff]/.test(cut) ? cut.slice(1) : cut}`;
}

/**
 * Reads `N passed`, `N failed` and `N error(s)` (counted as failed) from pytest's last summary line.
 * A count of more than 9 digits is not read (0); the sum is capped at {@link TEST_COUNT_MAX}.
 */
export function parsePytestCounts(output: string): { passed: number; failed: number } {
  const lines = output.trim().split("\n").reverse();
  const summary = lines.find((l) => /(?<!\d)\d{1,9} (passed|failed|errors?)\b/.test(l)) ?? "";
  const count = (word: string) =>
    Number(summary.match(new RegExp(`(?<!\\d)(\\d{1,9}) ${word}\\b`))?.[1] ?? 0);
  return {
    passed: count("passed"),
    failed: Math.min(count("failed") + count("errors?"), TEST_COUNT_MAX),
  };
}

/** pytest's last line, with or without `=` around it: `no tests ran in 0.01s`, `2 failed, 3 passed in 0.2s`. */
const PYTEST_SUMMARY =
  /^=* ?(no tests ran|\d+ (passed|failed|errors?|skipped|deselected|xfailed|xpassed|warnings?)\b.*) in [\d.]+s\b/m;

/**
 * pytest's exit codes 2 to 5, in plain words (pytest docs, "Exit codes"):
 * 1 is "tests were collected and run but some of the tests failed".
 */
const PYTEST_EXITS: Readonly<Record<number, string>> = {
  2: "the test run was interrupted",
  3: "pytest hit an internal error",
  4: "pytest was called with a usage error",
  5: "no tests were collected",
};

/**
 * The exit status of a test run in plain words, for the model, the job log
 * and the PR: `"the tests pass"` (0), `"the tests fail"` (1),
 * `"no tests were collected (pytest exit 5)"`, `"the test run was interrupted
 * (pytest exit 2)"`, `"pytest hit an internal error (pytest exit 3)"`,
 * `"pytest was called with a usage error (pytest exit 4)"`, `"the test run
 * timed out"` (exit code null), and for other codes the shell's meaning
 * (126, 127, killed by a signal) or `"the test command failed (exit N)"`.
 *
 * Codes 2 to 5 get pytest's meaning only when the run is pytest's: the
 * command names pytest, or the output holds pytest's summary line.
 * Pure.
 */
export function describeTestExit(run: Pick<TestRun, "command" | "exitCode"> & { tail?: string }): string {
  const code = run.exitCode;
  if (code === null) return "the test run timed out";
  if (code === 0) return "the tests pass";
  if (code === 1) return "the tests fail";
  const pytest = /\bpytest\b/.test(run.command) || PYTEST_SUMMARY.test(run.tail ?? "");
  const meaning = PYTEST_EXITS[code];
  if (pytest && meaning) return `${meaning} (pytest exit ${code})`;
  if (code === 126) return "the test command could not be executed (exit 126)";
  if (code === 127) return "the test command was not found (exit 127)";
  if (code === 137) return "the test run was killed (exit 137: SIGKILL, e.g. out of memory)";
  if (code > 128 && code < 160) return `the test run was killed by signal ${code - 128} (exit ${code})`;
  return `the test command failed (exit ${code})`;
}
