/**
 * The size of a tmpfs, as its mount options give it: `size=` in bytes or with
 * a k/m/g suffix (powers of 1024, as the kernel reads them). A tmpfs without
 * a size may grow to half the host's memory and `size=0` means no limit, so
 * every tmpfs a sandbox asks for must carry a positive size under the cap;
 * `nr_blocks=` and a `%` size would set the size another way and are refused.
 */
import { type BodyCheck, brief } from "./body_check.ts";

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
 * Refuses `options` (a comma-separated mount option list, at `field`) unless
 * every `size=` in it is a positive size of at most `maxBytes`, there is at
 * least one, and nothing else sets the size.
 * @param setting the cap's setting, named in the refusal (`PROXY_MAX_TMPFS_MB`).
 * @throws ProxyRefusal 403 through `check`.
 */
export function checkTmpfsSize(
  options: string,
  field: string,
  maxBytes: number,
  setting: string,
  check: BodyCheck,
): void {
  let sized = false;
  for (const raw of options.split(",")) {
    const option = raw.trim();
    const name = option.split("=")[0]!.toLowerCase();
    if (name === "nr_blocks") check.fail(field, `may not hold ${brief(option)} (the size is set with size=)`);
    if (name !== "size") continue;
    const bytes = tmpfsSizeBytes(option);
    if (bytes === undefined || bytes === 0) {
      check.fail(field, `must give size= as a positive number of bytes, k, m or g, got ${brief(option)}`);
    }
    if (bytes > maxBytes) {
      check.fail(
        field,
        `size must be at most ${maxBytes / MIB}m (${setting}=${maxBytes / MIB}), got ${brief(option)}`,
      );
    }
    sized = true;
  }
  if (!sized) check.fail(field, `must set a size (size=…, at most ${maxBytes / MIB}m)`);
}
