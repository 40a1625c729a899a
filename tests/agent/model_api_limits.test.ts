/**
 * The Messages API's limits and failures, sent by the Anthropic stand-in to the real SDK: rate limits
 * (429 with `retry-after` and `anthropic-ratelimit-*`), overload past the SDK's retries, an unknown
 * model id, usage with cache writes split by TTL, and the budget's projection with the count-tokens
 * endpoint near a cap. Tool calls are answered by a recording workbench (no tool matters here).
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import type { ScriptedTurn } from "../../examples/scenario.ts";
import { createBudget } from "../../src/agent/budget.ts";
import type { AgentEvent } from "../../src/agent/events.ts";
import { startAnthropicStandIn } from "../stand_ins/anthropic_server.ts";
import { recordingWorkbench } from "./recording_workbench.ts";
import { bashTurn, submitTurn } from "./scripted_turns.ts";
import { BUDGET, closeStandIns, MODEL, recoveries, runOnStandIn } from "./stand_in_run.ts";

afterEach(closeStandIns);

function rateLimited(headers: Record<string, string>, times: number): ScriptedTurn {
  return {
    error: {
      status: 429,
      type: "rate_limit_error",
      message: "This request would exceed the rate limit for your organization of 50 requests per minute.",
    },
    times,
    headers,
  };
}

describe("429 rate_limit_error past the SDK's retries", () => {
  it("is waited out (retry-after and the exhausted limit's reset), within the wall clock, and the run goes on", async () => {
    const reset = new Date(Date.now() + 1_500).toISOString();
    const { outcome, events, standIn } = await runOnStandIn([
      bashTurn("ls"),
      rateLimited({
        "retry-after": "1",
        "anthropic-ratelimit-requests-limit": "50",
        "anthropic-ratelimit-requests-remaining": "0",
        "anthropic-ratelimit-requests-reset": reset,
        "anthropic-ratelimit-tokens-remaining": "120000",
      }, 2),
      submitTurn(),
    ], { workbench: recordingWorkbench(), maxRetries: 1, standIn: { retryAfterMs: undefined } });

    expect(outcome.status).toBe("submitted");
    // 1 answer, 2 × 429 (the SDK's try and retry), then the loop's own retry after waiting.
    expect(standIn.requests).toHaveLength(4);
    const [limited] = recoveries(events);
    expect(limited?.[0]).toBe("rate_limited");
    expect(limited?.[1]).toMatch(/^Rate limited \(HTTP 429 \(rate_limit_error\): This request would exceed/);
    expect(limited?.[1]).toMatch(/waiting \d+ ms before retrying$/);
    const waited = Number(/waiting (\d+) ms/.exec(limited![1])![1]);
    expect(waited).toBeGreaterThanOrEqual(1_000);
  });

  it("ends the run timeout at once when the wait is longer than the wall clock left", async () => {
    const { outcome, events } = await runOnStandIn(
      [rateLimited({ "retry-after": "3600" }, 5), submitTurn()],
      {
        workbench: recordingWorkbench(),
        maxRetries: 0,
      },
    );

    expect(outcome.status).toBe("timeout");
    if (outcome.status === "submitted") return;
    expect(outcome.reason).toMatch(
      /^Rate limited by the model API for 3600000 ms, more than the \d+ ms left/,
    );
    expect(recoveries(events)).toEqual([]);
  });

  it("stops waiting when the job is cancelled", async () => {
    const controller = new AbortController();
    const { outcome, standIn } = await runOnStandIn([rateLimited({ "retry-after": "50" }, 5), submitTurn()], {
      workbench: recordingWorkbench(),
      maxRetries: 0,
      run: {
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === "recovery") controller.abort();
        },
      },
    });

    expect(outcome.status).toBe("cancelled");
    expect(standIn.requests).toHaveLength(1);
  });
});

describe("529 overloaded_error past the SDK's retries", () => {
  it("ends the run model_unavailable, naming the status and the request id", async () => {
    const overloaded: ScriptedTurn = {
      error: { status: 529, type: "overloaded_error", message: "Overloaded" },
      times: 10,
    };
    const { outcome, standIn } = await runOnStandIn([bashTurn("ls"), overloaded, submitTurn()], {
      workbench: recordingWorkbench(),
      maxRetries: 2,
    });

    expect(outcome).toMatchObject({ status: "model_unavailable", turns: 2 });
    if (outcome.status === "submitted") return;
    expect(outcome.reason).toMatch(
      /^The model API stayed unavailable after retries: HTTP 529 \(overloaded_error\): Overloaded \[request-id req_\w+\]$/,
    );
    expect(standIn.requests).toHaveLength(4);
  });
});

describe("a model id the API does not serve", () => {
  it("ends the run model_not_found at the first call, naming the id", async () => {
    const { outcome, standIn } = await runOnStandIn([submitTurn()], {
      workbench: recordingWorkbench(),
      standIn: { models: [MODEL] },
      run: { model: "claude-sonnet-4-20250514" },
    });

    expect(outcome).toMatchObject({ status: "model_not_found", turns: 1 });
    if (outcome.status === "submitted") return;
    expect(outcome.reason).toBe(
      'The model API does not serve model "claude-sonnet-4-20250514" (unknown or retired): HTTP 404 ' +
        `(not_found_error): model: claude-sonnet-4-20250514 [request-id ${
          /req_\w+/.exec(outcome.reason)?.[0]
        }]`,
    );
    // Not retried: a 404 is final.
    expect(standIn.requests).toHaveLength(1);
  });
});

describe("usage with cache writes split by TTL", () => {
  it("prices 1-hour writes at twice the input rate and 5-minute writes at 1.25×, counting a message id once", async () => {
    const standIn = await startAnthropicStandIn({
      scripts: [{ match: "ttl", turns: [submitTurn()] }],
      minCacheTokens: 100,
    });
    try {
      const client = new Anthropic({ apiKey: standIn.apiKey, baseURL: standIn.url, maxRetries: 0 });
      const long = "Rules of the house. ".repeat(100);
      const answer = await client.messages.create({
        model: MODEL,
        max_tokens: 1_000,
        system: [
          { type: "text", text: long, cache_control: { type: "ephemeral", ttl: "1h" } },
          { type: "text", text: long.toUpperCase(), cache_control: { type: "ephemeral", ttl: "5m" } },
        ],
        messages: [{ role: "user", content: "ttl" }],
      });
      const { ephemeral_1h_input_tokens: oneHour, ephemeral_5m_input_tokens: fiveMin } = answer.usage
        .cache_creation!;
      expect(oneHour).toBeGreaterThan(400);
      expect(fiveMin).toBeGreaterThan(400);
      expect(answer.usage.cache_creation_input_tokens).toBe(oneHour + fiveMin);

      const budget = createBudget(BUDGET, { model: MODEL });
      budget.record(answer.id, answer.usage);
      const totals = budget.record(answer.id, answer.usage);
      expect(totals).toMatchObject({ ephemeral1hInputTokens: oneHour, ephemeral5mInputTokens: fiveMin });
      // claude-sonnet-5-5: $2/M input, so 1h writes $4/M and 5m writes $2.50/M.
      const expected = (answer.usage.input_tokens * 2 + answer.usage.output_tokens * 10 + oneHour * 4 +
        fiveMin * 2.5) / 1e6;
      expect(totals.costUsd).toBeCloseTo(expected, 12);

      // The API refuses a 1-hour entry after a 5-minute one.
      await expect(client.messages.create({
        model: MODEL,
        max_tokens: 10,
        system: [
          { type: "text", text: long, cache_control: { type: "ephemeral", ttl: "5m" } },
          { type: "text", text: long, cache_control: { type: "ephemeral", ttl: "1h" } },
        ],
        messages: [{ role: "user", content: "ttl" }],
      })).rejects.toThrow(/ttl '1h' must not come after/);
    } finally {
      await standIn.close();
    }
  });
});

describe("the budget's projection near a cap", () => {
  // The stand-in counts 2.5 characters a token, as code and JSON often run: the loop's 4-character
  // estimate is then ~40% low. Small max_tokens leaves little slack to hide that.
  const turns = Array.from({ length: 30 }, (_, i) => bashTurn(`ls /workspace/${i}`));
  const limits = { ...BUDGET, maxTotalTokens: 40_000, maxOutputTokensPerCall: 100, maxOutputTokensCap: 100 };

  function usageEvents(events: AgentEvent[]) {
    return events.flatMap((event) => event.type === "usage" ? [event] : []);
  }

  it("counts the input with the count-tokens endpoint, so the run stops before passing the cap", async () => {
    const { outcome, events, standIn } = await runOnStandIn(turns, {
      workbench: recordingWorkbench(),
      standIn: { charsPerToken: 2.5 },
      run: { budget: limits },
    });

    expect(outcome.status).toBe("budget_exceeded");
    expect(outcome.usage.totalTokens).toBeLessThanOrEqual(40_000);
    expect(standIn.countRequests.length).toBeGreaterThan(0);
    expect(standIn.countRequests.every((r) => !("max_tokens" in (r as object)))).toBe(true);
    const usage = usageEvents(events);
    // Far from the cap the estimate is used; near it, the count, which matches what the call was billed.
    expect(usage[0]!.call.projected.by).toBe("estimate");
    const counted = usage.filter((e) => e.call.projected.by === "count_tokens");
    expect(counted.length).toBeGreaterThan(0);
    for (const event of counted) {
      expect(event.call.projected.inputTokens).toBe(event.call.actual.inputTokens);
      expect(event.call.projected.outputTokens).toBe(100);
      expect(event.call.projected.costUsd).toBeGreaterThanOrEqual(event.call.actual.costUsd);
    }
    expect(outcome.trajectory.at(-1)?.request.projection?.by).toBe("count_tokens");
  });

  it("with only the estimate (a provider without count-tokens), the same run passes the cap", async () => {
    const { outcome, events } = await runOnStandIn(turns, {
      workbench: recordingWorkbench(),
      standIn: { charsPerToken: 2.5 },
      run: { budget: limits },
      messages: (client) => ({ create: client.messages.create.bind(client.messages) }),
    });

    expect(outcome.status).toBe("budget_exceeded");
    expect(outcome.usage.totalTokens).toBeGreaterThan(40_000);
    expect(usageEvents(events).every((e) => e.call.projected.by === "estimate")).toBe(true);
  });
});
