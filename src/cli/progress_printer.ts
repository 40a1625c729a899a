/**
 * Turns a job's progress events into the CLI's lines: one line per step,
 * test run, pull request and ending, each with the tool calls counted and the
 * model cost so far (read from the events' data). Tool calls and usage
 * updates are counted, not printed. A message holds text from the sandbox and
 * the model (file names, reasons), so it is printed through {@link forTerminal}:
 * one line, no control sequence.
 */
import type { JobEvent, JobEventKind } from "../contracts/job_events.ts";
import { forTerminal } from "./terminal_text.ts";

const QUIET: ReadonlySet<JobEventKind> = new Set(["tool", "usage"]);
/** Width of the kind column: the longest kind, `not_committed`. */
const KIND_WIDTH = 13;

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
  /** Each work item's cost so far, from its latest `usage` event. */
  const itemCosts = new Map<number, number>();
  const seenCost = () => [...itemCosts.values()].reduce((a, b) => a + b, 0);
  const cost = () => Math.max(stored, seenCost());
  return {
    print(event) {
      if (event.kind === "tool") toolCalls++;
      if (event.kind === "usage") itemCosts.set(event.data.issue, event.data.costUsd);
      if (QUIET.has(event.kind)) return;
      const seconds = ((now() - startedAt) / 1000).toFixed(1).padStart(6);
      out(
        `[${seconds}s] ${event.kind.padEnd(KIND_WIDTH)} ${
          forTerminal(event.message)
        }  (tools ${toolCalls}, $${cost().toFixed(4)})`,
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
