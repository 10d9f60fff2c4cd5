"""tools/inputs.py: the hash of a build's inputs and the stamp that lets `make slides` and `make site` skip work."""
from __future__ import annotations

import shutil

import nbformat

from tools import inputs


def tree(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("one")
    (tmp_path / "a" / "__pycache__").mkdir()
    (tmp_path / "a" / "__pycache__" / "one.pyc").write_bytes(b"\0")
    (tmp_path / "a" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "a" / ".ipynb_checkpoints" / "x-checkpoint.ipynb").write_text("{}")
    (tmp_path / "b.txt").write_text("b")
    return tmp_path


def test_files_takes_folders_and_files_without_caches(tmp_path):
    root = tree(tmp_path)
    assert inputs.files(root / "b.txt", root / "a") == [root / "a" / "one.txt", root / "b.txt"]


def test_the_digest_changes_with_a_content_a_name_or_an_extra_and_only_then(tmp_path):
    root = tree(tmp_path)
    paths = inputs.files(root)
    key = inputs.digest(paths, "x")
    assert inputs.digest(inputs.files(root), "x") == key
    (root / "b.txt").write_text("B")
    assert inputs.digest(paths, "x") != key
    (root / "b.txt").write_text("b")
    assert inputs.digest(paths, "x") == key
    assert inputs.digest(paths, "y") != key
    (root / "b.txt").rename(root / "c.txt")
    assert inputs.digest(inputs.files(root), "x") != key
    # Contents are delimited: moving a byte from one file to the next is a change.
    one, last = root / "a" / "one.txt", root / "c.txt"
    one.write_text("oneb")
    last.write_text("")
    moved = inputs.digest([one, last])
    one.write_text("one")
    last.write_text("b")
    assert inputs.digest([one, last]) != moved


def test_a_stamp_holds_for_its_key_and_the_output_it_recorded(tmp_path):
    stamp, output = tmp_path / ".inputs", tmp_path / "out.html"
    assert not inputs.unchanged(stamp, "k")  # nothing built yet
    output.write_text("built")
    inputs.record(stamp, "k", output)
    assert inputs.unchanged(stamp, "k", output)
    assert not inputs.unchanged(stamp, "other", output)
    other = tmp_path / "other.html"
    other.write_text("built")
    assert not inputs.unchanged(stamp, "k", other)  # the same content under another name is another output
    output.write_text("edited by hand")
    assert not inputs.unchanged(stamp, "k", output)
    output.unlink()
    assert not inputs.unchanged(stamp, "k", output)
    inputs.record(stamp, "k")
    assert inputs.unchanged(stamp, "k") and not inputs.unchanged(stamp, "k2")


def test_a_folder_output_is_kept_only_while_every_file_of_it_is_as_built(tmp_path):
    """A folder's hash covers each file's name and content, not the stamp inside it, nor where the folder lies."""
    out = tmp_path / "site"
    (out / "pages").mkdir(parents=True)
    (out / "index.html").write_text("home")
    (out / "pages" / "one.html").write_text("one")
    stamp = out / ".inputs"
    inputs.record(stamp, "k", out)
    assert inputs.unchanged(stamp, "k", out) and not inputs.unchanged(stamp, "other", out)
    moved = tmp_path / "moved"
    out.rename(moved)
    assert inputs.unchanged(moved / ".inputs", "k", moved)  # the stamp inside is not part of the hash
    for change in (lambda: (moved / "pages" / "one.html").write_text("edited by hand"),
                   lambda: (moved / "pages" / "one.html").unlink(),
                   lambda: (moved / "pages" / "one.html").rename(moved / "pages" / "two.html"),
                   lambda: (moved / "extra.html").write_text("")):
        for stray in (moved / "pages" / "two.html", moved / "extra.html"):
            stray.unlink(missing_ok=True)
        (moved / "pages" / "one.html").write_text("one")
        inputs.record(moved / ".inputs", "k", moved)
        assert inputs.unchanged(moved / ".inputs", "k", moved)
        change()
        assert not inputs.unchanged(moved / ".inputs", "k", moved)
    shutil.rmtree(moved)
    assert not inputs.unchanged(tmp_path / ".inputs", "k", moved)  # no output at all


def test_the_environment_names_the_installed_packages():
    lines = inputs.environment().splitlines()
    assert f"nbformat=={nbformat.__version__}" in lines
    assert lines == lines[:1] + sorted(lines[1:])


def test_the_digest_does_not_depend_on_where_the_repository_lies(tmp_path, monkeypatch):
    """Names count relative to the repository: a clone elsewhere with the same files has the same key."""
    keys = []
    for place in ("here", "there"):
        root = tmp_path / place
        root.mkdir()
        tree(root)
        monkeypatch.setattr(inputs, "ROOT", root)
        keys.append(inputs.digest(inputs.files(root)))
    assert keys[0] == keys[1]
