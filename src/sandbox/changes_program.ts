/**
 * The Python program that reports how the workspace differs from the base
 * tree, run inside the container. It reports facts only; the host decides
 * what may be committed and re-checks every fact it can (paths, modes, blob
 * ids), since nothing that comes out of the container is trusted.
 *
 * Input (stdin, JSON): `tracked` — `[path, mode, blob sha]` of every file of
 * the base tree; `always_ignored` — names never reported (caches);
 * `max_files`, `max_total` — content is sent only while the change set is
 * within these caps.
 *
 * Output (stdout, JSON): `changes` — `{path, status: added|modified|deleted,
 * kind: file|symlink|repository|other, mode?, content? (base64)}`;
 * `ignored` — new paths `.gitignore` matches (folders end in `/`); `files`,
 * `bytes` — the change set's counts, content included or not.
 *
 * Tracked files are compared by git's blob id of their bytes and their
 * executable bit, whatever `.gitignore` says. New files are the ones
 * `git ls-files --others --exclude-standard` lists: `.gitignore` rules apply
 * to them only.
 */
export const CHANGES_PROGRAM = String.raw`
import base64, fnmatch, hashlib, json, os, stat, subprocess, sys

req = json.load(sys.stdin)
max_files, max_total = int(req["max_files"]), int(req["max_total"])
always_ignored = req["always_ignored"]
os.chdir("/workspace")

def blob_sha(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()

def git_list(*args):
    out = subprocess.run(
        ["git", "-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false", "ls-files", "-z", "--others", *args],
        capture_output=True, check=True,
    ).stdout
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]

def cache(path):
    parts = path.rstrip("/").split("/")
    return any(fnmatch.fnmatch(part, pattern) for part in parts for pattern in always_ignored)

changes, files, total = [], 0, 0

def report(path, status, kind, data=None, mode=None):
    global files, total
    entry = {"path": path, "status": status, "kind": kind}
    if data is not None:
        files += 1
        total += len(data)
        entry["mode"] = mode
        if files <= max_files and total <= max_total:
            entry["content"] = base64.b64encode(data).decode()
    changes.append(entry)

def read(path):
    with open(path, "rb") as f:
        return f.read()

def file_mode(st):
    return "100755" if st.st_mode & stat.S_IXUSR else "100644"

tracked = {}
for path, mode, sha in req["tracked"]:
    tracked[path] = (mode, sha)
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        report(path, "deleted", "file")
        continue
    if stat.S_ISLNK(st.st_mode):
        target = os.readlink(path).encode("utf-8", "surrogateescape")
        if mode != "120000" or blob_sha(target) != sha:
            report(path, "modified", "symlink")
    elif stat.S_ISREG(st.st_mode):
        data = read(path)
        if blob_sha(data) != sha or file_mode(st) != mode:
            report(path, "modified", "file", data, file_mode(st))
    elif stat.S_ISDIR(st.st_mode):
        report(path, "deleted", "file")
    else:
        report(path, "modified", "other")

for path in git_list("--exclude-standard"):
    if path in tracked or cache(path):
        continue
    if path.endswith("/"):
        report(path.rstrip("/"), "added", "repository")
        continue
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        continue
    if stat.S_ISLNK(st.st_mode):
        report(path, "added", "symlink")
    elif stat.S_ISREG(st.st_mode):
        report(path, "added", "file", read(path), file_mode(st))
    else:
        report(path, "added", "other")

ignored = [p for p in git_list("--ignored", "--exclude-per-directory=.gitignore", "--directory") if not cache(p)]

json.dump({"changes": changes, "ignored": ignored[:200], "files": files, "bytes": total}, sys.stdout)
`;
