r"""Text-editor operations inside the sandbox, run as the programs user.

The host runs it as ``python3 -I /opt/backend-agent/editor.py`` (see
``src/sandbox/editor.ts``) as the programs user, a second user in the sandbox
user's group that the agent's processes cannot trace or signal. It re-checks
the path jail with the container's own ``realpath``, so a symlink cannot lead
outside /workspace.

Regular files only: a FIFO, socket or device is refused, naming what it is,
before it is opened (reading a FIFO would wait for a writer forever), and
every open is ``O_NOFOLLOW | O_NONBLOCK`` and checked again with ``fstat``,
so one swapped in meanwhile is refused too.

Input: one JSON object on stdin: ``command`` (``view``, ``create``,
``str_replace`` or ``insert``), ``path``, and as the command needs them
``view_range``, ``file_text``, ``old_str``, ``new_str``, ``insert_line``,
``insert_text``; ``max_read_bytes`` (default 262144) and ``max_write_bytes``
(default 1048576). Output: one JSON object on stdout,
``{"ok": true, "output": ...}`` or ``{"ok": false, "error": ...}``; exit 0
either way. Anything else (a traceback, exit 1) means the input was malformed.

Text files only. A file is edited only when its bytes are UTF-8 text: a
file with a NUL byte (binary, UTF-16) or with invalid UTF-8 (Latin-1,
Windows-1252, ...) is refused by every command, naming the file and what to
do, and is never written. ``create`` over such a file is refused too.

A file keeps its own bytes. The rule (Git's ``core.autocrlf`` split, applied
to one file at a time):

- Line breaks: a file that holds any ``\n`` has lines ending in ``\r\n`` or
  ``\n`` (a ``\r`` not followed by ``\n`` is an ordinary character). A file
  with no ``\n`` but with ``\r`` is an old Mac file: its lines end in ``\r``.
- The model sees and matches lines without their endings: ``view`` shows
  lines without ``\r``, and ``old_str``, ``new_str``, ``insert_text`` match
  and are read with ``\r\n`` and ``\n`` alike (and lone ``\r`` too in an old
  Mac file).
- Lines the edit does not touch keep their exact bytes, endings included,
  also in a file with mixed endings.
- Every line break the edit writes uses the file's dominant ending: the
  most frequent one, ties going to the one seen first; ``\n`` in a file that
  has no line break yet. ``insert`` after a last line that had no ending
  gives it that ending; elsewhere a missing final ending stays missing.
- A UTF-8 byte order mark is kept, and is neither shown nor matched.
- ``create`` over an existing text file writes ``file_text`` with that
  file's dominant ending and BOM (judged from its first ``max_read_bytes``);
  a new file gets ``file_text`` exactly as given.

Writes keep the file's owner and mode: a file the editor may write is
written in place, its new size reserved first (``posix_fallocate``), so a full
workspace or the file-size limit refuses the write before any byte changes.
A file it may not write (the agent's, without group write) is replaced by a
temporary file from the same folder that takes its mode. A new file is made
with umask 002: group-writable, so the agent's processes can change it. A
file whose owner has no write permission is read-only and never written.

The workspace is /workspace. Tests alone set ``BACKEND_AGENT_TEST_WORKSPACE``
to use another folder; the host never sets it (the sandbox's environment is
fixed by the host, and ``-I`` keeps ``PYTHON*`` variables out).
"""
import codecs
import errno
import json
import os
import stat
import sys
import tempfile

ROOT = os.environ.get("BACKEND_AGENT_TEST_WORKSPACE") or "/workspace"
BOM = b"\xef\xbb\xbf"
# What the editor creates stays writable by the sandbox user's group (the agent's processes).
UMASK = 0o002


def fail(message):
    json.dump({"ok": False, "error": message}, sys.stdout)
    sys.exit(0)


def done(output):
    json.dump({"ok": True, "output": output}, sys.stdout)
    sys.exit(0)


NOT_REGULAR = [
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
]


def refuse_unless_regular(mode, path):
    for test, what in NOT_REGULAR:
        if test(mode):
            fail(
                "The path %s is %s, not a regular file; the editor only opens regular files and left it "
                "as it was. Inspect it with bash (ls -l, file) if you need to." % (path, what)
            )


def open_regular(real, path, flags):
    """Opens a regular file: refused before opening when it is not one, and checked again after."""
    try:
        refuse_unless_regular(os.lstat(real).st_mode, path)
        fd = os.open(real, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except PermissionError:
        fail(
            "The file %s cannot be opened by the editor: Permission denied. The editor runs as a second "
            "user in the sandbox's group: make the file readable and writable by its group "
            "(chmod g+rw, or os.chmod in python)" % path
        )
    except OSError as e:
        fail("Could not open %s: %s; the file was left as it was" % (path, e.strerror or e))
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        refuse_unless_regular(st.st_mode, path)
        fail("The path %s is not a regular file; the editor left it as it was" % path)
    return fd, st


def jailed(path, must_exist):
    real = os.path.realpath(path)
    if real != ROOT and not real.startswith(ROOT + "/"):
        fail("The path %s resolves outside %s; only files under %s can be used" % (path, ROOT, ROOT))
    rel = os.path.relpath(real, ROOT)
    if rel == ".git" or rel.startswith(".git/") or "/.git/" in "/" + rel + "/":
        fail("The path %s is inside .git/, which the tools do not touch" % path)
    if must_exist and not os.path.exists(real):
        fail("The path %s does not exist" % path)
    return real


class Doc:
    r"""A text file as lines of [content, ending]; ending is "\r\n", "\n", "\r" or "" (last line only)."""

    def __init__(self, text, bom):
        self.bom = bom
        self.old_mac = "\n" not in text and "\r" in text
        sep = "\r" if self.old_mac else "\n"
        parts = text.split(sep)
        self.lines = []
        for part in parts[:-1]:
            if not self.old_mac and part.endswith("\r"):
                self.lines.append([part[:-1], "\r\n"])
            else:
                self.lines.append([part, sep])
        if parts[-1] != "":
            self.lines.append([parts[-1], ""])
        counts, first = {}, {}
        for i, (_, end) in enumerate(self.lines):
            if end:
                counts[end] = counts.get(end, 0) + 1
                first.setdefault(end, i)
        self.style = min(counts, key=lambda e: (-counts[e], first[e])) if counts else None
        self.eol = self.style or "\n"

    def plain(self, s):
        r"""The model's text with every line break as \n."""
        s = s.replace("\r\n", "\n")
        return s.replace("\r", "\n") if self.old_mac else s

    def logical(self):
        return "".join(c + ("\n" if end else "") for c, end in self.lines)

    def contents(self):
        return [c for c, _ in self.lines]

    def endings(self):
        return [end for _, end in self.lines if end]

    def set_logical(self, text, endings):
        r"""Rebuilds the lines from text whose k-th \n stands for endings[k]."""
        parts = text.split("\n")
        self.lines = [[p, endings[i]] for i, p in enumerate(parts[:-1])]
        if parts[-1] != "":
            self.lines.append([parts[-1], ""])

    def encoded(self, path):
        return encode(path, "".join(c + end for c, end in self.lines), self.bom)


def encode(path, text, bom):
    try:
        return (BOM if bom else b"") + text.encode("utf-8")
    except UnicodeEncodeError:
        fail(
            "Nothing was written to %s: the new text holds characters that are not valid Unicode "
            "(lone surrogates); send plain UTF-8 text" % path
        )


def decode(data, path, whole):
    bom = data.startswith(BOM)
    body = data[len(BOM):] if bom else data
    nul = body.find(b"\0")
    if nul >= 0:
        fail(
            "The file %s is not UTF-8 text: it has a NUL byte at offset %d, so it is binary or UTF-16. "
            "The editor only edits UTF-8 text and left the file unchanged; inspect it with bash "
            "(for example xxd or file), or convert it with iconv first if it is UTF-16 text."
            % (path, nul + (len(BOM) if bom else 0))
        )
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(body, whole)
    except UnicodeDecodeError as e:
        fail(
            "The file %s is not UTF-8 text: the byte at offset %d is not valid UTF-8 "
            "(it may be Latin-1 or Windows-1252). The editor left it unchanged; convert it first with bash, "
            "for example iconv -f latin1 -t utf-8 FILE > FILE.new && mv FILE.new FILE, "
            "or edit it with bash tools." % (path, e.start + (len(BOM) if bom else 0))
        )
    return Doc(text, bom)


def read_doc(real, path, max_read):
    fd, st = open_regular(real, path, os.O_RDONLY)
    with os.fdopen(fd, "rb") as f:
        if st.st_size > max_read:
            fail(
                "The file %s is larger than %d bytes; view a range with bash tools such as sed -n"
                % (path, max_read)
            )
        data = f.read(max_read + 1)
    if len(data) > max_read:
        fail("The file %s grew past %d bytes while it was read; try again" % (path, max_read))
    return decode(data, path, True)


def peek_doc(real, path, max_read):
    """The style of an existing file from its first max_read bytes, for create."""
    fd, _ = open_regular(real, path, os.O_RDONLY)
    with os.fdopen(fd, "rb") as f:
        data = f.read(max_read + 1)
    return decode(data[:max_read], path, len(data) <= max_read)


def protected(real, path):
    rel = os.path.relpath(real, ROOT)
    if rel.startswith(".github/workflows/") or rel == ".github/workflows":
        fail(
            "Nothing was written to %s: CI workflows (.github/workflows/) are not changed by the agent "
            "and would not be committed; leave CI to the team and say what it needs in submit_work's "
            "follow_ups" % path
        )
    if rel == ".gitmodules":
        fail(
            "Nothing was written to %s: the submodule list is not changed by the agent "
            "and would not be committed" % path
        )


def write_bytes(real, path, data, max_write):
    protected(real, path)
    if len(data) > max_write:
        fail("Refusing to write %d bytes to %s: the limit is %d bytes" % (len(data), path, max_write))
    parent = os.path.dirname(real)
    jailed(parent, False)
    try:
        st = os.lstat(real)
    except FileNotFoundError:
        st = None
    if st is not None:
        refuse_unless_regular(st.st_mode, path)
        if not st.st_mode & stat.S_IWUSR:
            fail("The file %s is read-only; nothing was written" % path)
    try:
        os.makedirs(parent, exist_ok=True)
        if st is not None and os.access(real, os.W_OK, follow_symlinks=False):
            write_in_place(real, path, data)
        else:
            replace(real, parent, data, stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~UMASK)
    except OSError as e:
        fail("Could not write %s: %s; the file was left as it was" % (path, e.strerror or e))


def write_in_place(real, path, data):
    """Writes data over the file, keeping its owner and mode; its new size is reserved first."""
    fd, _ = open_regular(real, path, os.O_WRONLY)
    try:
        if data:
            try:
                os.posix_fallocate(fd, 0, len(data))
            except OSError as e:
                if e.errno not in (errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
                    raise
        view = memoryview(data)
        done = 0
        while done < len(data):
            done += os.pwrite(fd, view[done:], done)
        os.ftruncate(fd, len(data))
    finally:
        os.close(fd)


def replace(real, parent, data, mode):
    """Writes data to a temporary file in parent that then replaces real, with mode."""
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=".editor-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except BaseException:
        os.unlink(tmp)
        raise


def numbered(lines, start):
    return "\n".join("%6d\t%s" % (i + start, line) for i, line in enumerate(lines))


def edited(path, lines, lo, hi):
    return (
        "The file %s has been edited. Here's a snippet of the edited file:\n%s\n"
        "Review the changes and make sure they are as expected." % (path, numbered(lines[lo - 1:hi], lo))
    )


def listing(real, path):
    out = []
    for dirpath, dirnames, filenames in os.walk(real):
        depth = os.path.relpath(dirpath, real).count(os.sep) + (0 if dirpath == real else 1)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and d not in ("__pycache__", "node_modules")
        )
        if depth >= 2:
            dirnames[:] = []
        for name in sorted(filenames):
            if not name.startswith("."):
                out.append(os.path.join(dirpath, name))
        for name in dirnames:
            out.append(os.path.join(dirpath, name) + "/")
    return "Files and folders up to 2 levels deep in %s, hidden items excluded:\n%s" % (
        path,
        "\n".join(sorted(out)),
    )


def view(req, path, max_read):
    real = jailed(path, True)
    if os.path.isdir(real):
        if req.get("view_range"):
            fail("view_range is not allowed when path is a directory")
        done(listing(real, path))
    lines = read_doc(real, path, max_read).contents()
    vr = req.get("view_range")
    start = 1
    if vr:
        if len(vr) != 2 or not all(isinstance(v, int) for v in vr):
            fail("view_range must be two integers [start, end]")
        start, end = vr
        if start < 1 or start > max(1, len(lines)):
            fail("view_range start %d is outside the file's %d lines" % (start, len(lines)))
        if end != -1 and end < start:
            fail("view_range end %d is before its start %d" % (end, start))
        lines = lines[start - 1:] if end == -1 else lines[start - 1:end]
    done("Here's the result of running cat -n on %s:\n%s\n" % (path, numbered(lines, start)))


def create(req, path, max_read, max_write):
    if req.get("file_text") is None:
        fail("create needs file_text")
    real = jailed(path, False)
    if os.path.isdir(real):
        fail("The path %s is a directory" % path)
    existed = os.path.exists(real)
    text, bom = req["file_text"], False
    if existed:
        doc = peek_doc(real, path, max_read)
        bom = doc.bom
        if bom and text.startswith("\ufeff"):
            text = text[1:]
        if doc.style:
            text = doc.plain(text).replace("\n", doc.style)
    write_bytes(real, path, encode(path, text, bom), max_write)
    done("File %s at: %s" % ("overwritten" if existed else "created successfully", path))


def str_replace(req, path, max_read, max_write):
    real = jailed(path, True)
    if os.path.isdir(real):
        fail("The path %s is a directory" % path)
    old = req.get("old_str")
    if old is None or old == "":
        fail("str_replace needs a non-empty old_str")
    doc = read_doc(real, path, max_read)
    old = doc.plain(old)
    new = doc.plain(req.get("new_str") or "")
    text = doc.logical()
    count = text.count(old)
    if count == 0:
        fail("No replacement was performed: old_str did not appear verbatim in %s." % path)
    if count > 1:
        lines = [str(i + 1) for i, line in enumerate(text.split("\n")) if old.split("\n")[0] in line]
        fail(
            "No replacement was performed: old_str appears %d times in %s (lines %s); make it unique."
            % (count, path, ", ".join(lines))
        )
    at = text.index(old)
    before = text[:at].count("\n")
    endings = doc.endings()
    endings = endings[:before] + [doc.eol] * new.count("\n") + endings[before + old.count("\n"):]
    doc.set_logical(text[:at] + new + text[at + len(old):], endings)
    write_bytes(real, path, doc.encoded(path), max_write)
    lines = doc.contents()
    at = before + 1
    done(edited(path, lines, max(1, at - 4), min(len(lines), at + new.count("\n") + 4)))


def insert(req, path, max_read, max_write):
    real = jailed(path, True)
    if os.path.isdir(real):
        fail("The path %s is a directory" % path)
    text_in = req.get("insert_text")
    if text_in is None:
        text_in = req.get("new_str")
    if text_in is None:
        fail("insert needs insert_text")
    line = req.get("insert_line")
    doc = read_doc(real, path, max_read)
    if not isinstance(line, int) or line < 0 or line > len(doc.lines):
        fail("insert_line must be between 0 and %d for %s" % (len(doc.lines), path))
    text_in = doc.plain(text_in)
    new_lines = text_in.split("\n")
    if text_in.endswith("\n"):
        new_lines = new_lines[:-1]
    if line == len(doc.lines) and line > 0 and doc.lines[-1][1] == "":
        doc.lines[-1][1] = doc.eol
    doc.lines[line:line] = [[t, doc.eol] for t in new_lines]
    write_bytes(real, path, doc.encoded(path), max_write)
    lines = doc.contents()
    done(edited(path, lines, max(1, line - 3), min(len(lines), line + len(new_lines) + 4)))


def main():
    os.umask(UMASK)
    req = json.load(sys.stdin)
    max_read = int(req.get("max_read_bytes", 262144))
    max_write = int(req.get("max_write_bytes", 1048576))
    cmd = req["command"]
    path = req["path"]
    if cmd == "view":
        view(req, path, max_read)
    if cmd == "create":
        create(req, path, max_read, max_write)
    if cmd == "str_replace":
        str_replace(req, path, max_read, max_write)
    if cmd == "insert":
        insert(req, path, max_read, max_write)
    fail("Unknown command %r; use view, create, str_replace or insert" % cmd)


if __name__ == "__main__":
    main()
