/**
 * Validates response bodies against GitHub's published OpenAPI description
 * (npm `@octokit/openapi`, `api.github.com.json`, OpenAPI 3.0) with Ajv.
 * OpenAPI's `nullable` is rewritten to JSON Schema (`type: [t, "null"]` / `anyOf`) first, and
 * `oneOf` is read as `anyOf`: GitHub's description uses `oneOf` for alternatives that overlap
 * (every `validation-error` body is also a valid `repository-rule-violation-error`), which no real
 * response could satisfy as "exactly one".
 */
import { createRequire } from "node:module";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";

const DOCUMENT_ID = "https://api.github.com/openapi.json";

type Json = unknown;

/** Deep copy of an OpenAPI 3.0 schema tree with `nullable` turned into JSON Schema and `oneOf` into `anyOf`. */
function asJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(asJsonSchema);
  if (typeof node !== "object" || node === null) return node;
  const copy: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node)) copy[key] = asJsonSchema(value);
  if (Array.isArray(copy.oneOf) && copy.anyOf === undefined) {
    copy.anyOf = copy.oneOf;
    delete copy.oneOf;
  }
  if (copy.nullable === true || copy.nullable === false) {
    const nullable = copy.nullable;
    delete copy.nullable;
    if (nullable && typeof copy.type === "string") {
      copy.type = [copy.type, "null"];
      if (Array.isArray(copy.enum)) copy.enum = [...copy.enum, null];
    } else if (nullable) {
      return { anyOf: [copy, { type: "null" }] };
    }
  }
  return copy;
}

function pointer(segments: string[]): string {
  return segments.map((segment) => encodeURIComponent(segment.replaceAll("~", "~0").replaceAll("/", "~1")))
    .join("/");
}

/** Checks bodies against the description. */
export interface OpenApiValidator {
  /** Problems of `body` as the `status` response of `method path` (a template like `/repos/{owner}/{repo}`). */
  validateResponse(method: string, path: string, status: number, body: unknown): string[];
  /** Problems of `body` against `#/components/schemas/<name>`. */
  validateSchema(name: string, body: unknown): string[];
  /** Problems of `body` as the JSON request body of `method path` (what a client sends). */
  validateRequest(method: string, path: string, body: unknown): string[];
  /** Whether the description documents `status` for `method path`. */
  documents(method: string, path: string, status: number): boolean;
}

/** Loads the description (≈13 MB) and prepares a validator. */
export function loadOpenApiValidator(): OpenApiValidator {
  const file = createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json");
  const spec = JSON.parse(Deno.readTextFileSync(file)) as {
    paths: Record<
      string,
      Record<string, { responses: Record<string, { $ref?: string; content?: unknown }> }>
    >;
    components: Record<string, Record<string, { content?: Record<string, { schema?: unknown }> }>>;
  };
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
  const addFormats = addFormatsModule as unknown as (instance: Ajv) => void;
  addFormats(ajv);
  ajv.addSchema(asJsonSchema({ paths: spec.paths, components: spec.components }) as object, DOCUMENT_ID);

  const responseOf = (method: string, path: string, status: number) => {
    const response = spec.paths[path]?.[method.toLowerCase()]?.responses[String(status)];
    const ref = response?.$ref?.replace("#/components/responses/", "");
    return ref === undefined ? response : spec.components.responses?.[ref];
  };

  const check = (ref: string, body: unknown): string[] => {
    const validate = ajv.getSchema(`${DOCUMENT_ID}#/${ref}`) ??
      ajv.compile({ $ref: `${DOCUMENT_ID}#/${ref}` });
    if (validate(body)) return [];
    return (validate.errors ?? []).map((error) =>
      `${error.instancePath || "/"} ${error.message ?? ""}`.trim()
    );
  };

  return {
    documents: (method, path, status) => responseOf(method, path, status) !== undefined,
    validateSchema: (name, body) => check(pointer(["components", "schemas", name]), body),
    validateRequest: (method, path, body) => {
      const operation = spec.paths[path]?.[method.toLowerCase()] as { requestBody?: unknown } | undefined;
      if (!operation?.requestBody) return [`${method} ${path} takes no request body`];
      return check(
        pointer([
          "paths",
          path,
          method.toLowerCase(),
          "requestBody",
          "content",
          "application/json",
          "schema",
        ]),
        body,
      );
    },
    validateResponse(method, path, status, body) {
      const response = responseOf(method, path, status);
      if (!response) return [`${method} ${path} does not document status ${status}`];
      const direct = spec.paths[path]?.[method.toLowerCase()]?.responses[String(status)];
      const base = direct?.$ref
        ? ["components", "responses", direct.$ref.replace("#/components/responses/", "")]
        : ["paths", path, method.toLowerCase(), "responses", String(status)];
      if (!response.content) return body === undefined || body === "" ? [] : ["response should have no body"];
      return check(pointer([...base, "content", "application/json", "schema"]), body);
    },
  };
}
