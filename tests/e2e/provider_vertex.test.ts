import { describe, expect, test } from "vitest";
import { PRICES, regionalPrice } from "../../src/agent/model_prices.ts";
import type { VertexStandIn } from "../stand_ins/vertex_server.ts";
import { vertexFront } from "./provider_fronts.ts";
import { providerRun } from "./provider_run.ts";

describe("the demo scenario on Vertex AI, with GKE workload identity, to a pull request", () => {
  const run = providerRun<VertexStandIn>(
    (anthropic) => vertexFront(anthropic),
    // us-east5 is a regional endpoint: Sonnet 4.5's list price plus 10%.
    regionalPrice(PRICES.vertex["claude-sonnet-4"]!),
  );

  test("the job first checked the model with count-tokens:rawPredict", () => {
    expect(run.standIn.calls[0]).toMatchObject({
      method: "countTokens",
      model: "claude-sonnet-4-5@20250929",
    });
  });

  test("each call was rawPredict on the project's model, with the pod's service-account token", () => {
    const predictions = run.standIn.calls.filter((call) => call.method !== "countTokens");
    expect(predictions.length).toBe(run.harness.anthropic!.requests.length);
    for (const call of predictions) {
      expect(call.method).toBe("rawPredict");
      expect(call.model).toBe("claude-sonnet-4-5@20250929");
      expect(call.principal).toBe("agent-runner@acme-agents.iam.gserviceaccount.com");
    }
    expect(run.standIn.refusals).toEqual([]);
  });
});
