/**
 * A repository's manifests and its setup's output are processed in linear time on the host: for every reader
 * of repository-controlled text (requirement files, `pyproject.toml`, `uv.lock`, `poetry.lock`, the setup
 * output's redacted tail) and every worst-case shape tried, 64 times the input takes at most about 64 times
 * as long. Measured as in `tests/github/adversarial_text.test.ts`: a ratio of runs on the long input against
 * 64 times as many runs on the short one, the best of a few tries each, never against a clock; the bound is
 * 128×, twice linear. The shapes include the two that froze the service: a requirements line of spaces
 * (pip's comment pattern) and `a.a.….://bbb…` in the setup output (the user-info redaction).
 */
import { describe, expect, test } from "vitest";
import { MANIFEST_LIMITS } from "../../src/environments/manifest_limits.ts";
import { readPoetryLock } from "../../src/environments/poetry_lock.ts";
import { readPyproject } from "../../src/environments/pyproject.ts";
import { readRequirementsFile } from "../../src/environments/requirements_file.ts";
import { outputTail } from "../../src/environments/setup_output.ts";
import { readUvLock } from "../../src/environments/uv_lock.ts";

/** The short input's length; the long one is {@link FACTOR} times as long. */
const N = 1_024;
const FACTOR = 64;
const MAX_RATIO = 2 * FACTOR;
const TRIES = 3;
const RECHECKS = 3;
const MIN_TIMING_MS = 8;

/** An input of about `n` characters. */
type Shape = (n: number) => string;

const runOf = (unit: string): Shape => (n) => unit.repeat(Math.ceil(n / unit.length));

/** Runs of what the readers and patterns treat specially, and the composite inputs that bit before. */
const SHAPES: Record<string, Shape> = {
  ...Object.fromEntries(
    [
      ..." \t#\\-=:/@.\"'[]{}${}\n\r",
      ...[" #", "a #", "\\\n", " \\\n", "a\\", "${A", "-e ", "-r ", "--hash=", "--a=", "a==1 ", "a.", "a-"],
      ...[
        "://",
        "a://",
        "a:b@",
        "https://a:b@",
        "git+",
        "#egg=",
        "a[",
        "a ;",
        "[[package]]\n",
        'a = "',
        "[a]\n",
      ],
      ...['"""', "'''", "a.b.", "{a=", "[a,", "é", "\u2028", "secret", "c2VjcmV0", "%"],
    ].map((unit) => [JSON.stringify(unit), runOf(unit)]),
  ),
  "spaces then a letter": (n) => `${" ".repeat(n)}a`,
  "a.a.….://bbb…": (n) => `${"a.".repeat(n / 4)}://${"b".repeat(n / 2)}`,
  "scheme://user then no @": (n) => `${"a".repeat(n / 2)}://${"b:".repeat(n / 4)}`,
  "backslashes then a letter": (n) => `${"\\".repeat(n)}a\\`,
  "name then dots": (n) => `a${".".repeat(n)}-`,
};

/** The secret the setup-output paths redact. */
const SECRET = "s3cr3t-token";

/** Each reader of repository-controlled text. */
const PATHS: Record<string, (text: string) => unknown> = {
  "requirements file": (text) => readRequirementsFile("requirements.txt", text),
  "requirements line after a requirement": (text) => readRequirementsFile("requirements.txt", `a==1 ${text}`),
  "pyproject.toml": (text) => readPyproject(bytes(text), MANIFEST_LIMITS.maxFileBytes),
  "pyproject.toml dependency": (text) =>
    readPyproject(bytes(`[project]\nname = "a"\ndependencies = [${JSON.stringify(text)}]\n`), Infinity),
  "uv.lock": (text) => readUvLock(bytes(text), MANIFEST_LIMITS),
  "uv.lock source": (text) =>
    readUvLock(
      bytes(
        `version = 1\n[[package]]\nname = "a"\nversion = "1"\nsource = { git = ${JSON.stringify(text)} }\n`,
      ),
      MANIFEST_LIMITS,
    ),
  "poetry.lock": (text) => readPoetryLock(bytes(text), MANIFEST_LIMITS),
  "setup output → redacted tail": (text) => outputTail(text, [SECRET]),
  "setup output → redacted tail, no secret": (text) => outputTail(text, []),
};

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** `run(text)`, its refusal (a thrown error) counting as a result. */
function attempt(run: (text: string) => unknown, text: string): void {
  try {
    run(text);
  } catch {
    // A refused manifest is an answer too; only the time taken matters here.
  }
}

function timed(work: () => void, times: number): number {
  const started = performance.now();
  for (let i = 0; i < times; i++) work();
  return performance.now() - started;
}

/** time(one run on 64·N characters) / time(one run on N characters), as in the sibling test. */
function growth(run: (text: string) => unknown, shape: Shape): number {
  const short = shape(N);
  const long = shape(N * FACTOR);
  const once = (text: string) => () => attempt(run, text);
  const larger = Math.max(timed(once(long), 1), timed(once(short), FACTOR));
  const repeats = Math.max(1, Math.ceil(MIN_TIMING_MS / Math.max(larger, 1e-3)));
  let [shortBest, longBest] = [Infinity, Infinity];
  for (let i = 0; i < TRIES; i++) {
    shortBest = Math.min(shortBest, timed(once(short), FACTOR * repeats));
    longBest = Math.min(longBest, timed(once(long), repeats));
  }
  return (longBest / Math.max(shortBest, 1e-3)) * FACTOR;
}

describe("repository manifests and setup output are processed in linear time", () => {
  test.each(Object.entries(PATHS))("%s", (_, run) => {
    const ratioOf = (shape: Shape) => {
      let ratio = growth(run, shape);
      for (let i = 0; i < RECHECKS && ratio > MAX_RATIO; i++) ratio = Math.min(ratio, growth(run, shape));
      return ratio;
    };
    const superlinear = Object.entries(SHAPES)
      .map(([name, shape]) => ({ name, ratio: ratioOf(shape) }))
      .filter(({ ratio }) => ratio > MAX_RATIO)
      .map(({ name, ratio }) => `${name}: ${ratio.toFixed(0)}×`);
    expect(superlinear).toEqual([]);
  });

  test("a line of 256 K spaces is refused by its length, naming the line", () => {
    expect(() => readRequirementsFile("requirements.txt", `a\n${" ".repeat(262_144)}a`)).toThrow(
      /requirements\.txt:2: the line is 262145 characters/,
    );
  });

  test("the redacted tail still hides the secret in each form, and a URL's user info", () => {
    const b64 = btoa(`x${SECRET}`);
    const output = `${"noise\n".repeat(10_000)}url https://u:${SECRET}@h/ enc ${
      encodeURIComponent(SECRET)
    } b64 ${b64} other https://me:pw@host/x\nend`;
    const tail = outputTail(output, [SECRET]);
    expect(tail).not.toContain(SECRET);
    expect(tail).not.toContain(b64.slice(2, -2));
    expect(tail).not.toContain("me:pw");
    expect(tail).toContain("https://[redacted]@host/x");
  });
});
