/** The query strings the proxy passes on: rebuilt from the allowed parameters only. */
import { forbidden } from "./refusal.ts";

/**
 * The query parameters of a call, each allowed by name and checked against its pattern; an unknown one
 * is dropped or refused, a repeated or invalid one refused (403 naming it).
 */
export function rebuildQuery(
  query: URLSearchParams,
  allowed: Record<string, RegExp>,
  unknown: "drop" | "refuse",
  call: string,
): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of new Set(query.keys())) {
    const pattern = Object.hasOwn(allowed, key) ? allowed[key] : undefined;
    if (!pattern) {
      if (unknown === "refuse") {
        throw forbidden(`docker-proxy: ${call} refused: query parameter "${key}" is not allowed`);
      }
      continue;
    }
    const values = query.getAll(key);
    if (values.length > 1) {
      throw forbidden(`docker-proxy: ${call} refused: query parameter "${key}" is repeated`);
    }
    if (!pattern.test(values[0]!)) {
      throw forbidden(`docker-proxy: ${call} refused: query parameter "${key}" is invalid`);
    }
    out.set(key, values[0]!);
  }
  return out;
}

/** `?query`, or nothing when it is empty. */
export function suffix(query: URLSearchParams): string {
  const text = query.toString();
  return text ? `?${text}` : "";
}
