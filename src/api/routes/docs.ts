/**
 * `GET /openapi.json` (the OpenAPI 3.1 document generated from the route
 * schemas) and `GET /docs` (a small self-contained HTML page listing the
 * operations; no scripts, no CDN). Neither needs authentication.
 */
import type { ApiApp } from "../api_env.ts";
import { escapeHtml } from "../../ui/safe_markdown.ts";

type OpenApiDocument = ReturnType<ApiApp["getOpenAPI31Document"]>;

const INFO = {
  title: "backend-agent API",
  version: "1.0.0",
  description: "Submit GitHub `[dev]` work items to a backend-engineer agent and follow the jobs. " +
    "Authenticate with a bearer JWT from the configured identity provider, or an API key " +
    '(`Authorization: Bearer <key>` or `X-API-Key: <key>`). Errors are `{"error":{"code","message"}}`.',
};

/** Registers both routes; call after every other route so the document lists them all. */
export function registerDocs(app: ApiApp): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT or API key",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "apiKey",
    in: "header",
    name: "X-API-Key",
  });
  let document: OpenApiDocument | undefined;
  const getDocument = () => document ??= app.getOpenAPI31Document({ openapi: "3.1.0", info: INFO });
  app.get("/openapi.json", (c) => c.json(getDocument()));
  let page: string | undefined;
  app.get("/docs", (c) => c.html(page ??= renderDocs(getDocument())));
}

function renderDocs(document: OpenApiDocument): string {
  const operations: string[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of ["get", "post", "put", "patch", "delete"] as const) {
      const op = item?.[method];
      if (!op) continue;
      const params = (op.parameters ?? []).map((p) =>
        "name" in p ? `<code>${escapeHtml(p.name)}</code> (${p.in})` : ""
      )
        .filter(Boolean);
      const responses = Object.entries(op.responses ?? {}).map(([status, r]) =>
        `<li><code>${status}</code> ${escapeHtml("description" in r ? r.description ?? "" : "")}</li>`
      );
      operations.push(
        `<section><h2><code>${method.toUpperCase()} ${escapeHtml(path)}</code> — ${
          escapeHtml(op.summary ?? "")
        }</h2>` +
          (op.description ? `<p>${escapeHtml(op.description)}</p>` : "") +
          (params.length ? `<p>Parameters: ${params.join(", ")}</p>` : "") +
          (op.security?.length ? "<p>Needs credentials.</p>" : "") +
          `<ul>${responses.join("")}</ul></section>`,
      );
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${
    escapeHtml(INFO.title)
  }</title>` +
    `<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}h2{font-size:1.05rem}` +
    `section{border-top:1px solid #ddd;padding-top:.5rem}</style></head><body>` +
    `<h1>${escapeHtml(INFO.title)}</h1><p>${escapeHtml(INFO.description)}</p>` +
    `<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>` +
    `${operations.join("")}</body></html>`;
}
