/**
 * Code spans of one line of Markdown (CommonMark §6.1): a backtick run opens a span closed by the next run
 * of the same length; a backslash escapes a backtick outside spans; a run that closes nothing is literal.
 *
 * @module
 */

/** A piece of a line: text outside code, a code span with its backticks, or a run that closes nothing. */
export interface Piece {
  kind: "text" | "code" | "stray";
  text: string;
}

/**
 * Splits `line` into {@link Piece}s, in order; the pieces joined give `line` back. A backslash and the
 * character after it stay together in a text piece. Linear in the line's length.
 */
export function splitCodeSpans(line: string): Piece[] {
  const runs = backtickRuns(line);
  const pieces: Piece[] = [];
  let from = 0;
  let at = 0;
  const flush = (to: number) => {
    if (to > from) pieces.push({ kind: "text", text: line.slice(from, to) });
  };
  while (at < line.length) {
    const char = line[at];
    if (char === "\\") {
      at += 2;
      continue;
    }
    if (char !== "`") {
      at++;
      continue;
    }
    let end = at;
    while (line[end] === "`") end++;
    const closer = runs.next(end - at, end);
    flush(at);
    if (closer === undefined) {
      pieces.push({ kind: "stray", text: line.slice(at, end) });
      at = end;
    } else {
      pieces.push({ kind: "code", text: line.slice(at, closer) });
      at = closer;
    }
    from = at;
  }
  flush(Math.min(at, line.length));
  return pieces;
}

/** The maximal backtick runs of `text`, queried left to right for the next one of a given length. */
function backtickRuns(text: string): { next(length: number, from: number): number | undefined } {
  const byLength = new Map<number, number[]>();
  for (const run of text.matchAll(/`+/g)) {
    const starts = byLength.get(run[0].length) ?? [];
    starts.push(run.index);
    byLength.set(run[0].length, starts);
  }
  const cursors = new Map<number, number>();
  return {
    /** The end of the first run of exactly `length` backticks starting at or after `from`. */
    next(length, from) {
      const starts = byLength.get(length) ?? [];
      let cursor = cursors.get(length) ?? 0;
      while (cursor < starts.length && starts[cursor]! < from) cursor++;
      cursors.set(length, cursor);
      const start = starts[cursor];
      return start === undefined ? undefined : start + length;
    },
  };
}
