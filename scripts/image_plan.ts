import { SetupError } from "./setup_error.ts";

/** The label that carries the inputs hash on a built image. */
export const INPUTS_LABEL = "dev.backend-agent.image-inputs";

/** How to build: force one path, or pick by whether a registry answers. */
export type BuildMode = "registry" | "airgapped" | "auto";

/** The two ways to build the sandbox image. */
export type BuildPath = "registry" | "airgapped";

/** What the image step will do. */
export type ImagePlan =
  | { action: "skip" }
  | { action: "build"; path: BuildPath }
  | { action: "probe" };

/** What is known when planning. */
export interface ImageFacts {
  mode: BuildMode;
  inputsHash: string;
  /** The image's `dev.backend-agent.image-inputs` label; undefined when the image or label is missing. */
  existingInputs: string | undefined;
  /** Whether the registry build can get its base image; undefined until probed. */
  registryAvailable?: boolean;
}

/**
 * Decides the image step. An image whose inputs label equals the hash is kept
 * (whatever the mode). Otherwise a forced mode picks its path; `auto` needs to
 * know whether a registry answers: `probe` asks the caller to find out and
 * plan again with `registryAvailable` set.
 */
export function planImageStep(facts: ImageFacts): ImagePlan {
  if (facts.existingInputs === facts.inputsHash) return { action: "skip" };
  if (facts.mode !== "auto") return { action: "build", path: facts.mode };
  if (facts.registryAvailable === undefined) return { action: "probe" };
  return { action: "build", path: facts.registryAvailable ? "registry" : "airgapped" };
}

/**
 * Reads a build mode (`SANDBOX_IMAGE_BUILD`); empty or undefined means `auto`.
 * @throws {SetupError} for any other value.
 */
export function parseBuildMode(value: string | undefined): BuildMode {
  const mode = (value ?? "").trim() || "auto";
  if (mode === "registry" || mode === "airgapped" || mode === "auto") return mode;
  throw new SetupError(`SANDBOX_IMAGE_BUILD must be registry, airgapped or auto, not "${value}".`);
}

/** The image named by the first `FROM` line of a Dockerfile (the registry build's base image). */
export function baseImageOf(dockerfile: string): string | undefined {
  for (const line of dockerfile.split("\n")) {
    const match = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)/i.exec(line);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}
