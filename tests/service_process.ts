/** What tests that run the service as its own process share: its environment and a free port. */

/** The environment a child Deno needs besides the settings (it starts with a cleared environment). */
export function processEnv(settings: Record<string, string>): Record<string, string> {
  return {
    PATH: Deno.env.get("PATH") ?? "",
    HOME: Deno.env.get("HOME") ?? "/root",
    ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
    ...settings,
  };
}

/** A port free on loopback now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
