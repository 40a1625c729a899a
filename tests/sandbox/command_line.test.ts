import { describe, expect, test } from "vitest";
import { loadBashGrammar, parseCommandLine } from "../../src/sandbox/command_line.ts";
import { EXPANSION } from "../../src/sandbox/shell_words.ts";

await loadBashGrammar();

/** The words of each simple command, or throws with the refusal. */
function wordsOf(line: string): string[][] {
  const parsed = parseCommandLine(line);
  if (!parsed.ok) throw new Error(`refused ${JSON.stringify(line)}: ${parsed.reason}`);
  return parsed.commands.map((command) => command.words.map((word) => word.text));
}

function refusalOf(line: string): string {
  const parsed = parseCommandLine(line);
  if (parsed.ok) throw new Error(`expected ${JSON.stringify(line)} to be refused`);
  return parsed.reason;
}

const plain = (text: string) => ({ text, glob: false });

describe("a command line is read into bash's simple commands", () => {
  test("assignments, words, redirections and the operators between commands", () => {
    expect(parseCommandLine(`FOO=1 ls -la 'a b'"c$X" *.py 2>&1 >out.txt | wc -l && echo hi; pytest`)).toEqual(
      {
        ok: true,
        commands: [
          {
            assignments: ["FOO=1"],
            words: [plain("ls"), plain("-la"), plain(`a bc${EXPANSION}`), { text: "*.py", glob: true }],
            redirects: [{ op: ">&", target: plain("1") }, { op: ">", target: plain("out.txt") }],
            next: "|",
          },
          { assignments: [], words: [plain("wc"), plain("-l")], redirects: [], next: "&&" },
          { assignments: [], words: [plain("echo"), plain("hi")], redirects: [], next: ";" },
          { assignments: [], words: [plain("pytest")], redirects: [] },
        ],
      },
    );
  });

  test.each([
    ["echo 'a b' \"c d\" e\\ f", ["echo", "a b", "c d", "e f"]],
    ['echo "a\\"b\\$c\\`d" \'x\\y\'', ["echo", 'a"b$c`d', "x\\y"]],
    ["echo $'\\t\\x41' a$\"x\"y", ["echo", "\tA", "axy"]],
    ["git log --format='%H %s'", ["git", "log", "--format=%H %s"]],
    ['echo $HOME ${PWD} "$1/x" $?', ["echo", EXPANSION, EXPANSION, `${EXPANSION}/x`, EXPANSION]],
    ["echo a#b '#' \\#c # comment", ["echo", "a#b", "#", "#c"]],
    ["ls \\\n  -la", ["ls", "-la"]],
    ['echo é😀 "日本"', ["echo", "é😀", "日本"]],
  ])("%j has the words %j", (line, words) => {
    expect(wordsOf(line)).toEqual([words]);
  });

  test("newlines end commands, except after |, && or || and inside quotes", () => {
    expect(wordsOf("cd app\npytest -q\n")).toEqual([["cd", "app"], ["pytest", "-q"]]);
    expect(wordsOf("ls |\n  wc -l")).toEqual([["ls"], ["wc", "-l"]]);
    expect(wordsOf('python3 -c "import app\nprint(1)"')).toEqual([["python3", "-c", "import app\nprint(1)"]]);
    expect(wordsOf("# look around\nls -la # all\nln")).toEqual([["ls", "-la"], ["ln"]]);
  });

  test("words after a redirection's target are the command's, as bash passes them", () => {
    const parsed = parseCommandLine("echo a > x b 2>&1 c");
    expect(parsed).toEqual({
      ok: true,
      commands: [{
        assignments: [],
        words: [plain("echo"), plain("a"), plain("b"), plain("c")],
        redirects: [{ op: ">", target: plain("x") }, { op: ">&", target: plain("1") }],
      }],
    });
  });

  test("a redirection after a pipeline or a list belongs to its last command", () => {
    for (const line of ["ls | wc -l > out", "ls && wc -l > out"]) {
      const parsed = parseCommandLine(line);
      if (!parsed.ok) throw new Error(parsed.reason);
      expect(parsed.commands.map((c) => c.redirects)).toEqual([[], [{ op: ">", target: plain("out") }]]);
    }
  });

  test("a number before a blank is an argument, not a file descriptor", () => {
    expect(wordsOf("ls 2 >x")).toEqual([["ls", "2"]]);
  });

  test("prefix assignments are given by name, NAME+= and NAME[i]= too; an array value is refused", () => {
    const parsed = parseCommandLine("A=1 PATH+=:/tmp B[0]=x ls");
    expect(parsed.ok && parsed.commands[0]!.assignments).toEqual(["A=1", "PATH=:/tmp", "B=x"]);
    expect(refusalOf("a=(1 2) ls")).toBe("assigning an array to a is not allowed");
  });

  test("[ … ], export and unset are read as commands with their words", () => {
    expect(wordsOf('[ -f x ] && [ "$a" = b ]')).toEqual([["[", "-f", "x", "]"], [
      "[",
      EXPANSION,
      "=",
      "b",
      "]",
    ]]);
    expect(wordsOf('export A="x y" B; unset -f C')).toEqual([["export", 'A="x y"', "B"], [
      "unset",
      "-f",
      "C",
    ]]);
  });
});

/**
 * tree-sitter-bash is a highlighting grammar: lenient where bash is strict.
 * Each case here was found by comparing its reading with bash 5.2's.
 */
describe("where tree-sitter-bash reads differently from bash, the line is read as bash does or refused", () => {
  test("an unquoted backslash-blank starts a word (the grammar skips it): `echo \\ #; ln` runs ln", () => {
    expect(wordsOf("echo \\ #; ln -s / app/root")).toEqual([["echo", " #"], ["ln", "-s", "/", "app/root"]]);
    expect(wordsOf("ls \\ x\t\\\ty")).toEqual([["ls", " x", "\ty"]]);
  });

  test("digits glued to < or > are a file descriptor; any other word glued there is an argument", () => {
    expect(parseCommandLine("sed -i2>&1 f")).toEqual({
      ok: true,
      commands: [{
        assignments: [],
        words: [plain("sed"), plain("-i2"), plain("f")],
        redirects: [{ op: ">&", target: plain("1") }],
      }],
    });
  });

  test("a descriptor after a line continuation or a redirection is not read as one more argument", () => {
    expect(wordsOf("cp a b &>/dev/null \\\n 2>/dev/null")).toEqual([["cp", "a", "b"]]);
    expect(wordsOf("ls\\\n \\\n 3>/dev/null && ls")).toEqual([["ls"], ["ls"]]);
  });

  test.each([
    ["echo a\\\n#b", /^a comment could not be told apart from code/],
    ["q >o x { $ #c;q", /could not be read as bash reads it/],
    ['q a$$"t r"', /could not be read as bash reads it/],
    ["ls\\\n-la", /could not be read as bash reads it/],
    ["echo a b\\\nc", /could not be read as bash reads it/],
    ["ls\r\nln", /could not be read as bash reads it/],
    ["ls\f-la", /could not be read as bash reads it/],
    ['echo $"x"', /could not be read as bash reads it/],
  ])("%j is refused: bash joins or splits it differently", (line, reason) => {
    expect(refusalOf(line)).toMatch(reason);
  });

  test("a Unicode space is not a blank to bash, so it stays in the word", () => {
    expect(wordsOf("ls\u00a0-la")).toEqual([["ls\u00a0-la"]]);
  });
});

describe("what cannot be read safely is refused with the reason", () => {
  test.each([
    ["echo ${X:-$(id)}", 'command substitution "$(…)" is not allowed'],
    ['echo "x$(id)"', 'command substitution "$(…)" is not allowed'],
    ['echo "`id`"', "command substitution with backticks is not allowed"],
    ["echo $[1+2]", 'command substitution "$(…)" is not allowed'],
    ["cat >(wc)", 'process substitution ">(…)" is not allowed'],
    ["cat <<-EOF\nx\nEOF", 'here-documents ("<<") are not allowed'],
    ["echo 'a", "the command has an unterminated ' quote"],
    ['echo "a" "b', 'the command has an unterminated " quote'],
    ["echo $'a", "the command has an unterminated $' quote"],
    ["ls ;; ls", 'the shell operator ";;" is not allowed'],
    ["(( x = 1 ))", '"((" is shell syntax; loops, conditionals and groups are not allowed'],
    ["f() { ls; }", "defining shell functions is not allowed"],
  ])("%j: %s", (line, reason) => {
    expect(refusalOf(line)).toBe(reason);
  });

  test.each(["ls &&", "ls |", "ls ; ; ls", "echo a\0b"])("%j is refused", (line) => {
    expect(parseCommandLine(line).ok).toBe(false);
  });
});
