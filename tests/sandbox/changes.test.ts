import { Buffer } from "node:buffer";
import { afterEach, describe, expect, test } from "vitest";
import { commitBaseline } from "../../src/sandbox/baseline.ts";
import { extractChanges, RefusedChangesError } from "../../src/sandbox/changes.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { newSandbox } from "./sandbox_fixture.ts";

const SEED = {
  "app/main.py": "print('main')\n",
  "app/old.py": "print('old')\n",
  "run.sh": "#!/bin/sh\necho run\n",
  "README.md": "hello\n",
};

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.dispose();
  sandbox = undefined;
});

async function seeded(): Promise<{ sandbox: Sandbox; baseline: string }> {
  sandbox = await newSandbox(SEED);
  return { sandbox, baseline: await commitBaseline(sandbox) };
}

describe("change extraction against the baseline commit", () => {
  test("lists added, modified and deleted files with their mode and content", async () => {
    const { sandbox, baseline } = await seeded();
    await sandbox.bash(
      "printf 'print(1)\\n' > app/new.py && printf 'changed\\n' > README.md && rm app/old.py && " +
        "mkdir -p app/__pycache__ && printf x > app/__pycache__/m.pyc",
    );
    const changes = await extractChanges(sandbox, baseline);
    const byPath = Object.fromEntries(changes.map((c) => [c.path, c]));
    expect(Object.keys(byPath).sort()).toEqual(["README.md", "app/new.py", "app/old.py"]);
    expect(byPath["app/new.py"]).toMatchObject({ status: "added", mode: "100644" });
    expect(new TextDecoder().decode(byPath["app/new.py"]!.content)).toBe("print(1)\n");
    expect(byPath["README.md"]).toMatchObject({ status: "modified", mode: "100644" });
    expect(new TextDecoder().decode(byPath["README.md"]!.content)).toBe("changed\n");
    expect(byPath["app/old.py"]).toEqual({ path: "app/old.py", status: "deleted" });
  });

  test("no change gives an empty list", async () => {
    const { sandbox, baseline } = await seeded();
    expect(await extractChanges(sandbox, baseline)).toEqual([]);
  });

  test("the executable bit is a change, and a new executable file has mode 100755", async () => {
    const { sandbox, baseline } = await seeded();
    await sandbox.bash("chmod -x run.sh && printf '#!/bin/sh\\n' > tool.sh && chmod +x tool.sh");
    const changes = await extractChanges(sandbox, baseline);
    expect(changes.find((c) => c.path === "run.sh")).toMatchObject({ status: "modified", mode: "100644" });
    expect(changes.find((c) => c.path === "tool.sh")).toMatchObject({ status: "added", mode: "100755" });
  });

  test("binary content comes back byte for byte", async () => {
    const { sandbox, baseline } = await seeded();
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7919 + (i >> 8)) % 256);
    bytes.set([0, 0xff, 0xfe, 0x0a, 0x0d, 0x00], 0);
    const written = await sandbox.run(
      ["python3", "-c", "import sys; open('blob.bin','wb').write(sys.stdin.buffer.read())"],
      { stdin: bytes },
    );
    expect(written.exitCode).toBe(0);
    const [change] = await extractChanges(sandbox, baseline);
    expect(change).toMatchObject({ path: "blob.bin", status: "added" });
    expect(Buffer.compare(Buffer.from(change!.content!), Buffer.from(bytes))).toBe(0);
  });

  test("a symlink is refused and named", async () => {
    const { sandbox, baseline } = await seeded();
    await sandbox.bash("ln -s /etc/passwd app/passwd && printf 'ok\\n' > ok.txt");
    const error = await extractChanges(sandbox, baseline).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedChangesError);
    expect((error as RefusedChangesError).refused).toEqual([
      { path: "app/passwd", rule: "symbolic links are not allowed" },
    ]);
    expect((error as Error).message).toContain("app/passwd (symbolic links are not allowed)");
  });

  test("a nested repository's .git/ is refused and named, never read as files", async () => {
    const { sandbox, baseline } = await seeded();
    const made = await sandbox.bash(
      "mkdir -p vendor/lib && cd vendor/lib && git init -q && printf 'x\\n' > x.py && git add x.py && " +
        "git -c user.name=a -c user.email=a@b commit -qm x",
    );
    expect(made.exitCode).toBe(0);
    const error = await extractChanges(sandbox, baseline).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedChangesError);
    expect((error as RefusedChangesError).refused).toEqual([
      { path: "vendor/lib", rule: "submodules are not allowed" },
    ]);
  });

  test("files written under a folder named .git/ never leave the sandbox", async () => {
    const { sandbox, baseline } = await seeded();
    await sandbox.bash(
      "mkdir -p pkg/.git/hooks && printf 'evil\\n' > pkg/.git/hooks/post-checkout && printf 'ok\\n' > ok.txt",
    );
    const changes = await extractChanges(sandbox, baseline);
    expect(changes.map((c) => c.path)).toEqual(["ok.txt"]);
  });

  test("the size cap is enforced on the total content and on the file count", async () => {
    const { sandbox, baseline } = await seeded();
    await sandbox.bash("head -c 300000 /dev/zero > big.bin && for i in 1 2 3 4; do echo $i > f$i.txt; done");
    await expect(extractChanges(sandbox, baseline, { maxTotalBytes: 100_000 }))
      .rejects.toThrow(/over its cap \(200 files, 100000 bytes\)/);
    await expect(extractChanges(sandbox, baseline, { maxFiles: 3 })).rejects.toThrow(
      /over its cap \(3 files/,
    );
    expect(await extractChanges(sandbox, baseline, { maxTotalBytes: 400_000, maxFiles: 5 })).toHaveLength(5);
  });
});
