"""tools/lab.py without a browser: the pre-save hook that keeps a learner's clone clean."""
from __future__ import annotations

import copy
import logging
from types import SimpleNamespace

from tools import execute, lab


def notebook_model(version: str | None = "3.11.7") -> dict:
    info = dict(execute.LANGUAGE_INFO, **({"version": version} if version else {}))
    return {"type": "notebook", "content": {"metadata": {"language_info": info}, "cells": []}}


def test_hook_drops_only_the_python_version():
    model = notebook_model()
    manager = SimpleNamespace(log=logging.getLogger("test"))
    lab.keep_clone_clean(model=model, path="notebooks/x.ipynb", contents_manager=manager)
    assert model["content"]["metadata"]["language_info"] == execute.LANGUAGE_INFO


def test_hook_leaves_other_files_and_unversioned_notebooks_alone():
    for model in ({"type": "file", "content": "text"}, {"type": "notebook", "content": None},
                  notebook_model(version=None), {"type": "notebook", "content": {"metadata": {}}}):
        before = copy.deepcopy(model)
        lab.keep_clone_clean(model=model, path="x", contents_manager=None)
        assert model == before


def test_jupyterlab_is_started_with_the_hook():
    cmd = lab.lab_command([])
    assert "--ContentsManager.pre_save_hook=tools.lab.keep_clone_clean" in cmd


def test_my_notebooks_is_ignored_except_its_readme():
    """README: `cp notebooks/… my_notebooks/` keeps a learner's copy out of `git status`."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text()
    for command in ("cp notebooks/04_calculus.ipynb my_notebooks/", "git switch -c my-notes",
                    "git restore notebooks/04_calculus.ipynb", "git pull"):
        assert f"`{command}" in readme, command
    ignored = subprocess.run(["git", "-C", str(root), "check-ignore", "-q", "my_notebooks/04_calculus.ipynb"])
    assert ignored.returncode == 0, "a copy in my_notebooks/ would show in git status"
    kept = subprocess.run(["git", "-C", str(root), "check-ignore", "-q", "my_notebooks/README.md"])
    assert kept.returncode == 1, "my_notebooks/README.md must stay in the repository"
