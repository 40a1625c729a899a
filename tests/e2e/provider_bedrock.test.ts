import { describe, expect, test } from "vitest";
import { PRICES } from "../../src/agent/model_prices.ts";
import type { BedrockStandIn } from "../stand_ins/bedrock_server.ts";
import { bedrockFront } from "./provider_fronts.ts";
import { providerRun } from "./provider_run.ts";

describe("the demo scenario on Amazon Bedrock, with an IAM role (EKS web identity), to a pull request", () => {
  const run = providerRun<BedrockStandIn>(
    (anthropic) => bedrockFront(anthropic),
    PRICES.bedrock["anthropic.claude-sonnet-4"]!,
  );

  test("each call was InvokeModel on the cross-region inference profile, SigV4-signed by the assumed role", () => {
    expect(run.standIn.calls.length).toBe(run.harness.anthropic!.requests.length);
    for (const call of run.standIn.calls) {
      expect(call.operation).toBe("InvokeModel");
      expect(call.modelId).toBe("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
      expect(call.arn).toMatch(/^arn:aws:sts::123456789012:assumed-role\/agent-runner\//);
      expect(call.body).not.toHaveProperty("model");
    }
    expect(run.standIn.refusals).toEqual([]);
  });
});
