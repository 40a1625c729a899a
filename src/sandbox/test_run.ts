/** Runs the repository's tests inside the sandbox and reads pytest's summary. */
import type { Sandbox } from "./sandbox.ts";

/** What the verification run found. */
export interface TestRun {
  command: string;
  passed: number;
  failed: number;
  /** Null when the command timed out. */
  exitCode: number | null;
  /** The last lines of its output, for the PR and the job log. */
  tail: string;
}

/**
 * Runs `command` (a shell command line, e.g. `python3 -m pytest -q`) in
 * /workspace through a fresh `bash -c`, outside the model's session.
 */
export async function runTests(
  sandbox: Sandbox,
  command: string,
  options: { timeoutMs?: number } = {},
): Promise<TestRun> {
  const result = await sandbox.run(["bash", "-c", command], { timeoutMs: options.timeoutMs ?? 600_000 });
  const output = `${result.stdout}\n${result.stderr}`;
  const counts = parsePytestCounts(output);
  return {
    command,
    ...counts,
    exitCode: result.exitCode,
    tail: output.trim().split("\n").slice(-15).join("\n"),
  };
}

/** Reads `N passed`, `N failed` and `N error(s)` (counted as failed) from pytest's last summary line. */
export function parsePytestCounts(output: string): { passed: number; failed: number } {
  const lines = output.trim().split("\n").reverse();
  const summary = lines.find((l) => /\b\d+ (passed|failed|errors?)\b/.test(l)) ?? "";
  const count = (word: string) => Number(summary.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
  return { passed: count("passed"), failed: count("failed") + count("errors?") };
}
