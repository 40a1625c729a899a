/**
 * Reads whether a parent issue puts its `[ops]` sub-issues before its `[dev]` ones: a line of the
 * parent's body such as `Ops goes first`, `[ops] before [dev]`, `Order: [ops] → [dev]` or
 * `Dev work starts after the ops issues are closed`. A line that negates (`ops need not go first`),
 * a quoted line and a fenced code block say nothing. Without such a line nothing waits.
 */

const OPS_PREFIX = /^\s*\[ops\]/i;

/** Most characters of the body read, and of one line. */
const MAX_BODY_CHARS = 65_536;
const MAX_LINE_CHARS = 400;

const OPS = String.raw`\[?\bops\b\]?`;
const DEV = String.raw`\[?\bdev\b\]?`;
/** Each pattern has bounded gaps only, so one line is matched in linear time. */
const ORDER_PATTERNS: readonly RegExp[] = [
  // "ops first", "[ops] issues go first", "ops work must be done first", "## Ops first"
  new RegExp(String.raw`${OPS}[\w\s\-]{0,40}?\bfirst\b`, "i"),
  // "First the ops issues, …", "- First: [ops]" (at the start of a line)
  new RegExp(String.raw`^\W{0,8}first\b[\s:,\-]{0,3}(?:the\s+|all\s+)?${OPS}`, "i"),
  // "[ops] before [dev]", "ops sub-issues are closed before dev starts"
  new RegExp(String.raw`${OPS}.{0,60}?\bbefore\b.{0,60}?${DEV}`, "i"),
  // "[dev] after [ops]", "dev work starts after the ops issues are closed"
  new RegExp(String.raw`${DEV}.{0,60}?\bafter\b.{0,60}?${OPS}`, "i"),
  // "Order: [ops] → [dev]", "ops, then dev", "ops > dev"
  new RegExp(String.raw`${OPS}\s{0,3}(?:,\s{0,3})?(?:then|→|->|=>|>)\s{0,3}${DEV}`, "i"),
];
const NEGATION = /\b(?:not|no|never|without|don't|doesn't|needn't|isn't|aren't|nor)\b|n't\b/i;
/** Markdown emphasis and code marks, dropped before matching (`**ops first**`). */
const MARKS = /[*_`~]/g;

/** True when `title` starts with `[ops]` (any case, leading whitespace allowed). */
export function isOpsTitle(title: string): boolean {
  return OPS_PREFIX.test(title);
}

/**
 * Whether the parent's `body` sets the order `[ops]` before `[dev]` (see the module comment).
 * Reads at most the first 65,536 characters, each line cut at 400; linear in the body's size.
 */
export function readsOpsFirst(body: string): boolean {
  let fenced = false;
  for (const raw of body.slice(0, MAX_BODY_CHARS).split("\n")) {
    const line = raw.slice(0, MAX_LINE_CHARS);
    if (/^\s{0,3}(?:```|~~~)/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced || /^\s{0,3}>/.test(line)) continue;
    const text = line.replace(MARKS, "");
    if (NEGATION.test(text)) continue;
    if (ORDER_PATTERNS.some((pattern) => pattern.test(text))) return true;
  }
  return false;
}
