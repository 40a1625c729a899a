/**
 * One model call on Vertex AI as the service makes it (`createMessagesApi`, then `callModel`), run as its
 * own process so that it starts with the environment a deployment gives it: `HTTPS_PROXY` and
 * `DENO_CERT` (read by Deno at start-up only), `GOOGLE_APPLICATION_CREDENTIALS`. Reads
 * `CLOUD_ML_REGION`, `ANTHROPIC_VERTEX_PROJECT_ID`, `ANTHROPIC_VERTEX_BASE_URL` and `MODEL`; prints one
 * JSON line: `{"stop": ""}` when the call succeeded (else the stop's `status: reason`), or
 * `{"refused": message}` when the client refused to start.
 */
import { callModel } from "../../src/agent/model_call.ts";
import { createMessagesApi } from "../../src/agent/model_client.ts";

const env = (name: string) => Deno.env.get(name) ?? "";
const model = env("MODEL");
try {
  const api = await createMessagesApi({
    provider: "vertex",
    region: env("CLOUD_ML_REGION"),
    projectId: env("ANTHROPIC_VERTEX_PROJECT_ID"),
    baseUrl: env("ANTHROPIC_VERTEX_BASE_URL"),
    maxRetries: 0,
    customHeaders: {},
  });
  const result = await callModel(api, {
    model,
    max_tokens: 256,
    messages: [{ role: "user", content: "Please: Add login" }],
  }, { model, timeoutMs: 60_000, cancel: undefined, now: Date.now });
  const stop = "kind" in result && result.kind === "stop"
    ? `${result.stop.status}: ${result.stop.reason}`
    : "";
  console.log(JSON.stringify({ stop }));
} catch (error) {
  console.log(JSON.stringify({ refused: (error as Error).message }));
}
