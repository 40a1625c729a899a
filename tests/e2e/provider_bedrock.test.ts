import { describe, expect, test } from "vitest";
import { PRICES, regionalPrice } from "../../src/agent/model_prices.ts";
import type { BedrockStandIn } from "../stand_ins/bedrock_server.ts";
import { bedrockFront } from "./provider_fronts.ts";
import { providerRun } from "./provider_run.ts";

describe("the demo scenario on Amazon Bedrock, with an IAM role (EKS web identity), to a pull request", () => {
  const run = providerRun<BedrockStandIn>(
    (anthropic) => bedrockFront(anthropic),
    // A `us.` profile is a regional endpoint: Sonnet 4.5's list price plus 10%.
    regionalPrice(PRICES.bedrock["anthropic.claude-sonnet-4"]!),
  );

  test("the job first checked the model with CountTokens on the profile's foundation model", () => {
    expect(run.standIn.calls[0]).toMatchObject({
      operation: "CountTokens",
      modelId: "anthropic.claude-sonnet-4-5-20250929-v1:0",
      arn: expect.stringMatching(/^arn:aws:sts::123456789012:assumed-role\/agent-runner\//),
    });
  });

  test("each call was InvokeModel on the cross-region inference profile, SigV4-signed by the assumed role", () => {
    const invocations = run.standIn.calls.filter((call) => call.operation !== "CountTokens");
    expect(invocations.length).toBe(run.harness.anthropic!.requests.length);
    for (const call of invocations) {
      expect(call.operation).toBe("InvokeModel");
      expect(call.modelId).toBe("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
      expect(call.arn).toMatch(/^arn:aws:sts::123456789012:assumed-role\/agent-runner\//);
      expect(call.body).not.toHaveProperty("model");
    }
    expect(run.standIn.refusals).toEqual([]);
  });
});
