/**
 * `deno task service-image`: builds the service image (the service and the Docker API proxy run from it) once,
 * from a staged context (`.build/`, see service_image_stage.ts), on a base from a registry or imported from the
 * Debian mirror (service_image_base.ts). With `--try-it` it also builds the try-it image (compose.demo.yaml).
 * Prints one line per step and the image sizes; `docker build` output goes to `.build/build.log`.
 * Env: `SERVICE_IMAGE` (default `backend-agent/service:latest`), `TRY_IT_IMAGE` (default
 * `backend-agent/service:try-it`), `BASE_IMAGE` (default: picked as above), `DEBIAN_MIRROR`, `TMPDIR`.
 * Run with `-A`.
 */
import { join } from "node:path";
import { ensureDockerEngine } from "./docker_engine.ts";
import { runCommand, tailLines } from "./run_command.ts";
import { ensureBaseImage } from "./service_image_base.ts";
import {
  PROJECT_ROOT,
  SERVICE_TARGET,
  type StageTarget,
  stageTarget,
  TRY_IT_TARGET,
} from "./service_image_stage.ts";
import { exitWithError, SetupError } from "./setup_error.ts";

/** The service image's tag when `SERVICE_IMAGE` is not set (compose.yaml's default too). */
export const DEFAULT_SERVICE_IMAGE = "backend-agent/service:latest";

/** The try-it image's tag when `TRY_IT_IMAGE` is not set (compose.demo.yaml's default too). */
export const DEFAULT_TRY_IT_IMAGE = "backend-agent/service:try-it";

/** One image to build: a Dockerfile target and its tag. */
export interface ImageBuild {
  target: StageTarget;
  tag: string;
}

/**
 * Stages each target, then runs `docker build --target … --tag …` for each in order, on `baseImage`.
 * Unstages `try-it` when it is not asked for, so the context holds only what is built.
 * @returns each tag's size in bytes.
 * @throws {SetupError} when staging or a build fails (with the end of the build's output).
 */
export async function buildServiceImages(
  builds: ImageBuild[],
  baseImage: string,
  log: (line: string) => void,
  root = PROJECT_ROOT,
): Promise<Map<string, number>> {
  const staged = new Set(builds.map((build) => build.target.name));
  if (!staged.has("try-it")) {
    await Deno.remove(join(root, ".build", "try-it"), { recursive: true }).catch(() => {});
  }
  for (const build of builds) {
    log(`service image: staging ${build.target.name} in .build/${build.target.name}`);
    await stageTarget(build.target, root);
  }
  const logFile = join(root, ".build", "build.log");
  await Deno.writeTextFile(logFile, "");
  const sizes = new Map<string, number>();
  for (const build of builds) {
    log(`service image: docker build --target ${build.target.name} -t ${build.tag} (base ${baseImage})`);
    const result = await runCommand("docker", [
      "build",
      // Nothing in the build needs a network (and an engine may have no default bridge).
      "--network",
      "none",
      // A failed step's container is removed too (the classic builder keeps it otherwise).
      "--force-rm",
      "--build-arg",
      `BASE_IMAGE=${baseImage}`,
      "--target",
      build.target.name,
      "--tag",
      build.tag,
      root,
    ], { timeoutMs: 30 * 60_000 });
    await Deno.writeTextFile(logFile, result.stdout + result.stderr, { append: true });
    if (result.code !== 0) {
      throw new SetupError(
        `docker build of ${build.tag} failed:\n${tailLines(result.stdout + result.stderr, 15)}`,
      );
    }
    const size = await runCommand("docker", ["image", "inspect", "--format", "{{.Size}}", build.tag]);
    sizes.set(build.tag, Number(size.stdout.trim()));
  }
  return sizes;
}

if (import.meta.main) {
  try {
    const log = (line: string) => console.log(line);
    await ensureDockerEngine({ log });
    const started = performance.now();
    const base = await ensureBaseImage(Deno.env.get("BASE_IMAGE")?.trim() || undefined, log);
    const builds: ImageBuild[] = [
      { target: SERVICE_TARGET, tag: Deno.env.get("SERVICE_IMAGE")?.trim() || DEFAULT_SERVICE_IMAGE },
    ];
    if (Deno.args.includes("--try-it")) {
      builds.push({
        target: TRY_IT_TARGET,
        tag: Deno.env.get("TRY_IT_IMAGE")?.trim() || DEFAULT_TRY_IT_IMAGE,
      });
    }
    const sizes = await buildServiceImages(builds, base, log);
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    for (const [tag, bytes] of sizes) log(`service image: ${tag} ready, ${(bytes / 1e6).toFixed(0)} MB`);
    log(`service image: done in ${seconds} s`);
  } catch (error) {
    exitWithError(error);
  }
}
