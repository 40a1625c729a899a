/**
 * TOML manifests (`pyproject.toml`, `uv.lock`, `poetry.lock`) parsed with smol-toml (TOML 1.1, passes the
 * official toml-test suite, no dependencies), and their shapes checked with zod: a malformed file is an
 * {@link EnvironmentSpecError} naming the file and line, an unexpected shape one naming the file and key.
 */
import { parse, TomlError } from "smol-toml";
import type { z } from "zod";
import { EnvironmentSpecError } from "./environment_spec_error.ts";
import { manifestText } from "./manifest_text.ts";

/** Deepest nesting of inline tables and arrays accepted (manifests nest a few levels). */
const MAX_DEPTH = 64;

/**
 * Parses the TOML file `path` and checks it against `schema`.
 * @throws EnvironmentSpecError `pyproject.toml:7:12: …` when the TOML is malformed, `pyproject.toml:
 *   project.dependencies[2]: …` when a key has the wrong shape; the parser's or zod's error is the cause.
 */
export function readTomlFile<T>(path: string, bytes: Uint8Array, maxBytes: number, schema: z.ZodType<T>): T {
  const text = manifestText(path, bytes, maxBytes);
  let document: unknown;
  try {
    document = parse(text, { maxDepth: MAX_DEPTH, unsafeKeyBehaviour: "drop" });
  } catch (error) {
    if (error instanceof TomlError) {
      const message = error.message.split("\n")[0]!.replace(/^Invalid TOML document: /, "");
      throw new EnvironmentSpecError(`${path}:${error.line}:${error.column}: malformed TOML: ${message}`, {
        cause: error,
      });
    }
    throw new EnvironmentSpecError(`${path}: cannot be read as TOML`, { cause: error });
  }
  const result = schema.safeParse(document);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new EnvironmentSpecError(`${path}: ${keyPath(issue.path)}: ${issue.message}`, {
    cause: result.error,
  });
}

/** `["project", "optional-dependencies", "test", 2]` → `project.optional-dependencies.test[2]`. */
function keyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    out += typeof key === "number" ? `[${key}]` : out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(top level)" : out;
}
