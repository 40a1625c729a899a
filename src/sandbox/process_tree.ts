/** Killing processes inside a container by their parent, from a separate exec. */
import type { Container } from "dockerode";
import { execInContainer } from "./docker_exec.ts";

/** Kills every descendant of `pid` (and `pid` itself when `self`), from a separate exec. */
export async function killTree(container: Container, pid: number, self: boolean): Promise<void> {
  const script =
    `k(){ for c in $(pgrep -P "$1"); do kill -STOP "$c" 2>/dev/null; k "$c"; kill -KILL "$c" 2>/dev/null; done; }; k ${pid}` +
    (self ? `; kill -KILL ${pid} 2>/dev/null` : "") + "; true";
  await execInContainer(container, ["bash", "-c", script], {
    user: "sandbox",
    timeoutMs: 10_000,
    maxOutputBytes: 4096,
    cwd: "/",
  });
}
