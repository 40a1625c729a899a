/**
 * Turns a job's progress events into the CLI's lines: one line per step,
 * test run, pull request and ending, each with the tool calls counted and the
 * model cost so far. Tool calls and usage updates are counted, not printed.
 */
import type { JobEvent } from "../jobs/job.ts";

const QUIET = new Set(["tool", "usage"]);
const USAGE_LINE = /^#(\d+): turn \d+: \d+ tokens, \$([\d.]+)/;

/** Prints events as they come. */
export interface ProgressPrinter {
  print(event: JobEvent): void;
  readonly toolCalls: number;
  /** Dollars so far: the larger of the store's usage and what the usage events said. */
  costUsd(storedUsd: number): number;
}

/** Creates a printer writing lines to `out`; times are relative to `startedAt` (ms). */
export function createProgressPrinter(
  out: (line: string) => void,
  startedAt: number,
  now = Date.now,
): ProgressPrinter {
  let toolCalls = 0;
  let stored = 0;
  const itemCosts = new Map<string, number>();
  const seenCost = () => [...itemCosts.values()].reduce((a, b) => a + b, 0);
  const cost = () => Math.max(stored, seenCost());
  return {
    print(event) {
      if (event.kind === "tool") toolCalls++;
      const usage = event.kind === "usage" ? USAGE_LINE.exec(event.message) : null;
      if (usage) itemCosts.set(usage[1]!, Number(usage[2]));
      if (QUIET.has(event.kind)) return;
      const seconds = ((now() - startedAt) / 1000).toFixed(1).padStart(6);
      out(
        `[${seconds}s] ${event.kind.padEnd(9)} ${event.message}  (tools ${toolCalls}, $${cost().toFixed(4)})`,
      );
    },
    get toolCalls() {
      return toolCalls;
    },
    costUsd(storedUsd) {
      stored = storedUsd;
      return cost();
    },
  };
}
