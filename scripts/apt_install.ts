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
