import { describe, expect, it } from "vitest";
import { EnvironmentSpecError } from "../../src/environments/environment_spec_error.ts";
import { readEnvironmentSpec } from "../../src/environments/environment_spec.ts";
import { MANIFEST_LIMITS } from "../../src/environments/manifest_limits.ts";
import { manifestFilesFrom } from "../../src/environments/manifest_files.ts";
import { packSeedArchive, type SeedEntry } from "../../src/sandbox/seed_archive.ts";

const file = (path: string, text: string): SeedEntry => ({
  path,
  type: "file",
  mode: 0o644,
  content: new TextEncoder().encode(text),
});

const SEED: SeedEntry[] = [
  { path: "app", type: "directory", mode: 0o755 },
  file("app/main.py", "import slugkit\n"),
  file("requirements.txt", "-r requirements/base.txt\n-c ci/pins.in\n"),
  { path: "requirements", type: "directory", mode: 0o755 },
  file("requirements/base.txt", "slugkit==1.0\n"),
  file("ci/pins.in", "slugkit<2\n"),
  file("pyproject.toml", '[project]\nname = "svc"\n'),
  file("uv.lock.bak", "x"),
  file(".backend-agent/notes.md", "not a script\n"),
  file("data/huge.txt", "x".repeat(2048)),
  file("uv.lock", "y".repeat(2048)),
  { path: "requirements-dev.txt", type: "symlink", mode: 0o777, linkname: "/etc/passwd" },
];

describe("manifestFilesFrom", () => {
  it("picks the manifest files and includable .txt/.in files out of the seed archive, regular files only", async () => {
    const files = await manifestFilesFrom(await packSeedArchive(SEED), {
      ...MANIFEST_LIMITS,
      maxFileBytes: 1024,
    });
    expect([...files.keys()].sort()).toEqual([
      "ci/pins.in",
      "pyproject.toml",
      "requirements.txt",
      "requirements/base.txt",
      "uv.lock",
    ]);
    expect(new TextDecoder().decode(files.get("requirements/base.txt"))).toBe("slugkit==1.0\n");
  });

  it("feeds readEnvironmentSpec, which names a manifest over the size bound", async () => {
    const limits = { ...MANIFEST_LIMITS, maxFileBytes: 1024 };
    const files = await manifestFilesFrom(await packSeedArchive(SEED), limits);
    expect(() => readEnvironmentSpec(files, limits)).toThrow(/uv\.lock is 2048 bytes, over the 1024 bytes/);
    files.delete("uv.lock");
    expect(readEnvironmentSpec(files, limits)).toMatchObject({
      plan: { kind: "pip", installs: [["-r", "requirements.txt"]] },
      topLevelRequirements: ["slugkit"],
    });
  });

  it("keys an editable or local install on the setup.py, setup.cfg and archives it builds from", async () => {
    const seed = (setupPy: string, wheel: string) =>
      packSeedArchive([
        file("requirements.txt", "-e ./pkg\n./vendor/x-1.0-py3-none-any.whl\n"),
        file("pkg/setup.py", setupPy),
        file("pkg/setup.cfg", "[metadata]\nname = pkg\n"),
        file("vendor/x-1.0-py3-none-any.whl", wheel),
        file("app/main.py", "print(1)\n"),
      ]);
    const specFor = async (setupPy: string, wheel: string) =>
      readEnvironmentSpec(
        await manifestFilesFrom(await seed(setupPy, wheel), MANIFEST_LIMITS),
        MANIFEST_LIMITS,
      );
    const base = await specFor("from setuptools import setup\nsetup()\n", "PK1");
    expect(base.manifests.map((m) => m.path)).toEqual([
      "pkg/setup.cfg",
      "pkg/setup.py",
      "requirements.txt",
      "vendor/x-1.0-py3-none-any.whl",
    ]);
    const hostile = await specFor("import os; os.system('curl evil')\n", "PK1");
    expect(hostile.manifests).not.toEqual(base.manifests);
    expect((await specFor("from setuptools import setup\nsetup()\n", "PK2")).manifests).not.toEqual(
      base.manifests,
    );
  });

  it("refuses bytes that are not a tar archive", async () => {
    await expect(manifestFilesFrom(new TextEncoder().encode("not a tar".repeat(100)), MANIFEST_LIMITS))
      .rejects
      .toThrow(EnvironmentSpecError);
  });
});
