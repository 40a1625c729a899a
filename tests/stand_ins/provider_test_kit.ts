/** What the Bedrock and Vertex stand-ins' tests share: the script they play and how a call's failure is read. */
import Anthropic from "@anthropic-ai/sdk";
import { expect } from "vitest";
import type { ModelScript } from "../../examples/scenario.ts";

/** One scripted turn with text and a `bash` tool call, for a first message containing "Add login". */
export const ADD_LOGIN_SCRIPT: ModelScript = {
  match: "Add login",
  turns: [{
    content: [{ type: "text", text: "Looking." }, {
      type: "tool_use",
      name: "bash",
      input: { command: "ls" },
    }],
  }],
};

/** The SDK error `promise` rejects with (it must reject with one). */
export async function apiFailure(
  promise: Promise<unknown>,
): Promise<InstanceType<typeof Anthropic.APIError>> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(Anthropic.APIError);
  return error as InstanceType<typeof Anthropic.APIError>;
}
