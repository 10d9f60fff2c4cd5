"""tools/lab.py without a browser: the pre-save hook that keeps a learner's clone clean."""
from __future__ import annotations

import copy
import logging
from types import SimpleNamespace

from tools import deck, execute, lab


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


def answer_cell(**metadata) -> dict:
    return {"cell_type": "code", "source": "%%answer\n# Worked code", "outputs": [],
            "metadata": {"tags": ["solution"], **metadata}}


def test_hook_saves_worked_answers_as_committed_whatever_the_learner_toggled():
    """A worked answer is saved with its source hidden and its output (the closed box) shown: expanding
    the code or collapsing the box on screen does not reach the file, and nothing else is touched."""
    model = notebook_model(version=None)
    lesson = {"cell_type": "code", "source": "x = 1", "outputs": [], "metadata": {"jupyter": {}}}
    committed = answer_cell(jupyter={"source_hidden": True})
    toggled = [answer_cell(jupyter={}),  # the learner opened the code
               answer_cell(jupyter={"source_hidden": True, "outputs_hidden": True}, collapsed=True),  # closed the box
               answer_cell()]
    model["content"]["cells"] = [copy.deepcopy(lesson), *toggled, copy.deepcopy(committed)]
    lab.keep_clone_clean(model=model, path="x.ipynb", contents_manager=None)
    cells = model["content"]["cells"]
    assert cells[0] == lesson
    assert all(cell == committed for cell in cells[1:]), cells[1:]
    assert deck.hide_answers(cells) == 0  # already as committed: nothing to do


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


def test_the_course_kernel_reports_what_the_chapters_carry():
    """Its language_info is the committed one exactly: JupyterLab then has nothing to change on connect."""
    from tools.course_kernel import CourseKernel
    assert CourseKernel.language_info == execute.LANGUAGE_INFO
    assert "version" not in CourseKernel.language_info


def test_make_lab_registers_the_course_kernel_as_python3(tmp_path):
    import json
    import sys
    folder = lab.install_kernel(tmp_path)
    spec = json.loads((folder / "kernel.json").read_text())
    assert folder.name == "python3" and spec["argv"][:3] == [sys.executable, "-m", "tools.course_kernel"]
    assert spec["display_name"] == execute.KERNELSPEC["display_name"]


def test_the_course_settings_silence_the_news_popup_and_keep_other_overrides(tmp_path):
    import json
    path = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}))
    assert lab.install_settings(tmp_path) == path
    lab.install_settings(tmp_path)  # twice: still one entry
    settings = json.loads(path.read_text())
    assert settings["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false", "checkForUpdates": False}
    assert settings["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}, "a site's own overrides stay"
