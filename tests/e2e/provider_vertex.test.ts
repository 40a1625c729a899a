import { describe, expect, test } from "vitest";
import { PRICES } from "../../src/agent/model_prices.ts";
import type { VertexStandIn } from "../stand_ins/vertex_server.ts";
import { vertexFront } from "./provider_fronts.ts";
import { providerRun } from "./provider_run.ts";

describe("the demo scenario on Vertex AI, with GKE workload identity, to a pull request", () => {
  const run = providerRun<VertexStandIn>(
    (anthropic) => vertexFront(anthropic),
    PRICES.vertex["claude-sonnet-4"]!,
  );

  test("each call was rawPredict on the project's model, with the pod's service-account token", () => {
    expect(run.standIn.calls.length).toBe(run.harness.anthropic!.requests.length);
    for (const call of run.standIn.calls) {
      expect(call.method).toBe("rawPredict");
      expect(call.model).toBe("claude-sonnet-4-5@20250929");
      expect(call.principal).toBe("agent-runner@acme-agents.iam.gserviceaccount.com");
    }
    expect(run.standIn.refusals).toEqual([]);
  });
});
