"""Starts the setup container's egress proxy: tinyproxy, allowing only the hosts named.

The host runs it as the command of the proxy container (see
``src/environments/proxy_container.ts``)::

    python3 -I /opt/backend-agent/egress_proxy.py pypi.org files.pythonhosted.org

It checks that every argument is a plain host name or IPv4 address (lower case,
no wildcard, no port), writes them one a line to ``/tmp/egress/allowlist`` (read
by tinyproxy's ``Filter``, where each line is an exact fnmatch pattern), and
replaces itself with ``tinyproxy -d -c /etc/backend-agent/tinyproxy.conf``,
which logs every request to ``/tmp/egress/tinyproxy.log``. A bad argument exits
2 with the reason on stderr and starts nothing.

Tests alone set ``BACKEND_AGENT_TEST_EGRESS_DIR`` to write the allowlist
elsewhere and ``BACKEND_AGENT_TEST_NO_EXEC`` to stop before tinyproxy starts.
"""
import os
import re
import sys

CONFIG = "/etc/backend-agent/tinyproxy.conf"
TINYPROXY = "/usr/bin/tinyproxy"
LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOST = re.compile(rf"{LABEL}(?:\.{LABEL})*")
MAX_HOSTS = 64


def check_hosts(hosts):
    """The hosts, de-duplicated in order; raises ValueError naming the first bad one."""
    if not hosts:
        raise ValueError("name at least one host to allow")
    if len(hosts) > MAX_HOSTS:
        raise ValueError(f"at most {MAX_HOSTS} hosts may be allowed, got {len(hosts)}")
    seen = []
    for host in hosts:
        if len(host) > 253 or not HOST.fullmatch(host):
            raise ValueError(f"{host!r} is not a lower-case host name or IPv4 address")
        if host not in seen:
            seen.append(host)
    return seen


def write_allowlist(folder, hosts):
    """Writes ``hosts`` one a line to ``folder/allowlist`` (created 0700 when missing)."""
    os.makedirs(folder, mode=0o700, exist_ok=True)
    path = os.path.join(folder, "allowlist")
    with open(path, "w", encoding="ascii") as out:
        out.write("".join(f"{host}\n" for host in hosts))
    return path


def main(argv):
    try:
        hosts = check_hosts(argv)
    except ValueError as error:
        print(f"egress_proxy: {error}", file=sys.stderr)
        return 2
    write_allowlist(os.environ.get("BACKEND_AGENT_TEST_EGRESS_DIR") or "/tmp/egress", hosts)
    if os.environ.get("BACKEND_AGENT_TEST_NO_EXEC"):
        return 0
    os.execv(TINYPROXY, [TINYPROXY, "-d", "-c", CONFIG])
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
