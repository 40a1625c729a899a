import { Buffer } from "node:buffer";
import { afterEach, describe, expect, test } from "vitest";
import { gitBlobSha } from "../../src/github/git_object_id.ts";
import { type BaseTree, baseTree, type TrackedFile } from "../../src/pipeline/base_tree.ts";
import { DEFAULT_PROTECTED_PATHS } from "../../src/config_schema_verify.ts";
import type { DiffPolicy } from "../../src/pipeline/diff_policy.ts";
import { readChangeSet } from "../../src/pipeline/change_set.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { newSandbox } from "./sandbox_fixture.ts";

const SEED = {
  ".gitignore": "settings/\n*.log\n",
  "settings/defaults.py": "DEBUG = False\n",
  "app/main.py": "print('main')\n",
  "app/old.py": "print('old')\n",
  "run.sh": "#!/bin/sh\necho run\n",
  "README.md": "hello\n",
};
const CAPS: DiffPolicy = {
  maxFiles: 200,
  maxFileBytes: 1024 * 1024,
  maxTotalBytes: 5 * 1024 * 1024,
  protectedPaths: DEFAULT_PROTECTED_PATHS,
};

/** The base tree of `files` as GitHub would list it (`.sh` files executable, as the fixture seeds them). */
function treeOf(files: Record<string, string>, gitlinks: string[] = []): BaseTree {
  const tracked = new Map<string, TrackedFile>();
  const attributes = new Map<string, string>();
  for (const [path, text] of Object.entries(files)) {
    tracked.set(path, {
      mode: path.endsWith(".sh") ? "100755" : "100644",
      sha: gitBlobSha(new TextEncoder().encode(text)),
    });
    if (path.endsWith(".gitattributes")) attributes.set(path, text);
  }
  return baseTree(tracked, gitlinks, attributes);
}

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.dispose();
  sandbox = undefined;
});

async function seeded(files: Record<string, string> = SEED): Promise<Sandbox> {
  sandbox = await newSandbox(files);
  return sandbox;
}

const text = (bytes?: Uint8Array) => new TextDecoder().decode(bytes);

describe("the change set, measured against the base tree", () => {
  test("lists added, modified and deleted files with their mode and content; caches are never changes", async () => {
    const sandbox = await seeded();
    await sandbox.bash(
      "printf 'print(1)\\n' > app/new.py && printf 'changed\\n' > README.md && rm app/old.py && " +
        "mkdir -p app/__pycache__ && printf x > app/__pycache__/m.pyc",
    );
    const { files } = await readChangeSet(sandbox, treeOf(SEED), CAPS);
    const byPath = Object.fromEntries(files.map((c) => [c.path, c]));
    expect(Object.keys(byPath).sort()).toEqual(["README.md", "app/new.py", "app/old.py"]);
    expect(byPath["app/new.py"]).toMatchObject({ status: "added", mode: "100644" });
    expect(text(byPath["app/new.py"]!.content)).toBe("print(1)\n");
    expect(byPath["README.md"]).toMatchObject({ status: "modified", mode: "100644" });
    expect(text(byPath["README.md"]!.content)).toBe("changed\n");
    expect(byPath["app/old.py"]).toEqual({ path: "app/old.py", status: "deleted" });
  });

  test("no change gives an empty change set, and a file rewritten with its own bytes is no change", async () => {
    const sandbox = await seeded();
    await sandbox.bash("cp README.md /tmp/r && cat /tmp/r > README.md && touch app/main.py");
    expect(await readChangeSet(sandbox, treeOf(SEED), CAPS)).toEqual({
      files: [],
      leftOut: [],
      refusedPaths: [],
      ignored: [],
    });
  });

  test("a tracked file that .gitignore matches is still tracked: its edit is in the change set", async () => {
    const sandbox = await seeded();
    await sandbox.bash("printf 'DEBUG = True\\n' > settings/defaults.py");
    const { files } = await readChangeSet(sandbox, treeOf(SEED), CAPS);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ path: "settings/defaults.py", status: "modified", mode: "100644" });
    expect(text(files[0]!.content)).toBe("DEBUG = True\n");
  });

  test("the agent's git status shows that edit too: the baseline tracks every base path", async () => {
    const sandbox = await seeded();
    await sandbox.bash("printf 'DEBUG = True\\n' > settings/defaults.py");
    const status = await sandbox.run(["git", "status", "--porcelain"]);
    expect(status.stdout).toBe(" M settings/defaults.py\n");
  });

  test("a new file that .gitignore matches is not committed but named", async () => {
    const sandbox = await seeded();
    await sandbox.bash(
      "printf 'x\\n' > debug.log && printf 'y\\n' > settings/local.py && printf 'ok\\n' > ok.txt",
    );
    const changes = await readChangeSet(sandbox, treeOf(SEED), CAPS);
    expect(changes.files.map((f) => f.path)).toEqual(["ok.txt"]);
    expect(changes.ignored.sort()).toEqual(["debug.log", "settings/local.py"]);
  });

  test("the executable bit is a change, and a new executable file has mode 100755", async () => {
    const sandbox = await seeded();
    await sandbox.bash("chmod -x run.sh && printf '#!/bin/sh\\n' > tool.sh && chmod +x tool.sh");
    const { files } = await readChangeSet(sandbox, treeOf(SEED), CAPS);
    expect(files.find((c) => c.path === "run.sh")).toMatchObject({ status: "modified", mode: "100644" });
    expect(files.find((c) => c.path === "tool.sh")).toMatchObject({ status: "added", mode: "100755" });
  });

  test("binary content comes back byte for byte", async () => {
    const sandbox = await seeded();
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7919 + (i >> 8)) % 256);
    bytes.set([0, 0xff, 0xfe, 0x0a, 0x0d, 0x00], 0);
    const written = await sandbox.run(
      ["python3", "-c", "import sys; open('blob.bin','wb').write(sys.stdin.buffer.read())"],
      { stdin: bytes },
    );
    expect(written.exitCode).toBe(0);
    const { files: [change] } = await readChangeSet(sandbox, treeOf(SEED), CAPS);
    expect(change).toMatchObject({ path: "blob.bin", status: "added" });
    expect(Buffer.compare(Buffer.from(change!.content!), Buffer.from(bytes))).toBe(0);
  });

  test("a symlink is left out and named; the rest of the change set stays", async () => {
    const sandbox = await seeded();
    await sandbox.bash("ln -s /etc/passwd app/passwd && printf 'ok\\n' > ok.txt");
    const changes = await readChangeSet(sandbox, treeOf(SEED), CAPS);
    expect(changes.files.map((f) => f.path)).toEqual(["ok.txt"]);
    expect(changes.leftOut).toEqual([{ path: "app/passwd", reason: "symbolic links are not allowed" }]);
  });

  test("a nested repository is left out and named, its files never read", async () => {
    const sandbox = await seeded();
    const made = await sandbox.bash(
      "mkdir -p vendor/lib && cd vendor/lib && git init -q && printf 'x\\n' > x.py && git add x.py && " +
        "git -c user.name=a -c user.email=a@b commit -qm x",
    );
    expect(made.exitCode).toBe(0);
    const changes = await readChangeSet(sandbox, treeOf(SEED), CAPS);
    expect(changes.files).toEqual([]);
    expect(changes.leftOut).toEqual([{
      path: "vendor/lib",
      reason: "nested git repositories are not allowed",
    }]);
  });

  test("files under a submodule's path are left out, naming the submodule", async () => {
    // The fixture cannot seed an empty folder: a placeholder makes the gitlink's folder, then goes.
    const sandbox = await seeded({ ...SEED, "vendor/lib/.placeholder": "" });
    await sandbox.bash(
      "rm vendor/lib/.placeholder && printf 'x\\n' > vendor/lib/patch.py && printf 'ok\\n' > ok.txt",
    );
    const changes = await readChangeSet(sandbox, treeOf(SEED, ["vendor/lib"]), CAPS);
    expect(changes.files.map((f) => f.path)).toEqual(["ok.txt"]);
    expect(changes.leftOut).toEqual([
      {
        path: "vendor/lib/patch.py",
        reason: "vendor/lib is a submodule: its files belong to another repository",
      },
    ]);
  });

  test("paths a Git LFS filter covers are left out, by the base's .gitattributes and by new ones", async () => {
    const files = { ...SEED, ".gitattributes": "data/*.csv filter=lfs diff=lfs merge=lfs -text\n" };
    const sandbox = await seeded(files);
    await sandbox.bash(
      "mkdir -p data media && printf 'a,b\\n' > data/new.csv && printf 'm\\n' > media/clip.mp4 && " +
        "printf '*.mp4 filter=lfs\\n' > media/.gitattributes && printf 'ok\\n' > data/readme.txt",
    );
    const changes = await readChangeSet(sandbox, treeOf(files), CAPS);
    expect(changes.files.map((f) => f.path).sort()).toEqual(["data/readme.txt", "media/.gitattributes"]);
    const lfs = "stored with Git LFS (.gitattributes filter=lfs): the agent cannot write LFS objects";
    expect(changes.leftOut.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: "data/new.csv", reason: lfs },
      { path: "media/clip.mp4", reason: lfs },
    ]);
  });

  test("files written under a folder named .git/ never leave the sandbox", async () => {
    const sandbox = await seeded();
    await sandbox.bash(
      "mkdir -p pkg/.git/hooks && printf 'evil\\n' > pkg/.git/hooks/post-checkout && printf 'ok\\n' > ok.txt",
    );
    const changes = await readChangeSet(sandbox, treeOf(SEED), CAPS);
    expect(changes.files.map((c) => c.path)).toEqual(["ok.txt"]);
  });

  test("folders git, Windows or macOS would take for .git, and .gitmodules look-alikes, never leave the sandbox", async () => {
    const sandbox = await seeded();
    const made = await sandbox.run([
      "python3",
      "-c",
      [
        "import os",
        "for d in ['.git.', '.git ', 'git~1', '.GIT', '.g\u200cit', '\ufeff.git']:",
        "    os.makedirs(d + '/hooks', exist_ok=True)",
        "    open(d + '/config', 'w').write('[core]\\n\\thooksPath = hooks\\n')",
        "for f in ['.Gitmodules', 'gitmod~1', '.gitmodules.']:",
        "    open(f, 'w').write('[submodule \"x\"]\\n')",
        "open('ok.txt', 'w').write('ok\\n')",
      ].join("\n"),
    ]);
    expect(made.exitCode, made.stderr).toBe(0);
    const changes = await readChangeSet(sandbox, treeOf(SEED), CAPS);
    expect(changes.files.map((c) => c.path)).toEqual(["ok.txt"]);
    const reasons = changes.leftOut.map((l) => l.reason);
    expect(reasons.length).toBeGreaterThanOrEqual(9);
    expect(reasons.every((r) => /^(paths under \.git\/|the submodule list \(\.gitmodules\))/.test(r))).toBe(
      true,
    );
  });

  test("a symlink to the runner's key, a composite action, a conftest.py and a Makefile are left out, each naming its rule", async () => {
    const sandbox = await seeded();
    const made = await sandbox.run([
      "python3",
      "-c",
      [
        "import os",
        "os.symlink('/home/runner/.ssh/id_rsa', 'id_rsa')",
        "os.makedirs('.github/actions/setup', exist_ok=True)",
        "open('.github/actions/setup/action.yml', 'w').write('runs: {using: composite, steps: []}\\n')",
        "os.makedirs('tests', exist_ok=True)",
        "open('tests/conftest.py', 'w').write('import os\\n')",
        "open('Makefile', 'w').write('test:\\n\\tcurl evil\\n')",
        "open('ok.txt', 'w').write('ok\\n')",
      ].join("\n"),
    ]);
    expect(made.exitCode, made.stderr).toBe(0);
    const changes = await readChangeSet(sandbox, treeOf(SEED), CAPS);
    expect(changes.files.map((c) => [c.path, c.mode])).toEqual([["ok.txt", "100644"]]);
    const protectedBy = (glob: string) =>
      `protected by DIFF_PROTECTED_PATHS ("${glob}"): CI can run or obey it before anyone reviews the ` +
      "change; a person makes this edit, or the setting drops the glob";
    expect(changes.leftOut.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: ".github/actions/setup/action.yml", reason: protectedBy(".github/**") },
      { path: "id_rsa", reason: "symbolic links are not allowed" },
      { path: "Makefile", reason: protectedBy("Makefile") },
      { path: "tests/conftest.py", reason: protectedBy("**/conftest.py") },
    ]);
  });

  test("the caps name the setting to raise, and a raised cap takes effect", async () => {
    const sandbox = await seeded();
    await sandbox.bash("head -c 300000 /dev/zero > big.bin && for i in 1 2 3 4; do echo $i > f$i.txt; done");
    expect((await readChangeSet(sandbox, treeOf(SEED), { ...CAPS, maxTotalBytes: 100_000 })).overCap)
      .toMatch(/over DIFF_MAX_TOTAL_BYTES \(100000\)/);
    expect((await readChangeSet(sandbox, treeOf(SEED), { ...CAPS, maxFiles: 3 })).overCap)
      .toBe("5 files changed, over DIFF_MAX_FILES (3)");
    expect((await readChangeSet(sandbox, treeOf(SEED), { ...CAPS, maxFileBytes: 200_000 })).overCap)
      .toBe("big.bin is 300000 bytes, over DIFF_MAX_FILE_BYTES (200000)");
    const raised = await readChangeSet(sandbox, treeOf(SEED), {
      ...CAPS,
      maxTotalBytes: 400_000,
      maxFiles: 5,
    });
    expect(raised.overCap).toBeUndefined();
    expect(raised.files).toHaveLength(5);
  });
});
