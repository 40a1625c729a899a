/**
 * Budgets for one agent run: turns, tokens, dollars and wall clock, checked
 * before every model call against what that call could cost at `max_tokens`.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { ResponseUsage, Usage } from "../contracts/usage.ts";
import { longestPrefixPrice, type ModelPrice, PRICES } from "./model_prices.ts";
import { cacheTokens, costOf, usd } from "./usage_cost.ts";

/** The limits of one run. */
export interface BudgetLimits {
  /** Most model calls in the run. */
  maxTurns: number;
  /** `max_tokens` of each call. Keep it at most ~21,000: the SDK refuses longer non-streaming calls. */
  maxOutputTokensPerCall: number;
  /**
   * Highest `max_tokens` a turn is retried with when a tool call was cut off at `max_tokens` (the
   * limit doubles per retry; at this cap the model is told to split the change instead).
   */
  maxOutputTokensCap: number;
  /**
   * When the next call's estimated worst case would bring the token or dollar total (or the shared
   * allowance) within this fraction of its cap, its input is counted by the count-tokens endpoint
   * instead of estimated. 0 < value ≤ 1.
   */
  exactCountWithin: number;
  /** Most tokens in the run: input + cache writes + cache reads + output. */
  maxTotalTokens: number;
  /** Most dollars in the run, at {@link ModelPrice} rates. */
  maxUsd: number;
  /** Most milliseconds from the start of the run to the start of any model call or tool call. */
  maxWallClockMs: number;
  /**
   * Dollars shared with other runs, e.g. the submitter's daily quota (`QUOTA_USD_PER_DAY`): a call
   * that could cost more than it has left does not start. Absent: only {@link maxUsd} applies.
   */
  allowance?: SharedAllowance;
}

/** A dollar limit shared beyond one run, read before every model call. */
export interface SharedAllowance {
  /** Dollars left now, across every run it is shared with (what they recorded so far counted). */
  remainingUsd(): number;
  /** What the limit is, for the stop reason: `Daily budget of key:ci (QUOTA_USD_PER_DAY=$100.00)`. */
  readonly label: string;
  /** When it is topped up again, for the stop reason: `at 00:00 UTC`. */
  readonly renews: string;
}

export type { ModelPrice };

/** The Anthropic API's list prices (see {@link PRICES} for every provider's). */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = PRICES.anthropic;

/**
 * Finds the price of `model` by longest prefix in `prices`.
 *
 * @throws {ConfigError} when no entry matches: a run without a price could not be capped in dollars.
 */
export function priceOf(model: string, prices: Readonly<Record<string, ModelPrice>>): ModelPrice {
  const found = longestPrefixPrice(model, prices);
  if (found === undefined) {
    throw new ConfigError(`No price is known for model "${model}": set MODEL_PRICES`);
  }
  return found;
}

/** Why the next model call may not start, or `undefined` when it may. */
export type BudgetStop = { kind: "budget_exceeded" | "timeout"; reason: string } | undefined;

/** The worst case of one call: its input and `max_tokens` of output, in tokens and dollars. */
export interface CallProjection {
  tokens: number;
  usd: number;
}

/** Tracks one run's spending; see {@link createBudget}. */
export interface Budget {
  /**
   * Checks the turn, token, dollar and clock limits for a call whose input is about `inputTokens` and
   * whose `max_tokens` is `maxOutputTokens` (default: `maxOutputTokensPerCall`).
   */
  checkCall(inputTokens: number, maxOutputTokens?: number): BudgetStop;
  /**
   * The worst case of such a call: every input token priced at the dearer of input and cache-write
   * rates (a cache write costs more than plain input), every output token at `max_tokens`.
   */
  projectCall(inputTokens: number, maxOutputTokens?: number): CallProjection;
  /**
   * Whether `projection` would bring the token total, the dollar total or the shared allowance
   * within the fraction `within` (0–1) of its cap, or past it: where a rough input estimate matters.
   */
  isNearCap(projection: CallProjection, within: number): boolean;
  /** Dollars of one response's usage at the model's rates. */
  costOf(usage: ResponseUsage): number;
  /** Checks the wall clock only (before a tool call). */
  checkClock(): BudgetStop;
  /**
   * Counts a response's usage; a message id already counted is ignored. Cache writes are priced by
   * TTL when the response splits them (`cache_creation`): 5-minute entries at `cacheWrite`, 1-hour
   * entries at twice the input rate (Anthropic's pricing page). Returns the new totals.
   */
  record(messageId: string, usage: ResponseUsage): Usage;
  /** Counts one model call about to start. */
  startTurn(): void;
  /** Milliseconds left on the wall clock (at least 0). */
  remainingMs(): number;
  readonly turns: number;
  readonly totals: Usage;
}

/** Options for {@link createBudget}. */
export interface BudgetOptions {
  /** Model id, used to find its price. */
  model: string;
  /** Milliseconds since an epoch. Default: `Date.now`. */
  clock?: () => number;
  /** Price overrides merged over {@link DEFAULT_PRICES}. */
  prices?: Readonly<Record<string, ModelPrice>>;
}

/**
 * Creates the budget of one run; the wall clock starts now.
 *
 * @throws {ConfigError} when a limit is not a positive number (or `exactCountWithin` is over 1), or
 *   the model has no price.
 */
export function createBudget(limits: BudgetLimits, options: BudgetOptions): Budget {
  const { allowance, ...numbers } = limits;
  for (const [name, value] of Object.entries(numbers)) {
    if (!(typeof value === "number" && value > 0)) {
      throw new ConfigError(`Budget limit "${name}" must be a positive number, got ${String(value)}`);
    }
  }
  if (limits.exactCountWithin > 1) {
    throw new ConfigError(
      `Budget limit "exactCountWithin" must be at most 1, got ${limits.exactCountWithin}`,
    );
  }
  const rate = priceOf(options.model, { ...DEFAULT_PRICES, ...options.prices });
  const clock = options.clock ?? Date.now;
  const startedAt = clock();
  const counted = new Set<string>();
  const totals: Usage = {
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationInputTokens: 0,
    cacheReadInputTokens: 0,
    ephemeral5mInputTokens: 0,
    ephemeral1hInputTokens: 0,
    totalTokens: 0,
    costUsd: 0,
  };
  let turns = 0;

  const dollars = (n: number) => `$${n.toFixed(4)}`;

  function projectCall(inputTokens: number, maxOut = limits.maxOutputTokensPerCall): CallProjection {
    return {
      tokens: inputTokens + maxOut,
      usd: usd(inputTokens, Math.max(rate.input, rate.cacheWrite)) + usd(maxOut, rate.output),
    };
  }

  function checkClock(): BudgetStop {
    const elapsed = clock() - startedAt;
    if (elapsed >= limits.maxWallClockMs) {
      return {
        kind: "timeout",
        reason: `Wall-clock budget of ${limits.maxWallClockMs} ms used up after ${elapsed} ms`,
      };
    }
    return undefined;
  }

  return {
    checkClock,
    projectCall,
    costOf: (usage) => costOf(usage, rate),
    isNearCap(projection, within) {
      const near = (used: number, cap: number) => used >= cap * (1 - within);
      const left = allowance?.remainingUsd();
      return near(totals.totalTokens + projection.tokens, limits.maxTotalTokens) ||
        near(totals.costUsd + projection.usd, limits.maxUsd) ||
        (left !== undefined && projection.usd >= left * (1 - within));
    },
    checkCall(inputTokens, maxOut = limits.maxOutputTokensPerCall) {
      const late = checkClock();
      if (late) return late;
      if (turns >= limits.maxTurns) {
        return { kind: "budget_exceeded", reason: `Turn budget of ${limits.maxTurns} model calls used up` };
      }
      const { tokens: projectedTokens, usd: projectedUsd } = projectCall(inputTokens, maxOut);
      if (totals.totalTokens + projectedTokens > limits.maxTotalTokens) {
        return {
          kind: "budget_exceeded",
          reason: `Token budget of ${limits.maxTotalTokens} would be exceeded: ${totals.totalTokens} used, ` +
            `next call could use ${projectedTokens} (~${inputTokens} in + ${maxOut} out)`,
        };
      }
      if (totals.costUsd + projectedUsd > limits.maxUsd) {
        return {
          kind: "budget_exceeded",
          reason:
            `Dollar budget of ${dollars(limits.maxUsd)} would be exceeded: ${dollars(totals.costUsd)} ` +
            `spent, next call could cost ${dollars(projectedUsd)}`,
        };
      }
      const left = allowance?.remainingUsd();
      if (allowance && left !== undefined && projectedUsd > left) {
        return {
          kind: "budget_exceeded",
          reason: `${allowance.label} would be exceeded: ${dollars(Math.max(0, left))} left, next call ` +
            `could cost ${dollars(projectedUsd)}; it renews ${allowance.renews}`,
        };
      }
      return undefined;
    },
    record(messageId, usage) {
      if (counted.has(messageId)) return { ...totals };
      counted.add(messageId);
      const { cacheWrite, cacheRead, ephemeral5m, ephemeral1h } = cacheTokens(usage);
      totals.inputTokens += usage.input_tokens;
      totals.outputTokens += usage.output_tokens;
      totals.cacheCreationInputTokens += cacheWrite;
      totals.cacheReadInputTokens += cacheRead;
      totals.ephemeral5mInputTokens += ephemeral5m;
      totals.ephemeral1hInputTokens += ephemeral1h;
      totals.totalTokens += usage.input_tokens + usage.output_tokens + cacheWrite + cacheRead;
      totals.costUsd += costOf(usage, rate);
      return { ...totals };
    },
    startTurn() {
      turns += 1;
    },
    remainingMs() {
      return Math.max(0, limits.maxWallClockMs - (clock() - startedAt));
    },
    get turns() {
      return turns;
    },
    get totals() {
      return { ...totals };
    },
  };
}
