/**
 * What happens to a valid `submit_work` call: the verifier (e.g. the tests)
 * accepts it and the run ends, or its feedback goes back to the model as the
 * tool's error, until the rejections that count run out.
 *
 * @module
 */
import type Anthropic from "@anthropic-ai/sdk";
import type { Dispatched } from "./dispatch.ts";
import type { RunEnd } from "./outcome.ts";
import type { Submission } from "../contracts/submission.ts";

/**
 * What the verifier decides about one submission. A rejection with `notice: true` tells the model
 * something it may act on before its work is accepted; it does not count against the retries (the
 * verifier must not give the same notice twice).
 */
export type Verdict = { ok: true } | { ok: false; feedback: string; summary: string; notice?: boolean };

/** Checks a submission, e.g. by running the tests. */
export type Verify = (submission: Submission) => Promise<Verdict>;

const acceptAll: Verify = () => Promise.resolve({ ok: true });

/** Reviews the submissions of one run; it counts the rejections. */
export class SubmissionReview {
  readonly #verify: Verify;
  readonly #maxRetries: number;
  #rejections = 0;

  /**
   * @param verify the verifier; when undefined, every submission is accepted.
   * @param maxRetries counted rejections the model may follow up on before the run ends `tests_failed`.
   */
  constructor(verify: Verify | undefined, maxRetries: number) {
    this.#verify = verify ?? acceptAll;
    this.#maxRetries = maxRetries;
  }

  /**
   * Verifies `submission`, which the tool call `done` carried. Returns how the run ends (`submitted`,
   * or `tests_failed` with the verdict's summary once counted rejections pass the retries), or else
   * the is_error tool_result carrying the verdict's feedback. A rejection marks `done.trace` as an error.
   */
  async review(
    submission: Submission,
    done: Dispatched,
  ): Promise<RunEnd | Anthropic.Messages.ToolResultBlockParam> {
    const verdict = await this.#verify(submission);
    if (verdict.ok) return { status: "submitted", submission };
    if (!verdict.notice) this.#rejections += 1;
    done.trace.isError = true;
    if (this.#rejections > this.#maxRetries) {
      return { status: "tests_failed", submission, reason: verdict.summary };
    }
    return {
      type: "tool_result",
      tool_use_id: done.result.tool_use_id,
      is_error: true,
      content: verdict.feedback,
    };
  }
}
