/**
 * Runs the agent loop with the real SDK against the Anthropic stand-in, for the tests of the Messages
 * API's hard cases: one script, the stand-in's options, the loop's options, and every event kept.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { ScriptedTurn } from "../../examples/scenario.ts";
import type { BudgetLimits } from "../../src/agent/budget.ts";
import type { AgentEvent } from "../../src/agent/events.ts";
import { type AgentDeps, runAgent, type RunAgentOptions } from "../../src/agent/loop.ts";
import type { MessagesApi } from "../../src/agent/model_call.ts";
import { buildSystemPrompt, buildTaskPrompt } from "../../src/agent/prompt.ts";
import type { Workbench } from "../../src/agent/workbench.ts";
import {
  type AnthropicStandIn,
  type AnthropicStandInOptions,
  startAnthropicStandIn,
} from "../stand_ins/anthropic_server.ts";

/** The model the runs use (priced in the default table). */
export const MODEL = "claude-sonnet-5-5";
/** The issue title the script matches. */
export const TITLE = "[dev] Add health endpoint";
/** Budgets roomy enough that only the case under test stops a run. */
export const BUDGET: BudgetLimits = {
  maxTurns: 20,
  maxOutputTokensPerCall: 4096,
  maxOutputTokensCap: 16_384,
  maxTotalTokens: 1_000_000,
  maxUsd: 10,
  maxWallClockMs: 60_000,
  exactCountWithin: 0.25,
};
const TASK = buildTaskPrompt({
  repo: "acme/api",
  issue: { number: 7, title: TITLE, body: "Add GET /v1/health.", url: "https://example.test/7" },
  acceptanceCriteria: ["GET /v1/health returns 200"],
});

const open: AnthropicStandIn[] = [];

/** Closes the stand-ins the runs started (call in `afterEach`). */
export async function closeStandIns(): Promise<void> {
  for (const standIn of open.splice(0)) await standIn.close();
}

/** Options of {@link runOnStandIn}. */
export interface StandInRun {
  workbench: Workbench;
  standIn?: Partial<AnthropicStandInOptions>;
  run?: Partial<RunAgentOptions>;
  /** The SDK's retries. Default 2. */
  maxRetries?: number;
  /** What the loop gets instead of `client.messages` (e.g. without `countTokens`). */
  messages?: (client: Anthropic) => MessagesApi;
  deps?: Partial<AgentDeps>;
}

/** Runs `turns` to an outcome; returns it with the events, the stand-in and the requests it got. */
export async function runOnStandIn(turns: ScriptedTurn[], options: StandInRun) {
  const standIn = await startAnthropicStandIn({
    scripts: [{ match: TITLE, turns }],
    retryAfterMs: 5,
    minCacheTokens: 100,
    ...options.standIn,
  });
  open.push(standIn);
  const client = new Anthropic({
    apiKey: standIn.apiKey,
    baseURL: standIn.url,
    maxRetries: options.maxRetries ?? 2,
  });
  const events: AgentEvent[] = [];
  const outcome = await runAgent(
    {
      messages: options.messages?.(client) ?? client.messages,
      workbench: options.workbench,
      ...options.deps,
    },
    {
      model: MODEL,
      system: buildSystemPrompt(),
      task: TASK,
      budget: BUDGET,
      maxToolOutputChars: 20_000,
      elideAfterChars: 400_000,
      maxVerifyRetries: 2,
      onEvent: (event) => events.push(event),
      ...options.run,
    },
  );
  return {
    outcome,
    events,
    standIn,
    requests: standIn.requests as Anthropic.Messages.MessageCreateParamsNonStreaming[],
  };
}

/** The `recovery` events of a run, as `[action, detail]`. */
export function recoveries(events: AgentEvent[]): Array<[string, string]> {
  return events.flatMap((event) =>
    event.type === "recovery" ? [[event.action, event.detail] as [string, string]] : []
  );
}
