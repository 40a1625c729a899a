import { describe, expect, it } from "vitest";
import { type GroupEntry, groupRequirements } from "../../src/environments/dependency_groups.ts";
import { EnvironmentSpecError } from "../../src/environments/environment_spec_error.ts";
import { pipArgs, specOf } from "./spec_repo.ts";

const BACKEND = '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n';

describe("pyproject.toml", () => {
  const cases: Array<[string, string, string[], string[]]> = [
    [
      "a package with a build backend installs editable with its test, tests and dev extras",
      `${BACKEND}[project]\nname = "svc"\ndependencies = ["fastapi>=0.100", "PyJWT[crypto]"]\n` +
      `[project.optional-dependencies]\nTest = ["pytest"]\ndev = ["ruff"]\ndocs = ["sphinx"]\n`,
      ["-e", ".[dev,test]"],
      ["fastapi", "pyjwt", "pytest", "ruff"],
    ],
    [
      "a package without the selected extras installs editable alone",
      `${BACKEND}[project]\nname = "svc"\ndependencies = ["fastapi"]\n`,
      ["-e", "."],
      ["fastapi"],
    ],
    [
      "a project without a build backend has its dependencies and extras installed directly",
      `[project]\nname = "svc"\ndependencies = ["fastapi", "httpx ; python_version >= '3.8'"]\n` +
      `[project.optional-dependencies]\ntests = ["pytest>=8"]\n`,
      ["fastapi", "httpx ; python_version >= '3.8'", "pytest>=8"],
      ["fastapi", "httpx", "pytest"],
    ],
    [
      "PEP 735 groups dev/test/tests follow, with include-group expanded",
      `[dependency-groups]\nlint = ["ruff"]\ntest = ["pytest", {include-group = "lint"}]\n` +
      `docs = ["sphinx"]\nDev = [{include-group = "test"}, "ipython"]\n`,
      ["pytest", "ruff", "ipython"],
      ["ipython", "pytest", "ruff"],
    ],
    [
      "a group naming the package itself joins its extras to the editable install",
      `${BACKEND}[project]\nname = "My_Svc"\ndependencies = ["fastapi"]\n` +
      `[project.optional-dependencies]\nredis = ["redis"]\n[dependency-groups]\ndev = ["my-svc[redis]", "pytest"]\n`,
      ["-e", ".[redis]", "pytest"],
      ["fastapi", "pytest"],
    ],
    [
      "without a build backend, a self-reference is expanded instead of fetched",
      `[project]\nname = "svc"\ndependencies = ["fastapi"]\n[project.optional-dependencies]\n` +
      `test = ["svc[mocks]", "pytest"]\nmocks = ["respx", "svc[test]"]\n`,
      ["fastapi", "respx", "pytest"],
      ["fastapi", "pytest", "respx"],
    ],
    [
      "a Poetry package installs editable, its names read from [tool.poetry]",
      `[build-system]\nbuild-backend = "poetry.core.masonry.api"\n[tool.poetry]\nname = "svc"\n` +
      `[tool.poetry.dependencies]\npython = "^3.11"\nSQLAlchemy = "^2.0"\n` +
      `[tool.poetry.group.dev.dependencies]\npytest = "^8"\n[tool.poetry.group.docs.dependencies]\nsphinx = "*"\n`,
      ["-e", "."],
      ["pytest", "sqlalchemy"],
    ],
  ];
  for (const [behaviour, toml, args, names] of cases) {
    it(behaviour, () => {
      const spec = specOf({ "pyproject.toml": toml });
      expect(spec.plan).toEqual({ kind: "pip", installs: [args] });
      expect(spec.topLevelRequirements).toEqual(names);
      expect(spec.sources).toEqual(["pyproject.toml"]);
      expect(spec.manifests.map((m) => m.path)).toEqual(["pyproject.toml"]);
    });
  }

  it("installs requirement files and pyproject.toml together, in one pip install", () => {
    expect(pipArgs({
      "requirements-dev.txt": "pytest\n",
      "pyproject.toml": `${BACKEND}[project]\nname = "svc"\n[dependency-groups]\ntest = ["pytest-asyncio"]\n`,
    })).toEqual(["-r", "requirements-dev.txt", "-e", ".", "pytest-asyncio"]);
  });

  it("asks for nothing when pyproject.toml only configures tools", () => {
    const spec = specOf({
      "pyproject.toml": '[tool.ruff]\nline-length = 100\n[tool.pytest.ini_options]\naddopts = "-q"\n',
    });
    expect(spec).toEqual({ manifests: [], plan: { kind: "none" }, sources: [], topLevelRequirements: [] });
  });

  const refused: Array<[string, string, RegExp]> = [
    [
      "malformed TOML, naming file, line and column",
      '[project]\nname = "svc"\ndependencies = ["a",\n[x]\n',
      /^pyproject\.toml:4:\d+: malformed TOML: /,
    ],
    ["an unclosed table header", "[project\nname = 'x'\n", /^pyproject\.toml:1:\d+: malformed TOML/],
    ["a duplicate key", '[project]\nname = "a"\nname = "b"\n', /^pyproject\.toml:3:\d+: malformed TOML/],
    [
      "dependencies that are not a list of strings",
      '[project]\ndependencies = "fastapi"\n',
      /^pyproject\.toml: project\.dependencies: /,
    ],
    [
      "an extra of the wrong shape",
      "[project.optional-dependencies]\ntest = [1]\n",
      /^pyproject\.toml: project\.optional-dependencies\.test\[0\]: /,
    ],
    [
      "a dependency that is a pip option",
      '[project]\ndependencies = ["--index-url=https://evil.example/simple"]\n',
      /project\.dependencies\[0\]: "--index-url=https:\/\/evil\.example\/simple" is not a PEP 508 requirement/,
    ],
    [
      "a group entry that is a pip option",
      '[dependency-groups]\ndev = ["-e /etc"]\n',
      /dependency-groups\[0\]: "-e \/etc" is not a PEP 508 requirement/,
    ],
    [
      "an include of a missing group",
      '[dependency-groups]\ndev = [{include-group = "nope"}]\n',
      /\[dependency-groups\]\.dev includes the group nope, which does not exist/,
    ],
    [
      "an include-group cycle",
      '[dependency-groups]\ndev = [{include-group = "test"}]\ntest = [{include-group = "Dev"}]\n',
      /include-group forms a cycle \(dev → test → dev\)/,
    ],
    [
      "two extras that normalise alike (PEP 685), one of which would be dropped",
      '[project]\nname = "x"\n[project.optional-dependencies]\nTest = ["a"]\ntest = ["b"]\n',
      /\[project\.optional-dependencies\] has two extras named test once normalised \(PEP 685\)/,
    ],
    [
      "two groups that normalise alike",
      '[dependency-groups]\nTest = ["a"]\ntest = ["b"]\n',
      /two groups named test once normalised/,
    ],
  ];
  for (const [what, toml, message] of refused) {
    it(`refuses ${what}`, () => {
      const run = () => specOf({ "pyproject.toml": toml });
      expect(run).toThrow(EnvironmentSpecError);
      expect(run).toThrow(message);
    });
  }

  it("chains the TOML parser's error as the cause", () => {
    try {
      specOf({ "pyproject.toml": "a = \n" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EnvironmentSpecError);
      expect((error as Error).cause).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/^pyproject\.toml:1:\d+: malformed TOML/);
    }
  });

  it("expands each dependency group once, however often it is included", () => {
    // dev includes g0 twice, g0 includes g1 twice, …: 2ⁿ expansions of the last group when each include is
    // walked (40 deep, a 2 KB file, would hold the service's event loop for days).
    const depth = 12;
    const reads = new Map<string, number>();
    const counted = (name: string, entries: GroupEntry[]) =>
      new Proxy(entries, {
        get(target, key, receiver) {
          if (key === Symbol.iterator) reads.set(name, (reads.get(name) ?? 0) + 1);
          return Reflect.get(target, key, receiver);
        },
      });
    const groups: Record<string, GroupEntry[]> = {
      dev: counted("dev", [{ "include-group": "g0" }, { "include-group": "g0" }]),
      [`g${depth}`]: counted(`g${depth}`, ["requests"]),
    };
    for (let i = 0; i < depth; i++) {
      const next = { "include-group": `g${i + 1}` };
      groups[`g${i}`] = counted(`g${i}`, [next, next]);
    }
    expect(groupRequirements("pyproject.toml", groups, ["dev"])).toEqual(["requests"]);
    expect([...reads.values()]).toEqual(new Array(depth + 2).fill(1));
  });

  it("asks for the extras setuptools reads from files, and keys the environment on those files", () => {
    const toml = `${BACKEND}[project]\nname = "svc"\ndynamic = ["dependencies", "optional-dependencies"]\n` +
      `[tool.setuptools.dynamic]\ndependencies = { file = ["deps.in"] }\n` +
      `optional-dependencies.Test = { file = "test-requirements.txt" }\n` +
      `optional-dependencies.docs = { file = ["docs/requirements.txt"] }\n`;
    const files = { "pyproject.toml": toml, "deps.in": "fastapi\n", "test-requirements.txt": "pytest\n" };
    const spec = specOf(files);
    expect(spec.plan).toEqual({ kind: "pip", installs: [["-e", ".[test]"]] });
    expect(spec.manifests.map((m) => m.path)).toEqual(["deps.in", "pyproject.toml", "test-requirements.txt"]);
    const bumped = specOf({ ...files, "deps.in": "fastapi>=0.110\n" }).manifests;
    expect(bumped.find((m) => m.path === "deps.in")!.sha256).not.toBe(
      spec.manifests.find((m) => m.path === "deps.in")!.sha256,
    );
  });
});
