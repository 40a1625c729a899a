/** A tiny route table for the repo-scoped routes: method + regex on the path after `/repos/{owner}/{repo}`. */
import type { StandInState, StoredRepo } from "./state.ts";

/** What a route handler gets. */
export interface RouteContext {
  state: StandInState;
  repo: StoredRepo;
  /** Decoded regex groups. */
  params: string[];
  query: URLSearchParams;
  /** Parsed JSON body, or undefined. */
  body: unknown;
}

/** One route. */
export interface Route {
  method: string;
  /** Matched against the rest of the path, e.g. `/git/ref/(.+)`. */
  pattern: RegExp;
  handle(context: RouteContext): Response | Promise<Response>;
}

/** The route and decoded params matching `method` and `rest`, if any. */
export function matchRoute(
  routes: Route[],
  method: string,
  rest: string,
): { route: Route; params: string[] } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(rest);
    if (match) return { route, params: match.slice(1).map((part) => decodeURIComponent(part ?? "")) };
  }
  return undefined;
}

/** Reads a JSON object field of the body, or undefined. */
export function field(body: unknown, name: string): unknown {
  return typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}
