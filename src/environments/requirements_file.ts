/**
 * One pip requirements file, read per pip's "Requirements File Format" (pip user guide,
 * https://pip.pypa.io/en/stable/reference/requirements-file-format/): a line ending in `\` continues on the
 * next; `#` at the start of a line or after whitespace starts a comment; each line is a requirement (with
 * per-requirement options such as `--hash`) or options alone (`-r`, `-c`, `-e`, …).
 *
 * The setup container runs pip on these files as they are, so what pip would do with them is decided here:
 * - `-r`/`--requirement` and `-c`/`--constraint` are returned as includes, to be followed inside the repo
 *   (of several on one line, the one pip follows);
 * - index options (`-i`, `--index-url`, `--extra-index-url`, `--no-index`, `-f`, `--find-links`,
 *   `--trusted-host`) are refused: the index comes only from the service's `PIP_INDEX_URL`;
 * - `${VAR}` references are refused: pip would expand them from the setup container's environment;
 * - options that only shape the install (`--pre`, `--prefer-binary`, `--only-binary`, `--no-binary`,
 *   `--require-hashes`, `--use-feature`, and per requirement `--hash`, `--config-settings`,
 *   `--global-option`) are left to pip; any other option is refused;
 * - what pip would read other than this reader is refused: a PEP 263 coding declaration other than UTF-8
 *   (pip decodes the file with it), and the characters Python's `splitlines` or `strip` count as line breaks
 *   or spaces and JavaScript's do not (or the other way round), so a line such as
 *   `x\v--index-url=…` cannot hide an option from this reader.
 */
import { EnvironmentSpecError } from "./environment_spec_error.ts";
import { refusalText, resolveRepoPath } from "./repo_path.ts";
import { requirementName } from "./requirement_name.ts";
import { checkCoding, logicalLines } from "./requirements_lines.ts";

/** What one logical line of a requirements file says. */
export type RequirementsLine =
  /** `-r`/`-c`: another file, as written (relative to this file's folder). */
  | { kind: "include"; mode: "requirement" | "constraint"; target: string; line: number }
  /** A requirement (or `-e`): its normalised name when it has one (paths and URLs have none). */
  | { kind: "requirement"; name: string | undefined; line: number };

const ENV_VARIABLE = /\$\{[A-Z0-9_]+\}/;
/** Python's `shlex` whitespace, which pip splits a line's options on (`\r` and `\n` end the line before). */
const OPTION_SPACE = /[ \t]+/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const ARCHIVE = /\.(whl|tar\.gz|tgz|zip|tar\.bz2)$/i;

/** Options that point pip at another index: refused. */
const INDEX_OPTIONS = new Set([
  "-i",
  "--index-url",
  "--extra-index-url",
  "--no-index",
  "-f",
  "--find-links",
  "--trusted-host",
]);
/** Options left to pip; `true` when the option takes a value. */
const LINE_OPTIONS = new Map<string, boolean>([
  ["--pre", false],
  ["--prefer-binary", false],
  ["--require-hashes", false],
  ["--only-binary", true],
  ["--no-binary", true],
  ["--use-feature", true],
]);
/** Options that may follow a requirement on its line. */
const REQUIREMENT_OPTIONS = new Set(["--hash", "--config-settings", "--global-option"]);
const INCLUDE_OPTIONS = new Map<string, "requirement" | "constraint">([
  ["-r", "requirement"],
  ["--requirement", "requirement"],
  ["-c", "constraint"],
  ["--constraint", "constraint"],
]);
const EDITABLE_OPTIONS = new Set(["-e", "--editable"]);

/**
 * Reads the requirements file `path` holding `text`.
 * @throws EnvironmentSpecError naming `path:line` for a refused option, a `${VAR}`, a missing option value,
 *   or a path that leaves the repository.
 */
export function readRequirementsFile(path: string, text: string): RequirementsLine[] {
  checkCoding(path, text);
  const lines: RequirementsLine[] = [];
  for (const { line, content } of logicalLines(path, text)) {
    const where = `${path}:${line}`;
    if (ENV_VARIABLE.test(content)) {
      throw new EnvironmentSpecError(
        `${where}: environment variables (\${…}) are not expanded during setup; write the value itself`,
      );
    }
    lines.push(...readLine(where, line, content));
  }
  return lines;
}

/** pip's `break_args_options`: words up to the first one starting with `-` are the requirement. */
function readLine(where: string, line: number, content: string): RequirementsLine[] {
  const words = content.split(" ");
  const at = words.findIndex((w) => w.startsWith("-"));
  const requirement = (at < 0 ? words : words.slice(0, at)).join(" ").trim();
  // pip reads only per-requirement options on a requirement's line, so only an options line's words must
  // read the same to pip as here.
  const options = optionWords(
    at < 0 ? "" : words.slice(at).join(" "),
    requirement === "" ? where : undefined,
  );
  if (requirement !== "") {
    for (const option of options) {
      if (option.name !== undefined && !REQUIREMENT_OPTIONS.has(option.name)) refuse(where, option.name);
    }
    return [{ kind: "requirement", name: checkedRequirement(where, requirement), line }];
  }
  const out: RequirementsLine[] = [];
  for (let i = 0; i < options.length; i++) {
    const option = options[i]!;
    const name = option.name ?? "";
    const value = () => option.value ?? options[++i]?.word ?? missingValue(where, name);
    const include = INCLUDE_OPTIONS.get(name);
    if (include) out.push({ kind: "include", mode: include, target: value(), line });
    else if (EDITABLE_OPTIONS.has(name)) {
      out.push({ kind: "requirement", name: editable(where, value()), line });
    } else if (LINE_OPTIONS.has(name)) {
      if (LINE_OPTIONS.get(name)) value();
    } else refuse(where, option.name ?? option.word);
  }
  return asPipFollows(out);
}

/**
 * What pip takes of one line's `-e`, `-r` and `-c` (its `ParsedLine` and `_parse_and_recurse`): the first
 * `-e` alone when there is one (the line is then a requirement), else the first `-r`, else the first `-c`.
 */
function asPipFollows(lines: RequirementsLine[]): RequirementsLine[] {
  const first = lines.find((l) => l.kind === "requirement") ??
    lines.find((l) => l.kind === "include" && l.mode === "requirement") ?? lines[0];
  return first === undefined ? [] : [first];
}

interface OptionWord {
  word: string;
  /** The option's name (`-r`, `--index-url`), undefined for a plain word. */
  name?: string;
  /** A value attached to the name (`--index-url=…`, `-rbase.txt`). */
  value?: string;
}

/**
 * The option words of `text`, split as pip's `shlex.split` does on whitespace (quotes around a word
 * dropped). With `where`, a quote or backslash left inside a word is refused: shlex would join, unquote or
 * unescape it (`-r a\b.txt` opens `ab.txt`), so pip would read another value than the one checked here.
 */
function optionWords(text: string, where?: string): OptionWord[] {
  return text.split(OPTION_SPACE).filter((w) => w !== "").map((raw) => {
    const word = raw.replace(/^(["'])(.*)\1$/, "$2");
    if (where !== undefined && /["'\\]/.test(word)) {
      throw new EnvironmentSpecError(
        `${where}: ${raw} holds a quote or backslash, which pip would read differently (shlex); write the option without it`,
      );
    }
    if (word.startsWith("--")) {
      const eq = word.indexOf("=");
      return eq < 0 ? { word, name: word } : { word, name: word.slice(0, eq), value: word.slice(eq + 1) };
    }
    if (word.startsWith("-") && word.length > 1) {
      return word.length > 2 ? { word, name: word.slice(0, 2), value: word.slice(2) } : { word, name: word };
    }
    return { word };
  });
}

function refuse(where: string, option: string): never {
  if (INDEX_OPTIONS.has(option)) {
    throw new EnvironmentSpecError(
      `${where}: ${option} is not read from requirement files: the package index comes only from the service's PIP_INDEX_URL (and PIP_EXTRA_INDEX_URL); remove the line and ask the service's operator to set the index`,
    );
  }
  throw new EnvironmentSpecError(
    `${where}: the option ${option} is not allowed in requirement files during setup; remove it, or install with .backend-agent/setup.sh`,
  );
}

function missingValue(where: string, option: string): never {
  throw new EnvironmentSpecError(`${where}: ${option} needs a value`);
}

/** A requirement line's name; a local path must stay in the repository (pip reads it from /workspace). */
function checkedRequirement(where: string, requirement: string): string | undefined {
  const name = ARCHIVE.test(requirement) && !requirement.includes(" ")
    ? undefined
    : requirementName(requirement);
  if (name !== undefined || SCHEME.test(requirement)) return name;
  checkLocalPath(where, requirement);
  return undefined;
}

/** `-e .`, `-e ./libs/x`, `-e git+https://…#egg=name`: the `#egg=` name when given. */
function editable(where: string, target: string): string | undefined {
  const egg = /#egg=([^&\s]+)/.exec(target);
  if (!SCHEME.test(target)) checkLocalPath(where, target.replace(/\[.*$/, ""));
  return egg ? requirementName(egg[1]!) : undefined;
}

function checkLocalPath(where: string, target: string): void {
  const resolved = resolveRepoPath("", target);
  if ("refused" in resolved) {
    throw new EnvironmentSpecError(
      `${where}: ${target} ${
        refusalText(resolved.refused)
      }; only paths inside the repository can be installed`,
    );
  }
}
