/**
 * Requirement names: reading the name at the start of a PEP 508 requirement, and normalising it (PEP 503:
 * lowercase, runs of `-`, `_` and `.` become one `-`), so `PyJWT`, `pyjwt` and `Py_JWT` are one name.
 */

/** A PEP 508 name (PEP 508 "Names": ASCII letters and digits, with `.`, `-`, `_` inside). */
const NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/;

/** The extras, version and marker that may follow a name (anything but an option's leading `-`). */
const AFTER_NAME = /^\s*(?:$|[[(<>=!~;@ ])/;

/** `Py_JWT.Extras` → `py-jwt-extras` (PEP 503 normalisation). */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}

/**
 * The normalised name a PEP 508 requirement string starts with (`"SQLAlchemy[asyncio]>=2; python_version>'3'"`
 * → `sqlalchemy`), or undefined when the string does not start with a name followed by extras, a version, a
 * marker or a URL. A string that starts with `-` (a pip option) never has a name.
 */
export function requirementName(requirement: string): string | undefined {
  const text = requirement.trim();
  const match = NAME.exec(text);
  if (!match) return undefined;
  if (!AFTER_NAME.test(text.slice(match[1]!.length))) return undefined;
  return normalizeName(match[1]!);
}
