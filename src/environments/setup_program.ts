/**
 * The setup program (`images/python-sandbox/programs/setup_env.py`) as the setup container runs it:
 * one exec that unpacks the repository into /workspace and installs once the egress proxy accepts
 * connections, and the credential scan. Both run as the sandbox user, with their settings in the
 * exec's own environment (never the container's configuration, so never committed).
 */
import type { Container } from "dockerode";
import type { InstallPlan } from "../contracts/environment.ts";
import { SandboxError } from "../errors.ts";
import { execInContainer } from "../sandbox/docker_exec.ts";
import type { ExecResult } from "../sandbox/sandbox.ts";
import { WORKSPACE } from "../sandbox/sandbox.ts";
import { PROXY_PORT } from "./setup_bodies.ts";
import type { SetupNames } from "./setup_parts.ts";

/** What one run of the setup program did. */
export interface SetupRun {
  result: ExecResult;
  /** stdout and stderr as it ran (stderr merged into stdout by the command). */
  output: string;
}

const PROGRAM = ["python3", "-I", "/opt/backend-agent/setup_env.py"];
/** Exit status of {@link SEED_THEN_INSTALL} when the seed archive does not unpack. */
const SEED_FAILED = 96;
/** What {@link SEED_THEN_INSTALL} prints (stderr) last when the seed does not unpack. */
const SEED_FAILURE = "setup: the repository did not unpack into /workspace";
/**
 * `bash -c` script run as the sandbox user in /workspace: read the plan (stdin's first line),
 * unpack the rest of stdin (the seed archive) into /workspace, wait until the proxy (`$0`) accepts
 * a connection, then run `$@` with the plan as its stdin, stderr merged. One exec seeds and
 * installs. Exit {@link SEED_FAILED}: the seed did not unpack (tar's message on stderr).
 */
const SEED_THEN_INSTALL = `unpacked() { echo "${SEED_FAILURE}" >&2; exit ${SEED_FAILED}; }
IFS= read -r plan || unpacked
tar -x --no-same-owner --no-same-permissions -C ${WORKSPACE} -f - || unpacked
for i in $(seq 1 200); do
  (exec 3<>"/dev/tcp/$0/${PROXY_PORT}") 2>/dev/null && exec "$@" 2>&1 <<<"$plan"
  sleep 0.05
done
echo "setup: the egress proxy did not accept connections within 10 s" >&2
exit 97`;
/** Output kept of a setup run: pip is verbose, and the report is the last line. */
const MAX_SETUP_OUTPUT = 256 * 1024;

/** What {@link seedAndInstall} runs. */
export interface InstallRun {
  plan: InstallPlan;
  /** The seed archive (entries relative to /workspace). */
  seed: Uint8Array;
  /** `NAME=value` entries for this exec only: the proxy and the indexes, credentials included. */
  env: readonly string[];
  timeoutMs: number;
}

/**
 * Unpacks `run.seed` into `setup`'s /workspace (`tar` over the exec's stdin; the engine's archive
 * API is never used), then runs the setup program on `run.plan` once the proxy `names.proxy`
 * accepts connections (at most 10 s are waited).
 * @throws SandboxError when the seed does not unpack.
 */
export async function seedAndInstall(
  setup: Container,
  names: SetupNames,
  run: InstallRun,
): Promise<SetupRun> {
  const result = await execInContainer(
    setup,
    ["bash", "-c", SEED_THEN_INSTALL, names.proxy, ...PROGRAM],
    {
      user: "sandbox",
      env: run.env,
      // The plan's JSON is one line; the archive follows it as it is (not copied).
      stdin: [new TextEncoder().encode(`${JSON.stringify({ plan: run.plan })}\n`), run.seed],
      timeoutMs: run.timeoutMs,
      maxOutputBytes: MAX_SETUP_OUTPUT,
      cwd: WORKSPACE,
    },
  );
  if (result.exitCode === SEED_FAILED && result.stderr.trimEnd().endsWith(SEED_FAILURE)) {
    throw new SandboxError(`Cannot seed setup "${names.setup}": ${result.stderr.trim()}`);
  }
  return { result, output: result.stdout + result.stderr };
}

/** Searches what setup wrote for the secrets in `env` (`BACKEND_AGENT_SECRETS`): `setup_env.py scan`. */
export async function scanSetup(setup: Container, env: readonly string[]): Promise<SetupRun> {
  const result = await execInContainer(setup, [...PROGRAM, "scan"], {
    user: "sandbox",
    env,
    timeoutMs: 120_000,
    maxOutputBytes: MAX_SETUP_OUTPUT,
    cwd: "/",
  });
  return { result, output: result.stdout + result.stderr };
}
