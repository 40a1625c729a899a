"""A PEP 503 package index for tests and the demo: builds wheels of tiny packages, then serves them.

Run as ``python3 -c <this file's text> '<packages JSON>'`` in a container from the sandbox image
(no network needed to build). Each package is ``{"name", "version", "module", "requires"}``:
``module`` is the text of its one module (``<name>.py``), ``requires`` its dependencies
(``Requires-Dist``). Wheels are built with zipfile alone (no build backend, no download) into
``/tmp/index/packages``, next to the wheels the image itself ships (Debian's
``/usr/share/python-wheels``: setuptools and pip, so a project with a setuptools build backend
builds as it would against PyPI); ``/tmp/index/simple/<name>/`` lists them with their SHA-256. Then
``http.server`` serves ``/tmp/index`` on port 8080, logging each request to stderr.
"""
import base64
import glob
import hashlib
import http.server
import json
import os
import re
import shutil
import sys
import zipfile

ROOT = "/tmp/index"
SYSTEM_WHEELS = "/usr/share/python-wheels"


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def record_hash(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest},{len(data)}"


def build_wheel(package, folder):
    name = package["name"].replace("-", "_")
    dist = f"{name}-{package['version']}"
    metadata = "Metadata-Version: 2.1\n" f"Name: {package['name']}\n" f"Version: {package['version']}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in package.get("requires", []))
    files = {
        f"{name}.py": package["module"].encode(),
        f"{dist}.dist-info/METADATA": metadata.encode(),
        f"{dist}.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: index_server\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n",
    }
    record = "".join(f"{path},{record_hash(data)}\n" for path, data in files.items())
    record += f"{dist}.dist-info/RECORD,,\n"
    path = os.path.join(folder, f"{dist}-py3-none-any.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for member, data in files.items():
            wheel.writestr(member, data)
        wheel.writestr(f"{dist}.dist-info/RECORD", record)
    return path


def build_index(packages):
    folder = os.path.join(ROOT, "packages")
    os.makedirs(folder, exist_ok=True)
    os.makedirs(os.path.join(ROOT, "simple"), exist_ok=True)
    by_project = {}
    for package in packages:
        path = build_wheel(package, folder)
        by_project.setdefault(normalize(package["name"]), []).append(path)
    for wheel in sorted(glob.glob(os.path.join(SYSTEM_WHEELS, "*.whl"))):
        path = shutil.copy(wheel, folder)
        by_project.setdefault(normalize(os.path.basename(wheel).split("-")[0]), []).append(path)
    links = []
    for project, paths in sorted(by_project.items()):
        os.makedirs(os.path.join(ROOT, "simple", project), exist_ok=True)
        anchors = []
        for path in paths:
            with open(path, "rb") as wheel:
                digest = hashlib.sha256(wheel.read()).hexdigest()
            file_name = os.path.basename(path)
            anchors.append(f'<a href="../../packages/{file_name}#sha256={digest}">{file_name}</a><br>')
        page = "<!DOCTYPE html><html><body>" + "".join(anchors) + "</body></html>\n"
        with open(os.path.join(ROOT, "simple", project, "index.html"), "w") as out:
            out.write(page)
        links.append(f'<a href="{project}/">{project}</a><br>')
    with open(os.path.join(ROOT, "simple", "index.html"), "w") as out:
        out.write("<!DOCTYPE html><html><body>" + "".join(links) + "</body></html>\n")


def main():
    build_index(json.loads(sys.argv[1]))
    handler = lambda *args: http.server.SimpleHTTPRequestHandler(*args, directory=ROOT)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("0.0.0.0", 8080), handler)
    print("index: serving", flush=True)
    server.serve_forever()


main()
