import { describe, expect, test } from "vitest";
import { PRICES } from "../../src/agent/model_prices.ts";
import type { LlmGateway } from "../stand_ins/llm_gateway.ts";
import { gatewayFront } from "./provider_fronts.ts";
import { providerRun } from "./provider_run.ts";

describe("the demo scenario on the Anthropic API through a gateway with its own header, to a pull request", () => {
  const run = providerRun<LlmGateway>(
    (anthropic) => gatewayFront(anthropic),
    PRICES.anthropic["claude-sonnet-4"]!,
  );

  test("each call passed the gateway with its virtual key and ANTHROPIC_CUSTOM_HEADERS", () => {
    const { requests, countRequests } = run.harness.anthropic!;
    expect(run.standIn.forwarded).toBe(requests.length + countRequests.length);
    expect(countRequests[0]).toMatchObject({ model: "claude-sonnet-4-5-20250929" });
  });
});
