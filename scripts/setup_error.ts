/**
 * A set-up step could not be done; the message says why and names the fix.
 * Entry points print only the message (no stack) and exit 1.
 */
export class SetupError extends Error {
  override name = "SetupError";
}

/** Prints a {@link SetupError}'s message (or any other error in full) and exits 1. */
export function exitWithError(error: unknown): never {
  console.error(error instanceof SetupError ? error.message : error);
  Deno.exit(1);
}
