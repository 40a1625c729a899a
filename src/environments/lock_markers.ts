/**
 * When a locked package is needed. A lock holds every platform's packages (`pywin32` for Windows, a second
 * `numpy` for old Pythons); the condition is on the edges (`{ name = "colorama", marker = "sys_platform ==
 * 'win32'" }`). Walking from the roots, a package's condition is the `or` of the `and` of the markers on each
 * path to it; pip then evaluates it (PEP 508 markers) and skips what this interpreter does not need.
 *
 * A condition is kept as the set of edge markers that must all hold, so walking a cycle adds nothing and the
 * walk ends; a condition that another one implies is dropped (`a or (a and b)` is `a`). A package reached by more than {@link MAX_CONDITIONS} different paths, or by a path of more than {@link MAX_CONDITION_MARKERS}
 * different markers, counts as always needed: the markers a package gets stay few, however the lock's
 * edges are drawn (a chain of 4 000 packages with a new marker on each edge gave the last one 4 000).
 */

/** Most distinct conditions kept per package before it counts as always needed. */
const MAX_CONDITIONS = 16;
/** Most markers in one condition (one path's edges) before the package counts as always needed. */
const MAX_CONDITION_MARKERS = 16;

/** A graph node's outgoing edges: the target node and the edge's marker (undefined: always). */
export type Edges<N> = (node: N) => Iterable<{ to: N; marker: string | undefined }>;

/** How a reached node is needed: `always`, or any of the conditions (each a list of markers, all must hold). */
export type Need = "always" | string[][];

/** Walks from `roots` (always needed) along `edges`; returns every reached node with its need. */
export function reachWithMarkers<N>(roots: Iterable<N>, edges: Edges<N>): Map<N, Need> {
  const needs = new Map<N, "always" | Map<string, string[]>>();
  const queue: Array<{ node: N; condition: string[] | undefined }> = [];
  const add = (node: N, condition: string[] | undefined) => {
    const known = needs.get(node);
    if (known === "always") return;
    const conditions = known ?? new Map<string, string[]>();
    if (condition !== undefined && [...conditions.values()].some((weaker) => subset(weaker, condition))) {
      return;
    }
    if (
      condition === undefined || condition.length > MAX_CONDITION_MARKERS || conditions.size >= MAX_CONDITIONS
    ) {
      needs.set(node, "always");
      queue.push({ node, condition: undefined });
      return;
    }
    for (const [key, stronger] of conditions) if (subset(condition, stronger)) conditions.delete(key);
    needs.set(node, conditions.set(condition.join("\u0000"), condition));
    queue.push({ node, condition });
  };
  for (const root of roots) add(root, undefined);
  while (queue.length > 0) {
    const { node, condition } = queue.shift()!;
    for (const edge of edges(node)) add(edge.to, and(condition, edge.marker));
  }
  const out = new Map<N, Need>();
  for (const [node, need] of needs) out.set(node, need === "always" ? "always" : [...need.values()]);
  return out;
}

/** The PEP 508 marker of a need; undefined for `always`. */
export function markerText(need: Need): string | undefined {
  if (need === "always") return undefined;
  const conjunctions = need.map((markers) =>
    markers.length === 1 ? markers[0]! : markers.map((m) => `(${m})`).join(" and ")
  );
  return conjunctions.length === 1 ? conjunctions[0] : conjunctions.map((c) => `(${c})`).join(" or ");
}

/** True when every marker of `a` is in `b`: `b` implies `a`, so `a or b` is `a`. */
function subset(a: string[], b: string[]): boolean {
  return a.every((marker) => b.includes(marker));
}

function and(condition: string[] | undefined, marker: string | undefined): string[] | undefined {
  if (marker === undefined) return condition;
  if (condition === undefined) return [marker];
  return condition.includes(marker) ? condition : [...condition, marker].sort();
}
