"""How the workspace differs from the base tree, reported from inside the sandbox.

The host runs it as ``python3 -I /opt/backend-agent/changes.py`` (see
``src/sandbox/changes.ts``). It reports facts only; the host decides what may
be committed and re-checks every fact it can (paths, modes, blob ids), since
nothing that comes out of the container is trusted.

Input (stdin, JSON): ``tracked``: ``[path, mode, blob sha]`` of every file of
the base tree; ``always_ignored``: names never reported (caches, fnmatch
patterns matched against each path segment); ``max_files``, ``max_total``:
content is sent only while the change set is within these caps.

Output (stdout, JSON): ``changes``: ``{path, status: added|modified|deleted,
kind: file|symlink|repository|other, mode?, content? (base64)}``;
``ignored``: new paths ``.gitignore`` matches (folders end in ``/``), at most
200; ``files``, ``bytes``: the change set's counts, content included or not.
A non-zero exit (with a traceback on stderr) means it could not report.

Tracked files are compared by git's blob id of their bytes and their
executable bit, whatever ``.gitignore`` says. New files are the ones
``git ls-files --others --exclude-standard`` lists: ``.gitignore`` rules apply
to them only.

It runs as the programs user, after the host killed every process of the
sandbox user, on a workspace the sandbox user owns. Git is run so that the
repository's own config cannot make it run anything: ``core.fsmonitor`` off,
no system or global config, and only /workspace marked safe. Files are opened
``O_NOFOLLOW | O_NONBLOCK`` and checked with ``fstat`` to be regular.

Restore mode (input has ``restore``): before the test run whose result the
host trusts, the workspace is made to hold exactly what will be committed.
``restore``: ``{path, mode?, content? (base64)}`` for every path the host
leaves out; whatever is at the path is removed (a folder with all it holds),
and when ``mode`` is given the base tree's file (``100644``/``100755``) or
symlink (``120000``, content is its target) is written back. Then every new
path ``.gitignore`` matches is removed too (it is not committed either), the
``always_ignored`` caches excepted. No symlink is followed on the way: a
folder on a path to write back that is not a real folder is replaced by one.
Output: ``{"failed": [{path, error}]}``; a path that could not be restored
(e.g. a folder the sandbox user made unwritable) is named there.

The workspace is /workspace. Tests alone set ``BACKEND_AGENT_TEST_WORKSPACE``
to use another folder; the host never sets it (the sandbox's environment is
fixed by the host, and ``-I`` keeps ``PYTHON*`` variables out).
"""
import base64
import fnmatch
import hashlib
import json
import os
import stat
import subprocess
import sys

ROOT = os.environ.get("BACKEND_AGENT_TEST_WORKSPACE") or "/workspace"


def blob_sha(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def git_list(*args):
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null", GIT_TERMINAL_PROMPT="0")
    out = subprocess.run(
        [
            "git", "-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false",
            "-c", "safe.directory=" + ROOT,
            "ls-files", "-z", "--others", *args,
        ],
        capture_output=True, check=True, env=env,
    ).stdout
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def read(path):
    """The bytes of a regular file, opened without following a symlink or waiting on a FIFO."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("%s is no longer a regular file" % path)
        return f.read()


def file_mode(st):
    return "100755" if st.st_mode & stat.S_IXUSR else "100644"


class Report:
    """The changes found so far, with content while the caps allow it."""

    def __init__(self, max_files, max_total, always_ignored):
        self.max_files = max_files
        self.max_total = max_total
        self.always_ignored = always_ignored
        self.changes = []
        self.files = 0
        self.total = 0

    def cache(self, path):
        parts = path.rstrip("/").split("/")
        return any(fnmatch.fnmatch(part, pattern) for part in parts for pattern in self.always_ignored)

    def add(self, path, status, kind, data=None, mode=None):
        entry = {"path": path, "status": status, "kind": kind}
        if data is not None:
            self.files += 1
            self.total += len(data)
            entry["mode"] = mode
            if self.files <= self.max_files and self.total <= self.max_total:
                entry["content"] = base64.b64encode(data).decode()
        self.changes.append(entry)


def compare_tracked(report, tracked_files):
    """Reports the tracked files that changed; returns {path: (mode, sha)} of all of them."""
    tracked = {}
    for path, mode, sha in tracked_files:
        tracked[path] = (mode, sha)
        try:
            st = os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            report.add(path, "deleted", "file")
            continue
        if stat.S_ISLNK(st.st_mode):
            target = os.readlink(path).encode("utf-8", "surrogateescape")
            if mode != "120000" or blob_sha(target) != sha:
                report.add(path, "modified", "symlink")
        elif stat.S_ISREG(st.st_mode):
            data = read(path)
            if blob_sha(data) != sha or file_mode(st) != mode:
                report.add(path, "modified", "file", data, file_mode(st))
        elif stat.S_ISDIR(st.st_mode):
            report.add(path, "deleted", "file")
        else:
            report.add(path, "modified", "other")
    return tracked


def list_new(report, tracked):
    """Reports the new paths git lists as untracked and not ignored."""
    for path in git_list("--exclude-standard"):
        if path in tracked or report.cache(path):
            continue
        if path.endswith("/"):
            report.add(path.rstrip("/"), "added", "repository")
            continue
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(st.st_mode):
            report.add(path, "added", "symlink")
        elif stat.S_ISREG(st.st_mode):
            report.add(path, "added", "file", read(path), file_mode(st))
        else:
            report.add(path, "added", "other")


DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def remove_at(parent_fd, name):
    """Removes ``name`` in the folder ``parent_fd``, a folder with all it holds; no symlink followed."""
    try:
        st = os.lstat(name, dir_fd=parent_fd)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        fd = os.open(name, DIR_FLAGS, dir_fd=parent_fd)
        try:
            for entry in os.listdir(fd):
                remove_at(fd, entry)
        finally:
            os.close(fd)
        os.rmdir(name, dir_fd=parent_fd)
    else:
        os.unlink(name, dir_fd=parent_fd)


def open_parent(root_fd, path, create):
    """The folder holding ``path``'s last segment, or None when it is missing and ``create`` is false."""
    fd = os.dup(root_fd)
    try:
        for part in path.split("/")[:-1]:
            try:
                st = os.lstat(part, dir_fd=fd)
                if not stat.S_ISDIR(st.st_mode):
                    if not create:
                        os.close(fd)
                        return None
                    os.unlink(part, dir_fd=fd)
                    os.mkdir(part, 0o775, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    os.close(fd)
                    return None
                os.mkdir(part, 0o775, dir_fd=fd)
            next_fd = os.open(part, DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = next_fd
        return fd
    except BaseException:
        os.close(fd)
        raise


def restore_path(root_fd, entry):
    path = entry["path"]
    parts = path.split("/")
    if path.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise OSError("not a canonical relative path")
    mode = entry.get("mode")
    parent = open_parent(root_fd, path, create=mode is not None)
    if parent is None:
        return
    name = parts[-1]
    try:
        remove_at(parent, name)
        if mode is None:
            return
        data = base64.b64decode(entry.get("content") or "")
        if mode == "120000":
            os.symlink(data.decode("utf-8", "surrogateescape"), name, dir_fd=parent)
            return
        bits = 0o775 if mode == "100755" else 0o664
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(name, flags, bits, dir_fd=parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            os.fchmod(fd, bits)
    finally:
        os.close(parent)


def restore(req):
    """Restores every path the host leaves out, then removes new ignored paths; returns the failures."""
    always_ignored = req["always_ignored"]
    cache = Report(0, 0, always_ignored).cache
    failed = []
    root_fd = os.open(".", DIR_FLAGS)
    try:
        for entry in req["restore"]:
            try:
                restore_path(root_fd, entry)
            except OSError as error:
                failed.append({"path": entry["path"], "error": error.strerror or str(error)})
        for path in git_list("--ignored", "--exclude-per-directory=.gitignore", "--directory"):
            if cache(path):
                continue
            try:
                restore_path(root_fd, {"path": path.rstrip("/")})
            except OSError as error:
                failed.append({"path": path, "error": error.strerror or str(error)})
    finally:
        os.close(root_fd)
    return {"failed": failed}


def main():
    req = json.load(sys.stdin)
    if "restore" in req:
        os.chdir(ROOT)
        json.dump(restore(req), sys.stdout)
        return
    report = Report(int(req["max_files"]), int(req["max_total"]), req["always_ignored"])
    os.chdir(ROOT)
    tracked = compare_tracked(report, req["tracked"])
    list_new(report, tracked)
    ignored = [
        p for p in git_list("--ignored", "--exclude-per-directory=.gitignore", "--directory")
        if not report.cache(p)
    ]
    json.dump(
        {"changes": report.changes, "ignored": ignored[:200], "files": report.files, "bytes": report.total},
        sys.stdout,
    )


if __name__ == "__main__":
    main()
