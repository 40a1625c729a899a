/**
 * The cost of parsing the model's bash lines with the tree-sitter grammar (`src/sandbox/command_line.ts`):
 * microseconds per typical line, milliseconds for a 6 KiB `python3 -c` script, and the grammar's load time in
 * a fresh process. Prints one Markdown table with the targets. Each figure is the best of five rounds after a
 * warm-up (JIT, caches).
 *
 * Run: `deno run -A bench/command_line_bench.ts`.
 */
import { loadBashGrammar, parseCommandLine } from "../src/sandbox/command_line.ts";

/** Lines the model sends, long and short; the policy parses each bash call once. */
const CORPUS = [
  "cd /workspace && python3 -m pytest -q tests/test_tasks.py 2>&1 | tail -n 30",
  "grep -rn 'def create' app | head -n 20",
  "ls -la /workspace",
  "git diff HEAD -- app/main.py",
  "find . -name '*.py' -type f | xargs wc -l",
  'python3 -c "import app; print(app.__file__)"',
  "mkdir -p app/new && touch app/new/x.py && mv app/new/x.py app/new/y.py",
  "sed -n '1,40p' app/main.py; echo done",
  "echo $(id)",
  "rm -rf /workspace/.git",
];

/** Milliseconds per call of `parseCommandLine(line)`, the best of five rounds after a warm-up. */
function msPerParse(lines: string[], calls: number): number {
  const rounds: number[] = [];
  for (let round = 0; round < 6; round++) {
    const started = performance.now();
    for (let i = 0; i < calls; i++) parseCommandLine(lines[i % lines.length]!);
    rounds.push((performance.now() - started) / calls);
  }
  return Math.min(...rounds.slice(1));
}

/** Milliseconds to import `command_line.ts` and load the grammar (`loadBashGrammar`) in a fresh `deno` process. */
async function grammarLoadMs(): Promise<number> {
  const module = new URL("../src/sandbox/command_line.ts", import.meta.url).href;
  const code =
    `const t = performance.now(); const m = await import(${
      JSON.stringify(module)
    }); await m.loadBashGrammar(); ` +
    `console.log(performance.now() - t)`;
  const run = await new Deno.Command(Deno.execPath(), { args: ["eval", code], stderr: "inherit" }).output();
  if (!run.success) throw new Error("importing command_line.ts in a fresh process failed");
  return Number(new TextDecoder().decode(run.stdout).trim());
}

await loadBashGrammar();
const script = 'python3 -c "' + "print('x' * 10)\n".repeat(400) + '"';
const perLine = msPerParse(CORPUS, 500);
const perScript = msPerParse([script], 20);
const loadMs = await grammarLoadMs();
console.log(
  `\n## Command-line parsing (${CORPUS.length} typical lines; a ${
    (script.length / 1024).toFixed(1)
  } KiB script)\n`,
);
console.log("| measure | result | target |");
console.log("| --- | --- | --- |");
console.log(`| parse one typical line | ${(perLine * 1000).toFixed(0)} µs | < 1 ms |`);
console.log(`| parse a 400-line \`python3 -c\` script | ${perScript.toFixed(2)} ms | < 10 ms |`);
console.log(`| grammar load, fresh process | ${loadMs.toFixed(0)} ms | < 1 s, once per process |`);
