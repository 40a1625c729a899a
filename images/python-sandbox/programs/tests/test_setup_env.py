"""setup_env.py: carries out an install plan, counts what it installed, hands over no leaked secret."""
import json
import os
import subprocess
import sys
import zipfile

import pytest

PROGRAMS = os.environ.get("BACKEND_AGENT_PROGRAMS") or "/opt/backend-agent"
PROGRAM = os.path.join(PROGRAMS, "setup_env.py")
sys.path.insert(0, PROGRAMS)
import setup_env  # noqa: E402

SCRIPT = ".backend-agent/setup.sh"


def run(workspace, venv, request, **env):
    full = dict(
        os.environ,
        BACKEND_AGENT_TEST_WORKSPACE=str(workspace),
        BACKEND_AGENT_TEST_VENV=str(venv),
        **env,
    )
    data = request if isinstance(request, str) else json.dumps(request)
    return subprocess.run(
        [sys.executable, "-I", PROGRAM], input=data, capture_output=True, text=True, env=full, timeout=120
    )


def last_line(done):
    marker, _, data = done.stdout.strip().split("\n")[-1].partition(" ")
    assert marker == setup_env.MARKER, done.stdout + done.stderr
    return json.loads(data)


def fake_venv(root, *dists):
    site = root / "lib" / "python3.13" / "site-packages"
    site.mkdir(parents=True)
    for dist in dists:
        (site / f"{dist}.dist-info").mkdir()
    return root


def write_wheel(folder, name, version, module_text):
    """A pure-Python wheel built with zipfile alone (no network, no build backend)."""
    dist = f"{name}-{version}"
    path = folder / f"{dist}-py3-none-any.whl"
    files = {
        f"{name}.py": module_text,
        f"{dist}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}.dist-info/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = "".join(f"{p},,\n" for p in files) + f"{dist}.dist-info/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as wheel:
        for p, text in files.items():
            wheel.writestr(p, text)
        wheel.writestr(f"{dist}.dist-info/RECORD", record)
    return path


@pytest.mark.parametrize(
    "request_text",
    [
        "not json",
        json.dumps({"plan": {"kind": "pip", "installs": []}}),
        json.dumps({"plan": {"kind": "pip", "installs": [[]]}}),
        json.dumps({"plan": {"kind": "pip", "installs": [["x", 1]]}}),
        json.dumps({"plan": {"kind": "script", "path": "../evil.sh"}}),
        json.dumps({"plan": {"kind": "none"}}),
        json.dumps({"installs": [["x"]]}),
    ],
)
def test_refuses_anything_but_a_plan(tmp_path, request_text):
    done = run(tmp_path, tmp_path, request_text)
    assert done.returncode == 2
    assert done.stderr.startswith("setup_env: ")


def test_runs_the_setup_script_in_the_workspace_and_counts_the_venvs_packages(tmp_path):
    workspace = tmp_path / "w"
    (workspace / ".backend-agent").mkdir(parents=True)
    (workspace / ".backend-agent" / "setup.sh").write_text('echo "ran in $PWD"; touch made-by-setup\n')
    dists = ["pip-25.1.1", "PyJWT-2.10.1", "SQLAlchemy-2.0.36", "typing_extensions-4.0"]
    venv = fake_venv(tmp_path / "venv", *dists)
    done = run(workspace, venv, {"plan": {"kind": "script", "path": SCRIPT}})
    assert done.returncode == 0, done.stderr
    assert f"ran in {workspace}" in done.stdout
    assert (workspace / "made-by-setup").exists()
    assert last_line(done) == {"packages": 3}


def test_a_failing_step_stops_the_plan_with_its_status(tmp_path):
    workspace = tmp_path / "w"
    (workspace / ".backend-agent").mkdir(parents=True)
    (workspace / ".backend-agent" / "setup.sh").write_text("echo 'no such package' >&2; exit 7\n")
    done = run(workspace, fake_venv(tmp_path / "venv"), {"plan": {"kind": "script", "path": SCRIPT}})
    assert done.returncode == 7
    assert setup_env.MARKER not in done.stdout


def test_a_secret_written_into_the_venv_is_found_and_nothing_is_handed_over(tmp_path):
    workspace = tmp_path / "w"
    (workspace / ".backend-agent").mkdir(parents=True)
    venv = fake_venv(tmp_path / "venv")
    (workspace / ".backend-agent" / "setup.sh").write_text(
        f'echo "index=$PIP_INDEX_URL" > {venv}/pip.conf; echo "secrets=${{BACKEND_AGENT_SECRETS:-none}}"\n'
    )
    done = run(
        workspace,
        venv,
        {"plan": {"kind": "script", "path": SCRIPT}},
        PIP_INDEX_URL="https://user:canary-123@index.example/simple",
        BACKEND_AGENT_SECRETS="canary-123\nuser:canary-123",
    )
    assert done.returncode == 3
    assert "secrets=none" in done.stdout
    assert last_line(done) == {"leaked": [f"{venv}/pip.conf"]}


def test_find_secrets_reads_bytes_and_skips_links(tmp_path):
    (tmp_path / "a").write_bytes(b"\x00\x01token-9\x02")
    (tmp_path / "b").write_text("nothing here")
    os.symlink("/etc/passwd", tmp_path / "link")
    assert setup_env.find_secrets(["token-9"], [str(tmp_path)]) == [str(tmp_path / "a")]
    assert setup_env.find_secrets(["root:x"], [str(tmp_path)]) == []


def test_a_pip_plan_installs_into_the_venv_offline(tmp_path):
    venv = tmp_path / "venv"
    made = subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", str(venv)], capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    workspace = tmp_path / "w"
    workspace.mkdir()
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    write_wheel(wheels, "tinydep", "1.0", "VALUE = 42\n")
    (workspace / "requirements.txt").write_text("tinydep==1.0\n")
    install = ["--no-index", "--find-links", str(wheels), "-r", "requirements.txt"]
    plan = {"kind": "pip", "installs": [install]}
    done = run(workspace, venv, {"plan": plan})
    assert done.returncode == 0, done.stdout + done.stderr
    assert last_line(done) == {"packages": 1}
    check = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import tinydep; print(tinydep.VALUE)"],
        capture_output=True,
        text=True,
    )
    assert check.stdout == "42\n"


def test_a_secret_is_found_percent_encoded_and_in_base64_at_any_alignment(tmp_path):
    secret = "tok:en/+x9?"
    import base64
    import urllib.parse

    (tmp_path / "quoted").write_text(urllib.parse.quote(secret, safe=""))
    for prefix in ["", "a", "ab"]:
        (tmp_path / f"b64-{len(prefix)}").write_bytes(base64.b64encode(f"{prefix}{secret}!".encode()))
        url64 = base64.urlsafe_b64encode(f"{prefix}{secret}!".encode())
        (tmp_path / f"url64-{len(prefix)}").write_bytes(url64)
    (tmp_path / "clean").write_text("tok:en/ x9")
    found = setup_env.find_secrets([secret], [str(tmp_path)])
    assert sorted(os.path.basename(p) for p in found) == sorted(
        ["quoted", "b64-0", "b64-1", "b64-2", "url64-0", "url64-1", "url64-2"]
    )


def test_the_scan_command_reports_always_and_runs_nothing(tmp_path):
    venv = fake_venv(tmp_path / "venv")
    (venv / "late.txt").write_text("canary-123")
    env = {
        "PATH": os.environ["PATH"],
        "BACKEND_AGENT_TEST_VENV": str(venv),
        "BACKEND_AGENT_SECRETS": "canary-123",
    }
    program = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "setup_env.py")
    leaked = subprocess.run([sys.executable, "-I", program, "scan"], env=env, capture_output=True, text=True)
    assert leaked.returncode == 3
    assert last_line(leaked) == {"leaked": [f"{venv}/late.txt"]}
    (venv / "late.txt").unlink()
    clean = subprocess.run([sys.executable, "-I", program, "scan"], env=env, capture_output=True, text=True)
    assert (clean.returncode, last_line(clean)) == (0, {"leaked": []})
