/**
 * Which provider serves the model and how the host reaches it, from the settings (`MODEL_PROVIDER`,
 * `MODEL`, `MODEL_PRICES`, `ANTHROPIC_*`, `AWS_REGION`, `CLOUD_ML_REGION`,
 * `ANTHROPIC_VERTEX_PROJECT_ID`, `GOOGLE_APPLICATION_CREDENTIALS`).
 */
import type { ModelClientOptions } from "./agent/model_client.ts";
import { type ModelPrice, modelPrice } from "./agent/model_prices.ts";
import type { Settings } from "./config_schema.ts";
import { DEFAULT_ANTHROPIC_MODEL } from "./config_schema_model.ts";
import { ConfigError } from "./errors.ts";

/** The model: the client's options, the model id and its price (`MODEL_PRICES` or the table). */
export type ModelConfig = ModelClientOptions & {
  model: string;
  /** Dollars per million tokens of {@link model}, found at start-up. */
  price: ModelPrice;
};

const MODEL_EXAMPLES = {
  bedrock: "a Bedrock model id or inference profile, e.g. us.anthropic.claude-sonnet-4-5-20250929-v1:0",
  vertex: "a Vertex AI model id, e.g. claude-sonnet-4-5@20250929",
} as const;

function invalid(problem: string): ConfigError {
  return new ConfigError(`Invalid configuration:\n  - ${problem}`);
}

/**
 * The model's configuration.
 *
 * @throws {ConfigError} when a setting the provider needs is missing, or the model has no price.
 */
export function modelConfig(e: Settings): ModelConfig {
  const provider = e.MODEL_PROVIDER;
  const common = { maxRetries: e.ANTHROPIC_MAX_RETRIES, customHeaders: e.ANTHROPIC_CUSTOM_HEADERS };
  if (provider !== "anthropic" && e.MODEL === undefined) {
    throw invalid(`MODEL is required with MODEL_PROVIDER=${provider}: ${MODEL_EXAMPLES[provider]}`);
  }
  const model = e.MODEL ?? DEFAULT_ANTHROPIC_MODEL;
  const price = modelPrice(provider, model, e.MODEL_PRICES, e.CLOUD_ML_REGION);
  if (provider === "anthropic") {
    if (e.ANTHROPIC_API_KEY === undefined) {
      throw invalid(
        "ANTHROPIC_API_KEY is required (or set MODEL_PROVIDER=bedrock or vertex to use cloud credentials)",
      );
    }
    return {
      provider,
      apiKey: e.ANTHROPIC_API_KEY,
      ...(e.ANTHROPIC_BASE_URL ? { baseUrl: e.ANTHROPIC_BASE_URL } : {}),
      ...common,
      model,
      price,
    };
  }
  if (provider === "bedrock") {
    if (e.AWS_REGION === undefined) {
      throw invalid('AWS_REGION is required with MODEL_PROVIDER=bedrock, e.g. "us-east-1"');
    }
    return {
      provider,
      region: e.AWS_REGION,
      ...(e.ANTHROPIC_BEDROCK_BASE_URL ? { baseUrl: e.ANTHROPIC_BEDROCK_BASE_URL } : {}),
      ...common,
      model,
      price,
    };
  }
  const missing = [
    e.CLOUD_ML_REGION === undefined ? 'CLOUD_ML_REGION (e.g. "us-east5" or "global")' : "",
    e.ANTHROPIC_VERTEX_PROJECT_ID === undefined ? "ANTHROPIC_VERTEX_PROJECT_ID" : "",
  ].filter(Boolean);
  if (missing.length > 0) throw invalid(`MODEL_PROVIDER=vertex needs ${missing.join(" and ")}`);
  return {
    provider,
    region: e.CLOUD_ML_REGION!,
    projectId: e.ANTHROPIC_VERTEX_PROJECT_ID!,
    ...(e.ANTHROPIC_VERTEX_BASE_URL ? { baseUrl: e.ANTHROPIC_VERTEX_BASE_URL } : {}),
    ...(e.GOOGLE_APPLICATION_CREDENTIALS ? { credentialsFile: e.GOOGLE_APPLICATION_CREDENTIALS } : {}),
    ...common,
    model,
    price,
  };
}

/** A copy of `model` safe to print: the API key and the custom headers' values redacted. */
export function redactedModelConfig(
  model: ModelConfig,
  withoutUserinfo: (url: string) => string,
): ModelConfig {
  const customHeaders = Object.fromEntries(
    Object.keys(model.customHeaders).map((name) => [name, "[redacted]"]),
  );
  const baseUrl = model.baseUrl ? { baseUrl: withoutUserinfo(model.baseUrl) } : {};
  if (model.provider === "anthropic") return { ...model, apiKey: "[redacted]", customHeaders, ...baseUrl };
  return { ...model, customHeaders, ...baseUrl };
}
