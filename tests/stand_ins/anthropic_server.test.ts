import Anthropic, { type APIError } from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import type { ModelScript } from "../../examples/scenario.ts";
import { type AnthropicStandIn, startAnthropicStandIn } from "./anthropic_server.ts";

const MODEL = "claude-sonnet-5-5";
let standIn: AnthropicStandIn | undefined;

afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

async function start(scripts: ModelScript[], extra: { minCacheTokens?: number } = {}) {
  standIn = await startAnthropicStandIn({ scripts, retryAfterMs: 5, ...extra });
  const client = new Anthropic({ apiKey: standIn.apiKey, baseURL: standIn.url, maxRetries: 2 });
  return { standIn, client };
}

function ask(text: string): Anthropic.Messages.MessageCreateParamsNonStreaming {
  return { model: MODEL, max_tokens: 1024, messages: [{ role: "user", content: text }] };
}

const bashTurn = (command: string) => ({
  content: [{ type: "text" as const, text: "Looking." }, {
    type: "tool_use" as const,
    name: "bash",
    input: { command },
  }],
});

describe("Anthropic stand-in", () => {
  it("answers a scripted turn in the Messages wire format, with a request-id header", async () => {
    const { client } = await start([{ match: "Add login", turns: [bashTurn("ls /workspace")] }]);

    const { data: message, response } = await client.messages.create(ask("Please: Add login")).withResponse();

    expect(message.id).toMatch(/^msg_/);
    expect(message).toMatchObject({
      type: "message",
      role: "assistant",
      model: MODEL,
      stop_reason: "tool_use",
    });
    expect(message.stop_sequence).toBeNull();
    const [text, tool] = message.content;
    expect(text).toEqual({ type: "text", text: "Looking." });
    expect(tool).toMatchObject({ type: "tool_use", name: "bash", input: { command: "ls /workspace" } });
    expect((tool as Anthropic.Messages.ToolUseBlock).id).toMatch(/^toolu_/);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(message.usage.cache_creation_input_tokens).toBe(0);
    expect(message.usage.cache_read_input_tokens).toBe(0);
    expect(response.headers.get("request-id")).toMatch(/^req_/);
  });

  it("rejects a wrong x-api-key with 401 authentication_error", async () => {
    const { standIn } = await start([]);
    const client = new Anthropic({ apiKey: "sk-ant-wrong", baseURL: standIn.url, maxRetries: 0 });

    const error = await client.messages.create(ask("hi")).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(error).toMatchObject({ status: 401, type: "authentication_error" });
    expect((error as APIError).requestID).toMatch(/^req_/);
  });

  it("rejects a body without max_tokens with 400 invalid_request_error in the API's error shape", async () => {
    const { standIn } = await start([]);

    const response = await fetch(`${standIn.url}/v1/messages`, {
      method: "POST",
      headers: {
        "x-api-key": standIn.apiKey,
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
      },
      body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "hi" }] }),
    });

    expect(response.status).toBe(400);
    expect(response.headers.get("request-id")).toMatch(/^req_/);
    expect(await response.json()).toEqual({
      type: "error",
      error: { type: "invalid_request_error", message: "max_tokens: Field required" },
    });
  });

  it("rejects a tool_use that is not answered by a tool_result in the next message", async () => {
    const { client } = await start([{ match: "x", turns: [] }]);

    const error = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: [
        { role: "user", content: "x" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "bash", input: {} }] },
        { role: "user", content: "carry on" },
      ],
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as APIError).apiMessage).toContain("toolu_1");
  });

  it("serves an error turn once, so the SDK's own retry gets the turn after it", async () => {
    const { standIn, client } = await start([{
      match: "story",
      turns: [
        { error: { status: 529, type: "overloaded_error", message: "Overloaded" } },
        bashTurn("pytest"),
      ],
    }]);

    const message = await client.messages.create(ask("story"));

    expect(message.content[1]).toMatchObject({ type: "tool_use", input: { command: "pytest" } });
    expect(standIn.requests).toHaveLength(2);
  });

  it("surfaces error turns that outlast the SDK's retries as an APIError with status and type", async () => {
    const overloaded = { error: { status: 529 as const, type: "overloaded_error", message: "Overloaded" } };
    const { standIn, client } = await start([{
      match: "story",
      turns: [overloaded, overloaded, overloaded],
    }]);

    const error = await client.messages.create(ask("story")).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toMatchObject({ status: 529, type: "overloaded_error", apiMessage: "Overloaded" });
    expect(standIn.requests).toHaveLength(3);
  });

  it("picks the script by the first user message and the turn by the number of assistant messages", async () => {
    const { client } = await start([
      { match: "issue one", turns: [bashTurn("one-0")] },
      { match: "issue two", turns: [bashTurn("two-0"), { content: [{ type: "text", text: "two-1" }] }] },
    ]);

    const second = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: [
        { role: "user", content: [{ type: "text", text: "Work on issue two" }] },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_a", name: "bash", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_a", content: "ok" }] },
      ],
    });
    const first = await client.messages.create(ask("Work on issue one"));

    expect(second.content).toEqual([{ type: "text", text: "two-1" }]);
    expect(second.stop_reason).toBe("end_turn");
    expect(first.content[1]).toMatchObject({ input: { command: "one-0" } });
  });

  it("answers end_turn with a note when the script has no more turns", async () => {
    const { client } = await start([{ match: "short", turns: [] }]);

    const message = await client.messages.create(ask("short"));

    expect(message.stop_reason).toBe("end_turn");
    expect(message.content[0]).toMatchObject({ type: "text" });
    expect((message.content[0] as Anthropic.Messages.TextBlock).text).toContain("has no turn 0");
  });

  it("writes the prompt cache at a breakpoint and reads it on the next request with the same prefix", async () => {
    const { client } = await start([{ match: "cache", turns: [bashTurn("a")] }], { minCacheTokens: 100 });
    const system: Anthropic.Messages.TextBlockParam[] = [
      { type: "text", text: "rules ".repeat(200), cache_control: { type: "ephemeral" } },
    ];
    const params = { ...ask("cache"), system };

    const first = await client.messages.create(params);
    const second = await client.messages.create(params);
    const uncached = await client.messages.create({ ...ask("cache"), system: "rules ".repeat(200) });

    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(300);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    expect(second.usage.input_tokens).toBe(first.usage.input_tokens);
    expect(uncached.usage.cache_read_input_tokens).toBe(0);
    expect(uncached.usage.cache_creation_input_tokens).toBe(0);
  });

  it("does not cache a prefix shorter than the minimum", async () => {
    const { client } = await start([{ match: "tiny", turns: [] }]);
    const params = {
      ...ask("tiny"),
      system: [{ type: "text" as const, text: "short rules", cache_control: { type: "ephemeral" as const } }],
    };

    await client.messages.create(params);
    const again = await client.messages.create(params);

    expect(again.usage.cache_read_input_tokens).toBe(0);
    expect(again.usage.cache_creation_input_tokens).toBe(0);
  });

  it("rejects more than four cache_control breakpoints", async () => {
    const { client } = await start([]);
    const block = { type: "text" as const, text: "x", cache_control: { type: "ephemeral" as const } };

    const error = await client.messages.create({ ...ask("hi"), system: [block, block, block, block, block] })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as APIError).apiMessage).toContain("Found 5");
  });

  it("records every request body, including rejected ones", async () => {
    const { standIn, client } = await start([{ match: "rec", turns: [] }]);
    const wrongKey = new Anthropic({ apiKey: "sk-ant-nope", baseURL: standIn.url, maxRetries: 0 });

    await client.messages.create(ask("rec one"));
    await wrongKey.messages.create(ask("rec two")).catch(() => undefined);

    expect(standIn.requests).toHaveLength(2);
    expect(standIn.requests[0]).toMatchObject({
      model: MODEL,
      messages: [{ role: "user", content: "rec one" }],
    });
    expect(JSON.stringify(standIn.requests)).not.toContain(standIn.apiKey);
  });
});
