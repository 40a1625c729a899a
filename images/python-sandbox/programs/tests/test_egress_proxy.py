"""egress_proxy.py: only plain host names reach tinyproxy's allowlist."""
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


def test_writes_each_host_once_as_anchored_url_patterns(tmp_path):
    done = run(tmp_path, "pypi.org", "files.pythonhosted.org", "pypi.org", "10.0.0.7", "idx.local:8080")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "allowlist").read_text().splitlines() == [
        r"^http://pypi\.org(:(80))?/",
        r"^pypi\.org:443$",
        r"^http://files\.pythonhosted\.org(:(80))?/",
        r"^files\.pythonhosted\.org:443$",
        r"^http://10\.0\.0\.7(:(80))?/",
        r"^10\.0\.0\.7:443$",
        r"^http://idx\.local(:(80|8080))?/",
        r"^idx\.local:443$",
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
    assert not (tmp_path / "allowlist").exists()


def test_refuses_an_empty_allowlist(tmp_path):
    done = run(tmp_path)
    assert done.returncode == 2
    assert "at least one host" in done.stderr


def test_the_config_filters_by_host_and_logs_to_the_egress_folder():
    config = open("/etc/backend-agent/tinyproxy.conf", encoding="ascii").read()
    settings = [line.split(" ", 1) for line in config.splitlines() if line and not line.startswith("#")]
    lines = {name: value for name, value in settings}
    assert lines["Filter"] == '"/tmp/egress/allowlist"'
    assert lines["FilterDefaultDeny"] == "Yes"
    assert lines["FilterURLs"] == "On"
    assert lines["FilterType"] == "ere"
    assert lines["LogFile"] == '"/tmp/egress/tinyproxy.log"'
    assert lines["ConnectPort"] == "443"
