/**
 * Serves a loopback HTTP server (a stand-in listens on 127.0.0.1 only) on every interface of the try-it
 * container, as a reverse proxy does: method, path, query, headers and bodies pass through, streamed (the
 * Anthropic stand-in's SSE included). With `publicUrl`, the loopback base URL in a `Location` header or a JSON
 * body is rewritten to it, so that links the GitHub stand-in hands out (the tarball's redirect to codeload,
 * `url` and `html_url` fields) lead back through this proxy, as GitHub Enterprise Server behind a proxy does.
 */

/** One forwarder. */
export interface ForwardOptions {
  /** Port to listen on, on 0.0.0.0. */
  port: number;
  /** The loopback server's base URL, e.g. `http://127.0.0.1:41234`. */
  target: string;
  /** The base URL clients reach this forwarder at, e.g. `http://stand-ins:8081`. */
  publicUrl?: string;
}

/** Starts the forwarder; shut it down with the returned server's `shutdown()`. Needs `--allow-net`. */
export function forward(options: ForwardOptions): Deno.HttpServer {
  return Deno.serve({ hostname: "0.0.0.0", port: options.port, onListen: () => {} }, async (request) => {
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.delete("host");
    const answer = await fetch(`${options.target}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      body: request.body,
      redirect: "manual",
    });
    if (options.publicUrl === undefined) return answer;
    const rewrite = (text: string) => text.replaceAll(options.target, options.publicUrl!);
    const out = new Headers(answer.headers);
    const location = out.get("location");
    if (location !== null) out.set("location", rewrite(location));
    if (!(out.get("content-type") ?? "").includes("json")) {
      return new Response(answer.body, { status: answer.status, headers: out });
    }
    out.delete("content-length");
    return new Response(rewrite(await answer.text()), { status: answer.status, headers: out });
  });
}
