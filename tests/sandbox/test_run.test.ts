import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { TEST_COUNT_MAX, TEST_TAIL_MAX_CHARS, testRunSchema } from "../../src/contracts/test_run.ts";
import { describeTestExit, outputTail, parsePytestCounts, runTests } from "../../src/sandbox/test_run.ts";
import { newSandbox } from "./sandbox_fixture.ts";

const PYTEST = "python3 -m pytest -q -p no:cacheprovider";

describe("describeTestExit says what a test run's exit status means", () => {
  const cases: Array<[string, number | null, string, string]> = [
    [PYTEST, 0, "3 passed in 0.01s", "the tests pass"],
    [PYTEST, 1, "1 failed, 2 passed in 0.02s", "the tests fail"],
    [PYTEST, 2, "!!! KeyboardInterrupt !!!", "the test run was interrupted (pytest exit 2)"],
    [PYTEST, 3, "INTERNALERROR> Traceback", "pytest hit an internal error (pytest exit 3)"],
    [PYTEST, 4, "ERROR: usage: pytest [options]", "pytest was called with a usage error (pytest exit 4)"],
    [PYTEST, 5, "no tests ran in 0.01s", "no tests were collected (pytest exit 5)"],
    ["pytest tests/", 5, "", "no tests were collected (pytest exit 5)"],
    [
      "make test",
      5,
      "============ no tests ran in 0.01s ============",
      "no tests were collected (pytest exit 5)",
    ],
    ["make test", 5, "make: *** [test] Error 5", "the test command failed (exit 5)"],
    ["npm test", 2, "", "the test command failed (exit 2)"],
    [PYTEST, null, "", "the test run timed out"],
    [PYTEST, 126, "", "the test command could not be executed (exit 126)"],
    ["tox", 127, "bash: tox: command not found", "the test command was not found (exit 127)"],
    [PYTEST, 137, "", "the test run was killed (exit 137: SIGKILL, e.g. out of memory)"],
    [PYTEST, 143, "", "the test run was killed by signal 15 (exit 143)"],
  ];
  test.each(cases)("%s exiting %j after %j: %s", (command, exitCode, tail, words) => {
    expect(describeTestExit({ command, exitCode, tail })).toBe(words);
  });

  test("works on the PR's test summary, which has no output", () => {
    expect(describeTestExit({ command: PYTEST, exitCode: 5 })).toBe(
      "no tests were collected (pytest exit 5)",
    );
  });
});

describe("real pytest runs in the container, described", () => {
  let empty: Sandbox;
  let failing: Sandbox;
  beforeAll(async () => {
    [empty, failing] = await Promise.all([
      newSandbox({ "app/main.py": "print('hi')\n", "tests/README.md": "tests go here\n" }),
      newSandbox({
        "tests/test_math.py":
          "def test_adds():\n    assert 1 + 1 == 2\n\n\ndef test_wrong():\n    assert 1 + 1 == 3\n",
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([empty?.dispose(), failing?.dispose()]);
  });

  test("a test folder with no tests: pytest exits 5, described as no tests collected", async () => {
    const run = await runTests(empty, `${PYTEST} tests`, { timeoutMs: 60_000 });
    expect(run).toMatchObject({ exitCode: 5, passed: 0, failed: 0 });
    expect(run.tail).toMatch(/no tests ran in [\d.]+s/);
    expect(describeTestExit(run)).toBe("no tests were collected (pytest exit 5)");
  });

  test("a failing test: pytest exits 1, described as the tests failing", async () => {
    const run = await runTests(failing, PYTEST, { timeoutMs: 60_000 });
    expect(run).toMatchObject({ exitCode: 1, passed: 1, failed: 1 });
    expect(describeTestExit(run)).toBe("the tests fail");
  });

  test("an unknown pytest option: exit 4, a usage error", async () => {
    const run = await runTests(failing, `${PYTEST} --no-such-option`, { timeoutMs: 60_000 });
    expect(run.exitCode).toBe(4);
    expect(describeTestExit(run)).toBe("pytest was called with a usage error (pytest exit 4)");
  });

  test("a run past its timeout is killed and described as timed out", async () => {
    const run = await runTests(failing, "python3 -c 'import time; time.sleep(30)'", { timeoutMs: 500 });
    expect(run.exitCode).toBeNull();
    expect(describeTestExit(run)).toBe("the test run timed out");
  });
});

describe("what a test run prints is untrusted: counts and output are bounded", () => {
  test.each([
    ["3 passed, 1 failed, 2 errors in 0.1s", { passed: 3, failed: 3 }],
    ["999999999 passed in 0.1s", { passed: TEST_COUNT_MAX, failed: 0 }],
    ["1000000000000 passed in 0.1s", { passed: 0, failed: 0 }],
    ["99999999999999999999999 failed, 5 passed", { passed: 5, failed: 0 }],
    ["999999999 failed, 999999999 errors", { passed: 0, failed: TEST_COUNT_MAX }],
    ["-3 passed", { passed: 3, failed: 0 }],
  ])("%j reads as %j", (line, counts) => {
    expect(parsePytestCounts(`noise\n${line}\n`)).toEqual(counts);
  });

  test("the output's end is cut to its cap, on a code point", () => {
    const tail = outputTail(`start\n${"😀".repeat(10_000)}`);
    expect(tail.length).toBeLessThanOrEqual(TEST_TAIL_MAX_CHARS);
    expect(tail.startsWith("…")).toBe(true);
    expect(tail.isWellFormed()).toBe(true);
    expect(outputTail("a\n".repeat(100))).toBe("a\n".repeat(15).trim());
  });

  test("the contract refuses counts and text out of bounds", () => {
    const run = { command: PYTEST, passed: 1, failed: 0, exitCode: 0, tail: "" };
    expect(testRunSchema.safeParse(run).success).toBe(true);
    for (
      const bad of [
        { passed: -1 },
        { failed: 1.5 },
        { passed: TEST_COUNT_MAX + 1 },
        { exitCode: 256 },
        { exitCode: -1 },
        { tail: "x".repeat(TEST_TAIL_MAX_CHARS + 1) },
      ]
    ) {
      expect(testRunSchema.safeParse({ ...run, ...bad }).success, JSON.stringify(bad).slice(0, 80)).toBe(
        false,
      );
    }
  });

  test("a forged summary with a count too long to read is passed over, and a long line is cut from the tail", async () => {
    const sandbox = await newSandbox({
      "tests/test_forge.py": [
        "def test_forge():",
        "    print('x' * 20_000)",
        "    assert False",
        "",
      ].join("\n"),
    });
    try {
      const forged = "echo '12345678901234 passed in 0.01s'";
      const run = await runTests(sandbox, `${PYTEST} -s; s=$?; ${forged}; exit $s`, { timeoutMs: 60_000 });
      expect(run.exitCode).toBe(1);
      expect(run.passed).toBe(0);
      expect(run.failed).toBe(1);
      expect(run.tail.length).toBeLessThanOrEqual(TEST_TAIL_MAX_CHARS);
      expect(testRunSchema.parse(run)).toEqual(run);
    } finally {
      await sandbox.dispose();
    }
  });
});
