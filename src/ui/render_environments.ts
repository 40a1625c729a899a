/** The cached environments: repository, image, size, packages, age and last use. */
import { html } from "hono/html";
import type { EnvironmentImage } from "../environments/image_cache.ts";
import { age, bytes, count } from "./ui_format.ts";
import type { Html } from "./ui_layout.ts";

/** The table of `environments` at `now`. */
export function renderEnvironments(environments: EnvironmentImage[], now: Date): Html {
  if (environments.length === 0) return html`<p class="empty">No cached environments.</p>`;
  return html`
    <div class="scroll">
      <table class="environments">
        <caption>Cached environments, most recently used first</caption>
        <thead>
          <tr>
            <th scope="col">Repository</th>
            <th scope="col">Image</th>
            <th scope="col">Size</th>
            <th scope="col">Packages</th>
            <th scope="col">Built</th>
            <th scope="col">Last used</th>
          </tr>
        </thead>
        <tbody>${environments.map((env) =>
          html`
            <tr>
              <td>${env.repo}</td>
              <td><code>${env.image}</code></td>
              <td class="num">${bytes(env.sizeBytes)}</td>
              <td class="num">${count(env.packages)}</td>
              <td>${age(env.createdAt, now)}</td>
              <td>${age(env.lastUsedAt, now)}</td>
            </tr>
          `
        )}</tbody>
      </table>
    </div>
  `;
}
