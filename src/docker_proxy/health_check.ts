/**
 * The proxy container's health check: `GET /_ping` through the proxy, so it
 * is healthy only when both the proxy and the engine behind it answer.
 *
 * Usage: `deno run --allow-net=127.0.0.1:2375 src/docker_proxy/health_check.ts [url]`
 * (default `http://127.0.0.1:2375/_ping`). Exits 0 when the answer is 200, 1 otherwise.
 */
const url = Deno.args[0] ?? "http://127.0.0.1:2375/_ping";
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  await response.body?.cancel();
  Deno.exit(response.status === 200 ? 0 : 1);
} catch (error) {
  console.error(`docker-proxy health check failed: ${(error as Error).message}`);
  Deno.exit(1);
}
