/**
 * The dashboard's script and style sheet, served from the service itself (`/ui/assets/…`): nothing
 * is fetched from another origin, so the dashboard works on an air-gapped network. The files are
 * read once, on first use, from `src/ui/assets/`.
 */
import type { ApiApp } from "../api/api_env.ts";
import { UI_BASE } from "./ui_layout.ts";

const ASSETS: Record<string, string> = {
  "dashboard.js": "text/javascript; charset=utf-8",
  "dashboard.css": "text/css; charset=utf-8",
};

/** Registers `GET /ui/assets/{name}` for each asset on `app`. */
export function registerUiAssets(app: ApiApp): void {
  const cache = new Map<string, Promise<string>>();
  for (const [name, type] of Object.entries(ASSETS)) {
    app.get(`${UI_BASE}/assets/${name}`, async (c) => {
      let text = cache.get(name);
      if (!text) {
        text = Deno.readTextFile(new URL(`./assets/${name}`, import.meta.url));
        cache.set(name, text);
        // A failed read is not kept: the next request reads the file again.
        text.catch(() => cache.delete(name));
      }
      return c.body(await text, 200, { "content-type": type, "cache-control": "no-cache" });
    });
  }
}
