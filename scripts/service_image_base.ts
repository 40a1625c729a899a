/**
 * The base the service image is built on: `debian:bookworm-slim` from a registry when one answers, else
 * `backend-agent/debian:bookworm`, a minimal Debian root filesystem imported from a Debian mirror
 * (`debootstrap --variant=minbase` + `docker import`), made once and kept on the engine. Only its glibc and
 * `ldd` are used: the image itself starts from scratch (see the Dockerfile).
 */
import { aptInstall } from "./apt_install.ts";
import { findExecutable, pathWithSystemDirs } from "./find_executable.ts";
import { canInstallWithApt } from "./os_release.ts";
import { registryAvailable } from "./registry_probe.ts";
import { runCommand, tailLines } from "./run_command.ts";
import { SetupError } from "./setup_error.ts";

/** The registry base. */
export const REGISTRY_BASE_IMAGE = "debian:bookworm-slim";

/** The base imported from the Debian mirror when no registry answers. */
export const IMPORTED_BASE_IMAGE = "backend-agent/debian:bookworm";

/**
 * Picks (and when needed makes) the base image: `BASE_IMAGE` when given, else {@link REGISTRY_BASE_IMAGE}
 * when it is local or can be pulled, else {@link IMPORTED_BASE_IMAGE}, imported from `DEBIAN_MIRROR`
 * (default `http://deb.debian.org/debian`) when it is not on the engine yet. The root filesystem is assembled
 * under `TMPDIR` (default `/var/tmp`) and removed afterwards. Needs `-A`.
 * @throws {SetupError} when the import is needed but we are not root, debootstrap cannot be had, or it fails.
 */
export async function ensureBaseImage(
  requested: string | undefined,
  log: (line: string) => void,
): Promise<string> {
  if (requested) return requested;
  if (await registryAvailable(REGISTRY_BASE_IMAGE, { pullTimeoutMs: 60_000 })) return REGISTRY_BASE_IMAGE;
  const local = await runCommand("docker", ["image", "inspect", "--format", "{{.Id}}", IMPORTED_BASE_IMAGE]);
  if (local.code === 0) return IMPORTED_BASE_IMAGE;
  await importDebianBase(log);
  return IMPORTED_BASE_IMAGE;
}

async function importDebianBase(log: (line: string) => void): Promise<void> {
  if (Deno.uid() !== 0) {
    throw new SetupError(
      `No registry answers for ${REGISTRY_BASE_IMAGE}, and importing ${IMPORTED_BASE_IMAGE} from the Debian ` +
        "mirror needs root (debootstrap). Run this once as root, or set BASE_IMAGE to a Debian 12 image you have.",
    );
  }
  if (!findExecutable("debootstrap")) {
    if (!canInstallWithApt()) throw new SetupError("Importing the base image needs debootstrap. Install it.");
    log("service image: installing debootstrap with apt-get");
    await aptInstall(["debootstrap"]);
  }
  const mirror = Deno.env.get("DEBIAN_MIRROR") || "http://deb.debian.org/debian";
  // Not /tmp: it is often noexec, and debootstrap runs binaries in the target.
  const work = await Deno.makeTempDir({ dir: Deno.env.get("TMPDIR") || "/var/tmp", prefix: "service-base-" });
  const env = { PATH: pathWithSystemDirs() };
  try {
    log(`service image: no registry; importing ${IMPORTED_BASE_IMAGE} from ${mirror} (debootstrap)`);
    const strap = await runCommand(
      "debootstrap",
      ["--variant=minbase", "bookworm", `${work}/rootfs`, mirror],
      { env, timeoutMs: 20 * 60_000 },
    );
    if (strap.code !== 0) {
      throw new SetupError(
        `debootstrap failed (is ${mirror} reachable?):\n${tailLines(strap.stdout + strap.stderr)}`,
      );
    }
    const imported = await runCommand("bash", [
      "-c",
      `tar --numeric-owner -C "$1" -c . | docker import - "$2"`,
      "import",
      `${work}/rootfs`,
      IMPORTED_BASE_IMAGE,
    ], { env, timeoutMs: 10 * 60_000 });
    if (imported.code !== 0) throw new SetupError(`docker import failed:\n${tailLines(imported.stderr)}`);
  } finally {
    // An interrupted debootstrap can leave /proc or /sys mounted in the target.
    await runCommand("bash", [
      "-c",
      'for m in "$1"/rootfs/proc "$1"/rootfs/sys; do mountpoint -q "$m" && umount -l "$m"; done; ' +
      'rm -rf --one-file-system "$1"',
      "cleanup",
      work,
    ], { env });
  }
}
