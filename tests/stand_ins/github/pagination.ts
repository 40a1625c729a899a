/** GitHub-style page slicing with `per_page` / `page` and a `Link` header. */
import { json } from "./responses.ts";

/** A 200 JSON response with one page of `items`; `link` gets `next`/`last`/`prev`/`first` as GitHub sends them. */
export function pagedJson(items: unknown[], query: URLSearchParams, selfUrl: string): Response {
  const perPage = Math.min(100, Math.max(1, Number(query.get("per_page") ?? 30) || 30));
  const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const pageUrl = (number: number) => {
    const url = new URL(selfUrl);
    url.searchParams.set("per_page", String(perPage));
    url.searchParams.set("page", String(number));
    return url.toString();
  };
  const links: string[] = [];
  if (page > 1) links.push(`<${pageUrl(page - 1)}>; rel="prev"`, `<${pageUrl(1)}>; rel="first"`);
  if (page < last) links.push(`<${pageUrl(page + 1)}>; rel="next"`, `<${pageUrl(last)}>; rel="last"`);
  const body = items.slice((page - 1) * perPage, page * perPage);
  return json(200, body, links.length > 0 ? { link: links.join(", ") } : {});
}
