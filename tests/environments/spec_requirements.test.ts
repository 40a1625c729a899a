import { describe, expect, it } from "vitest";
import { readEnvironmentSpec } from "../../src/environments/environment_spec.ts";
import { EnvironmentSpecError } from "../../src/environments/environment_spec_error.ts";
import { MANIFEST_LIMITS } from "../../src/environments/manifest_limits.ts";
import { readRequirementsFile } from "../../src/environments/requirements_file.ts";
import { pipArgs, specOf } from "./spec_repo.ts";

describe("requirements file lines (pip's format)", () => {
  const cases: Array<[string, string, Array<string | undefined>]> = [
    ["a requirement with extras, version and marker", "SQLAlchemy[asyncio]>=2 ; python_version >= '3.8'", [
      "sqlalchemy",
    ]],
    [
      "comments, blank lines and inline comments",
      "# top\n\nfastapi>=0.100  # the web framework\n   # indented\n",
      [
        "fastapi",
      ],
    ],
    ["a continued line with hashes", "PyJWT==2.8.0 \\\n    --hash=sha256:aaa \\\n    --hash=sha256:bbb\n", [
      "pyjwt",
    ]],
    ["a name normalised per PEP 503", "Py_JWT.Extra--x\n", ["py-jwt-extra-x"]],
    ["a direct URL requirement", "slugkit @ https://files.example/slugkit-1.0-py3-none-any.whl\n", [
      "slugkit",
    ]],
    ["a local path has no name", "./libs/helpers\nwheels/foo-1.0-py3-none-any.whl\n", [undefined, undefined]],
    ["an editable path and an egg name", "-e .\n-e git+https://github.com/org/pkg@v1#egg=Org_Pkg\n", [
      undefined,
      "org-pkg",
    ]],
    ["an include in quotes, which shlex drops", '-r "base.txt"\n', ["include base.txt"]],
    ["a quoted per-requirement option", 'x==1 --config-settings="--build-option=--cpp"\n', ["x"]],
    ["a UTF-8 coding declaration", "# -*- coding: utf-8 -*-\nx==1\n", ["x"]],
    ["install options left to pip", "--pre\n--prefer-binary\n--only-binary :all:\n--require-hashes\nx==1\n", [
      "x",
    ]],
  ];
  for (const [behaviour, text, names] of cases) {
    it(`reads ${behaviour}`, () => {
      const lines = readRequirementsFile("requirements.txt", text);
      expect(lines.map((l) => l.kind === "requirement" ? l.name : `include ${l.target}`)).toEqual(names);
    });
  }

  it("numbers a continued line by its first line", () => {
    const lines = readRequirementsFile("r.txt", "a\n\nb \\\n  --hash=sha256:x\nc\n");
    expect(lines.map((l) => l.line)).toEqual([1, 3, 5]);
  });

  it("reads -r, --requirement=, -c and --constraint as includes", () => {
    const lines = readRequirementsFile(
      "r.txt",
      "-r base.txt\n--requirement=dev.txt\n-c c.txt\n--constraint c2.txt\n",
    );
    expect(lines).toEqual([
      { kind: "include", mode: "requirement", target: "base.txt", line: 1 },
      { kind: "include", mode: "requirement", target: "dev.txt", line: 2 },
      { kind: "include", mode: "constraint", target: "c.txt", line: 3 },
      { kind: "include", mode: "constraint", target: "c2.txt", line: 4 },
    ]);
  });

  const refused: Array<[string, string, RegExp]> = [
    [
      "--index-url",
      "--index-url https://mirror.example/simple\nx\n",
      /r\.txt:1: --index-url .*PIP_INDEX_URL/,
    ],
    ["-i", "x\n-i https://mirror.example/simple\n", /r\.txt:2: -i .*PIP_INDEX_URL/],
    [
      "--extra-index-url=",
      "--extra-index-url=https://u:p@private.example/simple\n",
      /r\.txt:1: --extra-index-url /,
    ],
    ["--no-index", "--no-index\n", /--no-index .*PIP_INDEX_URL/],
    ["--find-links", "-f ./wheels\n", /r\.txt:1: -f /],
    ["--trusted-host", "--trusted-host evil.example\n", /--trusted-host/],
    ["an unknown option", "--target /tmp/x\n", /r\.txt:1: the option --target is not allowed/],
    [
      "an option after a requirement that is not per-requirement",
      "x==1 --index-url=https://e/\n",
      /--index-url/,
    ],
    ["a ${VAR} reference", "x @ https://host/${PIP_INDEX_URL}\n", /r\.txt:1: environment variables/],
    [
      "a local path outside the repository",
      "../elsewhere/pkg\n",
      /r\.txt:1: \.\.\/elsewhere\/pkg leaves the repository/,
    ],
    ["an absolute editable path", "-e /opt/pkg\n", /r\.txt:1: \/opt\/pkg is an absolute path/],
    ["-r without a value", "-r\n", /r\.txt:1: -r needs a value/],
    // Each of these is an index option to pip 25 (splitlines, strip, shlex, PEP 263), not to a JS reading.
    ["a vertical tab, a line break to pip", "x\v--index-url=https://e/\n", /r\.txt:1: the character U\+000B/],
    [
      "a form feed ending a comment line for pip",
      "# pinned\f--extra-index-url=https://e/\nx\n",
      /r\.txt:1: the character U\+000C/,
    ],
    ["a line separator", "x\u2028--trusted-host=e\n", /r\.txt:1: the character U\+2028/],
    [
      "a unit separator, which Python strips",
      "x\n\x1f--index-url=https://e/\n",
      /r\.txt:2: the character U\+001F/,
    ],
    [
      "an index option after a tab, which shlex splits on",
      "--only-binary=:all:\t--index-url=https://e/\n",
      /r\.txt:1: --index-url .*PIP_INDEX_URL/,
    ],
    [
      "a backslash in an include, which shlex drops (a\\b.txt is ab.txt to pip)",
      "-r a\\b.txt\n",
      /r\.txt:1: a\\b\.txt holds a quote or backslash/,
    ],
    ["a quote inside an option word", "-r 'a'b.txt\n", /r\.txt:1: 'a'b\.txt holds a quote or backslash/],
    [
      "an option behind a leading backslash on a continued line (pip strips both ends)",
      "\\--index-url=https://e/ \\\nx\n",
      /r\.txt:1: --index-url .*PIP_INDEX_URL/,
    ],
    [
      "a coding declaration pip decodes the file with",
      "# -*- coding: utf-7 -*-\n+AC0ALQ-index-url=https://e/\n",
      /r\.txt:1: the coding declaration utf-7 .*save the file as UTF-8/,
    ],
  ];
  for (const [what, text, message] of refused) {
    it(`refuses ${what}, naming file and line`, () => {
      expect(() => readRequirementsFile("r.txt", text)).toThrow(EnvironmentSpecError);
      expect(() => readRequirementsFile("r.txt", text)).toThrow(message);
    });
  }
});

describe("requirement files of a repository", () => {
  it("installs requirements.txt, requirements-*.txt and requirements/*.txt, requirements.txt first", () => {
    const spec = specOf({
      "requirements-dev.txt": "pytest\n",
      "requirements.txt": "fastapi\n",
      "requirements/docs.txt": "sphinx\n",
      "requirements/nested/deep.txt": "not-read\n",
      "docs/requirements.txt": "not-read-either\n",
      "requirements.in": "fastapi\n",
    });
    expect(spec.plan).toEqual({
      kind: "pip",
      installs: [["-r", "requirements.txt", "-r", "requirements-dev.txt", "-r", "requirements/docs.txt"]],
    });
    expect(spec.sources).toEqual(["requirements.txt", "requirements-dev.txt", "requirements/docs.txt"]);
    expect(spec.manifests.map((m) => m.path)).toEqual([
      "requirements-dev.txt",
      "requirements.txt",
      "requirements/docs.txt",
    ]);
    expect(spec.topLevelRequirements).toEqual(["fastapi", "pytest", "sphinx"]);
  });

  it("follows includes relative to the including file, installing only the files nothing includes", () => {
    const spec = specOf({
      "requirements/base.txt": "SQLAlchemy>=2\n-c ../constraints/pins.txt\n",
      "requirements/dev.txt": "-r base.txt\npytest\n",
      "requirements/prod.txt": "--requirement base.txt\ngunicorn\n",
      "constraints/pins.txt": "urllib3<2\n",
    });
    expect(spec.plan).toEqual({
      kind: "pip",
      installs: [["-r", "requirements/dev.txt", "-r", "requirements/prod.txt"]],
    });
    expect(spec.manifests.map((m) => m.path)).toEqual([
      "constraints/pins.txt",
      "requirements/base.txt",
      "requirements/dev.txt",
      "requirements/prod.txt",
    ]);
    expect(spec.topLevelRequirements).toEqual(["gunicorn", "pytest", "sqlalchemy"]);
  });

  it("follows the one include pip follows of a line that has several", () => {
    const spec = specOf({
      "requirements.txt": "-c constraints.txt -r base.txt -r requirements-dev.txt\n",
      "constraints.txt": "starlette<1\n",
      "base.txt": "fastapi\n",
      "requirements-dev.txt": "pytest\n",
    });
    expect(spec.plan).toEqual({
      kind: "pip",
      installs: [["-r", "requirements.txt", "-r", "requirements-dev.txt"]],
    });
    expect(spec.manifests.map((m) => m.path)).toEqual([
      "base.txt",
      "requirements-dev.txt",
      "requirements.txt",
    ]);
  });

  it("installs what a constraint file includes with -r, as pip does", () => {
    const spec = specOf({
      "requirements.txt": "-c constraints.txt\n",
      "constraints.txt": "-r base.txt\nstarlette<1\n",
      "base.txt": "fastapi\n",
    });
    expect(spec.plan).toEqual({ kind: "pip", installs: [["-r", "requirements.txt"]] });
    expect(spec.topLevelRequirements).toEqual(["fastapi"]);
  });

  it("does not count a constraint file's lines as requirements, even when its name matches", () => {
    const spec = specOf({
      "requirements.txt": "fastapi\n-c requirements/constraints.txt\n",
      "requirements/constraints.txt": "starlette<1\n",
    });
    expect(spec.plan).toEqual({ kind: "pip", installs: [["-r", "requirements.txt"]] });
    expect(spec.topLevelRequirements).toEqual(["fastapi"]);
    expect(spec.manifests.map((m) => m.path)).toContain("requirements/constraints.txt");
  });

  const refused: Array<[string, Record<string, string>, RegExp]> = [
    [
      "an include that leaves the repository",
      { "requirements.txt": "-r ../../etc/x.txt\n" },
      /requirements\.txt:1: the include \.\.\/\.\.\/etc\/x\.txt leaves the repository/,
    ],
    [
      "an include that is a URL",
      { "requirements.txt": "-r https://example.com/r.txt\n" },
      /requirements\.txt:1: the include https:\/\/example\.com\/r\.txt is a URL/,
    ],
    ["an include by absolute path", { "requirements.txt": "-c /etc/pins.txt\n" }, /is an absolute path/],
    [
      "a missing include",
      { "requirements.txt": "-r missing.txt\n" },
      /requirements\.txt:1: the include missing\.txt is not in the repository/,
    ],
    ["an include cycle", {
      "requirements.txt": "-r a.txt\n",
      "a.txt": "x\n-r b.txt\n",
      "b.txt": "-r a.txt\n",
    }, /b\.txt:1: the include a\.txt forms a cycle \(requirements\.txt → a\.txt → b\.txt → a\.txt\)/],
    ["a file including itself", { "requirements.txt": "-r requirements.txt\n" }, /forms a cycle/],
  ];
  for (const [what, files, message] of refused) {
    it(`refuses ${what}`, () => {
      const run = () => specOf(files);
      expect(run).toThrow(EnvironmentSpecError);
      expect(run).toThrow(message);
    });
  }

  it("bounds the include depth", () => {
    const files: Record<string, string> = { "requirements.txt": "-r 1.txt\n" };
    for (let i = 1; i <= 12; i++) files[`${i}.txt`] = `-r ${i + 1}.txt\n`;
    files["13.txt"] = "x\n";
    expect(() => specOf(files)).toThrow(/includes nest deeper than 8 files/);
    expect(specOf(files, { ...MANIFEST_LIMITS, maxIncludeDepth: 20 }).plan.kind).toBe("pip");
  });

  it("bounds the number of files read", () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 5; i++) files[`requirements-${i}.txt`] = `x${i}\n`;
    expect(() => specOf(files, { ...MANIFEST_LIMITS, maxRequirementFiles: 4 })).toThrow(
      /more than 4 requirement files/,
    );
  });

  it("bounds a file's size", () => {
    expect(() => specOf({ "requirements.txt": "x\n".repeat(100) }, { ...MANIFEST_LIMITS, maxFileBytes: 50 }))
      .toThrow(/requirements\.txt is 200 bytes, over the 50 bytes setup reads/);
  });

  it("refuses a file that is not UTF-8", () => {
    const files = new Map([["requirements.txt", new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a])]]);
    expect(() => readEnvironmentSpec(files, MANIFEST_LIMITS)).toThrow(/requirements\.txt is not UTF-8 text/);
  });

  it("has nothing to install when the files hold only comments", () => {
    const spec = specOf({ "requirements.txt": "# nothing yet\n", "requirements-dev.txt": "\n" });
    expect(spec.plan).toEqual({ kind: "none" });
    expect(spec.sources).toEqual([]);
  });

  it("counts a name-less requirement (a path) as something to install", () => {
    expect(pipArgs({ "requirements.txt": "-e .\n" })).toEqual(["-r", "requirements.txt"]);
  });
});
