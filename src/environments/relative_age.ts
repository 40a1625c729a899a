/** "2 h ago": how long ago an instant was, in one rounded unit, for progress messages. */

/** `at` (ISO 8601) relative to `now`, e.g. `just now`, `40 s ago`, `12 min ago`, `2 h ago`, `3 d ago`. */
export function relativeAge(at: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(at)) / 1000));
  if (!Number.isFinite(seconds)) return "at an unknown time";
  if (seconds < 5) return "just now";
  if (seconds < 90) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${hours} h ago`;
  return `${Math.round(hours / 24)} d ago`;
}
