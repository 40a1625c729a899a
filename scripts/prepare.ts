/**
 * The set-up both `deno task demo` and `deno task test` run first: makes sure
 * a Docker engine is reachable (installing/starting one as root on
 * Debian/Ubuntu) and that the sandbox image is built from the current inputs.
 * Prints one line per step (plus progress while installing or building); exits
 * 1 with one message naming the fix when a step cannot be done.
 * Env: SANDBOX_IMAGE, SANDBOX_IMAGE_BUILD. Run with `-A`.
 */
import { ensureDockerEngine } from "./docker_engine.ts";
import { ensureSandboxImage, sandboxImageOptionsFromEnv } from "./image.ts";
import { exitWithError } from "./setup_error.ts";

const log = (line: string) => console.log(`prepare: ${line}`);

try {
  const engine = await ensureDockerEngine({ log });
  log(`docker engine ${engine.started ? "started" : "reachable"} (server ${engine.serverVersion})`);
  const started = performance.now();
  const image = await ensureSandboxImage({ ...sandboxImageOptionsFromEnv(), log });
  if (image.built) {
    log(
      `sandbox image: ${image.image} built (${image.built}) in ${
        ((performance.now() - started) / 1000).toFixed(0)
      } s`,
    );
  }
} catch (error) {
  exitWithError(error);
}
