import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SandboxError, ToolError } from "../../src/errors.ts";
import { EDITOR_ERROR_MAX_CHARS, EDITOR_REPLY_MAX_BYTES, runEditor } from "../../src/sandbox/editor.ts";
import { EDITOR_PROGRAM_PATH } from "../../src/sandbox/editor_program.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { newSandbox } from "./sandbox_fixture.ts";

let real: Sandbox;
beforeAll(async () => {
  real = await newSandbox({ "app/main.py": "x = 1\n" });
});
afterAll(async () => {
  await real?.dispose();
});

/**
 * The real container, but the editor program answers with what `python` prints: what the host
 * would read if the program had been tampered with inside the container.
 */
function tampered(python: string): Sandbox {
  return Object.assign(Object.create(real) as Sandbox, {
    run: (argv: string[], options?: Parameters<Sandbox["run"]>[1]) =>
      real.run(argv.includes(EDITOR_PROGRAM_PATH) ? ["python3", "-c", python] : argv, options),
  });
}

const view = (sandbox: Sandbox) => runEditor(sandbox, { command: "view", path: "/workspace/app/main.py" });

describe("the editor's reply is untrusted: only a bounded, well-formed reply is taken", () => {
  test("the real program's reply is taken", async () => {
    expect(await view(real)).toContain("x = 1");
  });

  test.each([
    ["not JSON", "print('All tests passed')"],
    ["an ok reply without output", "import json; print(json.dumps({'ok': True}))"],
    ["a reply with output of the wrong type", "import json; print(json.dumps({'ok': True, 'output': 42}))"],
    ["an ok field that is not a boolean", "import json; print(json.dumps({'ok': 'yes', 'output': 'x'}))"],
    ["an extra field", "import json; print(json.dumps({'ok': True, 'output': 'x', 'run': 'rm -rf /'}))"],
    ["a failure without its message", "import json; print(json.dumps({'ok': False}))"],
    [
      "an error over its cap",
      `import json; print(json.dumps({'ok': False, 'error': 'e' * ${EDITOR_ERROR_MAX_CHARS + 1}}))`,
    ],
    [
      "output over the reply's cap",
      `import json; print(json.dumps({'ok': True, 'output': 'o' * ${EDITOR_REPLY_MAX_BYTES + 1}}))`,
    ],
    ["a reply followed by a second one", "import json; print(json.dumps({'ok': True, 'output': 'x'}) * 2)"],
  ])("%s is refused as a sandbox failure, its text not repeated", async (_, python) => {
    const error = await view(tampered(python)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as Error).message).toMatch(/^The editor in "[^"]+" did not answer as it should \(exit \d+/);
    expect((error as Error).message).not.toMatch(/All tests passed|rm -rf|ooooo|eeeee/);
  });

  test("a well-formed reply from a program that then fails is not taken", async () => {
    const python = "import json, sys; print(json.dumps({'ok': True, 'output': 'forged'})); sys.exit(3)";
    const error = await view(tampered(python)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toContain("forged");
  });

  test("a well-formed refusal reaches the model as a tool error", async () => {
    const error = await view(
      tampered("import json; print(json.dumps({'ok': False, 'error': 'No such file'}))"),
    )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as Error).message).toBe("No such file");
  });
});
