/**
 * The model check a job makes before any work, on each provider through its stand-in and the real
 * SDKs: a served model id passes, an unknown or retired one is named with the setting to change, and
 * the answer is kept for the process (an undecided one is asked again). On Bedrock the check and the
 * budget's exact counts go through Bedrock Runtime's CountTokens, SigV4-signed by the same role.
 */
import { afterEach, describe, expect, test } from "vitest";
import { countInputTokens } from "../../src/agent/model_call.ts";
import { createModelCheck } from "../../src/agent/model_check.ts";
import { createMessagesApi, type ModelClientOptions } from "../../src/agent/model_client.ts";
import { type AnthropicStandIn, startAnthropicStandIn } from "../stand_ins/anthropic_server.ts";
import type { BedrockStandIn, BedrockStandInOptions } from "../stand_ins/bedrock_server.ts";
import type { VertexStandIn } from "../stand_ins/vertex_server.ts";
import { bedrockFront, gatewayFront, type ProviderFront, vertexFront } from "../e2e/provider_fronts.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const COMMON = { maxRetries: 0, customHeaders: {} };
const PROFILE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const FOUNDATION = "anthropic.claude-sonnet-4-5-20250929-v1:0";

async function upstream(models?: string[]): Promise<AnthropicStandIn> {
  const standIn = await startAnthropicStandIn({ scripts: [], ...(models ? { models } : {}) });
  cleanups.push(() => standIn.close());
  return standIn;
}

async function front<T>(made: Promise<ProviderFront<T>>): Promise<ProviderFront<T>> {
  const opened = await made;
  cleanups.push(() => opened.close());
  return opened;
}

async function bedrock(
  options:
    & { models?: string[]; customHeaders?: Record<string, string> }
    & Pick<BedrockStandInOptions, "retired"> = {},
) {
  const anthropic = await upstream(options.models);
  const opened = await front<BedrockStandIn>(
    bedrockFront(anthropic, options.retired ? { retired: options.retired } : {}),
  );
  const client: ModelClientOptions = {
    provider: "bedrock",
    region: "us-east-1",
    baseUrl: opened.env.ANTHROPIC_BEDROCK_BASE_URL!,
    ...COMMON,
    ...(options.customHeaders ? { customHeaders: options.customHeaders } : {}),
  };
  return { anthropic, standIn: opened.standIn, messages: await createMessagesApi(client) };
}

describe("on the Anthropic API (through a gateway)", () => {
  async function gateway(models?: string[]) {
    const anthropic = await upstream(models);
    const opened = await front(gatewayFront(anthropic));
    const client: ModelClientOptions = {
      provider: "anthropic",
      apiKey: opened.env.ANTHROPIC_API_KEY!,
      baseUrl: opened.env.ANTHROPIC_BASE_URL!,
      maxRetries: 0,
      customHeaders: { "X-Gateway-Key": "gw-3f9c1e7a5b2d4c6e8f0a1b3c5d7e9f21" },
    };
    return { anthropic, messages: await createMessagesApi(client) };
  }

  test("a served model passes once; the next job is not asked again", async () => {
    const { anthropic, messages } = await gateway(["claude-sonnet-4-5-20250929"]);
    const check = createModelCheck(messages);
    expect(await check("claude-sonnet-4-5-20250929")).toEqual({ verdict: "served" });
    expect(await check("claude-sonnet-4-5-20250929")).toEqual({ verdict: "served" });
    expect(anthropic.countRequests).toHaveLength(1);
    expect(anthropic.requests).toEqual([]);
  });

  test("an unknown or retired model id is not found, named with the setting to change, and kept", async () => {
    const { anthropic, messages } = await gateway(["claude-sonnet-4-5-20250929"]);
    const check = createModelCheck(messages);
    const answer = await check("claude-sonnet-4-20250514");
    expect(answer.verdict).toBe("not_found");
    expect(answer.verdict === "not_found" && answer.reason).toMatch(
      /^The model API does not serve model "claude-sonnet-4-20250514" \(unknown or retired\): HTTP 404 \(not_found_error\): model: claude-sonnet-4-20250514 .*; set MODEL to a model id the API serves$/,
    );
    expect(await check("claude-sonnet-4-20250514")).toEqual(answer);
    expect(anthropic.countRequests).toHaveLength(1);
  });

  test("a refused credential leaves the check undecided, and the next job asks again", async () => {
    const anthropic = await upstream();
    const messages = await createMessagesApi({
      provider: "anthropic",
      apiKey: "sk-ant-wrong-key-000000000000",
      baseUrl: anthropic.url,
      ...COMMON,
    });
    const check = createModelCheck(messages);
    const answer = await check("claude-sonnet-4-5-20250929");
    expect(answer.verdict).toBe("undecided");
    expect(JSON.stringify(answer)).not.toContain("sk-ant-wrong-key-000000000000");
    await check("claude-sonnet-4-5-20250929");
    expect(anthropic.countRequests).toHaveLength(2);
  });
});

describe("on Amazon Bedrock (Bedrock Runtime CountTokens)", () => {
  test("a cross-region inference profile is checked on its foundation model, signed by the role", async () => {
    const { standIn, anthropic, messages } = await bedrock();
    expect(await createModelCheck(messages)(PROFILE)).toEqual({ verdict: "served" });
    expect(standIn.calls).toEqual([
      expect.objectContaining({ operation: "CountTokens", modelId: FOUNDATION }),
    ]);
    expect(standIn.calls[0]!.arn).toMatch(/^arn:aws:sts::123456789012:assumed-role\/agent-runner\//);
    expect(standIn.calls[0]!.body).toMatchObject({ anthropic_version: "bedrock-2023-05-31" });
    expect(anthropic.requests).toEqual([]);
  });

  test("a model past its end of life is not found, with Bedrock's words", async () => {
    const { messages } = await bedrock({ retired: ["anthropic.claude-3-5-sonnet-20241022-v2:0"] });
    const answer = await createModelCheck(messages)("us.anthropic.claude-3-5-sonnet-20241022-v2:0");
    expect(answer.verdict).toBe("not_found");
    expect(answer.verdict === "not_found" && answer.reason).toMatch(
      /^The model API does not serve model "us\.anthropic\.claude-3-5-sonnet-20241022-v2:0" \(unknown or retired\): HTTP 404.*This model version has reached the end of its life\..*; set MODEL to a model id the API serves$/,
    );
  });

  test("an id Bedrock does not know, or one that is not a Bedrock id, is not found", async () => {
    const { messages, standIn } = await bedrock({ models: [FOUNDATION, PROFILE] });
    const check = createModelCheck(messages);
    for (const model of ["anthropic.claude-sonnet-9-v1:0", "claude-sonnet-4-5-20250929"]) {
      const answer = await check(model);
      expect(answer.verdict, model).toBe("not_found");
      expect(answer.verdict === "not_found" && answer.reason).toContain(
        "The provided model identifier is invalid.",
      );
    }
    expect(standIn.refusals).toEqual(["ValidationException", "ValidationException"]);
  });

  test("the budget's exact count near a cap is Bedrock's CountTokens answer, the same as the API's", async () => {
    const { standIn, anthropic, messages } = await bedrock();
    const params = {
      model: PROFILE,
      system: "You are a careful engineer.",
      messages: [{ role: "user" as const, content: "Please add a /stats endpoint. ".repeat(40) }],
    };
    const bounds = { model: PROFILE, timeoutMs: 30_000, cancel: undefined, now: Date.now };
    const counted = await countInputTokens(messages, params, bounds);
    const direct = await fetch(`${anthropic.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: {
        "x-api-key": anthropic.apiKey,
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
      },
      body: JSON.stringify({ ...params, model: FOUNDATION }),
    });
    expect(counted).toBe((await direct.json()).input_tokens);
    expect(counted).toBeGreaterThan(100);
    expect(standIn.calls.map((c) => c.operation)).toEqual(["CountTokens"]);
  });
});

describe("ANTHROPIC_CUSTOM_HEADERS on Amazon Bedrock", () => {
  test("CountTokens carries them as InvokeModel does, under the SigV4 signature", async () => {
    const { standIn, messages } = await bedrock({ customHeaders: { "x-team": "payments" } });
    expect(await createModelCheck(messages)(PROFILE)).toEqual({ verdict: "served" });
    await messages.create({ model: PROFILE, max_tokens: 16, messages: [{ role: "user", content: "hi" }] })
      .catch(() => undefined); // the Anthropic stand-in has no turn to play: only the request matters
    expect(standIn.calls.map((call) => call.operation)).toEqual(["CountTokens", "InvokeModel"]);
    for (const call of standIn.calls) {
      expect(call.headers["x-team"], call.operation).toBe("payments");
      expect(call.headers.authorization, call.operation).toMatch(/SignedHeaders=[a-z0-9;-]*\bx-team\b/);
    }
  });
});

describe("on Vertex AI (count-tokens:rawPredict)", () => {
  async function vertex(models?: string[]) {
    const anthropic = await upstream(models);
    const opened = await front<VertexStandIn>(vertexFront(anthropic));
    const messages = await createMessagesApi({
      provider: "vertex",
      region: "us-east5",
      projectId: "acme-agents",
      baseUrl: opened.env.ANTHROPIC_VERTEX_BASE_URL!,
      ...COMMON,
    });
    return { standIn: opened.standIn, messages };
  }

  test("a served model passes; an unknown one gets Vertex's Publisher Model not found", async () => {
    const { standIn, messages } = await vertex(["claude-sonnet-4-5@20250929"]);
    const check = createModelCheck(messages);
    expect(await check("claude-sonnet-4-5@20250929")).toEqual({ verdict: "served" });
    const answer = await check("claude-3-5-sonnet-v2@20241022");
    expect(answer.verdict).toBe("not_found");
    expect(answer.verdict === "not_found" && answer.reason).toMatch(
      /does not serve model "claude-3-5-sonnet-v2@20241022" \(unknown or retired\): HTTP 404.*Publisher Model `projects\/acme-agents\/locations\/us-east5\/publishers\/anthropic\/models\/claude-3-5-sonnet-v2@20241022` not found\..*; set MODEL/,
    );
    expect(standIn.calls.map((c) => [c.method, c.model])).toEqual([
      ["countTokens", "claude-sonnet-4-5@20250929"],
      ["countTokens", "claude-3-5-sonnet-v2@20241022"],
    ]);
  });
});
