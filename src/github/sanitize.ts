/**
 * The cleaning of untrusted text on the way into a pull request (branch names, the PR body, ownership
 * notes). Untrusted text is not GitHub-specific, and the prompt must get exactly the same cleaning, so
 * this re-exports the one implementation: see {@link sanitizeUntrusted} in `agent/untrusted_text.ts`.
 *
 * @module
 */
export { sanitizeUntrusted } from "../agent/untrusted_text.ts";
