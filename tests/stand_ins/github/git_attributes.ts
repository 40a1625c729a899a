/**
 * Git attributes of a tree's paths, from the `.gitattributes` files in that
 * tree, as `git archive` reads them (gitattributes(5)):
 * - a file's lines apply to paths under its folder; a deeper file overrides a
 *   shallower one, and within a file a later line overrides an earlier one;
 * - patterns follow gitignore(5) (`*`, `?`, `[…]`, `**`, a leading or middle
 *   `/` anchors to the file's folder, a trailing `/` matches folders only),
 *   except that negative patterns are ignored and a pattern matching a folder
 *   does not match the paths inside it;
 * - `name` sets, `-name` unsets, `!name` unspecifies, `name=value` sets a value;
 *   the built-in macro `binary` is `-diff -merge -text`. `[attr]` macro lines
 *   and quoted patterns are not supported.
 *
 * Written here rather than with `ignore`: that library applies gitignore's
 * "a folder's exclusion covers its contents", which attributes do not.
 */

/** An attribute's state: set, unset, or a value. Unspecified attributes are absent. */
export type AttributeValue = true | false | string;

interface Rule {
  /** The `.gitattributes` file's folder, `""` at the root, else ending in `/`. */
  folder: string;
  /** Matches the basename only (the pattern had no `/` but a trailing one). */
  basenameOnly: boolean;
  folderOnly: boolean;
  regex: RegExp;
  attributes: Array<[string, AttributeValue | undefined]>;
}

const escape = (char: string) => char.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");

/** A bracket expression starting at `glob[start]` (`[`) as a regex class and its end, or undefined. */
function bracket(glob: string, start: number): { regex: string; end: number } | undefined {
  let index = start + 1;
  let negated = false;
  if (glob[index] === "!" || glob[index] === "^") {
    negated = true;
    index++;
  }
  let body = "";
  for (let first = true; index < glob.length; index++, first = false) {
    const char = glob[index]!;
    if (char === "]" && !first) return { regex: `[${negated ? "^/" : ""}${body}]`, end: index };
    if (char === "\\" && index + 1 < glob.length) body += `\\${glob[++index]}`;
    else body += char === "\\" || char === "]" || char === "[" || char === "^" ? `\\${char}` : char;
  }
  return undefined;
}

/** A gitignore-style glob (already without its leading/trailing `/`) as a regex source (wildmatch rules). */
function globSource(glob: string): string {
  let out = "";
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!;
    if (char === "\\" && index + 1 < glob.length) {
      out += escape(glob[++index]!);
    } else if (char === "*") {
      let end = index;
      while (glob[end] === "*") end++;
      const wholeSegment = end - index >= 2 && (index === 0 || glob[index - 1] === "/") &&
        (end === glob.length || glob[end] === "/");
      if (wholeSegment && end === glob.length) out += ".*";
      else if (wholeSegment) {
        out += "(?:[^/]*/)*";
        end++; // the `/` after `**` is part of "zero or more folders"
      } else out += "[^/]*";
      index = end - 1;
    } else if (char === "?") {
      out += "[^/]";
    } else if (char === "[") {
      const set = bracket(glob, index);
      if (set) {
        out += set.regex;
        index = set.end;
      } else out += "\\[";
    } else {
      out += escape(char);
    }
  }
  return out;
}

function parseAttributes(tokens: string[]): Array<[string, AttributeValue | undefined]> {
  const parsed: Array<[string, AttributeValue | undefined]> = [];
  for (const token of tokens) {
    if (token.startsWith("-")) parsed.push([token.slice(1), false]);
    else if (token.startsWith("!")) parsed.push([token.slice(1), undefined]);
    else if (token.includes("=")) {
      parsed.push([token.slice(0, token.indexOf("=")), token.slice(token.indexOf("=") + 1)]);
    } else parsed.push([token, true]);
    if (token === "binary") parsed.push(["diff", false], ["merge", false], ["text", false]);
  }
  return parsed;
}

function parseFile(folder: string, text: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("[attr]") || line.startsWith('"')) continue;
    const [pattern = "", ...tokens] = line.split(/[ \t]+/);
    if (pattern.startsWith("!")) continue; // "Negative patterns are forbidden" (ignored with a warning)
    const folderOnly = pattern.length > 1 && pattern.endsWith("/");
    const body = folderOnly ? pattern.slice(0, -1) : pattern;
    const basenameOnly = !body.includes("/");
    const glob = body.startsWith("/") ? body.slice(1) : body;
    rules.push({
      folder,
      basenameOnly,
      folderOnly,
      regex: new RegExp(`^${globSource(glob)}$`),
      attributes: parseAttributes(tokens),
    });
  }
  return rules;
}

/** Looks attributes up for paths of one tree. */
export interface GitAttributes {
  /**
   * The attributes of `path` (from the tree root, no trailing `/`); `isFolder` for folders and
   * gitlinks, which `git archive` asks about as `path/`.
   */
  lookup(path: string, isFolder: boolean): Map<string, AttributeValue>;
}

/**
 * Reads the rules of a tree's `.gitattributes` files.
 * @param files path of each `.gitattributes` file in the tree (e.g. `docs/.gitattributes`) → its text.
 */
export function gitAttributes(files: ReadonlyMap<string, string>): GitAttributes {
  const depth = (path: string) => path.split("/").length;
  const rules = [...files.keys()]
    .filter((path) => path === ".gitattributes" || path.endsWith("/.gitattributes"))
    .sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1))
    .flatMap((path) => parseFile(path.slice(0, -".gitattributes".length), files.get(path)!));
  return {
    lookup(path, isFolder) {
      const found = new Map<string, AttributeValue>();
      const basename = path.slice(path.lastIndexOf("/") + 1);
      for (const rule of rules) {
        // A folder's own .gitattributes applies to what is inside it, not to the folder itself.
        if (!path.startsWith(rule.folder) || path.length === rule.folder.length) continue;
        if (rule.folderOnly && !isFolder) continue;
        if (!rule.regex.test(rule.basenameOnly ? basename : path.slice(rule.folder.length))) continue;
        for (const [name, value] of rule.attributes) {
          if (value === undefined) found.delete(name);
          else found.set(name, value);
        }
      }
      return found;
    },
  };
}
