/** What the pool of Docker engines knows of one engine, as `/readyz` reports it (the API's contract with the pool). */
import { z } from "zod";

/** One engine of `DOCKER_HOSTS`. */
export const dockerHostStateSchema = z.object({
  host: z.string().describe("The engine's URL as DOCKER_HOSTS gives it."),
  status: z.enum(["up", "down"]).describe("`down`: its last ping failed; no new sandbox goes there."),
  sandboxes: z.number().int().nonnegative().describe(
    "Work items placed on it now (their sandboxes and setups).",
  ),
  capacity: z.number().int().positive().describe("SANDBOXES_PER_HOST."),
  error: z.string().optional().describe("Why its last ping failed (when down)."),
  checkedAt: z.string().nullable().describe(
    "When it was last pinged (ISO 8601); null before the first ping.",
  ),
});

/** {@link dockerHostStateSchema}'s type. */
export type DockerHostState = z.infer<typeof dockerHostStateSchema>;
