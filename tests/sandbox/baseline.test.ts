import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { newSandbox } from "./sandbox_fixture.ts";

describe("the baseline commit", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await newSandbox({
      "app/main.py": "print(1)\n",
      "run.sh": "#!/bin/sh\n",
      ".gitignore": "*.log\n",
    });
  });
  afterAll(async () => {
    await sandbox?.dispose();
  });

  test("is made while the sandbox is created", async () => {
    expect(sandbox.baselineSha).toMatch(/^[0-9a-f]{40}$/);
    const head = await sandbox.run(["git", "rev-parse", "HEAD"]);
    expect(head.stdout.trim()).toBe(sandbox.baselineSha);
  });

  test("is made as uid 1000: the repository and every object belong to the sandbox user", async () => {
    const owners = await sandbox.run(["bash", "-c", "find .git -printf '%U:%G\\n' | sort -u"]);
    expect(owners.stdout.trim()).toBe("1000:1000");
    const files = await sandbox.run([
      "bash",
      "-c",
      "find . -path ./.git -prune -o -printf '%U\\n' | sort -u",
    ]);
    expect(files.stdout.trim()).toBe("1000");
  });

  test("holds every seeded file with its mode, and the tree is clean", async () => {
    const tree = await sandbox.run(["git", "ls-tree", "-r", "--format=%(objectmode) %(path)", "HEAD"]);
    expect(tree.stdout.trim().split("\n").sort()).toEqual([
      "100644 .gitignore",
      "100644 app/main.py",
      "100755 run.sh",
    ]);
    expect((await sandbox.run(["git", "status", "--porcelain"])).stdout).toBe("");
  });

  test("ignores Python caches whatever the repo's .gitignore says", async () => {
    await sandbox.bash(
      "mkdir -p app/__pycache__ && echo x > app/__pycache__/m.pyc && mkdir -p .pytest_cache && echo y > .pytest_cache/v",
    );
    expect((await sandbox.run(["git", "status", "--porcelain"])).stdout).toBe("");
  });
});
