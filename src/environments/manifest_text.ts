/** Manifest files' bytes as text: within the size bound, UTF-8, strictly. */
import { EnvironmentSpecError } from "./environment_spec_error.ts";

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Decodes the manifest file `path` as UTF-8 (a leading byte-order mark is dropped, as pip and `tomllib` do).
 * @throws EnvironmentSpecError naming `path` when it is over `maxBytes` or not UTF-8.
 */
export function manifestText(path: string, bytes: Uint8Array, maxBytes: number): string {
  if (bytes.byteLength > maxBytes) {
    throw new EnvironmentSpecError(
      `${path} is ${bytes.byteLength} bytes, over the ${maxBytes} bytes setup reads; install with .backend-agent/setup.sh instead`,
    );
  }
  try {
    return UTF8.decode(bytes);
  } catch (error) {
    throw new EnvironmentSpecError(`${path} is not UTF-8 text; save it as UTF-8`, { cause: error });
  }
}
