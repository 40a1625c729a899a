import { describe, expect, it } from "vitest";
import { summarizeToolCall } from "../../src/agent/events.ts";

describe("summarizeToolCall", () => {
  it("names the command, or the editor command and path, on one line", () => {
    expect(summarizeToolCall("bash", { command: "cd /workspace &&\n  pytest -q" })).toBe(
      "bash: cd /workspace && pytest -q",
    );
    expect(summarizeToolCall("str_replace_based_edit_tool", { command: "view", path: "/workspace/app" }))
      .toBe(
        "str_replace_based_edit_tool: view /workspace/app",
      );
    expect(summarizeToolCall("bash", { restart: true })).toBe("bash: restart");
    expect(summarizeToolCall("submit_work", { summary: "long text" })).toBe("submit_work");
  });

  it("cuts long summaries to 120 characters", () => {
    const summary = summarizeToolCall("bash", { command: "x".repeat(500) });

    expect(summary).toHaveLength(120);
    expect(summary.endsWith("…")).toBe(true);
  });
});
