/**
 * The hosts the setup container's egress proxy lets through: the package indexes' hosts
 * (`PIP_INDEX_URL`, `PIP_EXTRA_INDEX_URL`), `files.pythonhosted.org` when PyPI itself is an index
 * (PyPI serves its files from there), and `SETUP_ALLOWED_HOSTS`. Exact host names, no wildcard; an
 * index served on a port of its own is written `host:port`. The proxy lets through plain HTTP to
 * port 80 or that port, and HTTPS tunnels to port 443, nothing else.
 */
import type { PackageIndex } from "./package_index.ts";

/** PyPI's index host and the host it serves files from. */
const PYPI_HOST = "pypi.org";
const PYPI_FILES_HOST = "files.pythonhosted.org";

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
/** What the proxy's allowlist accepts (see `images/python-sandbox/programs/egress_proxy.py`). */
const HOST = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

/** True when `host` is a lower-case host name or IPv4 address the proxy's allowlist accepts. */
export function isAllowlistHost(host: string): boolean {
  return host.length <= 253 && HOST.test(host);
}

/**
 * The allowlist, sorted and without duplicates.
 * @throws TypeError naming a host the proxy cannot allow (`SETUP_ALLOWED_HOSTS` is checked by config first).
 */
export function egressAllowlist(indexes: readonly PackageIndex[], allowedHosts: readonly string[]): string[] {
  const hosts = new Set<string>();
  const checked = [...indexes.map((index) => index.host), ...allowedHosts.map((host) => host.toLowerCase())];
  for (const host of checked) {
    if (!isAllowlistHost(host)) {
      throw new TypeError(`"${host}" is not a host name the egress proxy can allow`);
    }
  }
  for (const index of indexes) {
    const port = new URL(index.publicUrl).port;
    hosts.add(port === "" ? index.host : `${index.host}:${port}`);
    if (index.host === PYPI_HOST) hosts.add(PYPI_FILES_HOST);
  }
  for (const host of allowedHosts) hosts.add(host.toLowerCase());
  return [...hosts].sort();
}
