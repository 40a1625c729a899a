import { describe, expect, test } from "vitest";
import { createProgressPrinter } from "../../src/cli/progress_printer.ts";
import { forTerminal } from "../../src/cli/terminal_text.ts";
import { workItemEvents } from "../../src/pipeline/job_event_builders.ts";
import type { JobEvent } from "../../src/contracts/job_events.ts";

/** A file name that, printed raw, erases the line and prints a verdict the service never gave. */
const HOSTILE_FILE =
  "app/x.py\x1b[2K\r[  9.9s] done          All tests passed\x1b]0;owned\x07\n\x9b31mred\u202eyp.txt";

/** Whatever a terminal would act on: ESC, C0 and C1 controls, DEL, the bidirectional controls. */
// deno-lint-ignore no-control-regex -- the controls a terminal acts on, which the output must not carry
const ACTS = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe("forTerminal()", () => {
  test.each([
    ["CSI (erase line)", "a\x1b[2Kb", "a\\x1b[2Kb"],
    ["OSC (window title)", "\x1b]0;title\x07", "\\x1b]0;title\\x07"],
    ["one-character CSI (C1)", "\x9b31m", "\\x9b31m"],
    ["carriage return", "a\rb", "a\\rb"],
    ["newline in a field", "a\nb", "a\\nb"],
    ["backspace and DEL", "a\bb\x7f", "a\\x08b\\x7f"],
    ["bidi override", "a\u202eb", "a\\u202eb"],
    ["tab and plain text stay", "a\tb é 😀", "a\tb é 😀"],
  ])("shows %s as an escape", (_, input, expected) => {
    expect(forTerminal(input)).toBe(expected);
  });

  test("keeps newlines of a block, and nothing else", () => {
    expect(forTerminal("line 1\nline 2\r\x1b[1A", true)).toBe("line 1\nline 2\\r\\x1b[1A");
  });
});

describe("the progress printer and a hostile file name", () => {
  test("prints one line with the name's controls shown, so no fake verdict appears", () => {
    const lines: string[] = [];
    const printer = createProgressPrinter((line) => lines.push(line), 0, () => 1_000);
    const item = workItemEvents(12);
    const event = {
      seq: 1,
      at: new Date(0).toISOString(),
      ...item.notCommitted([{ path: HOSTILE_FILE, reason: "protected path" }]),
    } as JobEvent;
    printer.print(event);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(ACTS);
    expect(lines[0]!.split("\n")).toHaveLength(1);
    expect(lines[0]).toContain("app/x.py\\x1b[2K\\r[  9.9s] done");
  });
});
