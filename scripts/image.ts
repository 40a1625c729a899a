import { fileURLToPath } from "node:url";
import { ensureDockerEngine } from "./docker_engine.ts";
import { buildAirgapped, buildFromRegistry, type BuildRequest } from "./image_builds.ts";
import { computeImageInputsHash } from "./image_inputs.ts";
import {
  baseImageOf,
  type BuildMode,
  type BuildPath,
  INPUTS_LABEL,
  parseBuildMode,
  planImageStep,
} from "./image_plan.ts";
import { registryAvailable } from "./registry_probe.ts";
import { runCommand, tailLines } from "./run_command.ts";
import { exitWithError, SetupError } from "./setup_error.ts";

/** The sandbox image tag used when `SANDBOX_IMAGE` is not set. */
export const DEFAULT_SANDBOX_IMAGE = "backend-agent/python-sandbox:latest";

/** The image directory whose files are hashed and built. */
export const SANDBOX_IMAGE_DIR = fileURLToPath(new URL("../images/python-sandbox", import.meta.url));

/** Options for {@link ensureSandboxImage}. */
export interface EnsureSandboxImageOptions {
  /** Image tag (default {@link DEFAULT_SANDBOX_IMAGE}). */
  image?: string;
  /** Build path (default `auto`: registry when one answers, else air-gapped). */
  mode?: BuildMode;
  /** Image directory (default {@link SANDBOX_IMAGE_DIR}). */
  dir?: string;
  /** Progress lines go here (default `console.log`). */
  log?: (line: string) => void;
}

/** What {@link ensureSandboxImage} found or did. */
export interface SandboxImage {
  image: string;
  inputsHash: string;
  /** The path that built it now; undefined when the existing image was up to date. */
  built: BuildPath | undefined;
}

/**
 * `image` and `mode` from the environment: `SANDBOX_IMAGE` (default
 * {@link DEFAULT_SANDBOX_IMAGE}) and `SANDBOX_IMAGE_BUILD` (`registry`,
 * `airgapped` or `auto`, the default). Needs `--allow-env`.
 * @throws {SetupError} for an unknown `SANDBOX_IMAGE_BUILD`.
 */
export function sandboxImageOptionsFromEnv(): Pick<EnsureSandboxImageOptions, "image" | "mode"> {
  return {
    image: Deno.env.get("SANDBOX_IMAGE")?.trim() || DEFAULT_SANDBOX_IMAGE,
    mode: parseBuildMode(Deno.env.get("SANDBOX_IMAGE_BUILD")),
  };
}

/**
 * Makes sure the sandbox image exists and was built from the current files in
 * the image directory (its inputs label equals their SHA-256); builds it
 * otherwise (see `planImageStep`; in `auto` mode a failed registry build falls
 * back to the air-gapped one). Idempotent. Needs a reachable Docker engine and `-A`.
 * @throws {SetupError} when the image cannot be inspected or built.
 */
export async function ensureSandboxImage(options: EnsureSandboxImageOptions = {}): Promise<SandboxImage> {
  const image = options.image ?? DEFAULT_SANDBOX_IMAGE;
  const mode = options.mode ?? "auto";
  const dir = options.dir ?? SANDBOX_IMAGE_DIR;
  const log = options.log ?? console.log;
  const inputsHash = await computeImageInputsHash(dir);
  const existing = await inspectImage(image);
  const facts = { mode, inputsHash, existingInputs: existing?.inputs };
  let plan = planImageStep(facts);
  if (plan.action === "probe") {
    const base = baseImageOf(await Deno.readTextFile(`${dir}/Dockerfile`)) ?? "python:3.12-slim";
    log(
      `sandbox image: ${
        existing ? "inputs changed" : `${image} is missing`
      }; checking for ${base} (registry)`,
    );
    plan = planImageStep({ ...facts, registryAvailable: await registryAvailable(base) });
  }
  if (plan.action === "skip") {
    log(`sandbox image: ${image} is up to date`);
    return { image, inputsHash, built: undefined };
  }
  if (plan.action === "probe") throw new Error("planImageStep asked to probe twice");

  const request: BuildRequest = { tag: image, inputsHash, dir, log };
  let built: BuildPath = plan.path;
  if (built === "registry") {
    try {
      await buildFromRegistry(request);
    } catch (error) {
      if (mode !== "auto") throw error;
      log(`sandbox image: registry build failed; falling back to the air-gapped build\n${messageOf(error)}`);
      built = "airgapped";
    }
  }
  if (built === "airgapped") await buildAirgapped(request);

  const after = await inspectImage(image);
  if (after?.inputs !== inputsHash) {
    throw new SetupError(
      `The build of ${image} finished, but the image does not carry ${INPUTS_LABEL}=${inputsHash}.`,
    );
  }
  if (existing && existing.id !== after.id) await removeQuietly(existing.id);
  return { image, inputsHash, built };
}

async function inspectImage(image: string): Promise<{ id: string; inputs: string | undefined } | undefined> {
  const result = await runCommand("docker", ["image", "inspect", "--format", "{{json .}}", image], {
    timeoutMs: 30_000,
  });
  if (result.code !== 0) {
    if (/no such image/i.test(result.stderr)) return undefined;
    throw new SetupError(`Cannot inspect the sandbox image ${image}:\n${tailLines(result.stderr, 5)}`);
  }
  const parsed = JSON.parse(result.stdout) as {
    Id: string;
    Config?: { Labels?: Record<string, string> | null };
  };
  return { id: parsed.Id, inputs: parsed.Config?.Labels?.[INPUTS_LABEL] };
}

/** Drops the image the tag pointed at before; fails quietly while a container still uses it. */
async function removeQuietly(imageId: string): Promise<void> {
  await runCommand("docker", ["image", "rm", imageId], { timeoutMs: 30_000 });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

if (import.meta.main) {
  try {
    await ensureDockerEngine();
    const started = performance.now();
    const result = await ensureSandboxImage(sandboxImageOptionsFromEnv());
    if (result.built) {
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      console.log(`sandbox image: ${result.image} built (${result.built}) in ${seconds} s`);
    }
  } catch (error) {
    exitWithError(error);
  }
}
