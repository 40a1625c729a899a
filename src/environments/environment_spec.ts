/**
 * The environment spec of a repository, read on the host from its snapshot's manifest files; no code of
 * the repository runs here. The first of these that is present decides how setup installs:
 * 1. `.backend-agent/setup.sh`: the repository's own script replaces the automatic install;
 * 2. `uv.lock`, else `poetry.lock`: the locked versions, pinned (`name==version ; marker`), and the project
 *    itself editable (`-e .`) when it is a package;
 * 3. the requirement files (`requirements.txt`, `requirements-*.txt`, `requirements/*.txt`, with their
 *    includes) and `pyproject.toml` (the project editable with its `dev`/`test`/`tests` extras, or its
 *    dependencies, and its PEP 735 groups of those names), together in one `pip install`;
 * 4. nothing: the base image is used as it is.
 * Every file that shaped the plan is hashed, so the cache key changes when one does; with a pip install,
 * so is every file a local install may build from (`setup.py`, `setup.cfg`, `pyproject.toml` of any folder,
 * package archives: see `isInstallInput`), as `-e ./pkg` runs `pkg/setup.py`. A setup script may read any
 * file: the builder hashes the whole base tree for it.
 */
import { createHash } from "node:crypto";
import type { EnvironmentSpec, ManifestFile } from "../contracts/environment.ts";
import { EnvironmentSpecError } from "./environment_spec_error.ts";
import type { ManifestLimits } from "./manifest_limits.ts";
import { isInstallInput } from "./install_inputs.ts";
import { POETRY_LOCK, readPoetryLock } from "./poetry_lock.ts";
import { PYPROJECT, type Pyproject, readPyproject } from "./pyproject.ts";
import { pyprojectInstall } from "./pyproject_install.ts";
import { isRequirementsFileName, readRequirementFiles } from "./requirement_files.ts";
import { readUvLock, UV_LOCK } from "./uv_lock.ts";

/** The repository's own setup script; when present it replaces the automatic install. */
export const SETUP_SCRIPT = ".backend-agent/setup.sh";

/** A PEP 503-normalised name; a lock's or Poetry table's key that is not one is left out of the names. */
const NORMALISED_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** What one way of installing found: pip arguments, the files read, the files it starts from, names. */
interface Found {
  args: string[];
  read: string[];
  sources: string[];
  names: string[];
}

/**
 * Reads the environment spec from `files` (repo-relative path → bytes: the snapshot's manifest files, see
 * `manifestFilesFrom`, or all of its files).
 * @throws EnvironmentSpecError naming the file (and line or key) when a manifest is malformed, over a bound
 *   of `limits`, or asks for what setup refuses (another index, an include outside the repository, …).
 */
export function readEnvironmentSpec(
  files: ReadonlyMap<string, Uint8Array>,
  limits: ManifestLimits,
): EnvironmentSpec {
  const script = files.get(SETUP_SCRIPT);
  if (script !== undefined) {
    if (script.byteLength > limits.maxFileBytes) {
      throw new EnvironmentSpecError(
        `${SETUP_SCRIPT} is ${script.byteLength} bytes, over the ${limits.maxFileBytes} bytes setup reads`,
      );
    }
    const watched = [...files.keys()].filter((p) =>
      p === SETUP_SCRIPT || p === PYPROJECT || p === UV_LOCK || p === POETRY_LOCK || isRequirementsFileName(p)
    );
    return {
      manifests: hashed(files, watched),
      plan: { kind: "script", path: SETUP_SCRIPT },
      sources: [SETUP_SCRIPT],
      topLevelRequirements: [],
    };
  }
  const found = fromLock(files, limits) ?? fromManifests(files, limits);
  checkInstallSize(found, limits);
  const inputs = found.args.length > 0 ? [...files.keys()].filter(isInstallInput) : [];
  return {
    manifests: hashed(files, [...found.read, ...inputs]),
    plan: found.args.length > 0 ? { kind: "pip", installs: [found.args] } : { kind: "none" },
    sources: found.args.length > 0 ? found.sources : [],
    topLevelRequirements: [...new Set(found.names)].filter((name) => NORMALISED_NAME.test(name)).sort(),
  };
}

/** `uv.lock`, else `poetry.lock`, with `pyproject.toml` beside it; undefined without a lock. */
function fromLock(files: ReadonlyMap<string, Uint8Array>, limits: ManifestLimits): Found | undefined {
  const pyprojectBytes = files.get(PYPROJECT);
  const withPyproject = pyprojectBytes === undefined ? [] : [PYPROJECT];
  const uv = files.get(UV_LOCK);
  if (uv !== undefined) {
    const lock = readUvLock(uv, limits);
    return { ...lock, read: [UV_LOCK, ...withPyproject], sources: [UV_LOCK] };
  }
  const poetry = files.get(POETRY_LOCK);
  if (poetry === undefined) return undefined;
  const args = readPoetryLock(poetry, limits);
  const pyproject = pyprojectBytes === undefined
    ? undefined
    : readPyproject(pyprojectBytes, limits.maxFileBytes);
  if (pyproject?.buildable) args.push("-e", ".");
  return {
    args,
    read: [POETRY_LOCK, ...withPyproject],
    sources: [POETRY_LOCK, ...withPyproject],
    names: pyproject ? declaredNames(pyproject) : [],
  };
}

/** The requirement files and `pyproject.toml`, installed together. */
function fromManifests(files: ReadonlyMap<string, Uint8Array>, limits: ManifestLimits): Found {
  const requirements = readRequirementFiles(files, limits);
  const found: Found = {
    args: requirements?.roots.flatMap((root) => ["-r", root]) ?? [],
    read: requirements?.read ?? [],
    sources: requirements?.roots ?? [],
    names: requirements?.names ?? [],
  };
  const bytes = files.get(PYPROJECT);
  if (bytes === undefined) return found;
  const pyproject = readPyproject(bytes, limits.maxFileBytes);
  const install = pyprojectInstall(pyproject);
  if (install.args.length === 0) return found;
  // Files setuptools reads dependencies from, as far as the snapshot's manifest files hold them (.txt, .in).
  const dependencyFiles = pyproject.buildable
    ? pyproject.dependencyFiles.filter((path) => files.has(path))
    : [];
  return {
    args: [...found.args, ...install.args],
    read: [...found.read, PYPROJECT, ...dependencyFiles],
    sources: [...found.sources, PYPROJECT],
    names: [...found.names, ...install.names],
  };
}

/** Refuses a plan whose pip arguments are over `limits.maxInstallChars` characters, naming its files. */
function checkInstallSize(found: Found, limits: ManifestLimits): void {
  const chars = found.args.reduce((sum, arg) => sum + arg.length, 0);
  if (chars <= limits.maxInstallChars) return;
  throw new EnvironmentSpecError(
    `${
      found.sources.join(", ")
    }: the install asks for ${chars} characters of pip arguments, over the ${limits.maxInstallChars} setup passes to pip; install with .backend-agent/setup.sh instead`,
  );
}

/** The names `pyproject.toml` declares (for the prompt when a lock decides the versions). */
function declaredNames(pyproject: Pyproject): string[] {
  return pyprojectInstall({ ...pyproject, buildable: false, hasProject: true }).names.concat(
    pyproject.poetryNames,
  );
}

function hashed(files: ReadonlyMap<string, Uint8Array>, paths: string[]): ManifestFile[] {
  return [...new Set(paths)].sort().map((path) => ({
    path,
    sha256: createHash("sha256").update(files.get(path)!).digest("hex"),
  }));
}
