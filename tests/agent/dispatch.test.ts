import { describe, expect, it } from "vitest";
import { truncateOutput } from "../../src/agent/dispatch.ts";

describe("truncateOutput", () => {
  it("leaves output within the cap alone", () => {
    expect(truncateOutput("short", 10)).toEqual({ text: "short", truncated: false });
  });

  it("keeps the head and the tail and says how much it cut", () => {
    const { text, truncated } = truncateOutput(`${"a".repeat(100)}${"b".repeat(100)}`, 20);

    expect(truncated).toBe(true);
    expect(text.startsWith("a".repeat(10))).toBe(true);
    expect(text.endsWith("b".repeat(10))).toBe(true);
    expect(text).toContain("[... 180 characters cut");
  });
});
