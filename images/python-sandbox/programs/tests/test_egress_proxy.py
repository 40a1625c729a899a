"""egress_proxy.py: only plain host names reach squid's access rules."""
import os
import subprocess
import sys

import pytest

PROGRAMS = os.environ.get("BACKEND_AGENT_PROGRAMS") or "/opt/backend-agent"
PROGRAM = os.path.join(PROGRAMS, "egress_proxy.py")


def run(folder, *hosts):
    env = dict(os.environ, BACKEND_AGENT_TEST_EGRESS_DIR=str(folder), BACKEND_AGENT_TEST_NO_EXEC="1")
    return subprocess.run(
        [sys.executable, "-I", PROGRAM, *hosts], capture_output=True, text=True, env=env, timeout=30
    )


def test_writes_each_host_once_as_exact_host_and_port_rules(tmp_path):
    done = run(tmp_path, "pypi.org", "files.pythonhosted.org", "pypi.org", "10.0.0.7", "idx.local:8080")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "allowlist.conf").read_text().splitlines() == [
        "acl egress_host_1 dstdomain -n pypi.org",
        "acl egress_ports_1 port 80",
        "http_access allow CONNECT egress_host_1 egress_tls_port",
        "http_access allow !CONNECT egress_host_1 egress_ports_1",
        "acl egress_host_2 dstdomain -n files.pythonhosted.org",
        "acl egress_ports_2 port 80",
        "http_access allow CONNECT egress_host_2 egress_tls_port",
        "http_access allow !CONNECT egress_host_2 egress_ports_2",
        "acl egress_host_3 dstdomain -n 10.0.0.7",
        "acl egress_ports_3 port 80",
        "http_access allow CONNECT egress_host_3 egress_tls_port",
        "http_access allow !CONNECT egress_host_3 egress_ports_3",
        "acl egress_host_4 dstdomain -n idx.local",
        "acl egress_ports_4 port 80 8080",
        "http_access allow CONNECT egress_host_4 egress_tls_port",
        "http_access allow !CONNECT egress_host_4 egress_ports_4",
    ]


@pytest.mark.parametrize(
    "host",
    [
        "*", "*.org", "pypi.org:", "pypi.org:0", "pypi.org:99999", "pypi.org:8a",
        "PyPI.org", "pypi.org\nevil.com", "pypi.org\n",
        "[::1]", "a..b", "-a.org", "", "a b",
    ],
)
def test_refuses_anything_but_a_plain_host(tmp_path, host):
    done = run(tmp_path, "pypi.org", host)
    assert done.returncode == 2
    assert "egress_proxy:" in done.stderr
    assert not (tmp_path / "allowlist.conf").exists()


def test_refuses_an_empty_allowlist(tmp_path):
    done = run(tmp_path)
    assert done.returncode == 2
    assert "at least one host" in done.stderr


def test_the_config_denies_all_but_the_allowlist_and_logs_sizes_to_the_egress_folder():
    config = open("/etc/backend-agent/squid.conf", encoding="ascii").read()
    lines = [line for line in config.splitlines() if line and not line.startswith("#")]
    rules = [line for line in lines if line.startswith(("include ", "http_access "))]
    assert rules == ["include /tmp/egress/allowlist.conf", "http_access deny all"]
    assert "acl egress_tls_port port 443" in lines
    assert "logformat egress %ts.%03tu %tr %>rm %>rd %>rP %Ss/%>Hs %>st %<st" in lines
    assert "access_log stdio:/tmp/egress/access.log logformat=egress buffer-size=0KB" in lines
    assert "cache deny all" in lines
