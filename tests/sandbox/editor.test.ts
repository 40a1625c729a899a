import { Buffer } from "node:buffer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ToolError } from "../../src/errors.ts";
import type { EditorInput } from "../../src/contracts/tools.ts";
import { runEditor } from "../../src/sandbox/editor.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { newSandbox } from "./sandbox_fixture.ts";

const MAIN = "line one\nline two\nline three\nline four\n";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await newSandbox({ "app/main.py": MAIN, "app/util.py": "x = 1\n", "README.md": "hi\n" });
});
afterAll(async () => {
  await sandbox?.dispose();
});

const edit = (input: EditorInput) => runEditor(sandbox, input);
const read = async (path: string) => (await sandbox.run(["cat", path])).stdout;

/** Writes `bytes` (a byte string: one character per byte) to `path`, making its folder. */
const put = async (path: string, bytes: string) => {
  const program = "import os, sys; os.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True); " +
    "open(sys.argv[1], 'wb').write(sys.stdin.buffer.read())";
  const result = await sandbox.run(["python3", "-c", program, path], { stdin: Buffer.from(bytes, "latin1") });
  expect(result.exitCode).toBe(0);
};
/** The exact bytes of `path`, as a byte string (one character per byte). */
const bytesOf = async (path: string) => {
  const result = await sandbox.run(["base64", "-w0", path]);
  expect(result.exitCode).toBe(0);
  return Buffer.from(result.stdout, "base64").toString("latin1");
};
/** The UTF-8 bytes of `text`, as a byte string. */
const utf8 = (text: string) => Buffer.from(text, "utf8").toString("latin1");
const BOM = "\xef\xbb\xbf";

describe("the editor works like Anthropic's text editor tool, inside /workspace", () => {
  test("view numbers every line of a file", async () => {
    const out = await edit({ command: "view", path: "/workspace/app/main.py" });
    expect(out).toContain("     1\tline one\n     2\tline two\n     3\tline three\n     4\tline four");
  });

  test("view with view_range shows only those lines, numbered from the start of the range", async () => {
    const out = await edit({ command: "view", path: "/workspace/app/main.py", view_range: [2, 3] });
    expect(out.endsWith("     2\tline two\n     3\tline three\n")).toBe(true);
    expect(out).not.toContain("line one");
    const toEnd = await edit({ command: "view", path: "/workspace/app/main.py", view_range: [3, -1] });
    expect(toEnd.endsWith("     3\tline three\n     4\tline four\n")).toBe(true);
    await expect(edit({ command: "view", path: "/workspace/app/main.py", view_range: [9, 10] }))
      .rejects.toThrow(/outside the file's/);
  });

  test("view of a directory lists its files and folders", async () => {
    const out = await edit({ command: "view", path: "/workspace" });
    expect(out).toMatch(/^Files and folders up to 2 levels deep in \/workspace/);
    expect(out).toContain("/workspace/app/");
    expect(out).toContain("/workspace/app/main.py");
    expect(out).toContain("/workspace/README.md");
    expect(out).not.toContain(".git");
  });

  test("create writes a new file, making its folders, as the programs user and writable by the sandbox user's group", async () => {
    const out = await edit({
      command: "create",
      path: "/workspace/app/new/stats.py",
      file_text: "def f():\n    return 1\n",
    });
    expect(out).toBe("File created successfully at: /workspace/app/new/stats.py");
    expect(await read("/workspace/app/new/stats.py")).toBe("def f():\n    return 1\n");
    const made = ["/workspace/app/new", "/workspace/app/new/stats.py"];
    expect((await sandbox.run(["stat", "-c", "%u:%g %a", ...made])).stdout).toBe(
      "1001:1000 775\n1001:1000 664\n",
    );
    const append = await sandbox.run(["bash", "-c", "echo '# more' >> /workspace/app/new/stats.py"]);
    expect(append.exitCode).toBe(0);
  });

  test("str_replace replaces exactly one match and shows the edited snippet", async () => {
    await edit({ command: "create", path: "/workspace/app/one.py", file_text: MAIN });
    const out = await edit({
      command: "str_replace",
      path: "/workspace/app/one.py",
      old_str: "line two",
      new_str: "line 2",
    });
    expect(out).toMatch(/has been edited/);
    expect(out).toContain("     2\tline 2");
    expect(await read("/workspace/app/one.py")).toBe("line one\nline 2\nline three\nline four\n");
  });

  test("str_replace refuses when old_str does not appear, and changes nothing", async () => {
    await expect(
      edit({ command: "str_replace", path: "/workspace/app/util.py", old_str: "y = 2", new_str: "z" }),
    )
      .rejects.toThrow(/did not appear verbatim/);
    expect(await read("/workspace/app/util.py")).toBe("x = 1\n");
  });

  test("str_replace refuses when old_str appears twice, naming the lines, and changes nothing", async () => {
    await edit({ command: "create", path: "/workspace/app/twice.py", file_text: "a = 1\nb = 2\na = 1\n" });
    await expect(
      edit({ command: "str_replace", path: "/workspace/app/twice.py", old_str: "a = 1", new_str: "a = 3" }),
    )
      .rejects.toThrow(/appears 2 times .*lines 1, 3/);
    expect(await read("/workspace/app/twice.py")).toBe("a = 1\nb = 2\na = 1\n");
  });

  test("insert puts text after the given line (0 = at the top)", async () => {
    await edit({ command: "create", path: "/workspace/app/ins.py", file_text: "first\nsecond\n" });
    await edit({ command: "insert", path: "/workspace/app/ins.py", insert_line: 1, insert_text: "between" });
    await edit({ command: "insert", path: "/workspace/app/ins.py", insert_line: 0, insert_text: "top" });
    expect(await read("/workspace/app/ins.py")).toBe("top\nfirst\nbetween\nsecond\n");
    await expect(
      edit({ command: "insert", path: "/workspace/app/ins.py", insert_line: 99, insert_text: "x" }),
    )
      .rejects.toThrow(/insert_line must be between 0 and 4/);
  });
});

describe("every way out of /workspace is refused with a clear error", () => {
  const refused = async (input: EditorInput, message: RegExp) => {
    const error = await edit(input).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as Error).message).toMatch(message);
  };

  test("an absolute path outside /workspace", async () => {
    await refused({ command: "view", path: "/etc/passwd" }, /\/etc\/passwd is outside \/workspace/);
    await refused({ command: "create", path: "/tmp/x.py", file_text: "x" }, /outside \/workspace/);
    await refused({ command: "view", path: "/workspacex/a" }, /outside \/workspace/);
  });

  test("a relative path", async () => {
    await refused(
      { command: "view", path: "app/main.py" },
      /not absolute; use an absolute path under \/workspace/,
    );
  });

  test('a path with ".."', async () => {
    await refused({ command: "view", path: "/workspace/../etc/passwd" }, /contains "\.\."/);
    await refused(
      { command: "create", path: "/workspace/app/../../tmp/x", file_text: "x" },
      /contains "\.\."/,
    );
  });

  test("a NUL byte", async () => {
    await refused({ command: "view", path: "/workspace/app/main.py\0.txt" }, /NUL byte/);
  });

  test("a symlink inside /workspace that points to /etc, for reading and for writing", async () => {
    const link = await sandbox.bash(
      "ln -s /etc /workspace/etc_link && ln -s /etc/passwd /workspace/passwd_link",
    );
    expect(link.exitCode).toBe(0);
    await refused({ command: "view", path: "/workspace/etc_link/passwd" }, /resolves outside \/workspace/);
    await refused({ command: "view", path: "/workspace/passwd_link" }, /resolves outside \/workspace/);
    await refused(
      { command: "create", path: "/workspace/etc_link/evil", file_text: "x" },
      /resolves outside/,
    );
    await refused(
      { command: "str_replace", path: "/workspace/passwd_link", old_str: "root", new_str: "toor" },
      /resolves outside/,
    );
  });

  test("a symlink inside /workspace that points into .git/", async () => {
    await sandbox.bash("ln -s /workspace/.git/config /workspace/git_config_link");
    await refused({ command: "view", path: "/workspace/git_config_link" }, /inside \.git\//);
  });

  test("writes into .git/, at the top and in a nested repository", async () => {
    await refused(
      { command: "create", path: "/workspace/.git/hooks/pre-commit", file_text: "x" },
      /inside \.git\//,
    );
    await refused({ command: "view", path: "/workspace/.git/config" }, /inside \.git\//);
    await sandbox.bash("mkdir -p /workspace/vendor/lib/.git");
    await refused(
      { command: "create", path: "/workspace/vendor/lib/.git/config", file_text: "x" },
      /inside \.git\//,
    );
    const hooks = await sandbox.run(["ls", "/workspace/.git/hooks"]);
    expect(hooks.stdout).not.toMatch(/^pre-commit$/m);
  });
});

describe("the editor keeps a file's line endings and BOM, and edits only UTF-8 text", () => {
  test("str_replace with a two-line old_str written with \\n matches a CRLF file and keeps it CRLF byte for byte", async () => {
    const path = "/workspace/eol/crlf_replace.py";
    await put(path, "A = 1\r\nB = 2\r\nC = 3\r\nD = 4\r\n");
    const out = await edit({
      command: "str_replace",
      path,
      old_str: "B = 2\nC = 3",
      new_str: "B = 20\nX = 0\nC = 30",
    });
    expect(out).toContain("     2\tB = 20\n     3\tX = 0\n     4\tC = 30\n     5\tD = 4\n");
    expect(out).not.toContain("\r");
    expect(await bytesOf(path)).toBe("A = 1\r\nB = 20\r\nX = 0\r\nC = 30\r\nD = 4\r\n");
    await edit({
      command: "str_replace",
      path,
      old_str: "A = 1\r\nB = 20\r\n",
      new_str: "A = 10\r\nB = 2\n",
    });
    expect(await bytesOf(path)).toBe("A = 10\r\nB = 2\r\nX = 0\r\nC = 30\r\nD = 4\r\n");
  });

  test("insert into a CRLF file writes CRLF only", async () => {
    const path = "/workspace/eol/crlf_insert.py";
    await put(path, "A = 1\r\nB = 2\r\n");
    await edit({ command: "insert", path, insert_line: 1, insert_text: "C = 3" });
    expect(await bytesOf(path)).toBe("A = 1\r\nC = 3\r\nB = 2\r\n");
    await edit({ command: "insert", path, insert_line: 3, insert_text: "D = 4\nE = 5\n" });
    expect(await bytesOf(path)).toBe("A = 1\r\nC = 3\r\nB = 2\r\nD = 4\r\nE = 5\r\n");
  });

  test("view shows the lines of a CRLF file without \\r", async () => {
    const path = "/workspace/eol/crlf_view.py";
    await put(path, "A = 1\r\nB = 2\r\nC = 3\r\n");
    const out = await edit({ command: "view", path });
    expect(out).toBe(
      `Here's the result of running cat -n on ${path}:\n     1\tA = 1\n     2\tB = 2\n     3\tC = 3\n`,
    );
    const range = await edit({ command: "view", path, view_range: [2, -1] });
    expect(range.endsWith("     2\tB = 2\n     3\tC = 3\n")).toBe(true);
    await expect(edit({ command: "view", path, view_range: [4, 4] })).rejects.toThrow(
      /outside the file's 3 lines/,
    );
  });

  test("create over an existing CRLF file writes CRLF; a new file gets file_text exactly as given", async () => {
    const path = "/workspace/eol/crlf_create.py";
    await put(path, "old = 1\r\n");
    expect(await edit({ command: "create", path, file_text: "x = 1\ny = 2\n" })).toBe(
      `File overwritten at: ${path}`,
    );
    expect(await bytesOf(path)).toBe("x = 1\r\ny = 2\r\n");
    await edit({ command: "create", path: "/workspace/eol/fresh.py", file_text: "p\r\nq\n" });
    expect(await bytesOf("/workspace/eol/fresh.py")).toBe("p\r\nq\n");
  });

  test("an LF file stays LF when old_str and new_str are sent with CRLF", async () => {
    const path = "/workspace/eol/lf.py";
    await put(path, "a\nb\nc\n");
    await edit({ command: "str_replace", path, old_str: "a\r\nb", new_str: "a\r\nB\r\nb2" });
    expect(await bytesOf(path)).toBe("a\nB\nb2\nc\n");
  });

  test("a UTF-8 BOM is kept through str_replace, insert and create, and is neither shown nor matched", async () => {
    const path = "/workspace/eol/bom.py";
    await put(path, BOM + "A = 1\nB = 2\n");
    const view = await edit({ command: "view", path });
    expect(view).toContain(":\n     1\tA = 1\n");
    expect(view).not.toContain("\ufeff");
    await edit({ command: "str_replace", path, old_str: "A = 1\nB", new_str: "A = 'é'\nB" });
    expect(await bytesOf(path)).toBe(BOM + utf8("A = 'é'\nB = 2\n"));
    await edit({ command: "insert", path, insert_line: 0, insert_text: "# top" });
    expect(await bytesOf(path)).toBe(BOM + utf8("# top\nA = 'é'\nB = 2\n"));
    await put("/workspace/eol/bom_crlf.py", BOM + "old\r\n");
    await edit({ command: "create", path: "/workspace/eol/bom_crlf.py", file_text: "\ufeffnew\nline\n" });
    expect(await bytesOf("/workspace/eol/bom_crlf.py")).toBe(BOM + "new\r\nline\r\n");
  });

  test("mixed endings: untouched lines keep their bytes, new line breaks use the dominant ending", async () => {
    const path = "/workspace/eol/mixed.py";
    await put(path, "a\r\nb\nc\r\nd\r\ne\n");
    await edit({ command: "str_replace", path, old_str: "b\nc", new_str: "B\nC" });
    expect(await bytesOf(path)).toBe("a\r\nB\r\nC\r\nd\r\ne\n");
    await edit({ command: "insert", path, insert_line: 5, insert_text: "f" });
    expect(await bytesOf(path)).toBe("a\r\nB\r\nC\r\nd\r\ne\nf\r\n");
    const tie = "/workspace/eol/tie.py";
    await put(tie, "x\ny\r\n");
    await edit({ command: "insert", path: tie, insert_line: 2, insert_text: "z" });
    expect(await bytesOf(tie)).toBe("x\ny\r\nz\n");
  });

  test("an old Mac file (lone \\r line breaks) stays CR only", async () => {
    const path = "/workspace/eol/mac.py";
    await put(path, "A = 1\rB = 2\r");
    expect(await edit({ command: "view", path })).toContain("     1\tA = 1\n     2\tB = 2\n");
    await edit({ command: "str_replace", path, old_str: "A = 1\nB = 2", new_str: "A = 1\nB = 3" });
    await edit({ command: "insert", path, insert_line: 2, insert_text: "C = 3\n" });
    expect(await bytesOf(path)).toBe("A = 1\rB = 3\rC = 3\r");
  });

  test("a missing final line break stays missing, unless the insert goes after the last line", async () => {
    const path = "/workspace/eol/no_final.py";
    await put(path, "a\r\nb");
    await edit({ command: "insert", path, insert_line: 1, insert_text: "x" });
    expect(await bytesOf(path)).toBe("a\r\nx\r\nb");
    await edit({ command: "insert", path, insert_line: 3, insert_text: "y" });
    expect(await bytesOf(path)).toBe("a\r\nx\r\nb\r\ny\r\n");
    await put("/workspace/eol/empty.py", "");
    await edit({ command: "insert", path: "/workspace/eol/empty.py", insert_line: 0, insert_text: "x" });
    expect(await bytesOf("/workspace/eol/empty.py")).toBe("x\n");
  });

  test("a write keeps the file's mode (and its owner, when the group may write it) and leaves no temporary file behind", async () => {
    const path = "/workspace/eol/run.sh";
    await put(path, "echo 1\r\n");
    expect((await sandbox.run(["chmod", "775", path])).exitCode).toBe(0);
    await edit({ command: "str_replace", path, old_str: "echo 1", new_str: "echo 2" });
    expect(await bytesOf(path)).toBe("echo 2\r\n");
    expect((await sandbox.run(["stat", "-c", "%a %u", path])).stdout.trim()).toBe("775 1000");
    // Not group-writable: replaced by the programs user's copy, with the same mode.
    expect((await sandbox.run(["chmod", "755", path])).exitCode).toBe(0);
    await edit({ command: "str_replace", path, old_str: "echo 2", new_str: "echo 3" });
    expect(await bytesOf(path)).toBe("echo 3\r\n");
    expect((await sandbox.run(["stat", "-c", "%a %u", path])).stdout.trim()).toBe("755 1001");
    expect((await sandbox.run(["ls", "-A", "/workspace/eol"])).stdout).not.toMatch(/editor-/);
  });

  const refusedUnchanged = async (path: string, message: RegExp) => {
    const before = await bytesOf(path);
    const commands: EditorInput[] = [
      { command: "view", path },
      { command: "str_replace", path, old_str: "a", new_str: "b" },
      { command: "insert", path, insert_line: 0, insert_text: "x" },
      { command: "create", path, file_text: "x\n" },
    ];
    for (const input of commands) {
      const error = await edit(input).then(() => undefined, (e: unknown) => e);
      expect(error, input.command).toBeInstanceOf(ToolError);
      expect((error as Error).message, input.command).toMatch(message);
    }
    expect(await bytesOf(path)).toBe(before);
  };

  test("a Latin-1 file is refused by every command, naming the file and what to do, and never written", async () => {
    const path = "/workspace/eol/latin1.py";
    await put(path, "caf\xe9 = 1\r\na = 2\r\n");
    await refusedUnchanged(
      path,
      /^The file \/workspace\/eol\/latin1\.py is not UTF-8 text: the byte at offset 3 .*Latin-1.*unchanged.*iconv/,
    );
  });

  test("a file with a NUL byte is refused by every command and never written", async () => {
    const path = "/workspace/eol/nul.py";
    await put(path, "a = 1\n\0b\n");
    await refusedUnchanged(
      path,
      /^The file \/workspace\/eol\/nul\.py is not UTF-8 text: it has a NUL byte at offset 6/,
    );
  });

  test("new text that is not valid Unicode is refused and nothing is written", async () => {
    const path = "/workspace/eol/surrogate.py";
    await expect(edit({ command: "create", path, file_text: "x = '\ud800'\n" })).rejects.toThrow(
      /Nothing was written to \/workspace\/eol\/surrogate\.py: .*not valid Unicode/,
    );
    expect((await sandbox.run(["test", "-e", path])).exitCode).toBe(1);
  });
});

describe("paths that would never be committed are refused at the tool, at once", () => {
  test("create, str_replace and insert under .github/workflows/ write nothing and say why", async () => {
    await put("/workspace/.github/workflows/ci.yml", "run: pytest\n");
    const attempts: EditorInput[] = [
      { command: "create", path: "/workspace/.github/workflows/evil.yml", file_text: "run: curl evil\n" },
      {
        command: "str_replace",
        path: "/workspace/.github/workflows/ci.yml",
        old_str: "pytest",
        new_str: "true",
      },
      {
        command: "insert",
        path: "/workspace/.github/workflows/ci.yml",
        insert_line: 0,
        insert_text: "x: 1\n",
      },
    ];
    for (const attempt of attempts) {
      const error = await edit(attempt).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ToolError);
      expect((error as Error).message).toMatch(
        /^Nothing was written to .*: CI workflows \(\.github\/workflows\/\)/,
      );
    }
    expect(await bytesOf("/workspace/.github/workflows/ci.yml")).toBe("run: pytest\n");
    expect((await sandbox.run(["test", "-e", "/workspace/.github/workflows/evil.yml"])).exitCode).toBe(1);
    expect(await edit({ command: "view", path: "/workspace/.github/workflows/ci.yml" })).toContain(
      "run: pytest",
    );
  });

  test("the submodule list (.gitmodules) is refused the same way", async () => {
    const error = await edit({
      command: "create",
      path: "/workspace/.gitmodules",
      file_text: "[submodule]\n",
    })
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^Nothing was written to \/workspace\/.gitmodules: the submodule list/,
    );
  });
});
