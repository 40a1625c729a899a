/**
 * The pushed change set as the dashboard shows it: each committed file against its base bytes (from
 * the host's own seed archive, never from the sandbox), with added and deleted lines and the
 * unified diff's hunks. Bounded: a diff is computed only up to {@link MAX_EDIT_LINES} changed lines
 * per file (jsdiff's `maxEditLength`, so the time stays bounded on hostile input), and patches stop
 * once {@link PATCH_TOTAL_MAX_CHARS} characters are kept; the counts are always given.
 */
import { structuredPatch } from "diff";
import { PATCH_TOTAL_MAX_CHARS, type PublishedFile } from "../contracts/work_item_publication.ts";
import type { ChangedFile } from "./change_set.ts";

/** Most changed lines per file the line diff looks for; past it the file counts as rewritten. */
export const MAX_EDIT_LINES = 1_000;

const decoder = new TextDecoder("utf-8", { fatal: true });

/** `bytes` as text, or undefined when they are not text (a NUL byte or invalid UTF-8). */
function asText(bytes: Uint8Array | undefined): string | undefined {
  if (bytes === undefined) return "";
  if (bytes.includes(0)) return undefined;
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Lines of `text` as a diff counts them (a last line without a newline counts). */
function lineCount(text: string): number {
  if (text === "") return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

/**
 * Each of `files` (the committed change set) compared with `bases` (path → base bytes; absent for an
 * added file), in the order given.
 */
export function publishedFiles(
  files: readonly ChangedFile[],
  bases: ReadonlyMap<string, Uint8Array>,
): PublishedFile[] {
  let budget = PATCH_TOTAL_MAX_CHARS;
  return files.map((file) => {
    const before = asText(file.status === "added" ? undefined : bases.get(file.path));
    const after = asText(file.status === "deleted" ? undefined : file.content);
    const shown = { path: file.path, status: file.status };
    if (before === undefined || after === undefined) {
      return { ...shown, additions: 0, deletions: 0, binary: true, patch: "" };
    }
    const diff = structuredPatch("a", "b", before, after, "", "", {
      context: 3,
      maxEditLength: MAX_EDIT_LINES,
    });
    if (!diff) {
      return {
        ...shown,
        additions: lineCount(after),
        deletions: lineCount(before),
        binary: false,
        patch: "",
        patchOmitted: `more than ${MAX_EDIT_LINES} lines changed; counted as rewritten`,
      };
    }
    let additions = 0;
    let deletions = 0;
    const lines: string[] = [];
    for (const hunk of diff.hunks) {
      // As diff(1) and git write them: an empty range starts at the line before it.
      const oldStart = hunk.oldLines === 0 ? hunk.oldStart - 1 : hunk.oldStart;
      const newStart = hunk.newLines === 0 ? hunk.newStart - 1 : hunk.newStart;
      lines.push(`@@ -${oldStart},${hunk.oldLines} +${newStart},${hunk.newLines} @@`);
      for (const line of hunk.lines) {
        if (line.startsWith("+")) additions++;
        else if (line.startsWith("-")) deletions++;
        lines.push(line);
      }
    }
    const patch = lines.join("\n");
    if (patch.length > budget) {
      return {
        ...shown,
        additions,
        deletions,
        binary: false,
        patch: "",
        patchOmitted: `the diffs shown reached ${PATCH_TOTAL_MAX_CHARS} characters`,
      };
    }
    budget -= patch.length;
    return { ...shown, additions, deletions, binary: false, patch };
  });
}
