/**
 * The Python program that lists the workspace's changes against the baseline
 * commit, inside the container. Output: one JSON object on stdout with every
 * added/modified/deleted file (content base64), or the refused paths.
 * Arguments: <baseline sha> <max total bytes> <max files>.
 */
export const CHANGES_PROGRAM = String.raw`
import base64, json, subprocess, sys

base, max_total, max_files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def git(*args):
    return subprocess.run(["git", *args], capture_output=True, check=True).stdout

git("add", "-A")
raw = git("diff", "--cached", "--raw", "-z", "--no-renames", "--no-ext-diff", base)
fields = raw.split(b"\0")
changes, refused, total = [], [], 0
i = 0
while i + 1 < len(fields) and fields[i]:
    meta = fields[i].decode().lstrip(":").split(" ")
    path = fields[i + 1].decode("utf-8", "surrogateescape")
    i += 2
    old_mode, new_mode, _old_sha, new_sha, status = meta[0], meta[1], meta[2], meta[3], meta[4]
    if path == ".git" or path.startswith(".git/") or "/.git/" in "/" + path:
        refused.append({"path": path, "rule": "paths under .git/ are not allowed"})
        continue
    if new_mode == "120000" or (status == "D" and old_mode == "120000"):
        refused.append({"path": path, "rule": "symbolic links are not allowed"})
        continue
    if new_mode == "160000" or old_mode == "160000":
        refused.append({"path": path, "rule": "submodules are not allowed"})
        continue
    if status == "D":
        changes.append({"path": path, "status": "deleted"})
        continue
    content = git("cat-file", "blob", new_sha)
    total += len(content)
    changes.append({
        "path": path,
        "status": "added" if status == "A" else "modified",
        "mode": "100755" if new_mode == "100755" else "100644",
        "content": base64.b64encode(content).decode(),
    })
    if total > max_total or len(changes) > max_files:
        break

json.dump({
    "changes": changes,
    "refused": refused,
    "total_bytes": total,
    "over_cap": total > max_total or len(changes) > max_files,
}, sys.stdout)
`;
