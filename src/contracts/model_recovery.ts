/**
 * How the agent loop got past a hard case of the Messages API without ending the run: the contract of
 * the loop's `recovery` event and of the job's `model_recovery` event.
 *
 * @module
 */
import { z } from "zod";

/**
 * How the loop got past a response or error that would otherwise end the run:
 * `output_raised` (a tool call was cut off at `max_tokens`: the turn is retried with more),
 * `split_asked` (still cut off at the cap: the model is told to split the change),
 * `context_compacted` (the context window overflowed: old tool outputs were cleared),
 * `tool_output_cut` (413: the largest tool output was cut), `rate_limited` (429: waited out).
 */
export const recoveryActionSchema = z.enum([
  "output_raised",
  "split_asked",
  "context_compacted",
  "tool_output_cut",
  "rate_limited",
]);

/** One of {@link recoveryActionSchema}'s values. */
export type RecoveryAction = z.infer<typeof recoveryActionSchema>;

/** What a recovery says: the model call, what the loop did, and the API's answer in words. */
export const recoverySchema = z.object({
  turn: z.number().int().nonnegative().describe("The model call that met the hard case."),
  action: recoveryActionSchema,
  detail: z.string().describe("What the API answered and what the loop did, for people."),
});
