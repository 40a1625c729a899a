/**
 * `deno task postgres-image`: builds the PostgreSQL image compose.scale.yaml can run instead of the official
 * `postgres:15` (set `POSTGRES_IMAGE=backend-agent/postgres:15`), from Debian's `postgresql` package on the
 * service image's base (service_image_base.ts: `debian:bookworm-slim` from a registry, else the Debian base
 * imported from the mirror). The build runs `apt-get install` in the base, so it reaches the Debian mirror
 * that base's sources name. See `images/postgres/`. Prints one line per step; `docker build` output goes to
 * `.build/postgres-build.log`.
 * Env: `POSTGRES_IMAGE` (default `backend-agent/postgres:15`), `BASE_IMAGE`, `DEBIAN_MIRROR`, `TMPDIR`.
 * Run with `-A`.
 */
import { join } from "node:path";
import { ensureDockerEngine } from "./docker_engine.ts";
import { runCommand, tailLines } from "./run_command.ts";
import { ensureBaseImage } from "./service_image_base.ts";
import { PROJECT_ROOT } from "./service_image_stage.ts";
import { exitWithError, SetupError } from "./setup_error.ts";

/** The PostgreSQL image's tag when `POSTGRES_IMAGE` is not set. */
export const DEFAULT_POSTGRES_IMAGE = "backend-agent/postgres:15";

/** The build context: the Dockerfile and its entry point. */
export const POSTGRES_IMAGE_DIR = join(PROJECT_ROOT, "images", "postgres");

/**
 * Builds `tag` from {@link POSTGRES_IMAGE_DIR} on `baseImage` (Docker's layer cache makes a rebuild of
 * unchanged inputs quick).
 * @throws {SetupError} when the build fails, with the end of its output (e.g. the mirror cannot be reached).
 */
export async function buildPostgresImage(
  tag: string,
  baseImage: string,
  log: (line: string) => void,
): Promise<void> {
  log(`postgres image: docker build -t ${tag} (base ${baseImage})`);
  const result = await runCommand("docker", [
    "build",
    "--force-rm",
    "--build-arg",
    `BASE_IMAGE=${baseImage}`,
    "--tag",
    tag,
    POSTGRES_IMAGE_DIR,
  ], { timeoutMs: 20 * 60_000 });
  await Deno.mkdir(join(PROJECT_ROOT, ".build"), { recursive: true });
  await Deno.writeTextFile(join(PROJECT_ROOT, ".build", "postgres-build.log"), result.stdout + result.stderr);
  if (result.code !== 0) {
    throw new SetupError(
      `docker build of ${tag} failed (its apt-get needs the Debian mirror its base names):\n` +
        tailLines(result.stdout + result.stderr, 15),
    );
  }
}

if (import.meta.main) {
  try {
    const log = (line: string) => console.log(line);
    await ensureDockerEngine({ log });
    const base = await ensureBaseImage(Deno.env.get("BASE_IMAGE")?.trim() || undefined, log);
    const tag = Deno.env.get("POSTGRES_IMAGE")?.trim() || DEFAULT_POSTGRES_IMAGE;
    await buildPostgresImage(tag, base, log);
    log(`postgres image: ${tag} ready; run the scale stack with POSTGRES_IMAGE=${tag}`);
  } catch (error) {
    exitWithError(error);
  }
}
