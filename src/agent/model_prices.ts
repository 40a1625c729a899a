/**
 * What a model costs, per provider: the one table the budget prices calls with.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";

/** Where the model is served: the Anthropic API (or a gateway), Amazon Bedrock or Google Vertex AI. */
export const MODEL_PROVIDERS = ["anthropic", "bedrock", "vertex"] as const;

/** One of {@link MODEL_PROVIDERS} (`MODEL_PROVIDER`). */
export type ModelProvider = typeof MODEL_PROVIDERS[number];

/** Dollars per million tokens of one model. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Writing the prompt cache (5-minute entries). */
  cacheWrite: number;
  /** Reading the prompt cache. */
  cacheRead: number;
}

function price(input: number, output: number, cacheRead = input * 0.1): ModelPrice {
  return { input, output, cacheWrite: input * 1.25, cacheRead };
}

/** List prices by model-id prefix, as the Anthropic API, Vertex AI and Bedrock (after `anthropic.`) name them. */
const LIST_PRICES: Readonly<Record<string, ModelPrice>> = {
  "claude-fable-5-1": price(10, 50, 0.25),
  "claude-mythos-5-1": price(10, 50, 0.25),
  "claude-fable-5": price(10, 50),
  "claude-mythos-5": price(10, 50),
  "claude-opus-5-5": price(4, 20, 0.2),
  "claude-opus-5": price(5, 25),
  "claude-opus-4-5": price(5, 25),
  "claude-opus-4-6": price(5, 25),
  "claude-opus-4-7": price(5, 25),
  "claude-opus-4-8": price(5, 25),
  "claude-opus-4": price(15, 75),
  "claude-sonnet-5-5": price(2, 10, 0.1),
  "claude-sonnet-5": price(2, 10),
  "claude-sonnet-4": price(3, 15),
  "claude-3-7-sonnet": price(3, 15),
  "claude-haiku-5-5": price(0.5, 2.5),
  "claude-haiku-4-5": price(1, 5),
  "claude-3-5-haiku": price(0.8, 4),
};

/**
 * USD per million tokens by provider, then by model-id prefix (longest prefix wins, so
 * `claude-sonnet-4-5-20250929` uses `claude-sonnet-4`). Sources: the pricing pages of Anthropic,
 * Amazon Bedrock and Vertex AI (autumn 2026), which list Claude at the same rates (global endpoints;
 * a regional one costs more: see {@link modelPrice}); Bedrock ids carry
 * the `anthropic.` vendor prefix, Vertex ids an `@date` suffix (`claude-sonnet-4-5@20250929`).
 * Tiered prices use the higher tier: this table caps spending, it does not bill it. Models it does
 * not know (a new model, an application inference profile ARN) are priced with `MODEL_PRICES`.
 */
export const PRICES: Readonly<Record<ModelProvider, Readonly<Record<string, ModelPrice>>>> = {
  anthropic: LIST_PRICES,
  vertex: LIST_PRICES,
  bedrock: Object.fromEntries(Object.entries(LIST_PRICES).map(([id, rate]) => [`anthropic.${id}`, rate])),
};

/**
 * A Bedrock cross-region inference profile's geography (`us.anthropic.claude-…`, `global.…`);
 * the profile costs what its model costs on that kind of endpoint. Source: the Bedrock user guide, "Supported Regions and
 * models for inference profiles".
 */
const INFERENCE_PROFILE_PREFIX = /^(?:us|us-gov|eu|apac|jp|au|ca|global)\./;

/**
 * What a regional endpoint costs over the global one on Bedrock and Vertex AI, for Claude Sonnet 4.5,
 * Haiku 4.5, Opus 4.5 and every later model: a Bedrock in-Region id (`anthropic.…`) or geographic
 * cross-region profile (`us.…`, `eu.…`), or a Vertex AI region other than `global`. A `global.…`
 * profile and Vertex's `global` region cost the list price. Sources: Anthropic's pricing page,
 * "Third-party platform pricing"; the Vertex AI guide, "Global vs regional endpoints".
 */
const REGIONAL_PREMIUM = 1.1;

/**
 * The models priced before regional endpoints cost more (Claude 3.x, Opus 4 and 4.1, Sonnet 4), by
 * their id without the vendor and geography prefixes: the name ends, or a date follows
 * (`claude-sonnet-4-20250514`, `claude-sonnet-4@20250514`), so `claude-sonnet-4-5-…` is not one.
 */
const ONE_PRICE_EVERYWHERE = /^claude-(?:3-|(?:opus-4(?:-1)?|sonnet-4)(?:$|[-@]\d{8}))/;

/** `price` on a regional endpoint: every rate {@link REGIONAL_PREMIUM} times the list rate. */
export function regionalPrice(price: ModelPrice): ModelPrice {
  return {
    input: price.input * REGIONAL_PREMIUM,
    output: price.output * REGIONAL_PREMIUM,
    cacheWrite: price.cacheWrite * REGIONAL_PREMIUM,
    cacheRead: price.cacheRead * REGIONAL_PREMIUM,
  };
}

/** Finds the longest prefix of `model` in `prices`, or undefined. */
export function longestPrefixPrice(
  model: string,
  prices: Readonly<Record<string, ModelPrice>>,
): ModelPrice | undefined {
  const key = Object.keys(prices)
    .filter((prefix) => model.startsWith(prefix))
    .sort((a, b) => b.length - a.length)[0];
  return key === undefined ? undefined : prices[key];
}

/**
 * The price of `model` on `provider`: an exact entry of `overrides` (`MODEL_PRICES`) first, as given;
 * then the longest prefix in {@link PRICES} (a Bedrock inference profile priced as its model), with
 * the {@link REGIONAL_PREMIUM} of a regional endpoint. `region` is `CLOUD_ML_REGION` on Vertex AI
 * (`global`: the list price); Bedrock's endpoint is in the id (`global.…`: the list price).
 *
 * @throws {ConfigError} naming `MODEL_PRICES` when no entry matches: a run without a price could not be
 *   capped in dollars, so the service refuses to start.
 */
export function modelPrice(
  provider: ModelProvider,
  model: string,
  overrides: Readonly<Record<string, ModelPrice>>,
  region?: string,
): ModelPrice {
  if (Object.hasOwn(overrides, model)) return overrides[model]!;
  const id = provider === "bedrock" ? model.replace(INFERENCE_PROFILE_PREFIX, "") : model;
  const found = longestPrefixPrice(id, PRICES[provider]);
  if (found === undefined) {
    throw new ConfigError(
      `No price is known for model "${model}" on ${provider}: set MODEL_PRICES, e.g. ` +
        `MODEL_PRICES='{"${model}":{"input":3,"output":15}}' (USD per million tokens; cacheWrite and ` +
        `cacheRead default to 1.25× and 0.1× input)`,
    );
  }
  const regional = provider === "bedrock"
    ? !model.startsWith("global.")
    : provider === "vertex" && region !== "global";
  const premium = regional && !ONE_PRICE_EVERYWHERE.test(id.replace(/^anthropic\./, ""));
  return premium ? regionalPrice(found) : found;
}
