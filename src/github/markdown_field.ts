/**
 * Untrusted text placed in the pull request body: cut to a size on whole grapheme clusters, then
 * defused (see {@link defuseMarkdown}), and put after a label or inside a list item so that it
 * stays there.
 *
 * @module
 */
import { cutGraphemes } from "./grapheme_cut.ts";
import { defuseMarkdown, startsWithFence } from "./markdown_defuse.ts";

/** What a cut field ends with. */
export const TRUNCATED = "… (truncated)";

/**
 * `clean` (already sanitised) as safe Markdown: cut to at most `max` UTF-16 code units of its own
 * text on a grapheme boundary (then ending with {@link TRUNCATED}), and defused. The result can be
 * a little longer than `max`: defusing adds escapes. Pure.
 */
export function markdownField(clean: string, max: number): string {
  const cut = cutGraphemes(clean, max);
  return cut.length === clean.length ? defuseMarkdown(clean) : defuseMarkdown(cut.trimEnd(), TRUNCATED);
}

/** Renders a sanitised text as a field of at most `max` characters: {@link markdownField} or a memory of it. */
export type FieldRenderer = (clean: string, max: number) => string;

/**
 * {@link markdownField}, remembered per text and size (a size at or above the text's length is its
 * whole length): fitting a body into its limit renders the same fields again, and only those whose
 * size changed are defused again.
 */
export function rememberingFieldRenderer(): FieldRenderer {
  const rendered = new Map<string, Map<number, string>>();
  return (clean, max) => {
    const size = Math.max(0, Math.min(max, clean.length));
    let bySize = rendered.get(clean);
    if (!bySize) rendered.set(clean, bySize = new Map());
    let field = bySize.get(size);
    if (field === undefined) bySize.set(size, field = markdownField(clean, size));
    return field;
  };
}

/**
 * `label` followed by a defused field, as the content of a list item whose content starts
 * `indent` columns in: the field's other lines are indented by `indent` (blank lines stay blank,
 * which does not end the item), and a field that opens with a fenced code block starts on a line
 * of its own, where the fence can open. An empty field gives the label alone.
 */
export function labelled(label: string, defused: string, indent: number): string {
  if (defused === "") return label;
  const pad = " ".repeat(indent);
  const text = defused.replace(/\n(?=[^\n])/g, `\n${pad}`);
  return startsWithFence(defused) ? `${label}\n${pad}${text}` : `${label} ${text}`;
}

/**
 * `text` on one line as an inline code span that no character of it can end early: the fence is
 * one backtick longer than the longest run inside (CommonMark §6.1), with a space on each side
 * when the text starts or ends with a backtick.
 */
export function codeSpan(text: string): string {
  const line = text.replace(/\s+/g, " ");
  const longest = (line.match(/`+/g) ?? []).reduce((most, run) => Math.max(most, run.length), 0);
  const fence = "`".repeat(longest + 1);
  const pad = line.startsWith("`") || line.endsWith("`") ? " " : "";
  return `${fence}${pad}${line}${pad}${fence}`;
}
