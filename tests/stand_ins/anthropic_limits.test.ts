/**
 * The Anthropic stand-in's limits, on the wire as the API sends them, through the real SDK: the
 * count-tokens endpoint, `max_tokens` and the context window cutting an answer, and the 400, 404 and
 * 413 errors.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import type { ModelScript } from "../../examples/scenario.ts";
import {
  type AnthropicStandIn,
  type AnthropicStandInOptions,
  startAnthropicStandIn,
} from "./anthropic_server.ts";

const MODEL = "claude-sonnet-5-5";
const EDIT: ModelScript = {
  match: "Write the file",
  turns: [{
    content: [{
      type: "tool_use",
      name: "str_replace_based_edit_tool",
      input: { command: "create", path: "/workspace/a.py", file_text: "# a line of code\n".repeat(100) },
    }],
  }],
};
let standIn: AnthropicStandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

async function start(options: Partial<AnthropicStandInOptions> = {}) {
  standIn = await startAnthropicStandIn({ scripts: [EDIT], ...options });
  return new Anthropic({ apiKey: standIn.apiKey, baseURL: standIn.url, maxRetries: 0 });
}

function ask(maxTokens: number, text = "Write the file"): Anthropic.Messages.MessageCreateParamsNonStreaming {
  return { model: MODEL, max_tokens: maxTokens, messages: [{ role: "user", content: text }] };
}

describe("the Anthropic stand-in's limits", () => {
  it("counts a prompt's input tokens as it bills them, and refuses max_tokens on count_tokens", async () => {
    const client = await start();
    const { max_tokens: _, ...prompt } = ask(1_000);

    const counted = await client.messages.countTokens(prompt);
    const answer = await client.messages.create(ask(1_000));
    expect(counted.input_tokens).toBe(answer.usage.input_tokens);
    const raw = await fetch(`${standIn!.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: {
        "x-api-key": standIn!.apiKey,
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
      },
      body: JSON.stringify(ask(1_000)),
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({
      type: "error",
      error: { type: "invalid_request_error", message: "max_tokens: Extra inputs are not permitted" },
    });
  });

  it("cuts an answer at max_tokens inside a tool call: stop_reason max_tokens, the input incomplete", async () => {
    const client = await start();

    const cut = await client.messages.create(ask(100));
    expect(cut.stop_reason).toBe("max_tokens");
    expect(cut.usage.output_tokens).toBe(100);
    const input = (cut.content[0] as Anthropic.Messages.ToolUseBlock).input as { file_text: string };
    expect(input.file_text.length).toBeGreaterThan(0);
    expect(input.file_text.length).toBeLessThan(1_700);
    const whole = await client.messages.create(ask(1_000));
    expect(whole.stop_reason).toBe("tool_use");
  });

  it("cuts an answer where the context window ends: stop_reason model_context_window_exceeded", async () => {
    const client = await start({ contextWindowTokens: 200 });

    const cut = await client.messages.create(ask(1_000));
    expect(cut.stop_reason).toBe("model_context_window_exceeded");
    expect(cut.usage.input_tokens + cut.usage.output_tokens).toBe(200);
  });

  it("answers a prompt over the context window with 400 prompt is too long", async () => {
    const client = await start({ contextWindowTokens: 200 });

    const error = await client.messages.create(ask(10, `Write the file ${"x".repeat(1_000)}`)).catch((e) =>
      e
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.type).toBe("invalid_request_error");
    expect(error.apiMessage).toMatch(/^prompt is too long: \d+ tokens > 200 maximum$/);
  });

  it("answers an unknown or retired model with 404 not_found_error naming it", async () => {
    const client = await start({ models: ["claude-sonnet-5-5"] });

    const error = await client.messages.create({ ...ask(10), model: "claude-2.1" }).catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect(error.type).toBe("not_found_error");
    expect(error.apiMessage).toBe("model: claude-2.1");
  });

  it("answers a body over the byte limit with 413 request_too_large, before checking the key", async () => {
    await start({ maxRequestBytes: 500 });
    const wrongKey = new Anthropic({ apiKey: "sk-ant-wrong", baseURL: standIn!.url, maxRetries: 0 });

    const error = await wrongKey.messages.create(ask(10, `Write the file ${"x".repeat(1_000)}`)).catch((e) =>
      e
    );
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error.status).toBe(413);
    expect(error.type).toBe("request_too_large");
  });
});
