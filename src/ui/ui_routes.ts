/**
 * The web dashboard (`/ui`), on the API's own Hono app and origin: shell pages, fragments read
 * through the API with the caller's credential, and the assets. Its Content-Security-Policy
 * ({@link UI_CONTENT_SECURITY_POLICY}) lets only the service's own script and style sheet run.
 */
import type { ApiApp, ApiDeps } from "../api/api_env.ts";
import { registerUiAssets } from "./ui_assets.ts";
import { registerUiFragments } from "./ui_fragments.ts";
import { UI_BASE } from "./ui_layout.ts";
import { registerUiPages } from "./ui_pages.ts";

/**
 * The dashboard's CSP, for `hono/secure-headers`: scripts, styles, images and connections only from
 * the service's origin, no inline script or style, no plugins, no framing, forms only to itself.
 */
export const UI_CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

/** Whether `path` is one of the dashboard's. */
export function isUiPath(path: string): boolean {
  return path === UI_BASE || path.startsWith(`${UI_BASE}/`);
}

/** Registers the dashboard on `app`. */
export function registerUi(app: ApiApp, deps: ApiDeps): void {
  registerUiAssets(app);
  registerUiFragments(app, deps);
  registerUiPages(app);
}
