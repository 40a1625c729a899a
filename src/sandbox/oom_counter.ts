/**
 * The container's out-of-memory kill counter (`oom_kill` in the memory
 * cgroup's `memory.events` on cgroup v2, `memory.oom_control` on v1), read
 * from inside the container with bash builtins only, so reading it costs no
 * process. A command that exits 137 while the counter went up was killed by
 * the memory limit, not by a signal someone sent.
 */
import type { Container } from "dockerode";
import { execInContainer } from "./docker_exec.ts";

/** Exit status of a process killed by SIGKILL, which is how the kernel's OOM killer ends it. */
export const SIGKILL_STATUS = 137;

/**
 * Bash that defines `__ba_oom`, which sets `__ba_n` to the counter, or to -1
 * where no counter is readable (e.g. under gVisor).
 */
export const OOM_COUNTER_BASH = [
  "__ba_f=",
  "for __ba_x in /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control; do",
  '  if [ -r "$__ba_x" ]; then __ba_f=$__ba_x; break; fi',
  "done",
  "__ba_oom() {",
  "  __ba_n=-1",
  '  if [ -n "$__ba_f" ]; then',
  '    while builtin read -r __ba_k __ba_v; do if [ "$__ba_k" = oom_kill ]; then __ba_n=$__ba_v; fi; done < "$__ba_f"',
  "  fi",
  "}",
].join("\n");

/** Reads the counter through a fresh exec; -1 when it is not readable. */
export async function readOomKills(container: Container): Promise<number> {
  const result = await execInContainer(
    container,
    ["bash", "--noprofile", "--norc", "-c", `${OOM_COUNTER_BASH}\n__ba_oom; builtin printf '%s' "$__ba_n"`],
    { user: "sandbox", timeoutMs: 10_000, maxOutputBytes: 1024, cwd: "/" },
  );
  const count = Number(result.stdout.trim());
  return result.exitCode === 0 && Number.isInteger(count) ? count : -1;
}
