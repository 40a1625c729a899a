import { describe, expect, it } from "vitest";
import { EnvironmentSpecError } from "../../src/environments/environment_spec_error.ts";
import { MANIFEST_LIMITS } from "../../src/environments/manifest_limits.ts";
import { pipArgs, specOf } from "./spec_repo.ts";

const PYPROJECT = '[build-system]\nbuild-backend = "hatchling.build"\n[project]\nname = "svc"\n' +
  'dependencies = ["fastapi", "click", "numpy", "uvicorn[standard]"]\n';

const UV_LOCK = `version = 1
revision = 2
requires-python = ">=3.11"

[[package]]
name = "svc"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "fastapi" },
    { name = "click" },
    { name = "numpy", version = "1.26.4", marker = "python_full_version < '3.12'" },
    { name = "numpy", version = "2.1.0", marker = "python_full_version >= '3.12'" },
    { name = "uvicorn", extra = ["standard"] },
    { name = "helpers" },
    { name = "toolkit" },
]

[package.optional-dependencies]
test = [{ name = "httpx" }]
docs = [{ name = "sphinx" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]
lint = [{ name = "ruff" }]

[[package]]
name = "fastapi"
version = "0.115.0"
source = { registry = "https://private.example/simple" }
dependencies = [{ name = "starlette" }]

[[package]]
name = "starlette"
version = "0.38.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "click"
version = "8.1.7"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "colorama", marker = "sys_platform == 'win32'" }]

[[package]]
name = "colorama"
version = "0.4.6"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version < '3.12'"]

[[package]]
name = "numpy"
version = "2.1.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version >= '3.12'"]

[[package]]
name = "uvicorn"
version = "0.30.0"
source = { registry = "https://pypi.org/simple" }

[package.optional-dependencies]
standard = [{ name = "uvloop", marker = "sys_platform != 'win32'" }, { name = "click" }]

[[package]]
name = "uvloop"
version = "0.19.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "helpers"
version = "0.0.1"
source = { editable = "libs/helpers" }

[[package]]
name = "toolkit"
version = "1.2.0"
source = { git = "https://github.com/acme/toolkit?tag=v1.2.0#0123456789abcdef0123456789abcdef01234567" }

[[package]]
name = "httpx"
version = "0.27.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.3.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "sphinx"
version = "8.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "ruff"
version = "0.6.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pywin32"
version = "306"
source = { registry = "https://pypi.org/simple" }
`;

describe("uv.lock", () => {
  it("pins what the project needs, each package under the marker that needs it, then the project editable", () => {
    const spec = specOf({ "pyproject.toml": PYPROJECT, "uv.lock": UV_LOCK, "requirements.txt": "ignored\n" });
    expect(spec.plan).toEqual({
      kind: "pip",
      installs: [[
        "click==8.1.7",
        "colorama==0.4.6 ; sys_platform == 'win32'",
        "fastapi==0.115.0",
        "httpx==0.27.0",
        "numpy==1.26.4 ; python_full_version < '3.12'",
        "numpy==2.1.0 ; python_full_version >= '3.12'",
        "pytest==8.3.0",
        "starlette==0.38.0",
        "toolkit @ git+https://github.com/acme/toolkit@0123456789abcdef0123456789abcdef01234567",
        "uvicorn==0.30.0",
        "uvloop==0.19.0 ; sys_platform != 'win32'",
        "-e",
        ".",
        "-e",
        "./libs/helpers",
      ]],
    });
    expect(spec.sources).toEqual(["uv.lock"]);
    expect(spec.manifests.map((m) => m.path)).toEqual(["pyproject.toml", "uv.lock"]);
    expect(spec.topLevelRequirements).toEqual([
      "click",
      "fastapi",
      "helpers",
      "httpx",
      "numpy",
      "pytest",
      "toolkit",
      "uvicorn",
    ]);
  });

  it("joins the markers of a path with and, and of several paths with or", () => {
    const lock = `version = 1
[[package]]
name = "app"
version = "0"
source = { virtual = "." }
dependencies = [
  { name = "a", marker = "sys_platform == 'linux'" },
  { name = "b", marker = "python_version < '3.12'" },
]
[[package]]
name = "a"
version = "1"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "c", marker = "platform_machine == 'x86_64'" }]
[[package]]
name = "b"
version = "1"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "c" }, { name = "a" }]
[[package]]
name = "c"
version = "1"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "a" }]
`;
    expect(pipArgs({ "uv.lock": lock })).toEqual([
      "a==1 ; (sys_platform == 'linux') or (python_version < '3.12')",
      "b==1 ; python_version < '3.12'",
      "c==1 ; ((platform_machine == 'x86_64') and (sys_platform == 'linux')) or (python_version < '3.12')",
    ]);
  });

  it("installs nothing for a virtual project with no dependencies", () => {
    expect(
      specOf({
        "uv.lock": 'version = 1\n[[package]]\nname = "app"\nversion = "0"\nsource = { virtual = "." }\n',
      })
        .plan,
    ).toEqual({ kind: "none" });
  });

  it("starts from the workspace members", () => {
    const lock = `version = 1
[manifest]
members = ["api", "worker"]
[[package]]
name = "api"
version = "0"
source = { editable = "services/api" }
dependencies = [{ name = "fastapi" }]
[[package]]
name = "worker"
version = "0"
source = { virtual = "services/worker" }
dependencies = [{ name = "celery" }]
[[package]]
name = "fastapi"
version = "1"
source = { registry = "https://pypi.org/simple" }
[[package]]
name = "celery"
version = "5"
source = { registry = "https://pypi.org/simple" }
`;
    expect(pipArgs({ "uv.lock": lock })).toEqual(["celery==5", "fastapi==1", "-e", "./services/api"]);
  });

  const refused: Array<[string, string, RegExp]> = [
    [
      "malformed TOML, naming file and line",
      'version = 1\n[[package]]\nname = "a"\nversion = 1.2.3\n',
      /^uv\.lock:4:\d+: malformed TOML/,
    ],
    [
      "a lock without the project",
      'version = 1\n[[package]]\nname = "a"\nversion = "1"\nsource = { registry = "x" }\n',
      /uv\.lock has no package for the project itself/,
    ],
    [
      "an edge to a package it does not list",
      'version = 1\n[[package]]\nname = "app"\nversion = "0"\nsource = { virtual = "." }\ndependencies = [{ name = "ghost" }]\n',
      /uv\.lock: app depends on ghost, which the lock does not list/,
    ],
    [
      "a local package outside the repository",
      'version = 1\n[[package]]\nname = "app"\nversion = "0"\nsource = { virtual = "." }\ndependencies = [{ name = "x" }]\n[[package]]\nname = "x"\nversion = "1"\nsource = { directory = "../x" }\n',
      /uv\.lock: the local package x at \.\.\/x leaves the repository/,
    ],
    [
      "a name that is a pip option",
      'version = 1\n[[package]]\nname = "app"\nversion = "0"\nsource = { virtual = "." }\ndependencies = [{ name = "--pre" }]\n[[package]]\nname = "--pre"\nversion = "1"\nsource = { registry = "x" }\n',
      /uv\.lock: "--pre" is not a package name/,
    ],
    [
      "a version that is not one",
      'version = 1\n[[package]]\nname = "app"\nversion = "0"\nsource = { virtual = "." }\ndependencies = [{ name = "x" }]\n[[package]]\nname = "x"\nversion = "1 --index-url=e"\nsource = { registry = "x" }\n',
      /uv\.lock: package x has no valid version/,
    ],
  ];
  for (const [what, lock, message] of refused) {
    it(`refuses ${what}`, () => {
      const run = () => specOf({ "uv.lock": lock });
      expect(run).toThrow(EnvironmentSpecError);
      expect(run).toThrow(message);
    });
  }

  /** A uv.lock: app → p0 → p1 → … → p<n-1>, the edge into p<i> under `marker(i)`. */
  const chainLock = (n: number, marker: (i: number) => string | undefined) =>
    [
      'version = 1\n[[package]]\nname = "app"\nversion = "0"\nsource = { virtual = "." }',
      ...Array.from({ length: n }, (_, i) => {
        const m = marker(i + 1);
        const next = i + 1 < n
          ? `\ndependencies = [{ name = "p${i + 1}"${m ? `, marker = "${m}"` : ""} }]`
          : "";
        return `[[package]]\nname = "p${i}"\nversion = "1"\nsource = { registry = "https://pypi.org/simple" }${next}`;
      }),
    ].join("\n").replace(
      'source = { virtual = "." }',
      `source = { virtual = "." }\ndependencies = [{ name = "p0", marker = "${marker(0)}" }]`,
    ) +
    "\n";

  it("counts a package reached through more than 16 different markers as always needed", () => {
    const args = pipArgs({ "uv.lock": chainLock(20, (i) => `python_full_version != '${i}.0'`) });
    const markers = (name: string) => args.find((a) => a.startsWith(`${name}==`))!.split(" and ").length;
    expect(markers("p0")).toBe(1);
    expect(markers("p15")).toBe(16);
    expect(args).toContain("p16==1");
    expect(markers("p17")).toBe(1);
  });

  it("bounds the characters of pip arguments a lock gives, naming the lock", () => {
    const long = Array.from({ length: 10 }, (_, i) => `python_full_version != '3.${i}.0'`).join(" and ");
    const lock = chainLock(10, (i) => i === 0 ? long : undefined);
    expect(pipArgs({ "uv.lock": lock }).every((a) => a.endsWith(` ; ${long}`))).toBe(true);
    expect(() => specOf({ "uv.lock": lock }, { ...MANIFEST_LIMITS, maxInstallChars: 2000 })).toThrow(
      /^uv\.lock: the install asks for 3\d\d\d characters of pip arguments, over the 2000 setup passes to pip; install with \.backend-agent\/setup\.sh instead$/,
    );
  });

  it("bounds the number of locked packages", () => {
    expect(() => specOf({ "uv.lock": UV_LOCK }, { ...MANIFEST_LIMITS, maxLockedPackages: 5 })).toThrow(
      /uv\.lock pins 16 packages, more than the 5 setup installs/,
    );
  });
});

const POETRY_LOCK =
  `# This file is automatically @generated by Poetry 2.0.1 and should not be changed by hand.

[[package]]
name = "fastapi"
version = "0.115.0"
description = "FastAPI framework"
optional = false
python-versions = ">=3.8"
groups = ["main"]
files = [{ file = "fastapi-0.115.0-py3-none-any.whl", hash = "sha256:00" }]

[package.dependencies]
starlette = ">=0.37.2,<0.39.0"

[[package]]
name = "colorama"
version = "0.4.6"
optional = false
python-versions = "*"
groups = ["main", "dev"]
markers = { main = "platform_system == \\"Windows\\"", dev = "sys_platform == \\"win32\\"" }

[[package]]
name = "tomli"
version = "2.0.1"
optional = false
python-versions = ">=3.7"
groups = ["dev"]
markers = "python_version < \\"3.11\\""

[[package]]
name = "pytest"
version = "8.3.0"
optional = false
python-versions = ">=3.8"
groups = ["dev"]

[[package]]
name = "redis"
version = "5.0.0"
optional = true
python-versions = ">=3.7"
groups = ["main"]

[[package]]
name = "respx"
version = "0.21.0"
optional = true
python-versions = ">=3.7"
groups = ["main"]

[[package]]
name = "shared"
version = "0.1.0"
optional = false
python-versions = "^3.11"
groups = ["main"]
develop = true

[package.source]
type = "directory"
url = "libs/shared"

[[package]]
name = "toolkit"
version = "1.2.0"
optional = false
python-versions = "*"
groups = ["main"]

[package.source]
type = "git"
url = "https://github.com/acme/toolkit.git"
reference = "v1.2.0"
resolved_reference = "0123456789abcdef0123456789abcdef01234567"

[extras]
cache = ["redis"]
test = ["respx (>=0.21)"]

[metadata]
lock-version = "2.1"
python-versions = "^3.11"
content-hash = "abc"
`;

describe("poetry.lock", () => {
  it("pins every non-optional package and the selected extras' ones, with markers, then the project editable", () => {
    const spec = specOf({
      "poetry.lock": POETRY_LOCK,
      "pyproject.toml":
        '[build-system]\nbuild-backend = "poetry.core.masonry.api"\n[tool.poetry]\nname = "svc"\n' +
        '[tool.poetry.dependencies]\npython = "^3.11"\nfastapi = "^0.115"\n[tool.poetry.group.dev.dependencies]\npytest = "^8"\n',
      "requirements.txt": "ignored\n",
    });
    expect(spec.plan).toEqual({
      kind: "pip",
      installs: [[
        'colorama==0.4.6 ; (platform_system == "Windows") or (sys_platform == "win32")',
        "fastapi==0.115.0",
        "pytest==8.3.0",
        "respx==0.21.0",
        'tomli==2.0.1 ; python_version < "3.11"',
        "toolkit @ git+https://github.com/acme/toolkit.git@0123456789abcdef0123456789abcdef01234567",
        "-e",
        "./libs/shared",
        "-e",
        ".",
      ]],
    });
    expect(spec.sources).toEqual(["poetry.lock", "pyproject.toml"]);
    expect(spec.manifests.map((m) => m.path)).toEqual(["poetry.lock", "pyproject.toml"]);
    expect(spec.topLevelRequirements).toEqual(["fastapi", "pytest"]);
  });

  it("does not install a project without a build backend", () => {
    expect(
      pipArgs({
        "poetry.lock": '[[package]]\nname = "a"\nversion = "1"\n',
        "pyproject.toml": "[tool.poetry]\n",
      }),
    )
      .toEqual(["a==1"]);
  });

  it("refuses a source type it does not know", () => {
    const lock = '[[package]]\nname = "a"\nversion = "1"\n[package.source]\ntype = "hg"\nurl = "x"\n';
    expect(() => specOf({ "poetry.lock": lock })).toThrow(/poetry\.lock: package a has the source type "hg"/);
  });

  it("refuses malformed TOML, naming file and line", () => {
    expect(() => specOf({ "poetry.lock": '[[package]]\nname = "a"\nversion = "1\n' })).toThrow(
      /^poetry\.lock:3:\d+: malformed TOML/,
    );
  });

  it("prefers uv.lock when both locks are present", () => {
    const spec = specOf({
      "poetry.lock": POETRY_LOCK,
      "uv.lock": 'version = 1\n[[package]]\nname = "app"\nversion = "0"\nsource = { editable = "." }\n',
    });
    expect(spec.plan).toEqual({ kind: "pip", installs: [["-e", "."]] });
    expect(spec.manifests.map((m) => m.path)).toEqual(["uv.lock"]);
  });
});
