import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ToolError } from "../../src/errors.ts";
import { type EditorCommand, runEditor } from "../../src/sandbox/editor.ts";
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

const edit = (input: EditorCommand) => runEditor(sandbox, input);
const read = async (path: string) => (await sandbox.run(["cat", path])).stdout;

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

  test("create writes a new file, making its folders, and it is owned by the sandbox user", async () => {
    const out = await edit({
      command: "create",
      path: "/workspace/app/new/stats.py",
      file_text: "def f():\n    return 1\n",
    });
    expect(out).toBe("File created successfully at: /workspace/app/new/stats.py");
    expect(await read("/workspace/app/new/stats.py")).toBe("def f():\n    return 1\n");
    expect((await sandbox.run(["stat", "-c", "%u", "/workspace/app/new/stats.py"])).stdout.trim()).toBe(
      "1000",
    );
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
  const refused = async (input: EditorCommand, message: RegExp) => {
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
