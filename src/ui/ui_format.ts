/**
 * How the dashboard writes numbers, times and links: plain text a person reads without colour. Every
 * function returns a string the page's `html` helper escapes; {@link safeHref} decides which URLs
 * may become links at all.
 */

/** `ms` as `850 ms`, `12.3 s`, `4 min 05 s` or `2 h 07 min`. */
export function duration(ms: number | undefined): string {
  if (ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ${String(Math.floor(s % 60)).padStart(2, "0")} s`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, "0")} min`;
}

/** Dollars with four decimals: `$0.0123`. */
export function dollars(usd: number): string {
  return `$${usd.toFixed(4)}`;
}

/** Bytes as `512 B`, `3.4 KiB`, `120.5 MiB`, `1.2 GiB`. */
export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** How long ago `iso` was at `now`, e.g. `3 min ago`; `—` when absent or unreadable. */
export function age(iso: string | null | undefined, now: Date): string {
  if (!iso) return "—";
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "—";
  return `${duration(Math.max(0, now.getTime() - at))} ago`;
}

/** Whole numbers with thousands separators: `12,345`. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/**
 * `url` when it is an absolute `https:` or `http:` URL, else undefined: a `javascript:` or `data:`
 * link from a record never becomes clickable.
 */
export function safeHref(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** Rough tokens of `text` at four characters each, the agent loop's own estimate. */
export function estimatedTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
