/**
 * `uv.lock` turned into pip arguments, so the install is reproducible without uv in the image. uv's lock is
 * TOML: `[[package]]` tables with `name`, `version`, `source` (`registry`, `git`, `url`, `path`,
 * `directory`, `editable` or `virtual`), `dependencies` (edges: `name`, optional `extra`, `marker`,
 * `version`), `optional-dependencies` and `dev-dependencies` (groups). The walk starts at the workspace
 * members (`[manifest] members`, else the package whose source is the repository root itself), with their
 * selected extras and groups; each package reached becomes one argument with the marker under which it is
 * needed (see `lock_markers.ts`).
 */
import { z } from "zod";
import { EnvironmentSpecError } from "./environment_spec_error.ts";
import { type Edges, markerText, reachWithMarkers } from "./lock_markers.ts";
import { gitUrl, localRequirement, pinnedRequirement, urlRequirement } from "./lock_requirements.ts";
import type { ManifestLimits } from "./manifest_limits.ts";
import { normalizeName } from "./requirement_name.ts";
import { isSelectedExtra } from "./selected_extras.ts";
import { readTomlFile } from "./toml_file.ts";

/** The file's repo path. */
export const UV_LOCK = "uv.lock";

const sourceSchema = z.record(z.string(), z.string());
const edgeSchema = z.object({
  name: z.string(),
  extra: z.array(z.string()).optional(),
  marker: z.string().optional(),
  version: z.string().optional(),
  source: sourceSchema.optional(),
});
const edgeLists = z.record(z.string(), z.array(edgeSchema));
const packageSchema = z.object({
  name: z.string(),
  version: z.string().optional(),
  source: sourceSchema,
  dependencies: z.array(edgeSchema).optional(),
  "optional-dependencies": edgeLists.optional(),
  "dev-dependencies": edgeLists.optional(),
});
const uvLockSchema = z.object({
  package: z.array(packageSchema).default([]),
  manifest: z.object({ members: z.array(z.string()).optional() }).optional(),
});

type Package = z.infer<typeof packageSchema>;
type Edge = z.infer<typeof edgeSchema>;

/** What a lock file asks pip to install. */
export interface LockedInstall {
  /** One `pip install` argument list: pinned requirements, then local packages (`-e .`). */
  args: string[];
  /** Normalised names of the roots' direct dependencies, for the prompt. */
  names: string[];
}

/** A node of the walk: a package, or one of its extras (`uvicorn[standard]`). */
interface Node {
  index: number;
  extra: string | undefined;
}

/**
 * Reads `uv.lock`.
 * @throws EnvironmentSpecError on malformed TOML (file and line), a wrong shape, no root package, an edge
 *   to a package the lock does not list, more than `limits.maxLockedPackages` packages, or a local source
 *   outside the repository.
 */
export function readUvLock(bytes: Uint8Array, limits: ManifestLimits): LockedInstall {
  const lock = readTomlFile(UV_LOCK, bytes, limits.maxFileBytes, uvLockSchema);
  const packages = lock.package;
  if (packages.length > limits.maxLockedPackages) {
    throw new EnvironmentSpecError(
      `${UV_LOCK} pins ${packages.length} packages, more than the ${limits.maxLockedPackages} setup installs`,
    );
  }
  const roots = rootIndexes(packages, lock.manifest?.members);
  const graph = new LockGraph(packages);
  const rootSet = new Set(roots);
  const reached = reachWithMarkers(roots.map((index) => graph.node(index, undefined)), graph.edges(rootSet));
  const pins: string[] = [];
  const locals: string[] = [];
  for (const [node, need] of reached) {
    if (node.extra !== undefined) continue;
    const pkg = packages[node.index]!;
    const args = packageArgs(pkg, markerText(need), rootSet.has(node.index));
    (args[0] === "-e" || args[0]?.startsWith(".") ? locals : pins).push(...args);
  }
  const names = new Set<string>();
  for (const index of roots) {
    for (const edge of rootEdges(packages[index]!)) {
      const name = normalizeName(edge.name);
      if (!roots.some((r) => normalizeName(packages[r]!.name) === name)) names.add(name);
    }
  }
  return { args: [...pins.sort(), ...locals], names: [...names].sort() };
}

/** The workspace members, or the package whose source is the repository root. */
function rootIndexes(packages: Package[], members: string[] | undefined): number[] {
  const wanted = new Set((members ?? []).map(normalizeName));
  const roots = packages.flatMap((pkg, index) => {
    const local = pkg.source.editable ?? pkg.source.virtual;
    const root = wanted.size > 0 ? wanted.has(normalizeName(pkg.name)) && local !== undefined : local === ".";
    return root ? [index] : [];
  });
  if (roots.length === 0) {
    throw new EnvironmentSpecError(
      `${UV_LOCK} has no package for the project itself (source = { editable = "." } or { virtual = "." }); run \`uv lock\` again`,
    );
  }
  return roots;
}

/** A root's edges: its dependencies, its selected extras and its selected groups. */
function rootEdges(pkg: Package): Edge[] {
  const selected = (lists: Record<string, Edge[]> | undefined) =>
    Object.entries(lists ?? {}).filter(([name]) => isSelectedExtra(name)).flatMap(([, edges]) => edges);
  return [
    ...(pkg.dependencies ?? []),
    ...selected(pkg["optional-dependencies"]),
    ...selected(pkg["dev-dependencies"]),
  ];
}

class LockGraph {
  private readonly byName = new Map<string, number[]>();
  private readonly nodes = new Map<string, Node>();

  constructor(private readonly packages: Package[]) {
    packages.forEach((pkg, index) => {
      const name = normalizeName(pkg.name);
      this.byName.set(name, [...(this.byName.get(name) ?? []), index]);
    });
  }

  /** One object per (package, extra), so the walk's map keys compare by identity. */
  node(index: number, extra: string | undefined): Node {
    const key = `${index}[${extra ?? ""}]`;
    let node = this.nodes.get(key);
    if (!node) this.nodes.set(key, node = { index, extra });
    return node;
  }

  edges(roots: ReadonlySet<number>): Edges<Node> {
    return (node) => {
      const pkg = this.packages[node.index]!;
      const list = node.extra !== undefined
        ? pkg["optional-dependencies"]?.[node.extra] ?? []
        : roots.has(node.index)
        ? rootEdges(pkg)
        : pkg.dependencies ?? [];
      return list.flatMap((edge) => {
        const index = this.resolve(pkg, edge);
        const marker = edge.marker;
        return [
          { to: this.node(index, undefined), marker },
          ...(edge.extra ?? []).map((extra) => ({ to: this.node(index, extra), marker })),
        ];
      });
    };
  }

  /** The package an edge points to: by name, then by version and source when the name is locked twice. */
  private resolve(from: Package, edge: Edge): number {
    const candidates = (this.byName.get(normalizeName(edge.name)) ?? []).filter((index) => {
      const pkg = this.packages[index]!;
      return (edge.version === undefined || pkg.version === edge.version) &&
        (edge.source === undefined || JSON.stringify(pkg.source) === JSON.stringify(edge.source));
    });
    if (candidates.length === 1) return candidates[0]!;
    throw new EnvironmentSpecError(
      candidates.length === 0
        ? `${UV_LOCK}: ${from.name} depends on ${edge.name}, which the lock does not list; run \`uv lock\` again`
        : `${UV_LOCK}: ${from.name} depends on ${edge.name}, which the lock lists ${candidates.length} times without saying which; run \`uv lock\` again`,
    );
  }
}

/** One package's pip arguments; a virtual package (and a root's own `virtual` source) installs nothing. */
function packageArgs(pkg: Package, marker: string | undefined, root: boolean): string[] {
  const source = pkg.source;
  if (source.virtual !== undefined) return [];
  if (source.editable !== undefined) return localRequirement(UV_LOCK, pkg.name, source.editable, true);
  if (source.directory !== undefined) return localRequirement(UV_LOCK, pkg.name, source.directory, root);
  if (source.path !== undefined) return localRequirement(UV_LOCK, pkg.name, source.path, false);
  if (source.git !== undefined) return [gitRequirement(pkg.name, source.git, marker)];
  if (source.url !== undefined) return [urlRequirement(UV_LOCK, pkg.name, source.url, marker)];
  return [pinnedRequirement(UV_LOCK, pkg.name, pkg.version, marker)];
}

/** `{ git = "https://host/repo?rev=main#<commit>" }` → `name @ git+https://host/repo@<commit>`. */
function gitRequirement(name: string, git: string, marker: string | undefined): string {
  const url = URL.parse(git);
  const commit = url?.hash.slice(1) ?? "";
  if (!url || !/^[0-9a-f]{7,64}$/.test(commit)) {
    throw new EnvironmentSpecError(
      `${UV_LOCK}: package ${name} has the git source ${JSON.stringify(git)} without a commit`,
    );
  }
  const subdirectory = url.searchParams.get("subdirectory") ?? undefined;
  url.hash = "";
  url.search = "";
  return urlRequirement(UV_LOCK, name, gitUrl(url.href, commit, subdirectory), marker);
}
