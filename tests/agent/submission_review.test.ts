import { describe, expect, it } from "vitest";
import type { Dispatched } from "../../src/agent/dispatch.ts";
import { SubmissionReview, type Verdict } from "../../src/agent/submission_review.ts";
import { VALID_SUBMISSION } from "./scripted_turns.ts";

function submitted(): Dispatched {
  return {
    result: { type: "tool_result", tool_use_id: "toolu_1", content: "Work submitted." },
    trace: {
      toolUseId: "toolu_1",
      name: "submit_work",
      input: VALID_SUBMISSION,
      output: "Work submitted.",
      isError: false,
      truncated: false,
      durationMs: 0,
    },
    submission: VALID_SUBMISSION,
  };
}

const verdicts = (...answers: Verdict[]) => () => Promise.resolve(answers.shift() ?? { ok: true as const });

describe("SubmissionReview", () => {
  it("accepts every submission when there is no verifier", async () => {
    const review = new SubmissionReview(undefined, 0);
    expect(await review.review(VALID_SUBMISSION, submitted())).toEqual({
      status: "submitted",
      submission: VALID_SUBMISSION,
    });
  });

  it("answers a rejection with the feedback as the tool's error and marks the trace", async () => {
    const review = new SubmissionReview(
      verdicts({ ok: false, feedback: "1 failed: test_x", summary: "1 failed" }),
      1,
    );
    const done = submitted();

    expect(await review.review(VALID_SUBMISSION, done)).toEqual({
      type: "tool_result",
      tool_use_id: "toolu_1",
      is_error: true,
      content: "1 failed: test_x",
    });
    expect(done.trace.isError).toBe(true);
  });

  it("ends tests_failed with the summary once counted rejections pass the retries, and notices do not count", async () => {
    const notice: Verdict = { ok: false, notice: true, feedback: "left out", summary: "left out" };
    const failed: Verdict = { ok: false, feedback: "tests fail", summary: "1 failed" };
    const review = new SubmissionReview(verdicts(notice, failed, notice, failed), 1);

    for (let i = 0; i < 3; i++) {
      expect(await review.review(VALID_SUBMISSION, submitted())).toMatchObject({ type: "tool_result" });
    }
    expect(await review.review(VALID_SUBMISSION, submitted())).toEqual({
      status: "tests_failed",
      submission: VALID_SUBMISSION,
      reason: "1 failed",
    });
  });
});
