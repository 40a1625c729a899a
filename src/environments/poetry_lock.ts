/**
 * `poetry.lock` turned into pip arguments, so the install is reproducible without Poetry in the image.
 * Poetry's lock is TOML: `[[package]]` tables with `name`, `version`, `optional`, `markers` (Poetry 2: a
 * string, or one per group), `groups` and `source` (`type` = `legacy`, `git`, `url`, `file` or `directory`,
 * with `url`, `resolved_reference`, `subdirectory`, `develop`), and an `[extras]` table naming the optional
 * packages of each extra. The project itself is not in it. Every non-optional package is installed (Poetry
 * installs all groups by default), and the optional ones of the selected extras.
 */
import { z } from "zod";
import { EnvironmentSpecError } from "./environment_spec_error.ts";
import { gitUrl, localRequirement, pinnedRequirement, urlRequirement } from "./lock_requirements.ts";
import type { ManifestLimits } from "./manifest_limits.ts";
import { normalizeName } from "./requirement_name.ts";
import { isSelectedExtra } from "./selected_extras.ts";
import { readTomlFile } from "./toml_file.ts";

/** The file's repo path. */
export const POETRY_LOCK = "poetry.lock";

const packageSchema = z.object({
  name: z.string(),
  version: z.string(),
  optional: z.boolean().default(false),
  develop: z.boolean().default(false),
  markers: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  groups: z.array(z.string()).optional(),
  source: z.object({
    type: z.string(),
    url: z.string().optional(),
    reference: z.string().optional(),
    resolved_reference: z.string().optional(),
    subdirectory: z.string().optional(),
  }).optional(),
});
const poetryLockSchema = z.object({
  package: z.array(packageSchema).default([]),
  extras: z.record(z.string(), z.array(z.string())).optional(),
});

type Package = z.infer<typeof packageSchema>;

/**
 * Reads `poetry.lock` into one `pip install` argument list (pinned requirements, then local packages).
 * @throws EnvironmentSpecError on malformed TOML (file and line), a wrong shape, more than
 *   `limits.maxLockedPackages` packages, an unknown source type, or a local source outside the repository.
 */
export function readPoetryLock(bytes: Uint8Array, limits: ManifestLimits): string[] {
  const lock = readTomlFile(POETRY_LOCK, bytes, limits.maxFileBytes, poetryLockSchema);
  if (lock.package.length > limits.maxLockedPackages) {
    throw new EnvironmentSpecError(
      `${POETRY_LOCK} pins ${lock.package.length} packages, more than the ${limits.maxLockedPackages} setup installs`,
    );
  }
  const optionalWanted = new Set(
    Object.entries(lock.extras ?? {}).filter(([extra]) => isSelectedExtra(extra)).flatMap(([, names]) =>
      names.map((name) => normalizeName(name.split(/[\s[(<>=!~;]/)[0]!))
    ),
  );
  const pins: string[] = [];
  const locals: string[] = [];
  for (const pkg of lock.package) {
    if (pkg.optional && !optionalWanted.has(normalizeName(pkg.name))) continue;
    const args = packageArgs(pkg, marker(pkg));
    (args[0] === "-e" || args[0]?.startsWith(".") ? locals : pins).push(...args);
  }
  return [...pins.sort(), ...locals];
}

/** Poetry 2's marker: one string, or one per group (any group's will do; a group without one: always). */
function marker(pkg: Package): string | undefined {
  const markers = pkg.markers;
  if (markers === undefined || typeof markers === "string") return markers;
  const groups = pkg.groups ?? Object.keys(markers);
  if (groups.some((group) => markers[group] === undefined)) return undefined;
  const distinct = [...new Set(groups.map((group) => markers[group]!))];
  return distinct.length === 1 ? distinct[0] : distinct.map((m) => `(${m})`).join(" or ");
}

function packageArgs(pkg: Package, marker: string | undefined): string[] {
  const source = pkg.source;
  if (source === undefined || source.type === "legacy") {
    return [pinnedRequirement(POETRY_LOCK, pkg.name, pkg.version, marker)];
  }
  const url = source.url ?? "";
  switch (source.type) {
    case "directory":
      return localRequirement(POETRY_LOCK, pkg.name, url, pkg.develop);
    case "file":
      return localRequirement(POETRY_LOCK, pkg.name, url, false);
    case "url":
      return [urlRequirement(POETRY_LOCK, pkg.name, url, marker)];
    case "git": {
      const commit = source.resolved_reference ?? "";
      if (!/^[0-9a-f]{7,64}$/.test(commit)) {
        throw new EnvironmentSpecError(
          `${POETRY_LOCK}: package ${pkg.name} has a git source without a commit`,
        );
      }
      return [urlRequirement(POETRY_LOCK, pkg.name, gitUrl(url, commit, source.subdirectory), marker)];
    }
    default:
      throw new EnvironmentSpecError(
        `${POETRY_LOCK}: package ${pkg.name} has the source type ${
          JSON.stringify(source.type)
        }, which setup does not install; use .backend-agent/setup.sh`,
      );
  }
}
