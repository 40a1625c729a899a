/**
 * Listing only managed resources: the `filters` query of `GET /containers/json`
 * and `GET /volumes` always gains `label=dev.backend-agent.managed=true`. The
 * engine ANDs label filters, so whatever else the caller filters on, nothing
 * unlabelled comes back.
 */
import { LABELS } from "../sandbox/limits.ts";
import { badRequest } from "./refusal.ts";

/** The label filter every listing carries. */
export const MANAGED_FILTER = `${LABELS.managed}=true`;

/**
 * The `filters` value to send: the caller's (array or legacy map form) in
 * array form, plus the managed label.
 * @throws ProxyRefusal 400 when `raw` is not a filters object.
 */
export function managedFilters(raw: string | null): string {
  const filters = new Map<string, string[]>();
  if (raw !== null && raw !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw badRequest("docker-proxy: filters is not valid JSON");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw badRequest("docker-proxy: filters must be a JSON object");
    }
    for (const [key, value] of Object.entries(parsed)) {
      if (Array.isArray(value) && value.every((v) => typeof v === "string")) filters.set(key, [...value]);
      else if (typeof value === "object" && value !== null && Object.values(value).every((v) => v === true)) {
        filters.set(key, Object.keys(value));
      } else throw badRequest(`docker-proxy: filters.${key} must be a list of strings`);
    }
  }
  const labels = filters.get("label") ?? [];
  filters.set("label", labels.includes(MANAGED_FILTER) ? labels : [...labels, MANAGED_FILTER]);
  return JSON.stringify(Object.fromEntries(filters));
}
