/** Branch names and pull request titles derived from a work item. */
import { createHash } from "node:crypto";
import type { BaseCommit, Issue } from "./gateway.ts";
import { neutralisePlain } from "./github_references.ts";
import { sanitizeUntrusted } from "./sanitize.ts";
import { stripDevPrefix } from "./work_items.ts";

const SLUG_MAX = 40;
const BASE_SLUG_MAX = 60;
/** GitHub's limit on an issue title; a longer one (from elsewhere) is cut before any pattern runs. */
export const TITLE_MAX_CHARS = 256;
/** The longest branch name read (git allows about 255 bytes in a ref name component). */
const BRANCH_MAX_CHARS = 255;

/** `text` without the characters in `chars` at either end; a loop, as `/-+$/` is quadratic on a long run. */
function trimChars(text: string, chars: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && chars.includes(text[start]!)) start++;
  while (end > start && chars.includes(text[end - 1]!)) end--;
  return text.slice(start, end);
}

/** Cuts `slug` at a dash to at most `max` characters (hard cut when no dash is past the middle). */
function cut(slug: string, max: number): string {
  if (slug.length <= max) return slug;
  const at = slug.lastIndexOf("-", max);
  return slug.slice(0, at > max / 2 ? at : max);
}

/** The issue title as `a–z0–9` words joined by dashes, at most 40 characters. */
function titleSlug(title: string): string {
  const slug = stripDevPrefix(title.slice(0, TITLE_MAX_CHARS))
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-");
  return trimChars(cut(trimChars(slug, "-"), SLUG_MAX), "-");
}

/**
 * The base branch as one ref-name component: `A–Z a–z 0–9 . _ -` kept, other runs turned into one
 * dash, `..` collapsed, no leading or trailing `.`/`-`, no `.lock` ending, at most 60 characters.
 */
function baseSlug(branch: string): string {
  let slug = branch.slice(0, BRANCH_MAX_CHARS).replace(/[^A-Za-z0-9._-]+/g, "-").replace(/\.{2,}/g, ".");
  for (let before = ""; before !== slug;) {
    before = slug;
    slug = trimChars(cut(slug, BASE_SLUG_MAX), ".-").replace(/\.lock$/i, "");
  }
  return slug;
}

/**
 * `agent/issue-<n>-<slug>`: the slug is the title without `[dev]`, lowercased, accents dropped,
 * runs of anything but `a–z0–9` turned into one dash, cut at a dash to at most 40 characters;
 * `agent/issue-<n>` when nothing is left. When the work starts from a branch other than the
 * repository's default one, `--<base>` follows, the base branch made one ref-name component
 * (`release/1.2` → `agent/issue-7-add-stats--release-1.2`; `base-<8 hex of its sha1>` when no
 * character is left), so runs against two bases do not share a branch. Always a valid git ref
 * name (`git check-ref-format` rules).
 */
export function branchName(issue: Issue, base: BaseCommit): string {
  const slug = titleSlug(issue.title);
  const name = slug === "" ? `agent/issue-${issue.number}` : `agent/issue-${issue.number}-${slug}`;
  if (base.branch === base.defaultBranch) return name;
  const suffix = baseSlug(base.branch);
  // A base with no usable character (e.g. all non-Latin) is named by a hash of its name instead.
  const hashed = `base-${createHash("sha1").update(base.branch).digest("hex").slice(0, 8)}`;
  return `${name}--${suffix === "" ? hashed : suffix}`;
}

/**
 * The issue title without its `[dev]` marker, sanitised, on one line, at most {@link TITLE_MAX_CHARS}
 * characters read, with its mentions and issue references in code ({@link neutralisePlain}: a squash merge
 * makes the title a commit subject on the default branch, where `Fixes #3` would close issue 3);
 * `Issue #<n>` when empty.
 */
export function pullRequestTitle(issue: Issue): string {
  const title = stripDevPrefix(sanitizeUntrusted(issue.title.slice(0, TITLE_MAX_CHARS)).replace(/\s+/g, " "));
  return title === "" ? `Issue #${issue.number}` : neutralisePlain(title);
}
