/**
 * The Python program that performs text-editor operations inside the
 * container, as the sandbox user. It re-checks the path jail with the
 * container's own `realpath`, so a symlink cannot lead outside /workspace.
 * Input: one JSON object on stdin. Output: one JSON object on stdout.
 */
export const EDITOR_PROGRAM = String.raw`
import json, os, sys

ROOT = "/workspace"
req = json.load(sys.stdin)
MAX_READ = int(req.get("max_read_bytes", 262144))
MAX_WRITE = int(req.get("max_write_bytes", 1048576))

def fail(message):
    json.dump({"ok": False, "error": message}, sys.stdout)
    sys.exit(0)

def done(output):
    json.dump({"ok": True, "output": output}, sys.stdout)
    sys.exit(0)

def jailed(path, must_exist):
    real = os.path.realpath(path)
    if real != ROOT and not real.startswith(ROOT + "/"):
        fail("The path %s resolves outside /workspace; only files under /workspace can be used" % path)
    rel = os.path.relpath(real, ROOT)
    if rel == ".git" or rel.startswith(".git/") or "/.git/" in "/" + rel + "/":
        fail("The path %s is inside .git/, which the tools do not touch" % path)
    if must_exist and not os.path.exists(real):
        fail("The path %s does not exist" % path)
    return real

def read_text(real, path):
    if os.path.getsize(real) > MAX_READ:
        fail("The file %s is larger than %d bytes; view a range with bash tools such as sed -n" % (path, MAX_READ))
    with open(real, "rb") as f:
        data = f.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        fail("The file %s is not UTF-8 text" % path)

def write_text(real, path, text):
    data = text.encode("utf-8")
    if len(data) > MAX_WRITE:
        fail("Refusing to write %d bytes to %s: the limit is %d bytes" % (len(data), path, MAX_WRITE))
    parent = os.path.dirname(real)
    jailed(parent, False)
    os.makedirs(parent, exist_ok=True)
    with open(real, "wb") as f:
        f.write(data)

def numbered(text, start):
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    return "\n".join("%6d\t%s" % (i + start, line) for i, line in enumerate(lines))

def listing(real, path):
    out = []
    for dirpath, dirnames, filenames in os.walk(real):
        depth = os.path.relpath(dirpath, real).count(os.sep) + (0 if dirpath == real else 1)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in ("__pycache__", "node_modules"))
        if depth >= 2:
            dirnames[:] = []
        for name in sorted(filenames):
            if not name.startswith("."):
                out.append(os.path.join(dirpath, name))
        for name in dirnames:
            out.append(os.path.join(dirpath, name) + "/")
    return "Files and folders up to 2 levels deep in %s, hidden items excluded:\n%s" % (path, "\n".join(sorted(out)))

cmd = req["command"]
path = req["path"]

if cmd == "view":
    real = jailed(path, True)
    if os.path.isdir(real):
        if req.get("view_range"):
            fail("view_range is not allowed when path is a directory")
        done(listing(real, path))
    text = read_text(real, path)
    vr = req.get("view_range")
    if vr:
        lines = text.split("\n")
        if len(vr) != 2 or not all(isinstance(v, int) for v in vr):
            fail("view_range must be two integers [start, end]")
        start, end = vr
        if start < 1 or start > max(1, len(lines)):
            fail("view_range start %d is outside the file's %d lines" % (start, len(lines)))
        if end != -1 and end < start:
            fail("view_range end %d is before its start %d" % (end, start))
        chosen = lines[start - 1:] if end == -1 else lines[start - 1:end]
        done("Here's the result of running cat -n on %s:\n%s\n" % (path, numbered("\n".join(chosen), start)))
    done("Here's the result of running cat -n on %s:\n%s\n" % (path, numbered(text, 1)))

if cmd == "create":
    if req.get("file_text") is None:
        fail("create needs file_text")
    real = jailed(path, False)
    if os.path.isdir(real):
        fail("The path %s is a directory" % path)
    existed = os.path.exists(real)
    write_text(real, path, req["file_text"])
    done("File %s at: %s" % ("overwritten" if existed else "created successfully", path))

if cmd == "str_replace":
    real = jailed(path, True)
    if os.path.isdir(real):
        fail("The path %s is a directory" % path)
    old = req.get("old_str")
    if old is None or old == "":
        fail("str_replace needs a non-empty old_str")
    new = req.get("new_str") or ""
    text = read_text(real, path)
    count = text.count(old)
    if count == 0:
        fail("No replacement was performed: old_str did not appear verbatim in %s." % path)
    if count > 1:
        lines = [str(i + 1) for i, line in enumerate(text.split("\n")) if old.split("\n")[0] in line]
        fail("No replacement was performed: old_str appears %d times in %s (lines %s); make it unique." % (count, path, ", ".join(lines)))
    updated = text.replace(old, new, 1)
    write_text(real, path, updated)
    at = text.split(old)[0].count("\n") + 1
    lines = updated.split("\n")
    lo = max(1, at - 4)
    hi = min(len(lines), at + new.count("\n") + 4)
    snippet = numbered("\n".join(lines[lo - 1:hi]), lo)
    done("The file %s has been edited. Here's a snippet of the edited file:\n%s\nReview the changes and make sure they are as expected." % (path, snippet))

if cmd == "insert":
    real = jailed(path, True)
    if os.path.isdir(real):
        fail("The path %s is a directory" % path)
    text_in = req.get("insert_text")
    if text_in is None:
        text_in = req.get("new_str")
    if text_in is None:
        fail("insert needs insert_text")
    line = req.get("insert_line")
    text = read_text(real, path)
    lines = text.split("\n")
    if text.endswith("\n"):
        lines = lines[:-1]
    if not isinstance(line, int) or line < 0 or line > len(lines):
        fail("insert_line must be between 0 and %d for %s" % (len(lines), path))
    new_lines = text_in.split("\n")
    if text_in.endswith("\n"):
        new_lines = new_lines[:-1]
    merged = lines[:line] + new_lines + lines[line:]
    write_text(real, path, "\n".join(merged) + "\n")
    lo = max(1, line - 3)
    hi = min(len(merged), line + len(new_lines) + 4)
    done("The file %s has been edited. Here's a snippet of the edited file:\n%s\nReview the changes and make sure they are as expected." % (path, numbered("\n".join(merged[lo - 1:hi]), lo)))

fail("Unknown command %r; use view, create, str_replace or insert" % cmd)
`;
