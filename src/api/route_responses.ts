/** Building blocks of the OpenAPI route definitions: JSON bodies and the error responses. */
import { errorSchema } from "./job_schemas.ts";

const ERRORS = {
  400: "The body is not valid JSON (`invalid_json`).",
  401: "Missing or invalid credentials (`unauthenticated`).",
  403:
    "The credential lacks the scope (`forbidden`) or the repository is not in its allowlist (`repo_not_allowed`).",
  404: "No such job, or not one the credential may see (`job_not_found`).",
  409: "Conflicts with the job's state or an earlier request.",
  413: "The body is larger than the limit (`body_too_large`).",
  415: "The body is not `application/json` (`unsupported_media_type`).",
  422: "A field is missing or invalid; the message names it (`invalid_request`).",
  429:
    "A per-caller quota is reached (`quota_exceeded`); `quota` names the setting, `Retry-After` says when to retry.",
  503: "Credentials cannot be checked right now (`auth_unavailable`).",
} as const;

type ErrorStatus = keyof typeof ERRORS;

/** A JSON response or request body. */
export function json<T>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** The error responses of `statuses`, all with the error schema. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]) {
  return Object.fromEntries(statuses.map((s) => [s, json(errorSchema, ERRORS[s])])) as Record<
    S,
    ReturnType<typeof json<typeof errorSchema>>
  >;
}

/** The security requirement of the authenticated routes (either scheme). */
export const SECURED: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }];
