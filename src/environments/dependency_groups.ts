/**
 * PEP 735 dependency groups (`[dependency-groups]`): each group is a list of requirement strings and
 * `{include-group = "name"}` tables. Group names compare normalised; an include of a missing group, a
 * cycle, or two names that normalise alike is an error, as the PEP asks of tools. Each group is expanded
 * once, so groups that include the next one twice, forty deep, take forty expansions and not 2⁴⁰.
 */
import { EnvironmentSpecError } from "./environment_spec_error.ts";
import { normalizeName } from "./requirement_name.ts";

/** One entry of a group as written: a requirement, or an include. */
export type GroupEntry = string | { "include-group": string };

/**
 * The requirements of the groups `selected` (normalised names; ones the file lacks are skipped), includes
 * expanded, in order, each requirement once.
 * @throws EnvironmentSpecError naming `path` on a duplicate name, a missing include or a cycle.
 */
export function groupRequirements(
  path: string,
  groups: Readonly<Record<string, readonly GroupEntry[]>>,
  selected: readonly string[],
): string[] {
  const byName = new Map<string, readonly GroupEntry[]>();
  for (const [name, entries] of Object.entries(groups)) {
    const key = normalizeName(name);
    if (byName.has(key)) {
      throw new EnvironmentSpecError(
        `${path}: [dependency-groups] has two groups named ${key} once normalised (PEP 735); rename one`,
      );
    }
    byName.set(key, entries);
  }
  const out = new Set<string>();
  /** Groups already expanded: their requirements are in `out`, so a group included again adds nothing. */
  const expanded = new Set<string>();
  const expand = (name: string, chain: string[]): void => {
    if (expanded.has(name)) return;
    for (const entry of byName.get(name)!) {
      if (typeof entry === "string") {
        out.add(entry);
        continue;
      }
      const included = normalizeName(entry["include-group"]);
      if (!byName.has(included)) {
        throw new EnvironmentSpecError(
          `${path}: [dependency-groups].${name} includes the group ${included}, which does not exist`,
        );
      }
      if (chain.includes(included)) {
        throw new EnvironmentSpecError(
          `${path}: [dependency-groups] include-group forms a cycle (${[...chain, included].join(" → ")})`,
        );
      }
      expand(included, [...chain, included]);
    }
    expanded.add(name);
  };
  for (const name of selected) if (byName.has(name)) expand(name, [name]);
  return [...out];
}
