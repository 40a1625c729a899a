"""Installs a repo's dependencies into /opt/venv, inside the setup container.

The host runs it as ``python3 -I /opt/backend-agent/setup_env.py`` (see
``src/environments/setup_run.ts``) in the setup container, whose only way out
is the egress proxy. The repo is in /workspace; the package index and proxy
settings come in the exec environment (``PIP_INDEX_URL``, ``HTTPS_PROXY``, …),
never in the container's own configuration, so they are not in the image the
container becomes.

Input (stdin, JSON): ``plan``: ``{"kind": "pip", "installs": [[argv…], …]}``
(each one ``pip install`` argv tail, run in order) or ``{"kind": "script",
"path": ".backend-agent/setup.sh"}`` (run as ``bash <path>``).

Output: what pip or the script print, as they print it (stderr merged into
stdout by the host's command), then one last line
``BACKEND-AGENT-SETUP {"packages": N}`` once everything succeeded, where N
counts the distributions installed in /opt/venv (pip itself not counted).
When ``BACKEND_AGENT_SECRETS`` (exec environment, newline-separated) is set,
the files setup may have written (/opt/venv, /var/tmp) are searched for each
secret first (as written, percent-encoded and Base64, see ``secret_forms``);
a hit is reported on that line as ``{"leaked": [paths]}`` with exit 3, and
the host commits nothing. A failed install exits with its status. Exit 2: the
input is not a plan.

``setup_env.py scan`` (no input) only searches: the host runs it after it has
stopped every process of the setup user, so nothing setup started can write a
secret after the search or tamper with it. Its last line is always
``{"leaked": [paths]}`` (empty when clean), exit 3 on a hit.

Tests alone set ``BACKEND_AGENT_TEST_WORKSPACE`` and ``BACKEND_AGENT_TEST_VENV``
to use other folders.
"""
import base64
import glob
import json
import os
import subprocess
import sys
import urllib.parse

MARKER = "BACKEND-AGENT-SETUP"
WORKSPACE = os.environ.get("BACKEND_AGENT_TEST_WORKSPACE") or "/workspace"
VENV = os.environ.get("BACKEND_AGENT_TEST_VENV") or "/opt/venv"
SCANNED = [VENV, "/var/tmp"]
SCRIPT = ".backend-agent/setup.sh"
PIP_OPTIONS = ["--no-input", "--progress-bar", "off", "--disable-pip-version-check"]


def read_plan(text):
    """The plan from the input; raises ValueError when it is not one."""
    try:
        plan = json.loads(text)["plan"]
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"the input is not {{\"plan\": …}}: {error}") from error
    kind = plan.get("kind") if isinstance(plan, dict) else None
    if kind == "script" and plan.get("path") == SCRIPT:
        return plan
    installs = plan.get("installs") if kind == "pip" else None
    if (
        isinstance(installs, list)
        and installs
        and all(isinstance(a, list) and a and all(isinstance(w, str) for w in a) for a in installs)
    ):
        return plan
    raise ValueError("the plan must be a pip plan with installs or the setup script")


def commands(plan):
    """The argv lists that carry the plan out, in order."""
    if plan["kind"] == "script":
        return [["bash", plan["path"]]]
    pip = [os.path.join(VENV, "bin", "python"), "-m", "pip", "install", *PIP_OPTIONS]
    return [pip + argv for argv in plan["installs"]]


def count_packages():
    """Distributions installed in the venv's own site-packages, pip itself left out."""
    names = set()
    for folder in glob.glob(os.path.join(VENV, "lib", "python3*", "site-packages")):
        for info in glob.glob(os.path.join(folder, "*.dist-info")):
            name = os.path.basename(info)[: -len(".dist-info")].rsplit("-", 1)[0]
            names.add(name.lower().replace("_", "-"))
    names.discard("pip")
    return len(names)


def secret_forms(secret):
    """The byte strings ``secret`` may be written as: itself, percent-encoded, and Base64
    (standard and URL-safe) at each of the three alignments it can have inside a longer encoded
    text (the characters that depend on the secret's bytes alone)."""
    raw = secret.encode()
    forms = {raw, urllib.parse.quote(secret, safe="").encode(), urllib.parse.quote(secret).encode()}
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        first = -(-8 * shift // 6)
        inner = encoded[first:(8 * (shift + len(raw))) // 6]
        if len(inner) >= 4:
            forms.add(inner)
            forms.add(inner.replace(b"+", b"-").replace(b"/", b"_"))
    return sorted(f for f in forms if f)


def find_secrets(secrets, roots=None):
    """Files under ``roots`` holding any of ``secrets`` in any of its ``secret_forms``, sorted."""
    needles = [form for s in secrets if s for form in secret_forms(s)]
    found = []
    for root in roots or SCANNED:
        for folder, _, files in os.walk(root):
            for name in files:
                path = os.path.join(folder, name)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                try:
                    with open(path, "rb") as handle:
                        data = handle.read()
                except OSError:
                    continue
                if any(needle in data for needle in needles):
                    found.append(path)
    return sorted(found)


def scan():
    """The ``scan`` command: reports the files holding a secret, always."""
    secrets = [s for s in os.environ.get("BACKEND_AGENT_SECRETS", "").split("\n") if s]
    leaked = find_secrets(secrets) if secrets else []
    print(f"{MARKER} {json.dumps({'leaked': leaked})}", flush=True)
    return 3 if leaked else 0


def main():
    if sys.argv[1:] == ["scan"]:
        return scan()
    try:
        plan = read_plan(sys.stdin.read())
    except ValueError as error:
        print(f"setup_env: {error}", file=sys.stderr)
        return 2
    secrets = [s for s in os.environ.get("BACKEND_AGENT_SECRETS", "").split("\n") if s]
    env = {k: v for k, v in os.environ.items() if k != "BACKEND_AGENT_SECRETS"}
    for argv in commands(plan):
        print(f"$ {' '.join(argv)}", flush=True)
        status = subprocess.run(argv, cwd=WORKSPACE, stdin=subprocess.DEVNULL, env=env).returncode
        if status != 0:
            return status
    leaked = find_secrets(secrets) if secrets else []
    if leaked:
        print(f"{MARKER} {json.dumps({'leaked': leaked})}", flush=True)
        return 3
    print(f"{MARKER} {json.dumps({'packages': count_packages()})}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
