/**
 * The rules a path argument of a file-work program must meet: written out,
 * under /workspace (or, for a copy's source, outside it) and not in `.git/`.
 */
import { ToolError } from "../errors.ts";
import { checkToolPath } from "./path_jail.ts";
import { WORKSPACE } from "./sandbox.ts";
import { EXPANSION } from "./shell_words.ts";

/**
 * What a command does with a path, which decides the rules it must meet:
 * - `write` (mkdir, touch, the destination of cp and mv, where cd goes):
 *   under /workspace (the workspace itself included), not in `.git/`;
 * - `move` (a source of mv): the same, and not /workspace itself or the current folder;
 * - `remove` (rm): as `move`, and no wildcard that matches every name
 *   directly in /workspace or the current folder (`./*`, `/workspace/*`);
 * - `copy` (a source of cp): anywhere outside /workspace may be read (cat can
 *   read it anyway); inside, not `.git/`, /workspace itself or the current folder
 *   (copying either would copy `.git/`).
 */
export type PathUse = "write" | "move" | "remove" | "copy";

/** Characters bash expands against file names (`[` too, though a parsed word's `glob` flag does not count it). */
const WILDCARD = /[*?[]/;

/**
 * Checks one path argument of a file-work program. Paths are read as written
 * (lexically): the policy does not know the shell's working directory, but
 * `cd` may only go to folders under /workspace, so a relative path without
 * `..` stays under /workspace. Symlinks are not followed here; the container
 * is the boundary.
 * @returns why the path is refused, as a sentence naming it, or undefined.
 */
export function checkPath(path: string, use: PathUse): string | undefined {
  const shown = path.replaceAll(EXPANSION, "$…");
  const refuse = (why: string) => `The path ${shown} ${why}`;
  if (path.includes(EXPANSION)) return refuse("must be written out, not come from a $variable");
  if (path.startsWith("~")) return refuse(`starts with "~", the home folder, which is outside ${WORKSPACE}`);
  if (path === "") return refuse("is empty");
  if (/^[*?[]/.test(path)) {
    return refuse(`starts with a wildcard, which could expand to an option; write ./${shown}`);
  }
  const absolute = path.startsWith("/");
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  const wild = parts.findIndex((p) => WILDCARD.test(p));
  if (wild >= 0 && wild < parts.length - 1) {
    return refuse("has a wildcard before its last part; only the last part of a path may hold *, ? or [");
  }
  if (wild >= 0 && parts[wild]!.startsWith(".")) {
    return refuse('has a wildcard in a name that starts with ".", which could match .git');
  }
  if (parts.includes("..")) {
    return refuse(
      absolute
        ? 'contains "..", which is not allowed; write the path without it'
        : `contains "..", which is not allowed: the policy cannot tell which folder the shell is in, so ` +
          `write the path from ${WORKSPACE}, e.g. ${WORKSPACE}/app/x.py`,
    );
  }
  if (parts.includes(".git")) return refuse("is inside .git/, which the tools do not touch");
  const normal = "/" + parts.join("/");
  const inWorkspace = !absolute || normal === WORKSPACE || normal.startsWith(WORKSPACE + "/");
  if (!inWorkspace) return use === "copy" ? undefined : jailRefusal(path);
  if (use === "write") return undefined;
  if (absolute ? normal === WORKSPACE : parts.length === 0) {
    const what = absolute
      ? `is ${WORKSPACE} itself`
      : `is the current folder, which may be ${WORKSPACE} itself`;
    if (use === "copy") {
      return refuse(`${what}; copying it would copy .git/ too, so copy the folders you need`);
    }
    return refuse(`${what}; ${use} what is inside it instead, by name`);
  }
  const last = parts[parts.length - 1] ?? "";
  const matchesAll = wild >= 0 && last.replace(/\[[^\]]*\]/g, "").replace(/[*?]/g, "") === "";
  if (use === "remove" && matchesAll && parts.length === (absolute ? 2 : 1)) {
    return refuse(
      `would match everything directly in ${WORKSPACE} or the current folder, which could empty the ` +
        "workspace; name a folder or a pattern, e.g. rm -r app/* or rm ./*.pyc",
    );
  }
  return undefined;
}

/** The path jail's own words for a path outside /workspace (see `path_jail.ts`). */
function jailRefusal(path: string): string {
  try {
    checkToolPath(path);
  } catch (error) {
    if (error instanceof ToolError) return error.message;
    throw error;
  }
  return `The path ${path} is outside ${WORKSPACE}; only files under ${WORKSPACE} can be used`;
}

/** The first refusal {@link checkPath} gives for `paths`, if any. */
export function firstRefusal(paths: string[], use: PathUse): string | undefined {
  for (const path of paths) {
    const reason = checkPath(path, use);
    if (reason) return reason;
  }
  return undefined;
}
