/**
 * The dashboard's HTML shell: navigation, the credential form and the regions the page's script
 * fills. A shell holds no job data; the script asks for it with the caller's credential (kept in
 * `sessionStorage`, sent as `Authorization: Bearer`), so the API decides what each principal sees.
 * Every value written into the shell is escaped by Hono's `html` helper.
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/** Rendered HTML (possibly still resolving). */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Where the dashboard's pages live. */
export const UI_BASE = "/ui";

/** What a shell page shows. */
export interface ShellPage {
  /** The `<title>` and `<h1>`. */
  title: string;
  /** Which navigation entry is current. */
  section: "jobs" | "environments";
  /** Breadcrumb links before the title (href, text). */
  trail?: Array<[string, string]>;
  /** The page's regions. */
  body: Html;
}

/** The whole page. */
export function shell(page: ShellPage): Html {
  const current = (section: ShellPage["section"]) => page.section === section ? "page" : "false";
  return html`
    <!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>${page.title} — backend-agent</title>
        <link rel="stylesheet" href="${UI_BASE}/assets/dashboard.css">
        <script type="module" src="${UI_BASE}/assets/dashboard.js"></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <p class="brand"><a href="${UI_BASE}">backend-agent</a></p>
          <nav aria-label="Sections">
            <ul>
              <li><a href="${UI_BASE}" aria-current="${current("jobs")}">Jobs</a></li>
              <li><a href="${UI_BASE}/environments" aria-current="${current(
                "environments",
              )}">Environments</a></li>
              <li><a href="/docs">API</a></li>
            </ul>
          </nav>
          <div class="who" id="who" hidden>
            <span>Signed in with a credential kept in this tab only.</span>
            <button type="button" id="forget">Forget credential</button>
          </div>
        </header>
        <form id="login" class="login" hidden>
          <h2>Sign in</h2>
          <p>Paste an API key, or a bearer token from your identity provider. It is kept in this browser tab
      (<code>sessionStorage</code>) and sent only in the <code>Authorization</code> header, never in a URL.</p>
          <p id="login-error" class="error" role="alert" hidden></p>
          <label for="credential">API key or bearer token</label>
          <input id="credential" name="credential" type="password" autocomplete="off" required>
          <button type="submit">Sign in</button>
        </form>
        <main id="main" tabindex="-1">
      ${page.trail?.length ? trail(page.trail) : ""}
      <h1>${page.title}</h1>
      <noscript><p class="error">The dashboard needs JavaScript to fetch data with your credential.</p></noscript>
      <p id="notice" class="notice" role="status" hidden></p>
      ${page.body}
        </main>
      </body>
    </html>
  `;
}

function trail(links: Array<[string, string]>): Html {
  return html`
    <nav aria-label="Breadcrumb" class="trail">
      <ol>${links.map(([href, text]) => html`<li><a href="${href}">${text}</a></li>`)}</ol>
    </nav>
  `;
}

/** A region the script fills from `fragment` (a `/ui/fragments/…` URL); `refresh` re-reads it on job events. */
export function region(label: string, fragment: string, options: { refresh?: boolean } = {}): Html {
  return html`
    <section aria-label="${label}" class="region" data-fragment="${fragment}" ${options.refresh
      ? html`
        data-refresh="events"
      `
      : ""} aria-busy="true">
      <p class="loading">Loading…</p>
    </section>
  `;
}
