/** The `label` JSON shape, and GitHub's rule that adding an unknown label name creates it. */
import type { StoredLabel, StoredRepo } from "./state.ts";
import { nodeId } from "./wire_repo.ts";

/** GitHub's colour for a label created by adding it to an issue. */
const NEW_LABEL_COLOR = "ededed";

/** The label `name` of `repo` (case-insensitive, like GitHub), created when missing. */
export function ensureLabel(repo: StoredRepo, name: string, nextId: () => number): StoredLabel {
  const known = repo.labels.get(name.toLowerCase());
  if (known) return known;
  const label: StoredLabel = { id: nextId(), name, color: NEW_LABEL_COLOR, description: "" };
  repo.labels.set(name.toLowerCase(), label);
  return label;
}

/** A `label` object for the label `name` of `repo` (every name stored on an issue has a label). */
export function labelJson(base: string, repo: StoredRepo, name: string) {
  const label = repo.labels.get(name.toLowerCase());
  const id = label?.id ?? 0;
  return {
    id,
    node_id: nodeId("LA", id),
    url: `${base}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(label?.name ?? name)}`,
    name: label?.name ?? name,
    description: label?.description ?? "",
    color: label?.color ?? NEW_LABEL_COLOR,
    default: false,
  };
}
