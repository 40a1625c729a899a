/** Branch names and pull request titles derived from a work item. */
import { createHash } from "node:crypto";
import type { BaseCommit, Issue } from "./gateway.ts";
import { sanitizeUntrusted } from "./sanitize.ts";
import { stripDevPrefix } from "./work_items.ts";

const SLUG_MAX = 40;
const BASE_SLUG_MAX = 60;

/** Cuts `slug` at a dash to at most `max` characters (hard cut when no dash is past the middle). */
function cut(slug: string, max: number): string {
  if (slug.length <= max) return slug;
  const at = slug.lastIndexOf("-", max);
  return slug.slice(0, at > max / 2 ? at : max);
}

/** The issue title as `a–z0–9` words joined by dashes, at most 40 characters. */
function titleSlug(title: string): string {
  const slug = stripDevPrefix(title)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return cut(slug, SLUG_MAX).replace(/-+$/, "");
}

/**
 * The base branch as one ref-name component: `A–Z a–z 0–9 . _ -` kept, other runs turned into one
 * dash, `..` collapsed, no leading or trailing `.`/`-`, no `.lock` ending, at most 60 characters.
 */
function baseSlug(branch: string): string {
  let slug = branch.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/\.{2,}/g, ".");
  for (let before = ""; before !== slug;) {
    before = slug;
    slug = cut(slug, BASE_SLUG_MAX).replace(/^[.-]+|[.-]+$/g, "").replace(/\.lock$/i, "");
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

/** The issue title without its `[dev]` marker, sanitised, on one line; `Issue #<n>` when empty. */
export function pullRequestTitle(issue: Issue): string {
  const title = stripDevPrefix(sanitizeUntrusted(issue.title).replace(/\s+/g, " "));
  return title === "" ? `Issue #${issue.number}` : title;
}
