/**
 * The reminder the loop sends, once, when the model ends its turn without
 * calling `submit_work`; a second such turn ends the run.
 *
 * @module
 */
import type { Conversation } from "./conversation.ts";
import type { Stop } from "./outcome.ts";
import { SUBMIT_TOOL } from "./tools.ts";

/** The reminder sent, once, when the model ends its turn without calling `submit_work`. */
export const NUDGE_TEXT =
  `You ended your turn without calling ${SUBMIT_TOOL}. The run only ends when you call ` +
  `${SUBMIT_TOOL}. If the work is done and the tests pass, call it now; otherwise keep working with the tools.`;

/**
 * Answers a model turn that asked for no tool (it ended with `stopReason`): adds the reminder to
 * `conversation` the first time, and returns the `no_submission` stop the second time.
 */
export function nudge(conversation: Conversation, stopReason: string | null): Stop | undefined {
  if (conversation.nudged) {
    return {
      status: "no_submission",
      reason: `The model ended its turn (stop_reason ${stopReason}) without calling ` +
        `${SUBMIT_TOOL}, even after a reminder`,
    };
  }
  conversation.addNudge(NUDGE_TEXT);
  return undefined;
}
