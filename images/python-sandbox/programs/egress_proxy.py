"""Starts the setup container's egress proxy: squid, allowing only the hosts named.

The host runs it as the command of the proxy container (see
``src/environments/setup_bodies.ts``)::

    python3 -I /opt/backend-agent/egress_proxy.py pypi.org files.pythonhosted.org

It checks that every argument is a plain host name or IPv4 address (lower case,
no wildcard), optionally with ``:port`` (the port of a package index served
elsewhere than 80/443), and writes, per host, squid access rules to
``/tmp/egress/allowlist.conf`` (included by ``/etc/backend-agent/squid.conf``):
plain HTTP to port 80 or the ports named, ``CONNECT`` to 443, the host matched
exactly as the request names it (``dstdomain -n``: no subdomain, no reverse
lookup). Then it replaces itself with ``squid -N -f /etc/backend-agent/squid.conf``
(foreground, one process), which logs every request with its size to
``/tmp/egress/access.log``. A bad argument exits 2 with the reason on stderr and
starts nothing.

Tests alone set ``BACKEND_AGENT_TEST_EGRESS_DIR`` to write the allowlist
elsewhere and ``BACKEND_AGENT_TEST_NO_EXEC`` to stop before squid starts.
"""
import os
import re
import sys

CONFIG = "/etc/backend-agent/squid.conf"
SQUID = "/usr/sbin/squid"
LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOST = re.compile(rf"{LABEL}(?:\.{LABEL})*")
PORT = re.compile(r"[1-9][0-9]{0,4}")
MAX_HOSTS = 64


def check_hosts(hosts):
    """host → its plain-HTTP ports (80 and those named), in order; raises ValueError naming a bad one."""
    if not hosts:
        raise ValueError("name at least one host to allow")
    if len(hosts) > MAX_HOSTS:
        raise ValueError(f"at most {MAX_HOSTS} hosts may be allowed, got {len(hosts)}")
    seen = {}
    for entry in hosts:
        host, _, port = entry.partition(":")
        if len(host) > 253 or not HOST.fullmatch(host):
            raise ValueError(f"{entry!r} is not a lower-case host name or IPv4 address (with :port)")
        if ":" in entry and (not PORT.fullmatch(port) or int(port) > 65535):
            raise ValueError(f"{entry!r} has no port from 1 to 65535 after its ':'")
        ports = seen.setdefault(host, ["80"])
        if port and port not in ports:
            ports.append(port)
    return seen


def rules(hosts):
    """squid's access rules for ``hosts`` (host → plain-HTTP ports): two ACLs and two rules each."""
    lines = []
    for n, (host, ports) in enumerate(hosts.items(), start=1):
        lines.append(f"acl egress_host_{n} dstdomain -n {host}")
        lines.append(f"acl egress_ports_{n} port {' '.join(ports)}")
        lines.append(f"http_access allow CONNECT egress_host_{n} egress_tls_port")
        lines.append(f"http_access allow !CONNECT egress_host_{n} egress_ports_{n}")
    return lines


def write_allowlist(folder, hosts):
    """Writes the access ``rules`` of ``hosts``, one a line, to ``folder/allowlist.conf`` (folder 0700)."""
    os.makedirs(folder, mode=0o700, exist_ok=True)
    path = os.path.join(folder, "allowlist.conf")
    with open(path, "w", encoding="ascii") as out:
        out.write("".join(f"{line}\n" for line in rules(hosts)))
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
    os.execv(SQUID, [SQUID, "-N", "-f", CONFIG])
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
