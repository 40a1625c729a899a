import { canInstallWithApt } from "./os_release.ts";
import { runCommand, tailLines } from "./run_command.ts";
import { SetupError } from "./setup_error.ts";

/**
 * Runs `apt-get update` and `apt-get install -y <packages>` (non-interactive,
 * output captured and shown only on failure). The caller checks that we are
 * root on Debian/Ubuntu first (see `canInstallWithApt`).
 * @throws {SetupError} when either apt-get step fails.
 */
export async function aptInstall(packages: string[]): Promise<void> {
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const steps: string[][] = [["update", "-q"], ["install", "-y", "-q", ...packages]];
  for (const args of steps) {
    const result = await runCommand("apt-get", args, { env });
    if (result.code !== 0) {
      throw new SetupError(
        `apt-get ${args[0]} failed while installing ${packages.join(" ")}:\n${
          tailLines(result.stdout + result.stderr)
        }`,
      );
    }
  }
}

/** What {@link findOrAptInstall} looks for and installs. */
export interface AptInstalled {
  /** The Debian package, e.g. `chromium`. */
  aptPackage: string;
  /** Finds the installed program (or folder); undefined when missing. */
  find: () => string | undefined;
  /** What is missing and how to install it by hand, for systems where apt cannot be used. */
  missing: string;
  /** What was looked for, named when apt-get succeeded but `find` still finds nothing. */
  lookedFor: string;
  log?: (line: string) => void;
}

/**
 * `wanted.find()`, installing `wanted.aptPackage` with apt-get first when it finds nothing and we run
 * as root on Debian/Ubuntu (saying so).
 * @throws {SetupError} naming the fix when it is missing and apt cannot be used, or still missing after.
 */
export async function findOrAptInstall(wanted: AptInstalled): Promise<string> {
  const found = wanted.find();
  if (found) return found;
  if (!canInstallWithApt()) throw new SetupError(wanted.missing);
  const name = wanted.aptPackage;
  (wanted.log ?? console.log)(`${name}: installing ${name} with apt-get (root on Debian/Ubuntu, none found)`);
  await aptInstall([name]);
  const installed = wanted.find();
  if (!installed) throw new SetupError(`apt-get installed ${name}, but ${wanted.lookedFor} is still missing`);
  return installed;
}
