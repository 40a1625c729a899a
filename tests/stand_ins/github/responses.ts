/**
 * Responses with GitHub's headers and error bodies (`basic-error`,
 * `validation-error`), as api.github.com sends them.
 */

const DOCS = "https://docs.github.com/rest";

let requestCounter = 0;

/** Headers every api.github.com response carries (rate limit, media type, request id). */
export function githubHeaders(extra: Record<string, string> = {}): Headers {
  requestCounter++;
  const reset = Math.floor(Date.now() / 1000) + 3600;
  return new Headers({
    "x-github-media-type": "github.v3; format=json",
    "x-github-api-version-selected": "2022-11-28",
    "x-github-request-id": `STANDIN:${requestCounter.toString(16).toUpperCase().padStart(6, "0")}`,
    "x-ratelimit-limit": "5000",
    "x-ratelimit-remaining": "4999",
    "x-ratelimit-reset": String(reset),
    "x-ratelimit-used": "1",
    "x-ratelimit-resource": "core",
    ...extra,
  });
}

/** A JSON response with GitHub's headers. */
export function json(status: number, body: unknown, extra: Record<string, string> = {}): Response {
  const headers = githubHeaders({ "content-type": "application/json; charset=utf-8", ...extra });
  return new Response(JSON.stringify(body), { status, headers });
}

/** An error body GitHub sends: `{message, documentation_url, status}`. */
export function errorResponse(
  status: number,
  message: string,
  options: { docs?: string; errors?: unknown[]; headers?: Record<string, string> } = {},
): Response {
  const body = {
    message,
    documentation_url: options.docs ?? DOCS,
    ...(options.errors ? { errors: options.errors } : {}),
    status: String(status),
  };
  return json(status, body, options.headers);
}

/** 404 `Not Found`, GitHub's answer for anything missing or invisible to the token. */
export function notFound(): Response {
  return errorResponse(404, "Not Found");
}

/** 422 with a `validation-error` body. */
export function unprocessable(
  message: string,
  options: { docs?: string; errors?: unknown[] } = {},
): Response {
  return errorResponse(422, message, options);
}

/** The body GitHub uses for an injected failure of `status` (rate limits carry their headers). */
export function injectedFailure(status: number): Response {
  if (status === 429 || status === 403) {
    const reset = String(Math.floor(Date.now() / 1000) + 1);
    return errorResponse(status, "API rate limit exceeded for installation ID 1.", {
      docs: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset, "retry-after": "1" },
    });
  }
  const messages: Record<number, string> = {
    500: "Server Error",
    502: "Server Error",
    503: "Service Unavailable",
    504:
      "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.",
  };
  return errorResponse(status, messages[status] ?? "Server Error");
}
