/**
 * The restore before the trusted test run, in a real sandbox: after it the
 * workspace holds exactly what will be committed, and the agent's other work
 * is untouched. The agent's shell plants what the host leaves out.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEFAULT_PROTECTED_PATHS } from "../../src/config_schema_verify.ts";
import { gitBlobSha } from "../../src/github/git_object_id.ts";
import { baseTree, type TrackedFile } from "../../src/pipeline/base_tree.ts";
import { readChangeSet } from "../../src/pipeline/change_set.ts";
import type { DiffPolicy } from "../../src/pipeline/diff_policy.ts";
import { restoreLeftOutPaths } from "../../src/pipeline/workspace_restore.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { newSandbox, tarOf } from "../sandbox/sandbox_fixture.ts";

const SEED = {
  ".gitignore": "*.log\n",
  "app/main.py": "def add(a, b):\n    return a + b\n",
  "tests/test_main.py": "from app.main import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
  "tox.ini": "[tox]\nenvlist = py\n",
  "Makefile": "test:\n\tpytest\n",
  "run.sh": "#!/bin/sh\necho run\n",
};
const POLICY: DiffPolicy = {
  maxFiles: 200,
  maxFileBytes: 1024 * 1024,
  maxTotalBytes: 5 * 1024 * 1024,
  protectedPaths: [...DEFAULT_PROTECTED_PATHS, "run.sh"],
};
const TREE = baseTree(
  new Map(
    Object.entries(SEED).map(([path, text]): [string, TrackedFile] => [path, {
      mode: path.endsWith(".sh") ? "100755" : "100644",
      sha: gitBlobSha(new TextEncoder().encode(text)),
    }]),
  ),
  [],
  new Map(),
);

/** Plants what a hostile agent leaves behind: a forced pass in a protected conftest, and more. */
const PLANT = [
  "printf 'def pytest_collection_modifyitems(items):\\n    for item in items:\\n        item.runtest = lambda: None\\n'" +
  " > tests/conftest.py",
  "printf '[tox]\\nenvlist = evil\\n' > tox.ini",
  "rm Makefile",
  "printf '#!/bin/sh\\nexit 0\\n' > run.sh && chmod 644 run.sh",
  "ln -s /etc/passwd passwd",
  "mkdir -p .github/workflows && printf 'on: push\\n' > .github/workflows/ci.yml",
  "printf 'log\\n' > debug.log",
  "printf 'def add(a, b):\\n    return a - b\\n' > app/main.py",
  "printf 'def test_sub():\\n    assert 1 - 1 == 0\\n' > tests/test_sub.py",
].join(" && ");

describe("restoring what will not be committed before the trusted tests", () => {
  let sandbox: Sandbox;
  let seed: Uint8Array;
  beforeAll(async () => {
    seed = await tarOf(SEED);
    sandbox = await newSandbox(SEED);
  });
  afterAll(() => sandbox?.dispose());

  test("left-out paths go back to the base tree, ignored files go, and the committed work stays", async () => {
    expect((await sandbox.bash(PLANT)).exitCode).toBe(0);
    const before = await readChangeSet(sandbox, TREE, POLICY);
    expect(before.leftOut.map((l) => l.path).sort()).toEqual(
      [".github/workflows/ci.yml", "Makefile", "passwd", "run.sh", "tests/conftest.py", "tox.ini"],
    );
    expect(before.ignored).toEqual(["debug.log"]);

    expect(await restoreLeftOutPaths(sandbox, { seed, tree: TREE }, before.refusedPaths)).toEqual([]);

    const after = await readChangeSet(sandbox, TREE, POLICY);
    expect(after.leftOut).toEqual([]);
    expect(after.ignored).toEqual([]);
    expect(after.files.map((f) => [f.path, f.status])).toEqual(before.files.map((f) => [f.path, f.status]));
    expect(after.files.map((f) => f.path).sort()).toEqual(["app/main.py", "tests/test_sub.py"]);
    const look = await sandbox.bash(
      "cat tox.ini Makefile; stat -c '%A %n' run.sh; ls -A; ls tests; ls -A .github 2>&1 | head -1",
    );
    expect(look.stdout).toBe(
      "[tox]\nenvlist = py\ntest:\n\tpytest\n-rwxrwxr-x run.sh\n" +
        ".git\n.github\n.gitignore\nMakefile\napp\nrun.sh\ntests\ntox.ini\n" +
        "test_main.py\ntest_sub.py\nworkflows\n",
    );
    // The changed code is still there and the tests, run now, see it: the forced pass is gone.
    const run = await sandbox.bash("python3 -m pytest -q -p no:cacheprovider 2>&1 | tail -1");
    expect(run.stdout).toMatch(/1 failed, 1 passed/);
  });

  test("a left-out path in a folder the agent made unwritable is named, not silently kept", async () => {
    expect((await sandbox.bash("mkdir -p ci && printf x > ci/conftest.py && chmod 555 ci")).exitCode).toBe(0);
    const failed = await restoreLeftOutPaths(sandbox, { seed, tree: TREE }, ["ci/conftest.py"]);
    expect(failed).toEqual([{ path: "ci/conftest.py", error: "Permission denied" }]);
    await sandbox.bash("chmod 755 ci && rm -r ci");
  });
});
