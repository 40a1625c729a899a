/**
 * The pip arguments for what `pyproject.toml` declares, without a lock file:
 * - a project with a build backend is installed editable with its selected extras (`-e .[dev,test]`), so
 *   its own dependencies come through its metadata;
 * - a `[project]` without one (nothing pip could build) has its dependencies and selected extras' ones
 *   installed directly;
 * - the selected PEP 735 groups' requirements follow.
 * A requirement naming the project itself (`my-app[test]` in a group or extra) is not fetched from the
 * index: with a build backend its extras join the editable install, without one they are expanded.
 */
import type { Pyproject } from "./pyproject.ts";
import { normalizeName, requirementName } from "./requirement_name.ts";
import { isSelectedExtra } from "./selected_extras.ts";

/** Arguments for one `pip install`, and the normalised names of the requirements for the prompt. */
export interface PyprojectInstall {
  args: string[];
  names: string[];
}

/** The install `pyproject` asks for; empty `args` when it asks for none. */
export function pyprojectInstall(pyproject: Pyproject): PyprojectInstall {
  const selfExtras = (requirement: string): string[] | undefined => {
    if (pyproject.name === undefined || requirementName(requirement) !== pyproject.name) return undefined;
    const extras = /^[^[;@]*\[([^\]]*)\]/.exec(requirement)?.[1] ?? "";
    return extras.split(",").map((e) => normalizeName(e.trim())).filter((e) => e !== "");
  };
  const selected = [...pyproject.extras.keys()].filter(isSelectedExtra);
  const fromGroups = pyproject.groups.filter((r) => selfExtras(r) === undefined);
  const groupExtras = pyproject.groups.flatMap((r) => selfExtras(r) ?? []);
  const names = new Set<string>();
  const args: string[] = [];
  if (pyproject.buildable) {
    const extras = [...new Set([...selected, ...groupExtras])].sort();
    args.push("-e", extras.length > 0 ? `.[${extras.join(",")}]` : ".");
    for (const r of [...pyproject.dependencies, ...selected.flatMap((e) => pyproject.extras.get(e)!)]) {
      if (selfExtras(r) === undefined) names.add(requirementName(r)!);
    }
  } else if (pyproject.hasProject) {
    const direct = expand(pyproject, ["", ...selected, ...groupExtras], selfExtras);
    args.push(...direct);
    for (const r of direct) names.add(requirementName(r)!);
  }
  args.push(...fromGroups);
  for (const r of fromGroups) names.add(requirementName(r)!);
  if (args.length > 0 && names.size === 0) { for (const name of pyproject.poetryNames) names.add(name); }
  return { args, names: [...names].sort() };
}

/**
 * The requirements of the project's dependencies (`""`) and the extras `extras`, self-references expanded
 * (each extra once, so a self-referencing cycle ends).
 */
function expand(
  pyproject: Pyproject,
  extras: string[],
  selfExtras: (requirement: string) => string[] | undefined,
): string[] {
  const out = new Set<string>();
  const seen = new Set<string>();
  const visit = (extra: string) => {
    if (seen.has(extra)) return;
    seen.add(extra);
    const list = extra === "" ? pyproject.dependencies : pyproject.extras.get(extra) ?? [];
    for (const requirement of list) {
      const own = selfExtras(requirement);
      if (own === undefined) out.add(requirement);
      else ["", ...own].forEach(visit);
    }
  };
  extras.forEach(visit);
  return [...out];
}
