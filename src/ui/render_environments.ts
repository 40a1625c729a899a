/** The cached environments: repository, image, size, packages, age and last use. */
import { html } from "hono/html";
import type { EnvironmentImage } from "../contracts/environment.ts";
import { dataTable } from "./data_table.ts";
import { age, bytes, count } from "./ui_format.ts";
import type { Html } from "./ui_layout.ts";

/** The table of `environments` at `now`. */
export function renderEnvironments(environments: EnvironmentImage[], now: Date): Html {
  if (environments.length === 0) return html`<p class="empty">No cached environments.</p>`;
  return dataTable({
    name: "environments",
    caption: "Cached environments, most recently used first",
    columns: ["Repository", "Image", "Size", "Packages", "Built", "Last used"],
    items: environments,
    row: (env) =>
      html`
        <tr>
          <td>${env.repo}</td>
          <td><code>${env.image}</code></td>
          <td class="num">${bytes(env.sizeBytes)}</td>
          <td class="num">${count(env.packages)}</td>
          <td>${age(env.createdAt, now)}</td>
          <td>${age(env.lastUsedAt, now)}</td>
        </tr>
      `,
  });
}
