/**
 * How the dashboard's fragments read data: through the API itself, with the caller's own
 * credential, so each fragment shows exactly what the API lets that principal see. A refusal
 * (401, 403, 404, …) is handed back to the browser as the API gave it.
 */
import type { Context } from "hono";
import type { z } from "zod";
import type { ApiApp, ApiEnv } from "../api/api_env.ts";

/** What {@link readApi} got: the parsed body, or the API's refusal to pass on. */
export type ApiRead<T> = { ok: true; data: T } | { ok: false; response: Response };

/** The credential headers of the browser's request, and nothing else. */
function credentialHeaders(c: Context<ApiEnv>): Headers {
  const headers = new Headers({ accept: "application/json" });
  for (const name of ["authorization", "x-api-key"]) {
    const value = c.req.header(name);
    if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

/** `GET path` on `app` as the caller, its body checked against `schema`. */
export async function readApi<S extends z.ZodType>(
  app: ApiApp,
  c: Context<ApiEnv>,
  path: string,
  schema: S,
): Promise<ApiRead<z.infer<S>>> {
  const response = await app.request(path, { headers: credentialHeaders(c) });
  if (!response.ok) {
    return {
      ok: false,
      response: new Response(response.body, {
        status: response.status,
        headers: { "content-type": response.headers.get("content-type") ?? "application/json" },
      }),
    };
  }
  return { ok: true, data: schema.parse(await response.json()) };
}
