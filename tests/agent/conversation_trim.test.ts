import { describe, expect, it } from "vitest";
import {
  CLEARED_INPUT,
  CLEARED_OUTPUT,
  compactMessages,
  cutLargestToolOutput,
  type MessageParam,
} from "../../src/agent/conversation_trim.ts";

function exchange(n: number, output: string, fileText = "x"): MessageParam[] {
  return [
    {
      role: "assistant",
      content: [{
        type: "tool_use",
        id: `toolu_${n}`,
        name: "str_replace_based_edit_tool",
        input: { command: "create", path: `/workspace/f${n}.py`, file_text: fileText },
      }],
    },
    { role: "user", content: [{ type: "tool_result", tool_use_id: `toolu_${n}`, content: output }] },
  ];
}

describe("compactMessages", () => {
  it("clears old tool outputs and long old inputs, keeping the task and the latest exchange whole", () => {
    const long = "y".repeat(500);
    const messages: MessageParam[] = [
      { role: "user", content: [{ type: "text", text: "The task." }] },
      ...exchange(1, "old output", long),
      ...exchange(2, "newer output"),
      ...exchange(3, "latest output", long),
    ];

    expect(compactMessages(messages)).toBe(3);
    expect(messages[0]).toEqual({ role: "user", content: [{ type: "text", text: "The task." }] });
    const json = JSON.stringify(messages);
    expect(json).not.toContain("old output");
    expect(json).not.toContain("newer output");
    expect(json).toContain("latest output");
    expect((messages[1]!.content as Array<{ input: { path: string; file_text: string } }>)[0]!.input).toEqual(
      {
        command: "create",
        path: "/workspace/f1.py",
        file_text: CLEARED_INPUT,
      },
    );
    expect(JSON.stringify(messages[5])).toContain(long);
    expect(json.match(new RegExp(CLEARED_OUTPUT.replace(/[[\]().;]/g, "\\$&"), "g"))).toHaveLength(2);
    // Nothing left to clear the second time.
    expect(compactMessages(messages)).toBe(0);
  });
});

describe("cutLargestToolOutput", () => {
  it("halves the largest output, keeping its head and tail, until none is large", () => {
    const big = `HEAD${"z".repeat(4_000)}TAIL`;
    const messages: MessageParam[] = [
      { role: "user", content: [{ type: "text", text: "The task." }] },
      ...exchange(1, big),
      ...exchange(2, "w".repeat(1_500)),
    ];

    const cut = cutLargestToolOutput(messages);
    expect(cut).toMatchObject({ toolUseId: "toolu_1", beforeChars: 4_008 });
    const text = (messages[2]!.content as Array<{ content: string }>)[0]!.content;
    expect(text.startsWith("HEAD")).toBe(true);
    expect(text.endsWith("TAIL")).toBe(true);
    expect(text).toContain("2004 characters cut");
    expect(cut!.afterChars).toBe(text.length);
    expect(cutLargestToolOutput(messages)?.toolUseId).toBe("toolu_1");
    expect(cutLargestToolOutput(messages)?.toolUseId).toBe("toolu_2");
    expect(cutLargestToolOutput([{ role: "user", content: "short" }])).toBeUndefined();
  });
});
