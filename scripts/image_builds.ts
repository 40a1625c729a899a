import { tmpdir } from "node:os";
import { aptInstall } from "./apt_install.ts";
import { findExecutable, pathWithSystemDirs } from "./find_executable.ts";
import { INPUTS_LABEL } from "./image_plan.ts";
import { canInstallWithApt } from "./os_release.ts";
import { runCommand, tailLines } from "./run_command.ts";
import { SetupError } from "./setup_error.ts";

/** Where the registry build's `docker build` output goes. */
export const REGISTRY_BUILD_LOG_FILE = `${tmpdir()}/backend-agent-image-build.log`;

/** One image build. */
export interface BuildRequest {
  /** Image tag to create, e.g. `backend-agent/python-sandbox:latest`. */
  tag: string;
  /** Value of the inputs label the image will carry. */
  inputsHash: string;
  /** The image directory (Dockerfile, build_airgapped.sh, …). */
  dir: string;
  log: (line: string) => void;
}

/**
 * Builds the image from `<dir>/Dockerfile` with `docker build` (needs the base
 * image and PyPI). Output goes to {@link REGISTRY_BUILD_LOG_FILE}. Needs `-A`.
 * @throws {SetupError} when the build fails, with the end of its output.
 */
export async function buildFromRegistry(request: BuildRequest): Promise<void> {
  request.log(`sandbox image: docker build ${request.tag} (log: ${REGISTRY_BUILD_LOG_FILE})`);
  const result = await runCommand("docker", [
    "build",
    "--label",
    `${INPUTS_LABEL}=${request.inputsHash}`,
    "--tag",
    request.tag,
    "--file",
    `${request.dir}/Dockerfile`,
    request.dir,
  ], { timeoutMs: 20 * 60_000 });
  await Deno.writeTextFile(REGISTRY_BUILD_LOG_FILE, result.stdout + result.stderr);
  if (result.code !== 0) {
    throw new SetupError(
      `docker build of ${request.tag} failed:\n${tailLines(result.stdout + result.stderr, 15)}`,
    );
  }
}

/**
 * Builds the image with `<dir>/build_airgapped.sh` (debootstrap from a Debian
 * mirror + `docker import`; no registry, no PyPI). Needs root; installs
 * debootstrap with apt-get first when it is missing (root on Debian/Ubuntu),
 * saying so. Needs `-A`.
 * @throws {SetupError} when not root, when debootstrap cannot be installed, or when the build fails.
 */
export async function buildAirgapped(request: BuildRequest): Promise<void> {
  if (Deno.uid() !== 0) {
    throw new SetupError(
      "No registry answers, and the air-gapped sandbox image build needs root (debootstrap, chroot). " +
        "Run `sudo deno task image` once, or make Docker Hub and PyPI reachable and run again.",
    );
  }
  if (!findExecutable("debootstrap")) {
    if (!canInstallWithApt()) {
      throw new SetupError("The air-gapped sandbox image build needs debootstrap. Install it and run again.");
    }
    request.log("sandbox image: installing debootstrap with apt-get (needed by the air-gapped build)");
    await aptInstall(["debootstrap"]);
  }
  request.log(`sandbox image: air-gapped build of ${request.tag} (debootstrap + docker import)`);
  const result = await runCommand("bash", [
    `${request.dir}/build_airgapped.sh`,
    request.tag,
    request.inputsHash,
  ], {
    env: { PATH: pathWithSystemDirs() },
    inherit: true,
  });
  if (result.code !== 0) {
    throw new SetupError(`The air-gapped build of ${request.tag} failed (exit ${result.code}; see above).`);
  }
}
