/**
 * True when an /etc/os-release text describes Debian, Ubuntu or a derivative
 * (by `ID` or `ID_LIKE`), i.e. a system where `apt-get install` works.
 */
export function isDebianLike(osRelease: string): boolean {
  const ids: string[] = [];
  for (const line of osRelease.split("\n")) {
    const match = /^(ID|ID_LIKE)=(.*)$/.exec(line.trim());
    if (match?.[2] !== undefined) ids.push(...match[2].replace(/["']/g, "").split(/\s+/));
  }
  return ids.some((id) => id === "debian" || id === "ubuntu");
}

/**
 * Whether this process may install packages with apt: running as root on a
 * Debian-like system. Needs `--allow-read=/etc/os-release`.
 */
export function canInstallWithApt(): boolean {
  if (Deno.uid() !== 0) return false;
  try {
    return isDebianLike(Deno.readTextFileSync("/etc/os-release"));
  } catch {
    return false;
  }
}
