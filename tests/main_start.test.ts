import { expect, test } from "vitest";
import { PROJECT_ROOT } from "./e2e/harness.ts";

/** A port free on loopback now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

test("`deno task start` (the service's own permissions, never -A) starts, answers /healthz and stops on SIGTERM", async () => {
  await Deno.mkdir(`${PROJECT_ROOT}/data`, { recursive: true });
  const dir = await Deno.makeTempDir({ dir: `${PROJECT_ROOT}/data`, prefix: "start-" });
  const port = freePort();
  const child = new Deno.Command("deno", {
    args: ["task", "--quiet", "start"],
    cwd: PROJECT_ROOT,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "/root",
      ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
      GITHUB_TOKEN: "ghp_start",
      ANTHROPIC_API_KEY: "sk-ant-start",
      AUTH_DISABLED: "true",
      HOST: "127.0.0.1",
      PORT: String(port),
      JOBS_DB_PATH: `${dir.slice(PROJECT_ROOT.length + 1)}/jobs.sqlite`,
      AUDIT_LOG_PATH: `${dir.slice(PROJECT_ROOT.length + 1)}/audit.log`,
    },
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  try {
    while (!seen.includes("listening on")) {
      const { value, done } = await stderr.read();
      if (done) break;
      seen += value;
    }
    expect(seen).toContain("listening on");
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    await health.body?.cancel();
    child.kill("SIGTERM");
    for (;;) {
      const { value, done } = await stderr.read();
      if (done) break;
      seen += value;
    }
    expect((await child.status).code).toBe(0);
    expect(seen).not.toMatch(/NotCapable|Requires \w+ access/);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already stopped */ }
    await Deno.remove(dir, { recursive: true });
  }
});
