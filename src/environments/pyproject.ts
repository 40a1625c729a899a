/**
 * What `pyproject.toml` declares for an install: the build backend (`[build-system] build-backend`), the
 * PEP 621 project (`[project]` name, `dependencies`, `optional-dependencies`), PEP 735 `[dependency-groups]`,
 * and, for the prompt only, the names of Poetry's `[tool.poetry…dependencies]` tables. Dependencies that
 * setuptools reads from files (`[tool.setuptools.dynamic] dependencies = {file = […]}`, and the same per
 * extra under `optional-dependencies`) are not read here, pip's build does that: their files are kept for
 * the cache key, and their extras' names, so that `-e .[test]` asks for them. Every extra is kept (a group
 * may name one of the project's own); of the groups, those of {@link SELECTED_EXTRAS}. Every requirement string must start with a PEP 508 name: pip
 * gets them as arguments, so a string such as `--index-url=…` must never get through.
 */
import { z } from "zod";
import { groupRequirements } from "./dependency_groups.ts";
import { EnvironmentSpecError } from "./environment_spec_error.ts";
import { resolveRepoPath } from "./repo_path.ts";
import { normalizeName, requirementName } from "./requirement_name.ts";
import { isSelectedExtra, SELECTED_EXTRAS } from "./selected_extras.ts";
import { readTomlFile } from "./toml_file.ts";

/** The file's repo path. */
export const PYPROJECT = "pyproject.toml";

const requirements = z.array(z.string());
const poetryDependencies = z.record(z.string(), z.unknown());

const poetrySchema = z.object({
  dependencies: poetryDependencies.optional(),
  "dev-dependencies": poetryDependencies.optional(),
  group: z.record(z.string(), z.object({ dependencies: poetryDependencies.optional() })).optional(),
});

/** setuptools' `{file = "a.txt"}` or `{file = ["a.txt", "b.txt"]}` (paths from the project root). */
const dynamicFiles = z.object({ file: z.union([z.string(), z.array(z.string())]).optional() });
const setuptoolsSchema = z.object({
  dynamic: z.object({
    dependencies: dynamicFiles.optional(),
    "optional-dependencies": z.record(z.string(), dynamicFiles).optional(),
  }).optional(),
});

const pyprojectSchema = z.object({
  "build-system": z.object({ "build-backend": z.string().optional() }).optional(),
  project: z.object({
    name: z.string().optional(),
    dependencies: requirements.optional(),
    "optional-dependencies": z.record(z.string(), requirements).optional(),
  }).optional(),
  "dependency-groups": z.record(
    z.string(),
    z.array(z.union([z.string(), z.object({ "include-group": z.string() })])),
  ).optional(),
  tool: z.object({ poetry: poetrySchema.optional(), setuptools: setuptoolsSchema.optional() }).optional(),
});

/** The install-relevant parts of a `pyproject.toml`. */
export interface Pyproject {
  /** The project's normalised name, when `[project]` names it. */
  name: string | undefined;
  /** True when `[project]` is present. */
  hasProject: boolean;
  /** True when `[build-system]` names a `build-backend`, so the project is installed with `pip install -e .`. */
  buildable: boolean;
  /** `[project] dependencies`. */
  dependencies: string[];
  /**
   * Every extra of `[project.optional-dependencies]`: its normalised name → its requirements; an extra
   * setuptools reads from a file has none here.
   */
  extras: Map<string, string[]>;
  /** The repo paths of the files setuptools reads dependencies from (`[tool.setuptools.dynamic]`). */
  dependencyFiles: string[];
  /** The requirements of the selected dependency groups, includes expanded. */
  groups: string[];
  /** Normalised names from `[tool.poetry]`'s dependency tables (selected groups only, `python` left out). */
  poetryNames: string[];
}

/**
 * Reads `pyproject.toml`.
 * @throws EnvironmentSpecError on malformed TOML (file and line), a key of the wrong shape, a requirement
 *   string that is not PEP 508, two extras whose names normalise alike, or a dependency-group error.
 */
export function readPyproject(bytes: Uint8Array, maxBytes: number): Pyproject {
  const doc = readTomlFile(PYPROJECT, bytes, maxBytes, pyprojectSchema);
  const project = doc.project;
  const extras = new Map<string, string[]>();
  for (const [extra, list] of Object.entries(project?.["optional-dependencies"] ?? {})) {
    if (extras.has(normalizeName(extra))) {
      throw new EnvironmentSpecError(
        `${PYPROJECT}: [project.optional-dependencies] has two extras named ${
          normalizeName(extra)
        } once normalised (PEP 685); merge them`,
      );
    }
    extras.set(normalizeName(extra), checked(`project.optional-dependencies.${extra}`, list));
  }
  const dynamic = doc.tool?.setuptools?.dynamic;
  for (const extra of Object.keys(dynamic?.["optional-dependencies"] ?? {})) {
    if (!extras.has(normalizeName(extra))) extras.set(normalizeName(extra), []);
  }
  const groups = groupRequirements(PYPROJECT, doc["dependency-groups"] ?? {}, SELECTED_EXTRAS);
  return {
    name: project?.name === undefined || project.name === "" ? undefined : normalizeName(project.name),
    hasProject: project !== undefined,
    buildable: (doc["build-system"]?.["build-backend"] ?? "") !== "",
    dependencies: checked("project.dependencies", project?.dependencies ?? []),
    extras,
    groups: checked("dependency-groups", groups),
    poetryNames: poetryNames(doc.tool?.poetry),
    dependencyFiles: [dynamic?.dependencies, ...Object.values(dynamic?.["optional-dependencies"] ?? {})]
      .flatMap((entry) => [entry?.file ?? []].flat())
      .flatMap((path) => {
        const resolved = resolveRepoPath("", path);
        return "path" in resolved ? [resolved.path] : [];
      }),
  };
}

function checked(key: string, list: string[]): string[] {
  list.forEach((requirement, index) => {
    if (requirementName(requirement) === undefined) {
      throw new EnvironmentSpecError(
        `${PYPROJECT}: ${key}[${index}]: ${
          JSON.stringify(requirement)
        } is not a PEP 508 requirement (a name, then extras, version or marker)`,
      );
    }
  });
  return list;
}

function poetryNames(poetry: z.infer<typeof poetrySchema> | undefined): string[] {
  if (!poetry) return [];
  const tables = [poetry.dependencies, poetry["dev-dependencies"]];
  for (const [group, table] of Object.entries(poetry.group ?? {})) {
    if (isSelectedExtra(group)) tables.push(table.dependencies);
  }
  const names = new Set<string>();
  for (const table of tables) {
    for (const name of Object.keys(table ?? {})) {
      if (normalizeName(name) !== "python") names.add(normalizeName(name));
    }
  }
  return [...names].sort();
}
