/** Branch names and pull request titles derived from a work item. */
import type { Issue } from "./gateway.ts";
import { sanitizeUntrusted } from "./sanitize.ts";
import { stripDevPrefix } from "./work_items.ts";

const SLUG_MAX = 40;

/**
 * `agent/issue-<n>-<slug>`: the slug is the title without `[dev]`, lowercased, accents dropped,
 * runs of anything but `a–z0–9` turned into one dash, cut at a dash to at most 40 characters.
 * `agent/issue-<n>` when nothing is left. Always a valid git ref name.
 */
export function branchName(issue: Issue): string {
  let slug = stripDevPrefix(issue.title)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (slug.length > SLUG_MAX) {
    const cut = slug.lastIndexOf("-", SLUG_MAX);
    slug = slug.slice(0, cut > SLUG_MAX / 2 ? cut : SLUG_MAX).replace(/-+$/, "");
  }
  return slug === "" ? `agent/issue-${issue.number}` : `agent/issue-${issue.number}-${slug}`;
}

/** The issue title without its `[dev]` marker, sanitised, on one line; `Issue #<n>` when empty. */
export function pullRequestTitle(issue: Issue): string {
  const title = stripDevPrefix(sanitizeUntrusted(issue.title).replace(/\s+/g, " "));
  return title === "" ? `Issue #${issue.number}` : title;
}
