/** The one HTTP error type at the API edge: a status, a stable code, a clear message. */
export class HttpError extends Error {
  override name = "HttpError";
  /** Response headers to send with it, e.g. `Retry-After`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Fields added to the error body beside `code` and `message`, e.g. `quota`. */
  readonly details: Readonly<Record<string, unknown>>;
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503,
    readonly code: string,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string>; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.headers = options?.headers ?? {};
    this.details = options?.details ?? {};
  }
}
