import { expect, test } from "vitest";
import { isDebianLike } from "../../scripts/os_release.ts";

test("Debian, Ubuntu and their derivatives count as apt systems; others do not", () => {
  expect(isDebianLike('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n')).toBe(
    true,
  );
  expect(isDebianLike("ID=ubuntu\nID_LIKE=debian\n")).toBe(true);
  expect(isDebianLike('ID=linuxmint\nID_LIKE="ubuntu debian"\n')).toBe(true);
  expect(isDebianLike("ID=fedora\nVERSION_ID=40\n")).toBe(false);
  expect(isDebianLike('ID="rocky"\nID_LIKE="rhel centos fedora"\n')).toBe(false);
  expect(isDebianLike("")).toBe(false);
});
