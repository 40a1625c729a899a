/**
 * The Messages API's hard cases that the conversation itself meets, each sent by the Anthropic
 * stand-in to the real SDK, with every tool call run in a real sandbox: a tool call cut off at
 * `max_tokens`, a refusal, a context-window overflow (400 and `model_context_window_exceeded`), and a
 * request over the byte limit (413).
 */
import type Anthropic from "@anthropic-ai/sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ScriptedTurn } from "../../examples/scenario.ts";
import { CLEARED_OUTPUT } from "../../src/agent/conversation_trim.ts";
import { splitText } from "../../src/agent/model_turn.ts";
import type { Workbench } from "../../src/agent/workbench.ts";
import { createCommandPolicy } from "../../src/sandbox/command_policy.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { createWorkbench } from "../../src/sandbox/workbench.ts";
import { newSandbox } from "../sandbox/sandbox_fixture.ts";
import { recordingWorkbench } from "./recording_workbench.ts";
import { bashTurn, editorTurn, submitTurn, textTurn } from "./scripted_turns.ts";
import { BUDGET, closeStandIns, recoveries, runOnStandIn } from "./stand_in_run.ts";

// ~19 KB: one `cat` of it adds ~5,300 stand-in tokens to the conversation (the prompt starts at ~1,600).
const BIG = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join("\n");
const CAT_BIG = bashTurn("cat /workspace/data/big.txt");
const LS = bashTurn("ls /workspace");

let sandbox: Sandbox;
let realWorkbench: Workbench;
beforeAll(async () => {
  sandbox = await newSandbox({ "data/big.txt": BIG, "app/__init__.py": "" });
  realWorkbench = createWorkbench(sandbox, { policy: createCommandPolicy("restricted") });
}, 60_000);
afterAll(async () => {
  await sandbox?.dispose();
});
afterEach(closeStandIns);

function create(path: string, chars: number): ScriptedTurn {
  const text = Array.from({ length: Math.ceil(chars / 20) }, (_, i) => `# line ${String(i).padStart(10)}\n`)
    .join("").slice(0, chars);
  return editorTurn({ command: "create", path, file_text: text });
}

function fileText(turn: ScriptedTurn): string {
  if ("error" in turn || turn.content[0]?.type !== "tool_use") throw new Error("not a tool turn");
  return String(turn.content[0].input.file_text);
}

async function exists(path: string): Promise<boolean> {
  return (await sandbox.run(["test", "-e", path])).exitCode === 0;
}

describe("a tool call cut off at max_tokens", () => {
  it("is never run: the turn is retried with twice the max_tokens, and the whole call runs", async () => {
    const big = create("/workspace/app/big_a.py", 1_800);
    const workbench = recordingWorkbench({ inner: realWorkbench });
    const { outcome, events, requests } = await runOnStandIn([big, submitTurn()], {
      workbench,
      run: { budget: { ...BUDGET, maxOutputTokensPerCall: 300, maxOutputTokensCap: 1_200 } },
    });

    expect(outcome.status).toBe("submitted");
    expect(requests.map((r) => r.max_tokens)).toEqual([300, 600, 300]);
    const cut = outcome.trajectory[0]!.response!;
    expect(cut.stopReason).toBe("max_tokens");
    const cutInput = (cut.content.at(-1) as Anthropic.Messages.ToolUseBlock).input as { file_text?: string };
    expect(cutInput.file_text?.length ?? 0).toBeLessThan(fileText(big).length);
    // Only the whole call ran, and the file holds all of it.
    expect(workbench.calls).toHaveLength(1);
    expect((await sandbox.run(["cat", "/workspace/app/big_a.py"])).stdout).toBe(fileText(big));
    expect(recoveries(events)).toEqual([[
      "output_raised",
      "A str_replace_based_edit_tool tool call was cut off at max_tokens 300; the turn is retried with max_tokens 600",
    ]]);
    // The cut answer is not in the conversation the model sees next.
    expect(requests[1]!.messages).toHaveLength(1);
  });

  it("at the cap, is answered with an error asking the model to split the change, and never run", async () => {
    const workbench = recordingWorkbench({ inner: realWorkbench });
    const { outcome, events, requests } = await runOnStandIn([
      create("/workspace/app/huge.py", 4_000),
      create("/workspace/app/part_1.py", 200),
      submitTurn(),
    ], { workbench, run: { budget: { ...BUDGET, maxOutputTokensPerCall: 300, maxOutputTokensCap: 400 } } });

    expect(outcome.status).toBe("submitted");
    expect(requests.map((r) => r.max_tokens)).toEqual([300, 400, 300, 300]);
    const answer = requests[2]!.messages.at(-1)!.content as Anthropic.Messages.ToolResultBlockParam[];
    expect(answer).toMatchObject([{ type: "tool_result", is_error: true, content: splitText(400) }]);
    expect(workbench.calls.map((c) => c.tool === "editor" && c.input.path)).toEqual([
      "/workspace/app/part_1.py",
    ]);
    expect(await exists("/workspace/app/huge.py")).toBe(false);
    expect(recoveries(events).map(([action]) => action)).toEqual(["output_raised", "split_asked"]);
    expect(outcome.trajectory[1]!.tools).toMatchObject([{
      name: "str_replace_based_edit_tool",
      isError: true,
    }]);
  });
});

describe("a refusal", () => {
  it("ends the run model_refused, with the refusal's text kept in the trajectory", async () => {
    const refusal: ScriptedTurn = { ...textTurn("I can't help with this request."), stop_reason: "refusal" };
    const workbench = recordingWorkbench({ inner: realWorkbench });
    const { outcome } = await runOnStandIn([LS, refusal, submitTurn()], { workbench });

    expect(outcome).toMatchObject({ status: "model_refused", turns: 2 });
    if (outcome.status === "submitted") return;
    expect(outcome.reason).toMatch(/declined to continue \(stop_reason "refusal"\) at model call 2/);
    // The model's words stay in the trajectory, not in the reason people and comments see.
    expect(outcome.reason).not.toContain("can't help");
    expect(outcome.trajectory[1]!.response).toMatchObject({
      stopReason: "refusal",
      content: [{ type: "text", text: "I can't help with this request." }],
    });
    expect(workbench.calls).toHaveLength(1);
  });
});

describe("a context-window overflow", () => {
  it("400 prompt is too long: compacts (old tool outputs cleared, the task and the latest kept) and goes on", async () => {
    const { outcome, events, requests } = await runOnStandIn([CAT_BIG, CAT_BIG, LS, submitTurn()], {
      workbench: realWorkbench,
      standIn: { contextWindowTokens: 10_000 },
    });

    expect(outcome.status).toBe("submitted");
    const [compacted] = recoveries(events);
    expect(compacted?.[0]).toBe("context_compacted");
    expect(compacted?.[1]).toMatch(
      /^The prompt is too long: HTTP 400 \(invalid_request_error\): prompt is too long: \d+ tokens > 10000 maximum/,
    );
    expect(outcome.trajectory[2]!.error).toMatch(/prompt is too long/);
    // The retry: the task first, the first output cleared, the latest output whole.
    const retry = requests[3]!;
    expect(JSON.stringify(retry.messages[0])).toContain("[dev] Add health endpoint");
    const results = retry.messages.flatMap((m) =>
      Array.isArray(m.content) ? m.content.filter((b) => b.type === "tool_result") : []
    ) as Anthropic.Messages.ToolResultBlockParam[];
    expect(results.map((r) => r.content === CLEARED_OUTPUT)).toEqual([true, false]);
    expect(String(results[1]!.content)).toContain("line 1999");
  });

  it("a second overflow ends the run context_exhausted", async () => {
    const { outcome, events } = await runOnStandIn([CAT_BIG, CAT_BIG, CAT_BIG, CAT_BIG, submitTurn()], {
      workbench: realWorkbench,
      standIn: { contextWindowTokens: 10_000 },
    });

    expect(outcome.status).toBe("context_exhausted");
    if (outcome.status === "submitted") return;
    expect(outcome.reason).toMatch(/prompt is too long: .* again after the conversation was compacted$/);
    expect(recoveries(events).map(([action]) => action)).toEqual(["context_compacted"]);
  });

  it("stop_reason model_context_window_exceeded: the cut answer is dropped, the conversation compacted, the turn retried", async () => {
    const big = create("/workspace/app/big_c.py", 8_000);
    const workbench = recordingWorkbench({ inner: realWorkbench });
    const { outcome, events, requests } = await runOnStandIn([CAT_BIG, LS, big, submitTurn()], {
      workbench,
      standIn: { contextWindowTokens: 8_000 },
    });

    expect(outcome.status).toBe("submitted");
    expect(outcome.trajectory[2]!.response?.stopReason).toBe("model_context_window_exceeded");
    expect(recoveries(events).map(([action, detail]) => [action, detail.split(";")[0]])).toEqual([[
      "context_compacted",
      `The answer filled the model's context window (stop_reason "model_context_window_exceeded")`,
    ]]);
    expect(requests[3]!.messages).toHaveLength(5);
    expect((await sandbox.run(["cat", "/workspace/app/big_c.py"])).stdout).toBe(fileText(big));
    expect(workbench.calls.map((c) => c.tool)).toEqual(["bash", "bash", "editor"]);
  });
});

describe("a request over the API's byte limit (413 request_too_large)", () => {
  it("cuts the largest tool output and retries the turn", async () => {
    const { outcome, events, requests } = await runOnStandIn([CAT_BIG, LS, submitTurn()], {
      workbench: realWorkbench,
      standIn: { maxRequestBytes: 20_000 },
    });

    expect(outcome.status).toBe("submitted");
    const [cut] = recoveries(events);
    expect(cut?.[0]).toBe("tool_output_cut");
    expect(cut?.[1]).toMatch(
      /HTTP 413 \(request_too_large\): Request exceeds the maximum allowed number of bytes/,
    );
    expect(cut?.[1]).toMatch(/cut from \d+ to \d+ characters/);
    const retried = requests[2]!.messages[2]!.content as Anthropic.Messages.ToolResultBlockParam[];
    expect(String(retried[0]!.content)).toMatch(/characters cut: the request was over the API's size limit/);
    expect(JSON.stringify(requests[2]).length).toBeLessThan(20_000);
  });
});
