/** The CLI's narrow window on the world, shared by `cli.ts` and its commands. */
import type { ServiceOptions } from "../service.ts";

/** How the CLI talks to the world (injected for tests). */
export interface CliIo {
  /** The environment (settings). */
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(line: string): void;
  /** stdin's text when it is not a terminal; undefined otherwise. */
  readStdin(): Promise<string | undefined>;
  /** Registers what Ctrl-C does; returns the unregister function. */
  onInterrupt(handler: () => void): () => void;
  /** Overrides for the service (tests). */
  service?: ServiceOptions;
}
