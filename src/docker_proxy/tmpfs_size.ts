/**
 * The size of a tmpfs, as its mount options give it: `size=` in bytes or with
 * a k/m/g suffix (powers of 1024, as the kernel reads them). A tmpfs without
 * a size may grow to half the host's memory and `size=0` means no limit, so
 * every tmpfs a sandbox asks for must carry a positive size under the cap;
 * `nr_blocks=` and a `%` size would set the size another way and are refused.
 * Rules for the policy tables: a tmpfs volume's options, a container's `Tmpfs`.
 */
import { brief } from "./body_check.ts";
import type { Rule, RuleContext } from "./policy_engine.ts";
import { all } from "./rule_combinators.ts";
import { stringMap } from "./type_rules.ts";
import type { Setting } from "./value_rules.ts";

const MIB = 1024 * 1024;
const SIZE = /^([0-9]{1,12})([kKmMgG]?)$/;
const UNIT: Record<string, number> = { "": 1, k: 1024, m: MIB, g: 1024 * MIB };

/** The bytes a size such as `128m` stands for (k, m, g: powers of 1024), or undefined when it is not one. */
export function sizeBytes(text: string): number | undefined {
  const match = SIZE.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNIT[match[2]!.toLowerCase()]!;
}

/** The bytes a `size=…` option sets, or undefined when it is not one this module reads. */
export function tmpfsSizeBytes(option: string): number | undefined {
  return option.startsWith("size=") ? sizeBytes(option.slice("size=".length)) : undefined;
}

/**
 * A comma-separated mount option list whose every `size=` is a positive size
 * of at most the cap `setting` gives (`PROXY_MAX_TMPFS_MB`), with at least
 * one, and nothing else setting the size.
 */
export function tmpfsSize<S>(setting: Setting<S>): Rule<S> {
  return (value, ctx) => checkSize(value as string, setting(ctx.settings), ctx);
}

/**
 * A `Tmpfs` map (target → options): every entry sized as {@link tmpfsSize}
 * says (named `Tmpfs["/tmp"]`), then every target an absolute path.
 */
export function tmpfsMounts<S>(setting: Setting<S>): Rule<S> {
  return all<S>(stringMap, (value: unknown, ctx: RuleContext<S>) => {
    const mounts = value as Record<string, string>;
    for (const [target, options] of Object.entries(mounts)) {
      checkSize(options, setting(ctx.settings), ctx.at(`[${brief(target)}]`));
    }
    for (const target of Object.keys(mounts)) {
      if (!target.startsWith("/")) ctx.fail(`targets must be absolute paths, got ${brief(target)}`);
    }
  });
}

function checkSize(options: string, max: { cap: number; name: string }, ctx: RuleContext<unknown>): void {
  let sized = false;
  for (const raw of options.split(",")) {
    const option = raw.trim();
    const name = option.split("=")[0]!.toLowerCase();
    if (name === "nr_blocks") ctx.fail(`may not hold ${brief(option)} (the size is set with size=)`);
    if (name !== "size") continue;
    const bytes = tmpfsSizeBytes(option);
    if (bytes === undefined || bytes === 0) {
      ctx.fail(`must give size= as a positive number of bytes, k, m or g, got ${brief(option)}`);
    }
    if (bytes > max.cap) {
      ctx.fail(`size must be at most ${max.cap / MIB}m (${max.name}), got ${brief(option)}`);
    }
    sized = true;
  }
  if (!sized) ctx.fail(`must set a size (size=…, at most ${max.cap / MIB}m)`);
}
