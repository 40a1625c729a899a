"""The changes program, run directly on a workspace committed the way the baseline is."""
import base64
import os
import subprocess

import pytest

CACHES = ["__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache"]
SEED = {
    "README.md": "hello\n",
    "app/main.py": "print('hi')\n",
    "app/old.py": "old\n",
    "run.sh": "#!/bin/sh\n",
    ".gitignore": "*.log\nsettings/local.py\nbuild/\n",
    "settings/defaults.py": "DEBUG = False\n",
}


def git(root, *args):
    return subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args],
        cwd=root, capture_output=True, check=True,
    ).stdout


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(text if isinstance(text, bytes) else text.encode())
    return path


@pytest.fixture
def base(workspace):
    """The seed committed with every path force-added, like the baseline; returns the tracked list."""
    for rel, text in SEED.items():
        write(workspace, rel, text)
    write(workspace, "settings/secret.log", "tracked though ignored\n")
    os.chmod(os.path.join(workspace, "run.sh"), 0o755)
    os.symlink("README.md", os.path.join(workspace, "readme-link"))
    git(workspace, "init", "-q", "-b", "main", ".")
    git(workspace, "add", "-A", "-f")
    git(workspace, "commit", "-q", "--no-verify", "-m", "baseline")
    tracked = []
    for entry in git(workspace, "ls-files", "-s", "-z").split(b"\0"):
        if entry:
            info, path = entry.decode().split("\t", 1)
            mode, sha, _ = info.split(" ")
            tracked.append([path, mode, sha])
    return tracked


def report(changes, tracked, max_files=100, max_total=1 << 20, always_ignored=CACHES):
    return changes.answer(
        {"tracked": tracked, "always_ignored": always_ignored, "max_files": max_files, "max_total": max_total}
    )


def by_path(answer):
    return {change["path"]: change for change in answer["changes"]}


def b64(text):
    return base64.b64encode(text.encode()).decode()


def test_an_untouched_workspace_reports_nothing(changes, base):
    assert report(changes, base) == {"changes": [], "ignored": [], "files": 0, "bytes": 0}


def test_a_file_rewritten_with_its_own_bytes_is_no_change(changes, workspace, base):
    write(workspace, "README.md", "hello\n")
    assert report(changes, base)["changes"] == []


def test_modified_added_and_deleted_files_with_content_and_counts(changes, workspace, base):
    write(workspace, "README.md", "changed\n")
    os.remove(os.path.join(workspace, "app/old.py"))
    write(workspace, "app/new/mod.py", "x = 1\n")
    answer = report(changes, base)
    assert by_path(answer) == {
        "README.md": {
            "path": "README.md", "status": "modified", "kind": "file", "mode": "100644",
            "content": b64("changed\n"),
        },
        "app/old.py": {"path": "app/old.py", "status": "deleted", "kind": "file"},
        "app/new/mod.py": {
            "path": "app/new/mod.py", "status": "added", "kind": "file", "mode": "100644",
            "content": b64("x = 1\n"),
        },
    }
    assert (answer["files"], answer["bytes"]) == (2, len("changed\n") + len("x = 1\n"))


def test_the_executable_bit_is_a_change(changes, workspace, base):
    os.chmod(os.path.join(workspace, "run.sh"), 0o644)
    write(workspace, "tool.sh", "#!/bin/sh\n")
    os.chmod(os.path.join(workspace, "tool.sh"), 0o755)
    found = by_path(report(changes, base))
    assert (found["run.sh"]["status"], found["run.sh"]["mode"]) == ("modified", "100644")
    assert (found["tool.sh"]["status"], found["tool.sh"]["mode"]) == ("added", "100755")


def test_a_tracked_file_replaced_by_a_folder_is_deleted(changes, workspace, base):
    os.remove(os.path.join(workspace, "README.md"))
    write(workspace, "README.md/inside.txt", "x\n")
    found = by_path(report(changes, base))
    assert found["README.md"] == {"path": "README.md", "status": "deleted", "kind": "file"}
    assert found["README.md/inside.txt"]["status"] == "added"


def test_gitignore_applies_to_new_paths_only(changes, workspace, base):
    write(workspace, "settings/secret.log", "edited\n")
    write(workspace, "debug.log", "x\n")
    write(workspace, "settings/local.py", "y\n")
    write(workspace, "build/out.txt", "z\n")
    answer = report(changes, base)
    assert [c["path"] for c in answer["changes"]] == ["settings/secret.log"]
    assert sorted(answer["ignored"]) == ["build/", "debug.log", "settings/local.py"]


def test_caches_are_never_reported_even_when_gitignore_misses_them(changes, workspace, base):
    write(workspace, "app/__pycache__/main.cpython-313.pyc", b"\x00cache")
    write(workspace, "stray.pyc", b"\x00")
    write(workspace, ".gitignore", SEED[".gitignore"] + ".pytest_cache/\n")
    write(workspace, ".pytest_cache/v/x", "{}")
    found = by_path(report(changes, base))
    assert list(found) == [".gitignore"]
    assert report(changes, base)["ignored"] == []


def test_symlinks_are_reported_without_content(changes, workspace, base):
    os.remove(os.path.join(workspace, "readme-link"))
    os.symlink("app/main.py", os.path.join(workspace, "readme-link"))
    os.symlink("/etc/passwd", os.path.join(workspace, "app/passwd"))
    assert by_path(report(changes, base)) == {
        "readme-link": {"path": "readme-link", "status": "modified", "kind": "symlink"},
        "app/passwd": {"path": "app/passwd", "status": "added", "kind": "symlink"},
    }


def test_a_tracked_symlink_pointing_where_it_did_is_no_change(changes, workspace, base):
    os.remove(os.path.join(workspace, "readme-link"))
    os.symlink("README.md", os.path.join(workspace, "readme-link"))
    assert report(changes, base)["changes"] == []


def test_a_tracked_file_turned_into_a_symlink_is_a_symlink_change(changes, workspace, base):
    os.remove(os.path.join(workspace, "app/main.py"))
    os.symlink("../README.md", os.path.join(workspace, "app/main.py"))
    assert by_path(report(changes, base))["app/main.py"] == {
        "path": "app/main.py", "status": "modified", "kind": "symlink",
    }


def test_a_nested_repository_is_reported_as_such_and_its_files_never_read(changes, workspace, base):
    nested = os.path.join(workspace, "vendor/lib")
    write(workspace, "vendor/lib/x.py", "x\n")
    git(nested, "init", "-q")
    git(nested, "add", "x.py")
    git(nested, "commit", "-qm", "x")
    assert report(changes, base)["changes"] == [
        {"path": "vendor/lib", "status": "added", "kind": "repository"},
    ]


def test_a_tracked_file_replaced_by_a_fifo_is_other_and_never_read(changes, workspace, base):
    os.remove(os.path.join(workspace, "README.md"))
    os.mkfifo(os.path.join(workspace, "README.md"))
    os.mkfifo(os.path.join(workspace, "new-pipe"))
    assert report(changes, base)["changes"] == [{"path": "README.md", "status": "modified", "kind": "other"}]


def test_content_stops_at_the_caps_while_the_counts_go_on(changes, workspace, base):
    for name in ["a.txt", "b.txt", "c.txt"]:
        write(workspace, name, "12345\n")
    by_files = report(changes, base, max_files=2)
    assert ["content" in c for c in by_files["changes"]] == [True, True, False]
    assert (by_files["files"], by_files["bytes"]) == (3, 18)
    by_bytes = report(changes, base, max_total=12)
    assert ["content" in c for c in by_bytes["changes"]] == [True, True, False]
    assert all(c["mode"] == "100644" for c in by_bytes["changes"])


def test_at_most_200_ignored_paths_are_named(changes, workspace, base):
    for i in range(250):
        write(workspace, "%03d.log" % i, "x\n")
    answer = report(changes, base)
    assert answer["changes"] == []
    assert len(answer["ignored"]) == 200


def test_input_that_is_not_a_request_fails_without_an_answer(changes, base):
    for request in [b"[]", b'{"tracked": []}']:
        done = changes.run(request)
        assert done.returncode != 0
        assert done.stdout == b""


def test_the_repositorys_git_config_cannot_make_git_run_a_command(changes, workspace, base):
    # The agent writes .git/config; the program runs git as the programs user on it.
    marker = os.path.join(workspace, "ran")
    hook = write(workspace, "hook.sh", "#!/bin/sh\ntouch %s\n" % marker)
    os.chmod(hook, 0o755)
    with open(os.path.join(workspace, ".git", "config"), "a") as f:
        f.write("[core]\n\tfsmonitor = %s\n\thooksPath = %s\n" % (hook, workspace))
    answer = report(changes, base)
    assert [c["path"] for c in answer["changes"]] == ["hook.sh"]
    assert not os.path.exists(marker)


# The restore mode: the workspace made to hold exactly what will be committed.
def b64_bytes(data):
    return base64.b64encode(data).decode()


def restore(changes, entries, always_ignored=CACHES):
    return changes.answer({"restore": entries, "always_ignored": always_ignored})


def read_bytes(workspace, rel):
    with open(os.path.join(workspace, rel), "rb") as f:
        return f.read()


def test_a_new_left_out_file_is_removed_and_the_rest_is_kept(changes, workspace, base):
    write(workspace, "conftest.py", "import sys\nsys.exit(0)\n")
    write(workspace, "app/main.py", "print('kept')\n")
    assert restore(changes, [{"path": "conftest.py"}]) == {"failed": []}
    assert not os.path.lexists(os.path.join(workspace, "conftest.py"))
    assert read_bytes(workspace, "app/main.py") == b"print('kept')\n"
    assert [c["path"] for c in report(changes, base)["changes"]] == ["app/main.py"]


def test_a_changed_or_deleted_base_file_gets_its_content_and_mode_back(changes, workspace, base):
    write(workspace, "run.sh", "#!/bin/sh\nexit 0\n")
    os.chmod(os.path.join(workspace, "run.sh"), 0o644)
    os.remove(os.path.join(workspace, "README.md"))
    answer = restore(changes, [
        {"path": "run.sh", "mode": "100755", "content": b64_bytes(SEED["run.sh"].encode())},
        {"path": "README.md", "mode": "100644", "content": b64_bytes(SEED["README.md"].encode())},
    ])
    assert answer == {"failed": []}
    assert read_bytes(workspace, "run.sh") == SEED["run.sh"].encode()
    assert os.stat(os.path.join(workspace, "run.sh")).st_mode & 0o100
    assert report(changes, base)["changes"] == []


def test_symlinks_and_folders_are_removed_without_being_followed(changes, workspace, tmp_path, base):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("outside\n")
    os.symlink(str(outside), os.path.join(workspace, "link"))
    write(workspace, ".GIT/hooks/x", "y\n")
    os.remove(os.path.join(workspace, "readme-link"))
    write(workspace, "readme-link", "a file now\n")
    answer = restore(changes, [
        {"path": "link"},
        {"path": ".GIT"},
        {"path": "readme-link", "mode": "120000", "content": b64_bytes(b"README.md")},
    ])
    assert answer == {"failed": []}
    assert (outside / "keep.txt").read_text() == "outside\n"
    assert not os.path.lexists(os.path.join(workspace, "link"))
    assert not os.path.lexists(os.path.join(workspace, ".GIT"))
    assert os.readlink(os.path.join(workspace, "readme-link")) == "README.md"
    assert report(changes, base)["changes"] == []


def test_a_base_file_behind_a_symlinked_folder_goes_into_a_real_folder(changes, workspace, tmp_path, base):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.rename(os.path.join(workspace, "app"), str(outside / "app"))
    os.symlink(str(outside / "app"), os.path.join(workspace, "app"))
    answer = restore(changes, [{"path": "app/old.py", "mode": "100644", "content": b64_bytes(b"old\n")}])
    assert answer == {"failed": []}
    assert not os.path.islink(os.path.join(workspace, "app"))
    assert read_bytes(workspace, "app/old.py") == b"old\n"
    assert (outside / "app" / "old.py").read_text() == "old\n"


def test_new_ignored_paths_are_removed_but_caches_and_tracked_ignored_files_stay(changes, workspace, base):
    write(workspace, ".gitignore", SEED[".gitignore"] + "conftest.py\n")
    write(workspace, "conftest.py", "import sys\nsys.exit(0)\n")
    write(workspace, "build/out.txt", "z\n")
    write(workspace, "app/__pycache__/main.cpython-312.pyc", b"\x00")
    assert restore(changes, []) == {"failed": []}
    assert not os.path.lexists(os.path.join(workspace, "conftest.py"))
    assert not os.path.lexists(os.path.join(workspace, "build"))
    assert os.path.exists(os.path.join(workspace, "app/__pycache__/main.cpython-312.pyc"))
    assert read_bytes(workspace, "settings/secret.log") == b"tracked though ignored\n"


def test_a_path_that_cannot_be_removed_is_named(changes, workspace, base):
    write(workspace, "locked/conftest.py", "x\n")
    os.chmod(os.path.join(workspace, "locked"), 0o555)
    try:
        answer = restore(changes, [{"path": "locked/conftest.py"}, {"path": "../escape"}])
    finally:
        os.chmod(os.path.join(workspace, "locked"), 0o755)
    failed = {f["path"] for f in answer["failed"]}
    assert "../escape" in failed
    if os.geteuid() != 0:
        assert "locked/conftest.py" in failed
