import { describe, expect, test } from "vitest";
import { loadConfig } from "../src/config.ts";
import { redactedConfig } from "../src/config_redacted.ts";
import { longestPrefixPrice, modelPrice, PRICES } from "../src/agent/model_prices.ts";
import { ConfigError } from "../src/errors.ts";

const BASE = { GITHUB_TOKEN: "ghp_x", AUTH_DISABLED: "true" };
const BEDROCK = { ...BASE, MODEL_PROVIDER: "bedrock", AWS_REGION: "us-east-1" };
const VERTEX = {
  ...BASE,
  MODEL_PROVIDER: "vertex",
  CLOUD_ML_REGION: "us-east5",
  ANTHROPIC_VERTEX_PROJECT_ID: "acme-agents",
};

describe("MODEL_PROVIDER", () => {
  test("defaults to the Anthropic API, which needs ANTHROPIC_API_KEY and runs the default model", () => {
    const config = loadConfig({ ...BASE, ANTHROPIC_API_KEY: "sk-ant-1" });
    expect(config.model).toMatchObject({
      provider: "anthropic",
      apiKey: "sk-ant-1",
      model: "claude-sonnet-5-5",
    });
    expect(() => loadConfig(BASE)).toThrow(
      /ANTHROPIC_API_KEY is required .*MODEL_PROVIDER=bedrock or vertex/,
    );
    expect(() => loadConfig({ ...BASE, ANTHROPIC_API_KEY: "k", MODEL_PROVIDER: "openai" })).toThrow(
      /MODEL_PROVIDER must be one of anthropic, bedrock, vertex/,
    );
  });

  test("Bedrock takes AWS_REGION and a model id or cross-region inference profile, and no Anthropic key", () => {
    const config = loadConfig({ ...BEDROCK, MODEL: "us.anthropic.claude-sonnet-4-5-20250929-v1:0" });
    expect(config.model).toMatchObject({
      provider: "bedrock",
      region: "us-east-1",
      model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    });
    // A geographic profile is a regional endpoint: Sonnet 4.5's list price plus 10%.
    expect(config.model.price.input).toBeCloseTo(3.3);
    expect(config.model.price.output).toBeCloseTo(16.5);
    expect(config.model).not.toHaveProperty("apiKey");
    expect(() => loadConfig({ ...BEDROCK, AWS_REGION: undefined, MODEL: "anthropic.claude-opus-4-8-v1:0" }))
      .toThrow(/AWS_REGION is required with MODEL_PROVIDER=bedrock/);
    expect(() => loadConfig({ ...BEDROCK, AWS_REGION: "virginia", MODEL: "anthropic.claude-opus-4-8-v1:0" }))
      .toThrow(/AWS_REGION must be an AWS Region code/);
    expect(() => loadConfig(BEDROCK)).toThrow(
      /MODEL is required with MODEL_PROVIDER=bedrock: .*us\.anthropic\./,
    );
  });

  test("Vertex AI takes CLOUD_ML_REGION, ANTHROPIC_VERTEX_PROJECT_ID (an id, a domain-scoped id or a number) and an optional credentials file", () => {
    const config = loadConfig({
      ...VERTEX,
      MODEL: "claude-opus-4-8@20260101",
      GOOGLE_APPLICATION_CREDENTIALS: "/run/secrets/gcp.json",
    });
    expect(config.model).toMatchObject({
      provider: "vertex",
      region: "us-east5",
      projectId: "acme-agents",
      credentialsFile: "/run/secrets/gcp.json",
    });
    expect(config.model.price.input).toBeCloseTo(5.5); // us-east5 is a regional endpoint
    expect(config.model.price.output).toBeCloseTo(27.5);
    const global = loadConfig({ ...VERTEX, CLOUD_ML_REGION: "global", MODEL: "claude-opus-4-8@20260101" });
    expect(global.model.price).toMatchObject({ input: 5, output: 25 });
    for (const project of ["example.com:acme-agents", "123456789012"]) {
      expect(loadConfig({ ...VERTEX, ANTHROPIC_VERTEX_PROJECT_ID: project, MODEL: "claude-opus-4-8" }).model)
        .toMatchObject({ projectId: project });
    }
    for (const project of ["Acme_Agents", "acme", "example.com:", "projects/acme-agents"]) {
      expect(
        () => loadConfig({ ...VERTEX, ANTHROPIC_VERTEX_PROJECT_ID: project, MODEL: "claude-opus-4-8" }),
        project,
      )
        .toThrow(/ANTHROPIC_VERTEX_PROJECT_ID must be a Google Cloud project id/);
    }
    expect(() =>
      loadConfig({
        ...VERTEX,
        CLOUD_ML_REGION: undefined,
        ANTHROPIC_VERTEX_PROJECT_ID: undefined,
        MODEL: "claude-opus-4-8",
      })
    )
      .toThrow(/MODEL_PROVIDER=vertex needs CLOUD_ML_REGION .* and ANTHROPIC_VERTEX_PROJECT_ID/);
  });

  test("a model without a price refuses to start, naming MODEL_PRICES; a MODEL_PRICES entry prices it", () => {
    const arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3";
    let refusal: unknown;
    try {
      loadConfig({ ...BEDROCK, MODEL: arn });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ConfigError);
    expect(String(refusal)).toContain(`No price is known for model "${arn}" on bedrock: set MODEL_PRICES`);
    const priced = loadConfig({
      ...BEDROCK,
      MODEL: arn,
      MODEL_PRICES: JSON.stringify({ [arn]: { input: 3, output: 15 } }),
    });
    expect(priced.model.price).toMatchObject({ input: 3, output: 15, cacheWrite: 3.75 });
    expect(priced.model.price.cacheRead).toBeCloseTo(0.3);
    expect(() => loadConfig({ ...BEDROCK, MODEL: arn, MODEL_PRICES: '{"x": {"input": "cheap"}}' })).toThrow(
      /MODEL_PRICES must be a JSON object like/,
    );
  });

  test("one table prices each provider's ids: Bedrock's vendor prefix and geographies, Vertex's @date", () => {
    const sonnet = PRICES.anthropic["claude-sonnet-4"];
    expect(modelPrice("anthropic", "claude-sonnet-4-5-20250929", {})).toEqual(sonnet);
    expect(modelPrice("vertex", "claude-sonnet-4-5@20250929", {}, "global")).toEqual(sonnet);
    expect(modelPrice("bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", {})).toEqual(sonnet);
    expect(() => modelPrice("bedrock", "claude-sonnet-4-5", {})).toThrow(/on bedrock: set MODEL_PRICES/);
  });

  test("from Sonnet 4.5 on, a regional endpoint costs 10% over the global one; older models cost the same everywhere", () => {
    const sonnet = PRICES.anthropic["claude-sonnet-4"]!;
    const regional = [
      modelPrice("vertex", "claude-sonnet-4-5@20250929", {}, "us-east5"),
      modelPrice("bedrock", "anthropic.claude-sonnet-4-5-20250929-v1:0", {}),
      modelPrice("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", {}),
      modelPrice("bedrock", "eu.anthropic.claude-sonnet-4-5-20250929-v1:0", {}),
    ];
    for (const price of regional) {
      expect(price.input).toBeCloseTo(sonnet.input * 1.1);
      expect(price.output).toBeCloseTo(sonnet.output * 1.1);
      expect(price.cacheWrite).toBeCloseTo(sonnet.cacheWrite * 1.1);
      expect(price.cacheRead).toBeCloseTo(sonnet.cacheRead * 1.1);
      expect([price.input, price.output]).toEqual([expect.closeTo(3.3), expect.closeTo(16.5)]);
    }
    const haiku = modelPrice("bedrock", "jp.anthropic.claude-haiku-4-5-20251001-v1:0", {});
    expect([haiku.input, haiku.output].map((n) => n.toFixed(2))).toEqual(["1.10", "5.50"]);
    for (
      const [provider, id] of [
        ["vertex", "claude-sonnet-4@20250514"],
        ["bedrock", "us.anthropic.claude-sonnet-4-20250514-v1:0"],
        ["bedrock", "anthropic.claude-opus-4-1-20250805-v1:0"],
        ["vertex", "claude-3-7-sonnet@20250219"],
      ] as const
    ) {
      expect(modelPrice(provider, id, {}, "us-east5"), id).toEqual(
        longestPrefixPrice(id.replace(/^(?:us\.)?anthropic\./, ""), PRICES.anthropic),
      );
    }
    const own = { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 };
    expect(modelPrice("vertex", "claude-next@20270101", { "claude-next@20270101": own }, "us-east5")).toBe(
      own,
    );
  });
});

describe("the providers' base URLs", () => {
  test("an http(s) URL is taken; any other scheme, which fetch cannot reach, refuses to start naming the setting", () => {
    const settings = {
      ANTHROPIC_BASE_URL: { ...BASE, ANTHROPIC_API_KEY: "k" },
      ANTHROPIC_BEDROCK_BASE_URL: { ...BEDROCK, MODEL: "anthropic.claude-opus-4-8-v1:0" },
      ANTHROPIC_VERTEX_BASE_URL: { ...VERTEX, MODEL: "claude-opus-4-8@20260101" },
    };
    for (const [name, env] of Object.entries(settings)) {
      expect(loadConfig({ ...env, [name]: "https://llm-gateway.acme.internal/anthropic" }).model.baseUrl)
        .toBe("https://llm-gateway.acme.internal/anthropic");
      for (
        const url of ["ftp://llm-gateway.acme.internal", "file:///etc/passwd", "llm-gateway.acme.internal"]
      ) {
        expect(() => loadConfig({ ...env, [name]: url })).toThrow(`${name} must be an http(s) URL`);
      }
    }
  });
});

describe("ANTHROPIC_CUSTOM_HEADERS", () => {
  test("one `Name: value` per line, sent by every provider's client, redacted when the config is shown", () => {
    const config = loadConfig({
      ...BASE,
      ANTHROPIC_API_KEY: "sk-ant-1",
      ANTHROPIC_BASE_URL: "https://llm-gateway.acme.internal",
      ANTHROPIC_CUSTOM_HEADERS: "X-Gateway-Key: gw-secret-123\n\nX-Team: payments",
    });
    expect(config.model.customHeaders).toEqual({ "x-gateway-key": "gw-secret-123", "x-team": "payments" });
    const shown = JSON.stringify(redactedConfig(config));
    expect(shown).not.toContain("gw-secret-123");
    expect(shown).not.toContain("sk-ant-1");
    expect(shown).toContain('"x-gateway-key":"[redacted]"');
  });

  test("a line that is not a header, a value fetch could not send, or a header the client owns, is refused without quoting a value", () => {
    for (
      const [text, problem] of [
        ["gw-secret-123", /line 1 must be "Name: value"/],
        ["X-Key: a\nBad Name: gw-secret-123", /line 2 must be "Name: value"/],
        ["Host: gw-secret-123", /the host header is set by the HTTP client/],
        ["X-Key: a\nx-key: gw-secret-123", /x-key is given twice/],
        ["X-Key: gw\x01secret-123", /line 1: the value holds a character HTTP does not allow/],
        ["X-Key: a\nX-Team: gw-secret-123\x7f", /line 2: the value holds a character HTTP does not allow/],
        ["X-Key: a\rX-Team: gw-secret-123", /line 1: the value holds a character HTTP does not allow/],
        ["X-Key: gw-secret-123 €", /line 1: the value holds a character HTTP does not allow/],
      ] as const
    ) {
      let message = "";
      try {
        loadConfig({ ...BASE, ANTHROPIC_API_KEY: "k", ANTHROPIC_CUSTOM_HEADERS: text });
      } catch (error) {
        message = String(error);
      }
      expect(message).toMatch(problem);
      expect(message).not.toContain("gw-secret-123");
    }
  });
});
