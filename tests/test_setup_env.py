"""tools/setup_env.py: the interpreter is part of the fingerprint; a broken .venv repairs itself."""
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


def test_fingerprint_changes_with_the_interpreter():
    assert setup_env.fingerprint("CPython 3.11.7") != setup_env.fingerprint("CPython 3.12.1")
    assert setup_env.fingerprint() == setup_env.fingerprint(f"CPython {platform.python_version()}")


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
    assert setup_env.main() == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: pip could not install requirements.txt for Python")
    assert not setup_env.STAMP.exists(), "an interrupted setup must not look finished"
