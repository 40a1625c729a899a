/**
 * The parser against bash itself: random command lines built from quoting,
 * escaping, comment, continuation and redirection fragments are run by the
 * sandbox's bash, where `p` and `q` are functions that log their arguments.
 * Every line the parser accepts must give bash's commands and arguments; a
 * line it refuses is not run. This is how the misreadings handled in
 * `command_tree.ts` and `line_layout.ts` were found (`sed -i2>&1` read as a
 * file descriptor, a continuation before `2>/dev/null` read as an argument).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadBashGrammar, parseCommandLine } from "../../src/sandbox/command_line.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { EXPANSION } from "../../src/sandbox/shell_words.ts";
import { newSandbox } from "./sandbox_fixture.ts";

await loadBashGrammar();

/** Word fragments; a redirection ends with a blank, so that its target is what is written. */
// deno-fmt-ignore
const WORDS = [
  "a", "-x", "b.c", "'s p'", '"d q"', '"\\$x"', '"a\\"b"', "'$(x)'", "$'\\t\\x41'", '"\\`"', "\\ ", "\\#",
  "\\;", "\\\\", "\\'", '\\"', "#", "a#b", "${X}", '"$X"', '"a$X"b', "''", '""', "a'b'c", '"x"y', "=", "a=b",
  "--k=v", "\\\n", '"$"', "\\*", "~x", "!", "%", "{", "}", "[", "]", "\\a", "'\\'", '"\\a"', "$'\\''",
  "$'a b'", "\\ #", "\\ #;", "\\\t", "a\\\n#b", "#x\n", 'a$"x"', "\\\n#", "2>/dev/null ", "-i2>&1 ",
  "x2>/dev/null ", "1>/dev/null ", "3>/dev/null ", "&>/dev/null ", "2>&1 ", "<<<w ",
];
const BLANKS = [" ", "  ", "\t", " \\\n ", "\\\n", " \\\n", "", " \\ ", "\\ "];
const JOINS = ["; ", " && ", "\n", " | ", " # c\n", ";", "&&", "|", " ;\n", " #c;q\n", "\n\n"];

/** Seeded lines, the same on every run (mulberry32). */
function* lines(count: number, seed: number): Generator<string> {
  const next = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const pick = (list: string[]) => list[next(list.length)]!;
  for (let i = 0; i < count; i++) {
    let line = next(4) === 0 ? pick([" ", "\n", "# lead\n", "\\\n"]) : "";
    for (let c = 0, n = 1 + next(3); c < n; c++) {
      line += (c > 0 ? pick(JOINS) : "") + pick(["p", "q"]);
      for (let w = 0, k = next(5); w < k; w++) {
        line += (next(5) === 0 ? pick(BLANKS) : " ") + pick(WORDS) + (next(3) === 0 ? pick(WORDS) : "");
      }
    }
    yield line + (next(5) === 0 ? pick([" # tail", "\n", " ", ";"]) : "");
  }
}

/** Runs each line with `bash -c` and prints, per line, the logged argument lists, or E when bash wrote an error. */
const DRIVER = String.raw`
p() { local s="$FUNCNAME"$'\x1f' a; for a; do s+="$a"$'\x1f'; done; printf '%s\x1e' "$s" >> "$LOG"; }
q() { local s="$FUNCNAME"$'\x1f' a; for a; do s+="$a"$'\x1f'; done; printf '%s\x1e' "$s" >> "$LOG"; }
export -f p q; export LOG=/tmp/args X=XV
while IFS= read -r -d '' line; do
  : > "$LOG"
  if bash -c "$line" 2>/tmp/err >/dev/null && [ ! -s /tmp/err ]; then cat "$LOG"; else printf E; fi
  printf '\x1d'
done`;

describe("the parser reads command lines as bash does", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await newSandbox();
  });
  afterAll(async () => {
    await sandbox?.dispose();
  });

  test("each accepted line gives bash's commands and arguments, in a seeded sample", async () => {
    const accepted: string[][][] = [];
    const sent: string[] = [];
    for (const line of lines(1500, 7)) {
      const parsed = parseCommandLine(line);
      if (!parsed.ok || parsed.commands.some((c) => !["p", "q"].includes(c.words[0]?.text ?? ""))) continue;
      sent.push(line);
      accepted.push(parsed.commands.map((c) => c.words.map((w) => w.text.replaceAll(EXPANSION, "XV"))));
    }
    expect(sent.length).toBeGreaterThan(500);
    const result = await sandbox.run(["bash", "-c", DRIVER], {
      stdin: sent.join("\0") + "\0",
      timeoutMs: 120_000,
      maxOutputBytes: 4 * 1024 * 1024,
    });
    expect(result.exitCode).toBe(0);
    const runs = result.stdout.split("\x1d").slice(0, -1);
    expect(runs).toHaveLength(sent.length);
    const differing = sent.flatMap((line, i) => {
      if (runs[i] === "E") return []; // bash failed at run time; nothing to compare
      const ran = runs[i]!.split("\x1e").slice(0, -1).map((r) => r.split("\x1f").slice(0, -1)).sort();
      const expected = [...accepted[i]!].sort();
      return JSON.stringify(ran) === JSON.stringify(expected) ? [] : [{ line, bash: ran, parsed: expected }];
    });
    const compared = runs.filter((run) => run !== "E").length;
    console.info(
      `compared with bash: ${compared} accepted lines (of ${sent.length} accepted, 1500 generated)`,
    );
    expect(compared).toBeGreaterThan(500);
    expect(differing).toEqual([]);
  });
});
