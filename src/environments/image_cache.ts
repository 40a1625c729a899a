/**
 * The environment images on the engine (`backend-agent/env:<key>`, found by their key label): the
 * look-up of one key, the listing `GET /v1/environments` serves, and least-recently-used pruning
 * down to `ENV_CACHE_MAX` images.
 */
import type Docker from "dockerode";
import type { EnvironmentImage } from "../contracts/environment.ts";
import { ENV_KEY, ENV_LABELS, envImageName } from "./environment_labels.ts";
import type { EnvironmentUses } from "./environment_uses.ts";

/** A found image: its id and labels. */
export interface FoundImage {
  id: string;
  labels: Record<string, string>;
}

/** The environment images of one engine. */
export class EnvironmentCache {
  constructor(private readonly docker: Docker, private readonly uses: EnvironmentUses) {}

  /** The image of `key`, or undefined when there is none. */
  async find(key: string): Promise<FoundImage | undefined> {
    try {
      const info = await this.docker.getImage(envImageName(key)).inspect();
      return { id: info.Id, labels: info.Config?.Labels ?? {} };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  /** Every environment image, most recently used first. */
  async list(): Promise<EnvironmentImage[]> {
    const images = await this.docker.listImages({ filters: JSON.stringify({ label: [ENV_LABELS.key] }) });
    const lastUses = await this.uses.lastUses();
    const listed: EnvironmentImage[] = [];
    for (const info of images) {
      const labels = info.Labels ?? {};
      const key = labels[ENV_LABELS.key] ?? "";
      if (!ENV_KEY.test(key) || !(info.RepoTags ?? []).includes(envImageName(key))) continue;
      listed.push({
        key,
        image: envImageName(key),
        repo: labels[ENV_LABELS.repo] ?? "",
        createdAt: labels[ENV_LABELS.created] ?? new Date(info.Created * 1000).toISOString(),
        sizeBytes: count(labels[ENV_LABELS.size]),
        packages: count(labels[ENV_LABELS.packages]),
        lastUsedAt: lastUses.get(key) ?? null,
      });
    }
    return listed.sort((a, b) => recency(b).localeCompare(recency(a)));
  }

  /** Records a use of `key`'s image at `at`. */
  touch(key: string, at: string): Promise<void> {
    return this.uses.touch(key, at);
  }

  /**
   * Removes the least recently used images (last use, else build time) until at most `max` are
   * left, never `keep` (the one just used). An image a container still runs from is left for the
   * next prune. @returns the keys removed.
   */
  async prune(max: number, keep: string): Promise<string[]> {
    const images = await this.list();
    const removed: string[] = [];
    let over = images.length - max;
    for (const image of images.toReversed()) {
      if (over <= 0) break;
      if (image.key === keep) continue;
      try {
        await this.docker.getImage(image.image).remove();
        removed.push(image.key);
        over--;
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 404) over--;
        else if (status !== 409) throw error;
      }
    }
    if (removed.length > 0) await this.uses.forget(removed);
    return removed;
  }
}

function recency(image: EnvironmentImage): string {
  return image.lastUsedAt ?? image.createdAt;
}

function count(text: string | undefined): number {
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}
