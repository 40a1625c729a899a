"""Runs the in-image programs the way the host does, against a temporary workspace.

Each program is run as ``python3 -I <program>`` with one JSON object on stdin,
and its JSON answer is read from stdout. The programs are the ones the image
ships in /opt/backend-agent; set ``BACKEND_AGENT_PROGRAMS`` to test another
copy, e.g. ``BACKEND_AGENT_PROGRAMS=images/python-sandbox/programs`` on a
host with pytest. The workspace is a temporary folder, handed to the
program in ``BACKEND_AGENT_TEST_WORKSPACE``.

The vitest file ``tests/sandbox/programs_pytest.test.ts`` runs these tests in
a sandbox container made from the image.
"""
import json
import os
import subprocess
import sys

import pytest

PROGRAMS = os.environ.get("BACKEND_AGENT_PROGRAMS") or "/opt/backend-agent"


class Program:
    """One in-image program bound to one workspace folder."""

    def __init__(self, name, root):
        self.path = os.path.join(PROGRAMS, name)
        self.root = root

    def run(self, request):
        """Runs the program on ``request`` (a dict, or bytes sent as they are)."""
        data = request if isinstance(request, bytes) else json.dumps(request).encode()
        env = dict(os.environ, BACKEND_AGENT_TEST_WORKSPACE=self.root)
        return subprocess.run(
            [sys.executable, "-I", self.path], input=data, capture_output=True, env=env, timeout=60
        )

    def answer(self, request):
        """The program's JSON answer; it must exit 0 and print nothing on stderr."""
        done = self.run(request)
        assert done.returncode == 0, done.stderr.decode()
        assert done.stderr == b""
        return json.loads(done.stdout)


@pytest.fixture
def workspace(tmp_path):
    """An empty workspace folder (its real path, as the programs compare real paths)."""
    root = tmp_path / "workspace"
    root.mkdir()
    return os.path.realpath(root)


@pytest.fixture
def editor(workspace):
    """The editor program on the test's workspace."""
    return Program("editor.py", workspace)


@pytest.fixture
def changes(workspace):
    """The changes program on the test's workspace."""
    return Program("changes.py", workspace)
