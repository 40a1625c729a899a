/** Captures what code prints to the console (objects as `Deno.inspect` shows them), to prove a secret is not there. */
import { vi } from "vitest";

/** Starts capturing; `restore()` gives the console back. */
export function captureConsole(): { text(): string; restore(): void } {
  let printed = "";
  const spies = (["log", "info", "warn", "error", "debug", "trace"] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      printed += args.map((a) => typeof a === "string" ? a : Deno.inspect(a, { depth: 20, colors: false }))
        .join(" ") + "\n";
    })
  );
  return {
    text: () => printed,
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}
