/**
 * The search that trims a pull request body to GitHub's limit (`pull_request_body.ts`): the
 * largest cap on some texts at which the rendered body still fits, found in a few renders rather
 * than one per bit of a binary search.
 */

/**
 * When the body must be trimmed, a trim that leaves it this close to its limit is good enough: the search
 * stops there rather than render again for the last few characters.
 */
export const FIT_SLACK = 512;

/**
 * The largest value in [0, top] whose body (of `measure(value)` characters; `topSize` at `top`) is
 * within `budget`, or within {@link FIT_SLACK} of the largest; undefined when even 0 is too large.
 * `sizes` are the lengths of the texts the value caps, each showing `min(length, value)`: the body is
 * taken to grow with the characters shown, so the first guess mostly fits at once and a second one
 * corrects it (regula falsi on the bracket); after three guesses the bracket is halved, so the search
 * always ends.
 */
export function largestFitting(
  top: number,
  topSize: number,
  sizes: readonly number[],
  measure: (value: number) => number,
  budget: number,
): number | undefined {
  const lowest = measure(0);
  if (lowest > budget) return undefined;
  const shown = (value: number) => sizes.reduce((sum, size) => sum + Math.min(size, value), 0);
  let [low, lowSize, high, highSize] = [0, lowest, top, topSize];
  for (let guesses = 0; high - low > 1 && budget - lowSize > FIT_SLACK; guesses++) {
    let value = Math.floor((low + high) / 2);
    if (guesses < 3) {
      const [from, to] = [shown(low), shown(high)];
      const target = from + ((to - from) * (budget - lowSize)) / Math.max(highSize - lowSize, 1);
      value = largestShowing(low, high, target, shown);
    }
    value = Math.min(Math.max(value, low + 1), high - 1);
    const size = measure(value);
    if (size <= budget) [low, lowSize] = [value, size];
    else [high, highSize] = [value, size];
  }
  return low;
}

/** The largest value in [low, high] at which `shown(value)` is at most `target` (a binary search on sums). */
function largestShowing(low: number, high: number, target: number, shown: (value: number) => number): number {
  let [from, to] = [low, high];
  while (to - from > 1) {
    const middle = Math.floor((from + to) / 2);
    if (shown(middle) <= target) from = middle;
    else to = middle;
  }
  return from;
}
