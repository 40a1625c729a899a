/**
 * Repository paths as git names them, checked the way git checks them. Every
 * path the host takes from a sandbox goes through {@link pathProblem} before
 * anything is written to GitHub; `.git` and `.gitmodules` are recognised in
 * every spelling a case-insensitive file system (NTFS, HFS+, APFS) resolves
 * to them.
 *
 * Sources of the rules (git's own, so a path git would refuse is refused here):
 * - `read-cache.c` `verify_path()`: relative, `/`-separated, no empty, `.` or
 *   `..` component, and `.git` refused in any case;
 * - `path.c` `is_ntfs_dotgit()` and `is_ntfs_dot_generic()`: NTFS trims
 *   trailing dots and spaces (`.git.`, `.git  `), gives 8.3 short names
 *   (`git~1`, `gitmod~1`, `gi7eba~1`) and opens alternate data streams
 *   (`.git::$INDEX_ALLOCATION`);
 * - `utf8.c` `next_hfs_char()` and `is_hfs_dot_generic()`: HFS+ ignores
 *   some zero-width and bidi code points (`.g\u200cit`) and folds case.
 */

/** Most UTF-8 bytes in one path: Linux's `PATH_MAX`, longer than any path a sandbox can create. */
export const MAX_PATH_BYTES = 4096;

/** Most UTF-8 bytes in one path component: Linux's `NAME_MAX`. */
export const MAX_COMPONENT_BYTES = 255;

/**
 * Code points HFS+ ignores in file names, so `.g\u200cit` is `.git` there
 * (git's `next_hfs_char()` in `utf8.c`).
 */
export const HFS_IGNORED_CODE_POINTS: ReadonlySet<number> = new Set([
  0x200c, // ZERO WIDTH NON-JOINER
  0x200d, // ZERO WIDTH JOINER
  0x200e, // LEFT-TO-RIGHT MARK
  0x200f, // RIGHT-TO-LEFT MARK
  0x202a, // LEFT-TO-RIGHT EMBEDDING
  0x202b, // RIGHT-TO-LEFT EMBEDDING
  0x202c, // POP DIRECTIONAL FORMATTING
  0x202d, // LEFT-TO-RIGHT OVERRIDE
  0x202e, // RIGHT-TO-LEFT OVERRIDE
  0x206a, // INHIBIT SYMMETRIC SWAPPING
  0x206b, // ACTIVATE SYMMETRIC SWAPPING
  0x206c, // INHIBIT ARABIC FORM SHAPING
  0x206d, // ACTIVATE ARABIC FORM SHAPING
  0x206e, // NATIONAL DIGIT SHAPES
  0x206f, // NOMINAL DIGIT SHAPES
  0xfeff, // ZERO WIDTH NO-BREAK SPACE
]);

/** C0 and C1 control characters and DEL: never part of a path the service commits. */
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/** A component that is all dots and spaces: NTFS trims it to `.`, `..` or nothing. */
const DOTS_AND_SPACES = /^[. ]+$/;

/**
 * A Windows 8.3 short name (`GITHUB~1`, `PRE-CO~1.YAM`, `GI7EBA~1`): up to six
 * characters, `~`, a number, an extension of up to three. On NTFS it can name
 * another file (`.github`, `.git`), whatever its long name.
 */
const SHORT_NAME = /^[^.~]{1,6}~[1-9][0-9]{0,5}(\.[^.]{0,3})?$/u;

const utf8Bytes = (text: string) => new TextEncoder().encode(text).byteLength;

/**
 * Why `path` is not a canonical repository path, or undefined when it is one:
 * relative, `/`-separated, no empty, `.` or `..` component (so no leading `/`,
 * no `//`, no trailing `/`), no control character, valid Unicode, no backslash
 * (a separator on Windows), no component made of dots and spaces only, no
 * Windows 8.3 short name, at most {@link MAX_PATH_BYTES} bytes and
 * {@link MAX_COMPONENT_BYTES} per component. Pure, linear in the path's length.
 */
export function pathProblem(path: string): string | undefined {
  if (path === "") return "the path is empty";
  if (utf8Bytes(path) > MAX_PATH_BYTES) return `the path is longer than ${MAX_PATH_BYTES} bytes`;
  if (!path.isWellFormed()) return "the path is not valid Unicode";
  if (CONTROL.test(path)) return "the path holds a control character";
  if (path.includes("\\")) return "the path holds a backslash, a folder separator on Windows";
  if (path.startsWith("/")) return "the path is absolute";
  for (const component of path.split("/")) {
    if (component === "") return "the path has an empty component (// or a trailing /)";
    if (component === "." || component === "..") return `the path has a "${component}" component`;
    if (DOTS_AND_SPACES.test(component)) return "the path has a component of dots and spaces only";
    if (utf8Bytes(component) > MAX_COMPONENT_BYTES) {
      return `a component of the path is longer than ${MAX_COMPONENT_BYTES} bytes`;
    }
    if (SHORT_NAME.test(component)) {
      return `"${component}" looks like a Windows 8.3 short name, which can name another file there`;
    }
  }
  return undefined;
}

/** True when {@link pathProblem} finds nothing wrong with `path`. */
export function isCanonicalPath(path: string): boolean {
  return pathProblem(path) === undefined;
}

/**
 * True when the path component `name` is `.git` to git on any file system:
 * `.git` in any case, or its NTFS or HFS+ synonyms (git's `is_ntfs_dotgit()`
 * and `is_hfs_dotgit()`).
 */
export function isDotGit(name: string): boolean {
  return isNtfsDotGit(name) || isHfsDot(name, "git");
}

/**
 * True when the path component `name` is `.gitmodules` to git on any file
 * system (git's `is_ntfs_dotgitmodules()` and `is_hfs_dotgitmodules()`).
 */
export function isDotGitmodules(name: string): boolean {
  return isNtfsDotGeneric(name, "gitmodules", "gi7eba") || isHfsDot(name, "gitmodules");
}

/** `text` with ASCII letters in lower case only, as C's `tolower()` and `strncasecmp()` in the C locale. */
const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** A separator that ends a component in git's NTFS checks (`is_xplatform_dir_sep()`). */
const endsComponent = (c: string | undefined) => c === undefined || c === "/" || c === "\\";

/** The rest of `name` from `from` is only dots and spaces up to its end or a `:` stream. */
function onlyDotsAndSpaces(name: string, from: number): boolean {
  for (let i = from;; i++) {
    const c = name[i];
    if (endsComponent(c) || c === ":") return true;
    if (c !== "." && c !== " ") return false;
  }
}

/**
 * git's `is_ntfs_dotgit()` (`path.c`): `.git` or `git~1` in any case, then
 * only dots and spaces up to the end or an alternate data stream (`:`).
 */
export function isNtfsDotGit(name: string): boolean {
  const lower = asciiLower(name.slice(0, 5));
  if (lower.startsWith(".git")) return onlyDotsAndSpaces(name, 4);
  // `~1` is matched exactly, as git does: `.git` is always its folder's first entry.
  if (lower.startsWith("git") && name[3] === "~" && name[4] === "1") return onlyDotsAndSpaces(name, 5);
  return false;
}

/**
 * git's `is_ntfs_dot_generic()` (`path.c`): `.<dotgitName>` in any case, its
 * regular short name (first six characters, `~1` to `~4`), or its fallback
 * short name (`shortPrefix`, git's hash-based prefix such as `gi7eba` for
 * `gitmodules`, then `~` and a number), each followed only by dots and spaces.
 */
export function isNtfsDotGeneric(name: string, dotgitName: string, shortPrefix: string): boolean {
  const len = dotgitName.length;
  if (name[0] === "." && asciiLower(name.slice(1, 1 + len)) === dotgitName) {
    return onlyDotsAndSpaces(name, len + 1);
  }
  if (
    asciiLower(name.slice(0, 6)) === dotgitName.slice(0, 6) && name[6] === "~" &&
    name[7] !== undefined && name[7] >= "1" && name[7] <= "4"
  ) {
    return onlyDotsAndSpaces(name, 8);
  }
  let sawTilde = false;
  for (let i = 0; i < 8; i++) {
    const c = name[i];
    if (c === undefined || endsComponent(c)) return false;
    if (sawTilde) {
      if (c < "0" || c > "9") return false;
    } else if (c === "~") {
      i++;
      const digit = name[i];
      if (digit === undefined || digit < "1" || digit > "9") return false;
      sawTilde = true;
    } else if (i >= 6) {
      return false;
    } else if (c.charCodeAt(0) > 0x7f) {
      return false;
    } else if (asciiLower(c) !== shortPrefix[i]) {
      return false;
    }
  }
  return onlyDotsAndSpaces(name, 8);
}

/**
 * git's `is_hfs_dot_generic()` (`utf8.c`): `.` then `needle` (ASCII, lower
 * case), case-folded, skipping {@link HFS_IGNORED_CODE_POINTS} everywhere,
 * then the end of the component.
 */
function isHfsDot(name: string, needle: string): boolean {
  const chars: string[] = [];
  for (const c of name) {
    if (HFS_IGNORED_CODE_POINTS.has(c.codePointAt(0)!)) continue;
    if (chars.length > needle.length) return false;
    chars.push(c);
  }
  if (chars.length !== needle.length + 1 || chars[0] !== ".") return false;
  return chars.slice(1).every((c, i) => c.charCodeAt(0) <= 0x7f && asciiLower(c) === needle[i]);
}

/**
 * The form in which `path` is compared with protected-path globs: what a
 * case-insensitive NTFS, HFS+ or APFS checkout would open. Each component
 * loses the code points HFS+ ignores, any NTFS stream (`:…`) and trailing
 * dots and spaces, and is put in Unicode NFC and lower case. For
 * `.GitHub./Work\u200cflows/ci.yml` it gives `.github/workflows/ci.yml`.
 * Expects a path {@link pathProblem} accepts. Pure.
 */
export function foldedPath(path: string): string {
  return path.split("/").map(foldComponent).join("/");
}

function foldComponent(component: string): string {
  let kept = "";
  for (const c of component) if (!HFS_IGNORED_CODE_POINTS.has(c.codePointAt(0)!)) kept += c;
  const stream = kept.indexOf(":");
  let named = stream === -1 ? kept : kept.slice(0, stream);
  let end = named.length;
  while (end > 0 && (named[end - 1] === "." || named[end - 1] === " ")) end--;
  named = named.slice(0, end);
  return (named === "" ? kept : named).normalize("NFC").toLowerCase();
}

/** At most this many characters of an untrusted path are shown in a reason or a list. */
export const SHOWN_PATH_MAX_CHARS = 300;

/**
 * `text` safe to show in a PR, an event or a terminal: control and format
 * characters (zero-width, bidi) and lone surrogates written as `\u{…}`,
 * cut to {@link SHOWN_PATH_MAX_CHARS} characters with `…`. Pure, linear.
 */
export function shownPath(text: string): string {
  const cut = text.length > SHOWN_PATH_MAX_CHARS ? `${text.slice(0, SHOWN_PATH_MAX_CHARS)}…` : text;
  return cut.replace(
    /[\p{Cc}\p{Cf}\p{Cs}]/gu,
    (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`,
  );
}
