/**
 * The baseline commit: right after seeding, the workspace is committed inside
 * the container (as the sandbox user) so changes are measured against it.
 */
import { SandboxError } from "../errors.ts";
import type { Sandbox } from "./sandbox.ts";

/** Paths never treated as changes, whatever the repo's .gitignore says. */
export const ALWAYS_IGNORED = ["__pycache__/", "*.pyc", ".pytest_cache/", ".mypy_cache/", ".ruff_cache/"];

const SCRIPT = [
  "set -e",
  "git init -q -b main .",
  'git config user.name "backend-agent"',
  'git config user.email "backend-agent@users.noreply.github.com"',
  "git config core.fileMode true",
  `printf '%s\\n' ${ALWAYS_IGNORED.map((p) => `'${p}'`).join(" ")} >> .git/info/exclude`,
  "git add -A",
  "git commit -q --no-verify --allow-empty -m baseline",
  "git rev-parse HEAD",
].join("\n");

/**
 * Creates the baseline commit and returns its sha.
 * @throws SandboxError when git fails.
 */
export async function commitBaseline(sandbox: Sandbox): Promise<string> {
  const result = await sandbox.run(["bash", "-c", SCRIPT], { timeoutMs: 60_000 });
  const sha = result.stdout.trim();
  if (result.exitCode !== 0 || !/^[0-9a-f]{40}$/.test(sha)) {
    throw new SandboxError(
      `Cannot record the workspace baseline in "${sandbox.name}": ${result.stderr.trim()}`,
    );
  }
  return sha;
}
