import { expect, test } from "vitest";
import { SANDBOX_IMAGE_DIR } from "../../scripts/image.ts";
import { computeImageInputsHash, hashInputFiles, readInputFiles } from "../../scripts/image_inputs.ts";
import { baseImageOf, parseBuildMode, planImageStep } from "../../scripts/image_plan.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

async function imageDir(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "image_inputs_test_" });
  for (const [path, content] of Object.entries(files)) {
    const slash = path.lastIndexOf("/");
    if (slash > 0) await Deno.mkdir(`${dir}/${path.slice(0, slash)}`, { recursive: true });
    await Deno.writeTextFile(`${dir}/${path}`, content);
  }
  return dir;
}

test("the inputs hash is a stable SHA-256 while no file changes", async () => {
  const dir = await imageDir({
    "Dockerfile": "FROM python:3.12-slim\n",
    "sub/requirements.txt": "pytest==8.3.5\n",
  });
  try {
    const first = await computeImageInputsHash(dir);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await computeImageInputsHash(dir)).toBe(first);
    await Deno.writeTextFile(`${dir}/Dockerfile`, "FROM python:3.12-slim\n");
    expect(await computeImageInputsHash(dir)).toBe(first);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("the inputs hash changes when a file's content changes, or a file is added or removed", async () => {
  const dir = await imageDir({
    "Dockerfile": "FROM python:3.12-slim\n",
    "sub/requirements.txt": "pytest==8.3.5\n",
  });
  try {
    const before = await computeImageInputsHash(dir);
    await Deno.writeTextFile(`${dir}/sub/requirements.txt`, "pytest==8.3.6\n");
    const edited = await computeImageInputsHash(dir);
    expect(edited).not.toBe(before);
    await Deno.writeTextFile(`${dir}/extra.txt`, "");
    const added = await computeImageInputsHash(dir);
    expect(added).not.toBe(edited);
    await Deno.remove(`${dir}/extra.txt`);
    expect(await computeImageInputsHash(dir)).toBe(edited);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("the inputs hash ignores listing order but sees renames and bytes moved between files", async () => {
  const a = { path: "a", content: bytes("xy") };
  const b = { path: "b", content: bytes("z") };
  const hash = await hashInputFiles([a, b]);
  expect(await hashInputFiles([b, a])).toBe(hash);
  expect(await hashInputFiles([{ ...a, path: "c" }, b])).not.toBe(hash);
  expect(await hashInputFiles([{ path: "a", content: bytes("x") }, { path: "b", content: bytes("yz") }])).not
    .toBe(
      hash,
    );
});

test("the programs' tests and Python caches are not image inputs: editing them needs no rebuild", async () => {
  const dir = await imageDir({
    "Dockerfile": "FROM python:3.12-slim\n",
    "programs/editor.py": "print('hi')\n",
    "programs/tests/test_editor.py": "def test(): pass\n",
  });
  try {
    const before = await computeImageInputsHash(dir);
    await Deno.writeTextFile(`${dir}/programs/tests/test_editor.py`, "def test(): assert True\n");
    await Deno.mkdir(`${dir}/programs/__pycache__`);
    await Deno.writeTextFile(`${dir}/programs/__pycache__/editor.cpython-313.pyc`, "cache");
    await Deno.mkdir(`${dir}/programs/tests/.pytest_cache`);
    await Deno.writeTextFile(`${dir}/programs/tests/.pytest_cache/README.md`, "cache");
    expect(await computeImageInputsHash(dir)).toBe(before);
    await Deno.writeTextFile(`${dir}/programs/editor.py`, "print('hello')\n");
    expect(await computeImageInputsHash(dir)).not.toBe(before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("the sandbox image's inputs include the programs it ships and their lint settings", async () => {
  const paths = (await readInputFiles(SANDBOX_IMAGE_DIR)).map((file) => file.path);
  expect(paths).toEqual(expect.arrayContaining([
    "Dockerfile",
    "build_airgapped.sh",
    "programs/editor.py",
    "programs/changes.py",
    "programs/.flake8",
  ]));
  expect(paths.filter((path) => path.startsWith("programs/tests/"))).toEqual([]);
});

test("an image whose inputs label equals the hash is kept, in every mode", () => {
  for (const mode of ["auto", "registry", "airgapped"] as const) {
    expect(planImageStep({ mode, inputsHash: "h1", existingInputs: "h1" })).toEqual({ action: "skip" });
  }
});

test("a missing image or a different label is rebuilt; auto mode probes the registry first", () => {
  expect(planImageStep({ mode: "auto", inputsHash: "h2", existingInputs: "h1" })).toEqual({
    action: "probe",
  });
  expect(planImageStep({ mode: "auto", inputsHash: "h2", existingInputs: undefined })).toEqual({
    action: "probe",
  });
  expect(planImageStep({ mode: "auto", inputsHash: "h2", existingInputs: "h1", registryAvailable: true }))
    .toEqual({ action: "build", path: "registry" });
  expect(
    planImageStep({ mode: "auto", inputsHash: "h2", existingInputs: undefined, registryAvailable: false }),
  )
    .toEqual({ action: "build", path: "airgapped" });
});

test("a forced build mode picks its path without probing", () => {
  expect(
    planImageStep({ mode: "registry", inputsHash: "h2", existingInputs: "h1", registryAvailable: false }),
  )
    .toEqual({ action: "build", path: "registry" });
  expect(planImageStep({ mode: "airgapped", inputsHash: "h2", existingInputs: undefined }))
    .toEqual({ action: "build", path: "airgapped" });
});

test("SANDBOX_IMAGE_BUILD accepts registry, airgapped, auto or nothing, and rejects the rest", () => {
  expect(parseBuildMode(undefined)).toBe("auto");
  expect(parseBuildMode("")).toBe("auto");
  expect(parseBuildMode("registry")).toBe("registry");
  expect(parseBuildMode(" airgapped ")).toBe("airgapped");
  expect(() => parseBuildMode("docker")).toThrow(/SANDBOX_IMAGE_BUILD must be registry, airgapped or auto/);
});

test("the registry build's base image is read from the Dockerfile's first FROM", async () => {
  expect(baseImageOf("# comment\nFROM --platform=linux/amd64 python:3.12-slim AS base\nFROM x\n")).toBe(
    "python:3.12-slim",
  );
  expect(baseImageOf("RUN true\n")).toBeUndefined();
  const dockerfile = await Deno.readTextFile(
    new URL("../../images/python-sandbox/Dockerfile", import.meta.url),
  );
  expect(baseImageOf(dockerfile)).toMatch(/^python:3\.12-slim/);
});
