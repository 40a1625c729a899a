/**
 * `export-subst` as `git archive` applies it: each `$Format:<fmt>$` in a file
 * is replaced by `<fmt>` expanded for the archived commit, with the placeholders
 * of `git log --pretty=format:` (git-log(1), "PRETTY FORMATS"). Supported:
 * `%H %h %T %t %P %p`, author and committer `n e d D i I t` (`%an`, `%cd`, …),
 * `%s %b %B %n %%`. Unknown placeholders stay as written, as in git; dates use
 * git's default format in UTC (`Mon Jan 1 00:00:00 2024 +0000`).
 */
import { Buffer } from "node:buffer";
import type { CommitData, Signature } from "./git_objects.ts";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const ABBREV = 7;

const two = (value: number) => String(value).padStart(2, "0");

function dates(date: string): Record<string, string> {
  const d = new Date(date);
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  const day = `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
  const weekday = DAYS[d.getUTCDay()]!, month = MONTHS[d.getUTCMonth()]!;
  return {
    d: `${weekday} ${month} ${d.getUTCDate()} ${time} ${d.getUTCFullYear()} +0000`,
    D: `${weekday}, ${d.getUTCDate()} ${month} ${d.getUTCFullYear()} ${time} +0000`,
    i: `${day} ${time} +0000`,
    I: `${day}T${time}+00:00`,
    t: String(Math.floor(d.getTime() / 1000)),
  };
}

function person(who: Signature): Record<string, string> {
  return { n: who.name, e: who.email, ...dates(who.date) };
}

/** Expands one `--pretty=format:` string for `commit` (whose id is `sha`). */
export function formatCommit(format: string, sha: string, commit: CommitData): string {
  const [subject = "", ...rest] = commit.message.replace(/\n+$/, "").split(/\n[ \t]*\n/);
  const values: Record<string, string> = {
    H: sha,
    h: sha.slice(0, ABBREV),
    T: commit.tree,
    t: commit.tree.slice(0, ABBREV),
    P: commit.parents.join(" "),
    p: commit.parents.map((parent) => parent.slice(0, ABBREV)).join(" "),
    s: subject.replace(/\n/g, " "),
    b: rest.length > 0 ? `${rest.join("\n\n")}\n` : "",
    B: commit.message.endsWith("\n") ? commit.message : `${commit.message}\n`,
    n: "\n",
    "%": "%",
  };
  const author = person(commit.author), committer = person(commit.committer);
  return format.replace(/%([acHhTtPpsbBn%])([ndDiIte]?)/g, (whole, key: string, detail: string) => {
    if (key === "a" || key === "c") {
      return (key === "a" ? author : committer)[detail] ?? whole;
    }
    const value = values[key];
    return value === undefined ? whole : value + detail;
  });
}

/** `bytes` with every `$Format:…$` expanded (bytes outside the placeholders unchanged). */
export function formatSubst(bytes: Uint8Array, sha: string, commit: CommitData): Uint8Array {
  const source = Buffer.from(bytes);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (;;) {
    const start = source.indexOf("$Format:", from);
    if (start === -1) break;
    const end = source.indexOf("$", start + 8);
    if (end === -1) break;
    parts.push(source.subarray(from, start));
    parts.push(Buffer.from(formatCommit(source.subarray(start + 8, end).toString("utf8"), sha, commit)));
    from = end + 1;
  }
  if (from === 0) return bytes;
  parts.push(source.subarray(from));
  return new Uint8Array(Buffer.concat(parts));
}
