"""The editor program, run directly: one JSON request on stdin, one JSON answer on stdout."""
import os
import socket
import stat

import pytest


def put(root, rel, data):
    """Writes bytes (or UTF-8 text) to root/rel, making its folder."""
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


def read(path):
    with open(path, "rb") as f:
        return f.read()


def ok(editor, **request):
    answer = editor.answer(request)
    assert answer["ok"] is True, answer
    return answer["output"]


def refused(editor, **request):
    answer = editor.answer(request)
    assert answer["ok"] is False, answer
    return answer["error"]


# view


def test_view_numbers_every_line(editor, workspace):
    path = put(workspace, "app/main.py", "one\ntwo\nthree\n")
    out = ok(editor, command="view", path=path)
    assert out == (
        "Here's the result of running cat -n on %s:\n     1\tone\n     2\ttwo\n     3\tthree\n" % path
    )


def test_view_range_shows_those_lines_and_minus_one_reads_to_the_end(editor, workspace):
    path = put(workspace, "main.py", "one\ntwo\nthree\nfour\n")
    assert ok(editor, command="view", path=path, view_range=[2, 3]).endswith("     2\ttwo\n     3\tthree\n")
    assert ok(editor, command="view", path=path, view_range=[3, -1]).endswith("     3\tthree\n     4\tfour\n")


@pytest.mark.parametrize(
    "view_range, message",
    [
        ([9, 10], "view_range start 9 is outside the file's 2 lines"),
        ([0, 1], "view_range start 0 is outside the file's 2 lines"),
        ([2, 1], "view_range end 1 is before its start 2"),
        ([1], "view_range must be two integers [start, end]"),
        ([1, "2"], "view_range must be two integers [start, end]"),
    ],
)
def test_a_bad_view_range_is_refused(editor, workspace, view_range, message):
    path = put(workspace, "main.py", "one\ntwo\n")
    assert refused(editor, command="view", path=path, view_range=view_range) == message


def test_view_of_a_folder_lists_two_levels_without_hidden_items_or_caches(editor, workspace):
    for rel in ["README.md", "app/main.py", "app/sub/deep.py", "app/sub/deeper/no.py", ".env",
                "app/.hidden", "app/__pycache__/main.pyc", "node_modules/x/index.js"]:
        put(workspace, rel, "x\n")
    out = ok(editor, command="view", path=workspace)
    listed = out.split("\n")
    assert listed[0] == "Files and folders up to 2 levels deep in %s, hidden items excluded:" % workspace
    assert listed[1:] == sorted(
        os.path.join(workspace, rel)
        for rel in ["README.md", "app/", "app/main.py", "app/sub/", "app/sub/deep.py"]
    )
    assert refused(editor, command="view", path=workspace, view_range=[1, 2]) == (
        "view_range is not allowed when path is a directory"
    )


def test_view_hides_the_byte_order_mark_and_carriage_returns(editor, workspace):
    path = put(workspace, "win.txt", b"\xef\xbb\xbfone\r\ntwo\r\n")
    assert ok(editor, command="view", path=path).endswith("     1\tone\n     2\ttwo\n")


# create


def test_create_writes_a_new_file_exactly_as_given_making_its_folders(editor, workspace):
    path = os.path.join(workspace, "new/deep/file.txt")
    assert ok(editor, command="create", path=path, file_text="a\r\nb\n") == (
        "File created successfully at: %s" % path
    )
    assert read(path) == b"a\r\nb\n"
    # umask 002 whatever the caller's: the sandbox user's group (the agent) can change it.
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o664
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o775


def test_create_over_a_text_file_keeps_its_ending_and_bom(editor, workspace):
    path = put(workspace, "win.txt", b"\xef\xbb\xbfold\r\n")
    assert ok(editor, command="create", path=path, file_text="\ufeffnew\nlines\n") == (
        "File overwritten at: %s" % path
    )
    assert read(path) == b"\xef\xbb\xbfnew\r\nlines\r\n"


def test_create_needs_file_text_and_refuses_a_folder(editor, workspace):
    assert refused(editor, command="create", path=os.path.join(workspace, "x")) == "create needs file_text"
    os.mkdir(os.path.join(workspace, "dir"))
    path = os.path.join(workspace, "dir")
    assert refused(editor, command="create", path=path, file_text="") == "The path %s is a directory" % path


def test_create_refuses_lone_surrogates_and_writes_nothing(editor, workspace):
    path = os.path.join(workspace, "bad.txt")
    error = refused(editor, command="create", path=path, file_text="a\ud800b")
    assert "holds characters that are not valid Unicode (lone surrogates)" in error
    assert not os.path.exists(path)


# str_replace


def test_str_replace_in_a_crlf_file_matches_across_endings_and_writes_crlf(editor, workspace):
    path = put(workspace, "win.py", b"a\r\nb\r\nc\r\n")
    out = ok(editor, command="str_replace", path=path, old_str="a\nb", new_str="a\nx\ny")
    assert read(path) == b"a\r\nx\r\ny\r\nc\r\n"
    assert out == (
        "The file %s has been edited. Here's a snippet of the edited file:\n"
        "     1\ta\n     2\tx\n     3\ty\n     4\tc\n"
        "Review the changes and make sure they are as expected." % path
    )


def test_str_replace_keeps_untouched_lines_of_a_mixed_file_and_uses_the_dominant_ending(editor, workspace):
    path = put(workspace, "mixed.txt", b"one\r\ntwo\nthree\nfour\r\nfive\n")
    ok(editor, command="str_replace", path=path, old_str="three", new_str="3a\n3b")
    assert read(path) == b"one\r\ntwo\n3a\n3b\nfour\r\nfive\n"


def test_a_tie_between_endings_goes_to_the_one_seen_first(editor, workspace):
    path = put(workspace, "tie.txt", b"one\r\ntwo\nthree")
    ok(editor, command="str_replace", path=path, old_str="three", new_str="3a\n3b")
    assert read(path) == b"one\r\ntwo\n3a\r\n3b"


def test_an_old_mac_file_keeps_its_lone_carriage_returns(editor, workspace):
    path = put(workspace, "mac.txt", b"one\rtwo\rthree\r")
    ok(editor, command="str_replace", path=path, old_str="two\rthree", new_str="2\n3\r\n4")
    assert read(path) == b"one\r2\r3\r4\r"


def test_str_replace_keeps_the_bom_and_never_matches_it(editor, workspace):
    path = put(workspace, "bom.txt", b"\xef\xbb\xbfstart\n")
    ok(editor, command="str_replace", path=path, old_str="start", new_str="begin")
    assert read(path) == b"\xef\xbb\xbfbegin\n"


def test_str_replace_needs_a_unique_non_empty_old_str(editor, workspace):
    path = put(workspace, "dup.txt", "x = 1\ny = 2\nx = 1\n")
    assert refused(editor, command="str_replace", path=path, old_str="") == (
        "str_replace needs a non-empty old_str"
    )
    assert refused(editor, command="str_replace", path=path, old_str="z") == (
        "No replacement was performed: old_str did not appear verbatim in %s." % path
    )
    assert refused(editor, command="str_replace", path=path, old_str="x = 1", new_str="") == (
        "No replacement was performed: old_str appears 2 times in %s (lines 1, 3); make it unique." % path
    )
    assert read(path) == b"x = 1\ny = 2\nx = 1\n"


def test_an_edit_keeps_the_files_mode(editor, workspace):
    path = put(workspace, "run.sh", "echo a\n")
    os.chmod(path, 0o755)
    ok(editor, command="str_replace", path=path, old_str="a", new_str="b")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o755
    assert [name for name in os.listdir(workspace) if name.startswith(".editor-")] == []


def test_a_writable_file_is_written_in_place_keeping_its_inode_and_hard_links(editor, workspace):
    path = put(workspace, "app.py", "value = 'a long line of text'\n")
    link = os.path.join(workspace, "link.py")
    os.link(path, link)
    inode = os.stat(path).st_ino
    ok(editor, command="str_replace", path=path, old_str="a long line of text", new_str="b")
    assert os.stat(path).st_ino == inode
    assert read(link) == b"value = 'b'\n"
    ok(editor, command="create", path=path, file_text="")
    assert read(path) == b""
    assert os.stat(path).st_ino == inode


# insert


def test_insert_at_the_top_and_after_a_last_line_without_an_ending(editor, workspace):
    path = put(workspace, "win.txt", b"one\r\ntwo")
    ok(editor, command="insert", path=path, insert_line=0, insert_text="zero\n")
    assert read(path) == b"zero\r\none\r\ntwo"
    ok(editor, command="insert", path=path, insert_line=3, insert_text="three")
    assert read(path) == b"zero\r\none\r\ntwo\r\nthree\r\n"


def test_insert_reads_new_str_when_insert_text_is_missing(editor, workspace):
    path = put(workspace, "a.txt", "a\n")
    ok(editor, command="insert", path=path, insert_line=1, new_str="b")
    assert read(path) == b"a\nb\n"


def test_insert_needs_text_and_a_line_within_the_file(editor, workspace):
    path = put(workspace, "a.txt", "a\nb\n")
    assert refused(editor, command="insert", path=path, insert_line=1) == "insert needs insert_text"
    for line in [-1, 3, "1", None]:
        assert refused(editor, command="insert", path=path, insert_line=line, insert_text="x") == (
            "insert_line must be between 0 and 2 for %s" % path
        )


# files that are not UTF-8 text


def test_a_file_with_a_nul_byte_is_refused_by_every_command_and_left_unchanged(editor, workspace):
    data = b"\xff\xfea\x00b\x00"
    path = put(workspace, "utf16.txt", data)
    requests = [
        {"command": "view", "path": path},
        {"command": "str_replace", "path": path, "old_str": "a", "new_str": "b"},
        {"command": "insert", "path": path, "insert_line": 0, "insert_text": "x"},
        {"command": "create", "path": path, "file_text": "new"},
    ]
    for request in requests:
        error = refused(editor, **request)
        assert error.startswith("The file %s is not UTF-8 text: it has a NUL byte at offset 3" % path)
    assert read(path) == data


def test_invalid_utf8_is_refused_naming_the_offset(editor, workspace):
    data = b"caf\xe9\n"
    path = put(workspace, "latin1.txt", data)
    error = refused(editor, command="str_replace", path=path, old_str="caf", new_str="x")
    assert error.startswith("The file %s is not UTF-8 text: the byte at offset 3 is not valid UTF-8" % path)
    assert "iconv -f latin1 -t utf-8 FILE > FILE.new && mv FILE.new FILE" in error
    assert read(path) == data


def test_create_judges_an_existing_file_by_its_first_max_read_bytes(editor, workspace):
    path = put(workspace, "big.txt", b"ok\r\n" * 4 + b"\xe9")
    ok(editor, command="create", path=path, file_text="a\nb\n", max_read_bytes=8)
    assert read(path) == b"a\r\nb\r\n"


# the jail and the protected paths


def test_paths_outside_the_workspace_are_refused_also_through_a_symlink(editor, workspace, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret\n")
    os.symlink(outside, os.path.join(workspace, "link.txt"))
    escapes = [str(outside), os.path.join(workspace, "link.txt"), os.path.join(workspace, "../outside.txt")]
    for path in escapes:
        assert refused(editor, command="view", path=path) == (
            "The path %s resolves outside %s; only files under %s can be used" % (path, workspace, workspace)
        )
    assert outside.read_text() == "secret\n"


def test_git_internals_are_never_touched(editor, workspace):
    put(workspace, ".git/config", "[core]\n")
    put(workspace, "vendor/.git/HEAD", "ref\n")
    for rel in [".git", ".git/config", "vendor/.git/HEAD"]:
        path = os.path.join(workspace, rel)
        assert refused(editor, command="view", path=path) == (
            "The path %s is inside .git/, which the tools do not touch" % path
        )


def test_a_missing_file_is_named(editor, workspace):
    path = os.path.join(workspace, "nope.py")
    assert refused(editor, command="view", path=path) == "The path %s does not exist" % path


def test_ci_workflows_and_the_submodule_list_are_not_written(editor, workspace):
    workflow = os.path.join(workspace, ".github/workflows/ci.yml")
    error = refused(editor, command="create", path=workflow, file_text="on: push\n")
    assert error.startswith("Nothing was written to %s: CI workflows (.github/workflows/)" % workflow)
    assert not os.path.exists(workflow)
    modules = put(workspace, ".gitmodules", "[submodule]\n")
    assert refused(editor, command="str_replace", path=modules, old_str="sub", new_str="x") == (
        "Nothing was written to %s: the submodule list is not changed by the agent "
        "and would not be committed" % modules
    )
    assert read(modules) == b"[submodule]\n"


# limits and failures


def test_reads_and_writes_are_capped(editor, workspace):
    path = put(workspace, "big.txt", "x" * 100)
    assert refused(editor, command="view", path=path, max_read_bytes=99) == (
        "The file %s is larger than 99 bytes; view a range with bash tools such as sed -n" % path
    )
    new = os.path.join(workspace, "new.txt")
    assert refused(editor, command="create", path=new, file_text="y" * 11, max_write_bytes=10) == (
        "Refusing to write 11 bytes to %s: the limit is 10 bytes" % new
    )
    assert not os.path.exists(new)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
def test_a_read_only_file_or_folder_is_left_as_it_was(editor, workspace):
    path = put(workspace, "ro.txt", "a\n")
    os.chmod(path, 0o444)
    assert refused(editor, command="str_replace", path=path, old_str="a", new_str="b") == (
        "The file %s is read-only; nothing was written" % path
    )
    folder = os.path.join(workspace, "locked")
    inner = put(workspace, "locked/in.txt", "a\n")
    os.chmod(folder, 0o555)
    try:
        new = os.path.join(folder, "new.txt")
        error = refused(editor, command="create", path=new, file_text="x\n")
        assert error.startswith("Could not write %s: Permission denied" % new)
        assert not os.path.exists(new)
        # A writable file in a read-only folder is written in place, as any editor would.
        ok(editor, command="str_replace", path=inner, old_str="a", new_str="b")
        assert read(inner) == b"b\n"
    finally:
        os.chmod(folder, 0o755)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads through file permissions")
def test_a_file_the_editor_may_not_read_is_named_with_the_fix(editor, workspace):
    path = put(workspace, "secret.txt", "a\n")
    os.chmod(path, 0o200)
    try:
        assert refused(editor, command="view", path=path) == (
            "The file %s cannot be opened by the editor: Permission denied. The editor runs as a second "
            "user in the sandbox's group: make the file readable and writable by its group "
            "(chmod g+rw, or os.chmod in python)" % path
        )
    finally:
        os.chmod(path, 0o644)


# not regular files


def special_files(workspace):
    """A FIFO and a listening Unix socket in the workspace: what each is called in the refusal."""
    fifo = os.path.join(workspace, "pipe")
    os.mkfifo(fifo)
    sock_path = os.path.join(workspace, "sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(sock_path)
    sock.listen(1)
    return sock, [(fifo, "a FIFO (named pipe)"), (sock_path, "a socket")]


@pytest.mark.parametrize("command", ["view", "str_replace", "insert", "create"])
def test_a_fifo_or_socket_is_refused_before_it_is_opened_and_left_as_it_was(editor, workspace, command):
    request = {
        "view": {},
        "str_replace": {"old_str": "a", "new_str": "b"},
        "insert": {"insert_line": 0, "insert_text": "x"},
        "create": {"file_text": "x\n"},
    }[command]
    sock, specials = special_files(workspace)
    try:
        for path, what in specials:
            # Nothing writes to the FIFO: opening it to read without O_NONBLOCK would wait for ever
            # (the program's 60 s timeout in conftest.py would fail the test).
            assert refused(editor, command=command, path=path, **request) == (
                "The path %s is %s, not a regular file; the editor only opens regular files and left it "
                "as it was. Inspect it with bash (ls -l, file) if you need to." % (path, what)
            )
            assert not stat.S_ISREG(os.lstat(path).st_mode)
    finally:
        sock.close()
    assert stat.S_ISFIFO(os.lstat(os.path.join(workspace, "pipe")).st_mode)
    assert [name for name in os.listdir(workspace) if name.startswith(".editor-")] == []


def test_an_unknown_command_is_named(editor, workspace):
    assert refused(editor, command="delete", path=workspace) == (
        "Unknown command 'delete'; use view, create, str_replace or insert"
    )


def test_input_that_is_not_a_request_fails_without_an_answer(editor):
    for request in [b"not json", b'{"path": "/workspace"}']:
        done = editor.run(request)
        assert done.returncode != 0
        assert done.stdout == b""
