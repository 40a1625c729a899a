/**
 * Which paths a repository's `.gitattributes` files give the Git LFS filter
 * (`filter=lfs`). Rules from gitattributes(5): a file's lines apply to paths
 * under its folder; patterns match as in .gitignore (via the `ignore` package,
 * the matcher many git tools use), except that negative patterns are not
 * allowed and a pattern matching a folder does not match the paths inside it;
 * for each path the last matching line wins, deeper files after shallower ones.
 */
import ignore from "ignore";

interface Rule {
  /** The folder of the `.gitattributes` file, `""` at the root, else ending in `/`. */
  folder: string;
  matches: (relative: string) => boolean;
  /** `true` sets `filter=lfs`, `false` unsets or sets another filter. */
  lfs: boolean;
}

/** The LFS-tracked paths of a tree, from its `.gitattributes` files. */
export interface LfsMatcher {
  /** True when `path` (from the repository root) is stored with Git LFS. */
  isLfs(path: string): boolean;
}

/**
 * Builds the matcher from `.gitattributes` files.
 * @param files path of each `.gitattributes` file (e.g. `data/.gitattributes`) → its text.
 */
export function lfsMatcher(files: ReadonlyMap<string, string>): LfsMatcher {
  const rules: Rule[] = [];
  const ordered = [...files.keys()].sort((a, b) =>
    a.split("/").length - b.split("/").length || a.localeCompare(b)
  );
  for (const file of ordered) {
    const folder = file.slice(0, file.length - ".gitattributes".length);
    for (const raw of files.get(file)!.split(/\r?\n/)) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#") || line.startsWith("[attr]")) continue;
      const [pattern, ...attributes] = line.split(/\s+/);
      if (!pattern || pattern.startsWith("!")) continue;
      let lfs: boolean | undefined;
      for (const attribute of attributes) {
        if (attribute === "filter=lfs") lfs = true;
        else if (attribute === "-filter" || attribute === "!filter" || attribute.startsWith("filter=")) {
          lfs = false;
        }
      }
      if (lfs === undefined) continue;
      const matcher = ignore().add(pattern);
      rules.push({ folder, matches: (relative) => matcher.ignores(relative), lfs });
    }
  }
  return {
    isLfs(path) {
      let lfs = false;
      for (const rule of rules) {
        if (!path.startsWith(rule.folder)) continue;
        if (rule.matches(path.slice(rule.folder.length))) lfs = rule.lfs;
      }
      return lfs;
    },
  };
}
