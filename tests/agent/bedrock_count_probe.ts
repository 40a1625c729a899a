/**
 * Run by `bedrock_permissions.test.ts` under the service's own permissions (`deno task start`'s
 * flags, never -A): a Bedrock client as the service builds it counts one prompt's tokens, and prints
 * `{"inputTokens": N}`, or `{"error": "…"}` when the count fails. Reads `ANTHROPIC_BEDROCK_BASE_URL`,
 * `AWS_REGION`, `MODEL` and the AWS credential chain's variables.
 */
import { createMessagesApi } from "../../src/agent/model_client.ts";

const messages = await createMessagesApi({
  provider: "bedrock",
  region: Deno.env.get("AWS_REGION")!,
  baseUrl: Deno.env.get("ANTHROPIC_BEDROCK_BASE_URL")!,
  maxRetries: 0,
  customHeaders: {},
});
try {
  const counted = await messages.countTokens!({
    model: Deno.env.get("MODEL")!,
    messages: [{ role: "user", content: "Please: Add login" }],
  });
  console.log(JSON.stringify({ inputTokens: counted.input_tokens }));
} catch (error) {
  console.log(JSON.stringify({ error: (error as Error).message }));
}
