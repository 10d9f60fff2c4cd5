"""tools/setup_env.py: the set, its lock and the interpreter make the fingerprint; a broken .venv repairs itself."""
from __future__ import annotations

import platform
import venv

import pytest

from tools import setup_env


@pytest.fixture
def fake_root(tmp_path, monkeypatch):
    """setup_env working on a .venv in tmp_path instead of the repository's."""
    monkeypatch.setattr(setup_env, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(setup_env, "STAMP", tmp_path / ".venv" / ".installed")
    return tmp_path


def test_fingerprint_changes_with_the_interpreter_and_the_set():
    assert setup_env.fingerprint("dev", "CPython 3.11.7") != setup_env.fingerprint("dev", "CPython 3.12.1")
    assert setup_env.fingerprint("dev") == setup_env.fingerprint("dev", f"CPython {platform.python_version()}")
    assert setup_env.fingerprint("course") != setup_env.fingerprint("dev")


def test_fingerprint_changes_with_every_input(tmp_path, monkeypatch):
    """The lock, pyproject.toml and the recipe itself (a new install step, like compiling bytecode, reaches every
    existing .venv) each change it."""
    import shutil

    for name in ("requirements/dev.txt", "pyproject.toml", "tools/setup_env.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(setup_env.ROOT / name, tmp_path / name)
    monkeypatch.setattr(setup_env, "ROOT", tmp_path)
    before = setup_env.fingerprint("dev")
    for name in ("requirements/dev.txt", "pyproject.toml", "tools/setup_env.py"):
        with open(tmp_path / name, "a") as file:
            file.write("\n# changed\n")
        after = setup_env.fingerprint("dev")
        assert after != before, f"{name} changed but the fingerprint did not"
        before = after


def test_the_development_set_satisfies_make_lab_but_not_the_reverse(fake_root):
    venv.EnvBuilder(with_pip=False).create(fake_root / ".venv")
    setup_env.STAMP.write_text(f"dev {setup_env.fingerprint('dev')}\n")
    assert setup_env.is_current("course") and setup_env.is_current("dev")
    setup_env.STAMP.write_text(f"course {setup_env.fingerprint('course')}\n")
    assert setup_env.is_current("course") and not setup_env.is_current("dev")
    setup_env.STAMP.write_text(f"course {setup_env.fingerprint('course', 'CPython 3.99.0')}\n")
    assert not setup_env.is_current("course"), "a stamp of another interpreter or lock is stale"


def test_pip_gets_uv_with_its_hashes_and_nothing_else():
    entry = setup_env.lock_entry(setup_env.ROOT / "requirements" / "course.txt", "uv")
    lines = entry.splitlines()
    assert lines[0].startswith("uv==") and lines[0].endswith("\\")
    assert all(line.strip().startswith("--hash=sha256:") for line in lines[1:])
    assert not lines[-1].endswith("\\") and len(lines) > 2


def test_a_venv_of_another_python_is_replaced(fake_root):
    venv.EnvBuilder(with_pip=False).create(fake_root / ".venv")
    cfg = fake_root / ".venv" / "pyvenv.cfg"
    cfg.write_text(cfg.read_text().replace(f"version = {platform.python_version()}", "version = 3.99.0"))
    assert setup_env.venv_version() == "3.99.0"
    (fake_root / ".venv" / "marker").write_text("old")
    python = setup_env.ensure_venv()
    assert not (fake_root / ".venv" / "marker").exists(), "the other Python's .venv must be replaced"
    assert setup_env.venv_version() == platform.python_version()
    assert setup_env.has_pip(python)


def test_a_venv_without_pip_gets_pip_back(fake_root):
    """As after an interrupted `pip install` that removed pip, or a venv made without it."""
    venv.EnvBuilder(with_pip=False).create(fake_root / ".venv")
    python = setup_env.venv_python()
    assert not setup_env.has_pip(python)
    assert setup_env.has_pip(setup_env.ensure_venv())


def test_a_failed_step_ends_with_one_clear_line_and_no_stamp(fake_root, monkeypatch, capsys):
    monkeypatch.setattr(setup_env, "ensure_venv", lambda: fake_root / "python")
    (fake_root / ".venv").mkdir()
    setup_env.STAMP.write_text("stale\n")

    def failing_run(*cmd, what):
        raise setup_env.SetupError(what)

    monkeypatch.setattr(setup_env, "run", failing_run)
    assert setup_env.main(["dev"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: pip could not install uv from requirements/dev.txt (its message is above)"]
    assert not setup_env.STAMP.exists(), "an interrupted setup must not look finished"


def test_a_venv_that_cannot_be_made_ends_with_one_clear_line(fake_root, monkeypatch, capsys):
    """Debian's Python without python3-venv: ensurepip fails inside venv.create."""
    import subprocess

    def no_ensurepip():
        raise subprocess.CalledProcessError(1, ["python", "-m", "ensurepip"])

    monkeypatch.setattr(setup_env, "ensure_venv", no_ensurepip)
    assert setup_env.main(["course"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: could not create .venv (") and "-venv" in err[0], err


def test_builds_from_another_index_are_found_for_reinstalling(tmp_path):
    """torch 2.13.0+cpu satisfies ==2.13.0, so uv pip sync alone would keep it."""
    import sys
    site = tmp_path / "site"
    for name, version in (("fake-torch", "2.13.0+cpu"), ("fake-numpy", "2.4.6")):
        info = site / f"{name}-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    python = tmp_path / "python"
    python.write_text(f"#!/bin/sh\nPYTHONPATH={site} exec {sys.executable} -I -c \"import sys; sys.path.insert(0, '{site}'); "
                      f"exec(sys.argv[2])\" \"$@\"\n")
    python.chmod(0o755)
    found = setup_env.local_builds(python)
    assert "fake-torch" in found and "fake-numpy" not in found


def test_without_drops_whole_entries_and_nothing_else():
    from tools import lock
    text = (setup_env.ROOT / "requirements" / "course.txt").read_text()
    kept = setup_env.without(text, ("lark", "rfc3987-syntax"))
    assert lock.entries(kept) == [e for e in lock.entries(text) if not e.startswith(("lark==", "rfc3987-syntax=="))]
    assert len(lock.entries(kept)) == len(lock.entries(text)) - 2
    assert setup_env.without(text, ()) == text
