/**
 * The `environment` event of a work item, from the builder's progress: the data as it is, and the
 * message people read, e.g. `environment: cache hit env:ab12… (built 2 h ago, 14 packages)` or
 * `environment: installing from requirements.txt, pyproject.toml through the egress proxy (pypi.org,
 * files.pythonhosted.org)`.
 */
import type { EnvironmentProgress } from "../environments/environment_provider.ts";
import { relativeAge } from "../environments/relative_age.ts";
import type { JobEventData, NewJobEvent } from "../contracts/job_events.ts";

/** The event of `progress` for work item `issue`, its age words measured at `now` (ms). */
export function environmentEvent(issue: number, progress: EnvironmentProgress, now: number): NewJobEvent {
  const data = environmentData(issue, progress);
  return { kind: "environment", message: `#${issue}: environment: ${environmentWords(progress, now)}`, data };
}

function environmentData(issue: number, progress: EnvironmentProgress): JobEventData<"environment"> {
  switch (progress.phase) {
    case "base":
    case "cache_hit":
    case "built":
      return { issue, phase: progress.phase, key: progress.result.key, result: progress.result };
    case "building":
      return { issue, ...progress };
    case "failed": {
      const { reason: _reason, ...rest } = progress;
      return { issue, ...rest };
    }
  }
}

function environmentWords(progress: EnvironmentProgress, now: number): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  switch (progress.phase) {
    case "base":
      return "nothing to install; the base image as it is";
    case "cache_hit": {
      const { result } = progress;
      const built = result.builtAt ? `built ${relativeAge(result.builtAt, now)}, ` : "";
      return `cache hit env:${result.key.slice(0, 4)}… (${built}${result.packages} packages)`;
    }
    case "building":
      return `installing from ${
        progress.sources.join(", ") || "the setup script"
      } through the egress proxy (${progress.allowlist.join(", ")})`;
    case "built": {
      const { result } = progress;
      const refused = result.egress.filter((e) => !e.allowed).length;
      return `built env:${result.key.slice(0, 4)}… in ${
        seconds(result.elapsedMs)
      } (${result.packages} packages; ` +
        `${result.egress.length} requests through the egress proxy, ${refused} refused)`;
    }
    case "failed":
      return `${progress.failure === "timeout" ? "timed out" : "failed"} after ${
        seconds(progress.elapsedMs)
      }: ${progress.reason}`;
  }
}
