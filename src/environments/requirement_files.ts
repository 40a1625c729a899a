/**
 * A repository's requirement files: `requirements.txt`, `requirements-*.txt` and `requirements/*.txt`,
 * with the `-r`/`-c` includes they reach, followed inside the repository. Files that another one includes
 * are not installed on their own, so pip gets only the roots (`pip install -r a.txt -r b.txt`); a file
 * reached only as a constraint (`-c`) adds no requirement names.
 */
import { EnvironmentSpecError } from "./environment_spec_error.ts";
import type { ManifestLimits } from "./manifest_limits.ts";
import { manifestText } from "./manifest_text.ts";
import { folderOf, refusalText, resolveRepoPath } from "./repo_path.ts";
import { readRequirementsFile } from "./requirements_file.ts";

/** What the requirement files ask for. */
export interface RequirementFiles {
  /**
   * Files to install with `-r`: those found by name that no other file includes (`requirements.txt` first);
   * none when no file holds a requirement (only comments, say).
   */
  roots: string[];
  /** Every file read (roots and includes), sorted. */
  read: string[];
  /** Normalised names of the requirements (constraint files' lines are not requirements). */
  names: string[];
}

/** True for `requirements.txt`, `requirements-<anything>.txt` and `requirements/<anything>.txt`. */
export function isRequirementsFileName(path: string): boolean {
  return /^requirements(?:\.txt|-[^/]+\.txt|\/[^/]+\.txt)$/.test(path);
}

/**
 * Reads the requirement files among `files` (repo-relative path → bytes); undefined when there are none.
 * @throws EnvironmentSpecError when a file is malformed or refused (see `readRequirementsFile`), or an
 *   include is a URL, leaves the repository, is missing, forms a cycle, or goes past a bound of `limits`.
 */
export function readRequirementFiles(
  files: ReadonlyMap<string, Uint8Array>,
  limits: ManifestLimits,
): RequirementFiles | undefined {
  const found = [...files.keys()].filter(isRequirementsFileName).sort(byRootOrder);
  if (found.length === 0) return undefined;
  const all = new IncludeWalk(files, limits);
  for (const path of found) all.visit(path, "requirement", [path]);
  const roots = found.filter((path) => !all.included.has(path));
  const fromRoots = new IncludeWalk(files, limits);
  for (const path of roots) fromRoots.visit(path, "requirement", [path]);
  return {
    roots: fromRoots.requirements > 0 ? roots : [],
    read: [...fromRoots.read.keys()].sort(),
    names: [...fromRoots.names].sort(),
  };
}

/** `requirements.txt`, then `requirements-*.txt`, then `requirements/*.txt`, each by name. */
function byRootOrder(a: string, b: string): number {
  const rank = (path: string) => path === "requirements.txt" ? 0 : path.startsWith("requirements-") ? 1 : 2;
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

class IncludeWalk {
  /** Path → the modes it was read in. */
  readonly read = new Map<string, Set<string>>();
  readonly included = new Set<string>();
  readonly names = new Set<string>();
  /** Requirement lines read (not counting constraint files'). */
  requirements = 0;

  constructor(
    private readonly files: ReadonlyMap<string, Uint8Array>,
    private readonly limits: ManifestLimits,
  ) {}

  visit(path: string, mode: "requirement" | "constraint", chain: string[]): void {
    const modes = this.read.get(path) ?? new Set();
    if (modes.has(mode)) return;
    if (!this.read.has(path) && this.read.size >= this.limits.maxRequirementFiles) {
      throw new EnvironmentSpecError(
        `${path}: more than ${this.limits.maxRequirementFiles} requirement files are reached through includes; merge some of them`,
      );
    }
    this.read.set(path, modes.add(mode));
    const bytes = this.files.get(path)!;
    for (const line of readRequirementsFile(path, manifestText(path, bytes, this.limits.maxFileBytes))) {
      if (line.kind === "requirement") {
        if (mode === "requirement") this.requirements++;
        if (mode === "requirement" && line.name !== undefined) this.names.add(line.name);
        continue;
      }
      const where = `${path}:${line.line}`;
      const target = this.target(where, path, line.target, chain);
      this.included.add(target);
      // As pip nests them: `-r` reads requirements and `-c` constraints, whatever the including file is
      // (pip installs what a constraint file includes with `-r`).
      this.visit(target, line.mode, [...chain, target]);
    }
  }

  /** The included file's repo path, checked: inside the repo, present, no cycle, within the depth. */
  private target(where: string, from: string, written: string, chain: string[]): string {
    const resolved = resolveRepoPath(folderOf(from), written);
    if ("refused" in resolved) {
      throw new EnvironmentSpecError(
        `${where}: the include ${written} ${
          refusalText(resolved.refused)
        }; only files inside the repository are followed`,
      );
    }
    const target = resolved.path;
    if (chain.includes(target)) {
      throw new EnvironmentSpecError(
        `${where}: the include ${written} forms a cycle (${
          [...chain, target].join(" → ")
        }); remove one of the includes`,
      );
    }
    if (chain.length > this.limits.maxIncludeDepth) {
      throw new EnvironmentSpecError(
        `${where}: includes nest deeper than ${this.limits.maxIncludeDepth} files (${
          chain.join(" → ")
        }); flatten them`,
      );
    }
    const bytes = this.files.get(target);
    if (bytes === undefined) {
      throw new EnvironmentSpecError(
        `${where}: the include ${written} is not in the repository (setup reads regular .txt and .in files up to ${this.limits.maxFileBytes} bytes); add it or fix the path`,
      );
    }
    return target;
  }
}
