import type Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { Conversation, type ConversationOptions } from "../../src/agent/conversation.ts";
import { buildTools } from "../../src/agent/tools.ts";

const OPTIONS: ConversationOptions = {
  model: "claude-sonnet-5-5",
  maxTokens: 4096,
  system: "You are a backend engineer.",
  task: "Add GET /v1/health.",
  tools: buildTools(),
  elideAfterChars: 400_000,
};

function answer(id: string, toolUseId: string): Anthropic.Messages.Message {
  return {
    id,
    type: "message",
    role: "assistant",
    model: OPTIONS.model,
    content: [{ type: "tool_use", id: toolUseId, name: "bash", input: { command: "ls" }, caller: null }],
    stop_reason: "tool_use",
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 5 },
  } as unknown as Anthropic.Messages.Message;
}

/** Runs one model call that asks for one tool, answered with `output`. */
function turn(conversation: Conversation, n: number, output: string): void {
  conversation.beginTurn(n, 0);
  conversation.addResponse(answer(`msg_${n}`, `toolu_${n}`), 1);
  conversation.addToolResults([{ type: "tool_result", tool_use_id: `toolu_${n}`, content: output }]);
}

describe("Conversation", () => {
  it("marks the system prompt, the last tool and only the last message's last block for caching", () => {
    const conversation = new Conversation(OPTIONS);
    turn(conversation, 1, "a.py");
    const first = conversation.request();
    turn(conversation, 2, "b.py");
    const second = conversation.request();

    for (const request of [first, second]) {
      expect((request.system as Anthropic.Messages.TextBlockParam[])[0]?.cache_control).toEqual({
        type: "ephemeral",
      });
      const tools = request.tools as Array<{ cache_control?: unknown }>;
      expect(tools.map((tool) => tool.cache_control !== undefined)).toEqual([false, false, true]);
      expect(JSON.stringify(request.messages).match(/cache_control/g)).toHaveLength(1);
      const last = request.messages.at(-1)?.content as Array<{ cache_control?: unknown }>;
      expect(last.at(-1)?.cache_control).toEqual({ type: "ephemeral" });
    }
    expect(second.messages).toHaveLength(5);
  });

  it("records each model call, its answer and its tool calls in the trajectory", () => {
    const conversation = new Conversation(OPTIONS);
    conversation.beginTurn(1, 7);
    conversation.addResponse(answer("msg_1", "toolu_1"), 120);
    conversation.recordTool({
      toolUseId: "toolu_1",
      name: "bash",
      input: { command: "ls" },
      output: "a.py",
      isError: false,
      truncated: false,
      durationMs: 3,
    });
    conversation.beginTurn(2, 200);
    conversation.recordError("Model call failed with HTTP 529");

    const [first, second] = conversation.trajectory;
    expect(first).toMatchObject({
      turn: 1,
      atMs: 7,
      request: { messages: 1, maxTokens: 4096, nudge: false },
      response: { id: "msg_1", stopReason: "tool_use", durationMs: 120 },
      tools: [{ toolUseId: "toolu_1", output: "a.py" }],
    });
    expect(first?.request.estimatedInputTokens).toBeGreaterThan(0);
    expect(second).toMatchObject({
      turn: 2,
      request: { messages: 2 },
      error: "Model call failed with HTTP 529",
    });
  });

  it("marks only the call right after the reminder as a nudge, and remembers it reminded", () => {
    const conversation = new Conversation(OPTIONS);
    expect(conversation.nudged).toBe(false);
    conversation.beginTurn(1, 0);
    conversation.addResponse({ ...answer("msg_1", "toolu_1"), content: [] }, 1);
    conversation.addNudge("Call submit_work.");
    turn(conversation, 2, "a.py");
    conversation.beginTurn(3, 0);

    expect(conversation.nudged).toBe(true);
    expect(conversation.trajectory.map((entry) => entry.request.nudge)).toEqual([false, true, false]);
  });

  it("elides old tool outputs only past the threshold, keeping the last four messages", () => {
    const conversation = new Conversation({ ...OPTIONS, elideAfterChars: 5_000 });
    turn(conversation, 1, "x".repeat(3_000));
    conversation.elideOldToolOutputs();
    expect(JSON.stringify(conversation.request().messages)).not.toContain("output elided");

    turn(conversation, 2, "y".repeat(3_000));
    turn(conversation, 3, "recent");
    const before = conversation.estimatedInputTokens;
    conversation.elideOldToolOutputs();

    const sent = JSON.stringify(conversation.request().messages);
    expect(sent).not.toContain("x".repeat(3_000));
    expect(sent).toContain("y".repeat(3_000));
    expect(sent).toContain("recent");
    expect(sent.match(/output elided/g)).toHaveLength(1);
    expect(conversation.estimatedInputTokens).toBeLessThan(before - 700);
  });
});
