/**
 * The settings of the model: its provider and how the host reaches it (Anthropic API, Bedrock, Vertex),
 * its prices, and the budgets and context limits of one work item's run. Part of the settings schema
 * (`config_schema.ts`).
 */
import { z } from "zod";
import { parseCustomHeaders } from "./agent/custom_headers.ts";
import { MODEL_PROVIDERS } from "./agent/model_prices.ts";
import { httpUrl, positive, positiveInt, secret, token } from "./config_setting_kinds.ts";

/** `MODEL`'s default on `MODEL_PROVIDER=anthropic`; Bedrock and Vertex name their models their own way. */
export const DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-5-5";

const usdPerMillion = z.number().nonnegative();
/** `MODEL_PRICES`: USD per million tokens by exact model id; cache rates default from the input rate. */
const modelPricesSchema = z.record(
  z.string().min(1),
  z.object({
    input: usdPerMillion,
    output: usdPerMillion,
    cacheWrite: usdPerMillion.optional(),
    cacheRead: usdPerMillion.optional(),
  }).strict().transform((p) => ({
    input: p.input,
    output: p.output,
    cacheWrite: p.cacheWrite ?? p.input * 1.25,
    cacheRead: p.cacheRead ?? p.input * 0.1,
  })),
);

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * `MODEL_PROVIDER`, `MODEL`, `MODEL_PRICES`, `ANTHROPIC_*`, `AWS_REGION`, `CLOUD_ML_REGION`,
 * `GOOGLE_APPLICATION_CREDENTIALS`, `BUDGET_*`, `MAX_OUTPUT_TOKENS*`, `TOOL_OUTPUT_MAX_CHARS`,
 * `CONTEXT_ELIDE_AFTER_CHARS`.
 */
export const modelSettings = {
  MODEL_PROVIDER: z.enum(MODEL_PROVIDERS, {
    error: `MODEL_PROVIDER must be one of ${MODEL_PROVIDERS.join(", ")}`,
  }).default("anthropic"),
  ANTHROPIC_API_KEY: secret(token("ANTHROPIC_API_KEY")),
  ANTHROPIC_BASE_URL: httpUrl("ANTHROPIC_BASE_URL"),
  ANTHROPIC_CUSTOM_HEADERS: secret(
    z.string().optional().transform((text, ctx) => {
      try {
        return parseCustomHeaders(text ?? "");
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  ),
  AWS_REGION: z.string().trim().regex(
    /^[a-z]{2}(?:-[a-z]+)+-\d+$/,
    'AWS_REGION must be an AWS Region code, e.g. "us-east-1"',
  ).optional(),
  ANTHROPIC_BEDROCK_BASE_URL: httpUrl("ANTHROPIC_BEDROCK_BASE_URL"),
  CLOUD_ML_REGION: z.string().trim().regex(
    /^[a-z0-9-]+$/,
    'CLOUD_ML_REGION must be a Google Cloud region, e.g. "us-east5" or "global"',
  ).optional(),
  // A project id, a legacy domain-scoped id (`example.com:acme-agents`), or the project number: Vertex AI
  // names a project by any of them. Source: Google Cloud, "Creating and managing projects".
  ANTHROPIC_VERTEX_PROJECT_ID: z.string().trim().regex(
    /^(?:(?:[a-z0-9-]+\.)+[a-z]{2,}:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$|^\d{1,20}$/,
    'ANTHROPIC_VERTEX_PROJECT_ID must be a Google Cloud project id ("acme-agents", or ' +
      '"example.com:acme-agents") or project number',
  ).optional(),
  ANTHROPIC_VERTEX_BASE_URL: httpUrl("ANTHROPIC_VERTEX_BASE_URL"),
  GOOGLE_APPLICATION_CREDENTIALS: z.string().trim().min(1, "GOOGLE_APPLICATION_CREDENTIALS is empty")
    .optional(),
  MODEL: z.string().trim().min(1, "MODEL is empty").optional(),
  MODEL_PRICES: z.string().optional().transform((text, ctx) => {
    const parsed = modelPricesSchema.safeParse(parseJsonOr(text ?? "{}"));
    if (parsed.success) return parsed.data;
    ctx.addIssue({
      code: "custom",
      message: 'MODEL_PRICES must be a JSON object like {"model-id":{"input":3,"output":15}} ' +
        "(USD per million tokens; optional cacheWrite, cacheRead)",
    });
    return z.NEVER;
  }),
  BUDGET_USD: positive("BUDGET_USD", 5),
  BUDGET_TURNS: positiveInt("BUDGET_TURNS", 60),
  BUDGET_TOKENS: positiveInt("BUDGET_TOKENS", 2_000_000),
  BUDGET_WALL_CLOCK_MS: positiveInt("BUDGET_WALL_CLOCK_MS", 30 * 60_000),
  MAX_OUTPUT_TOKENS: positiveInt("MAX_OUTPUT_TOKENS", 8192),
  // The SDK refuses a non-streaming call that could run past 10 minutes (128,000 tokens an hour).
  MAX_OUTPUT_TOKENS_CAP: positiveInt("MAX_OUTPUT_TOKENS_CAP", 16_384).refine(
    (n) => n <= 21_333,
    "MAX_OUTPUT_TOKENS_CAP must be at most 21333 (the SDK's limit for a non-streaming call)",
  ),
  BUDGET_COUNT_TOKENS_WITHIN: positive("BUDGET_COUNT_TOKENS_WITHIN", 0.25).refine(
    (n) => n <= 1,
    "BUDGET_COUNT_TOKENS_WITHIN must be a fraction between 0 and 1",
  ),
  ANTHROPIC_MAX_RETRIES: z.coerce.number({ error: "ANTHROPIC_MAX_RETRIES must be a number" }).int().min(0)
    .max(10).default(4),
  TOOL_OUTPUT_MAX_CHARS: positiveInt("TOOL_OUTPUT_MAX_CHARS", 20_000),
  CONTEXT_ELIDE_AFTER_CHARS: positiveInt("CONTEXT_ELIDE_AFTER_CHARS", 400_000),
};
