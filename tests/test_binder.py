"""A hosted class (Binder / JupyterHub via repo2docker) builds the environment before copying the course.

repo2docker turns environment.yml and postBuild into a Dockerfile. Docker caches each step until its
inputs change, so the environment (gigabytes of torch) must be installed from environment.yml alone,
before the rest of the repository is copied: then a commit to a notebook rebuilds only the last steps.
`jupyter-repo2docker --no-build --debug` prints that Dockerfile without needing a Docker daemon.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tools.paths import ROOT
FILES = ("environment.yml", "postBuild", "pyproject.toml", "README.md", "requirements/course.txt", "requirements/dev.txt")


def dockerfile(tmp_path: Path) -> str:
    for name in FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    repo2docker = Path(sys.executable).with_name("jupyter-repo2docker")
    result = subprocess.run([str(repo2docker), "--no-build", "--debug", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout + result.stderr


def test_environment_is_installed_before_the_repository_is_copied(tmp_path):
    text = dockerfile(tmp_path)
    lines = text.splitlines()
    install = next(i for i, line in enumerate(lines) if 'env update' in line and "environment.yml" in line)
    copy_all = next(i for i, line in enumerate(lines) if line.startswith("COPY") and " src/ " in line)
    post_build = next(i for i, line in enumerate(lines) if line.strip() == "RUN ./postBuild")
    assert install < copy_all < post_build, "\n".join(lines[min(install, copy_all) - 3: post_build + 1])


def test_postbuild_installs_the_package_and_prepares_the_hub():
    text = (ROOT / "postBuild").read_text()
    assert "pip install --no-deps --no-build-isolation -e ." in text
    assert "prepare_hub()" in text
    assert "-e ." not in (ROOT / "environment.yml").read_text()


def test_a_hub_started_without_make_gets_the_course_kernel(tmp_path, monkeypatch):
    """prepare_hub (postBuild) makes the course kernel the environment's python3: started the way a hub starts
    it (from the notebooks' folder, no PYTHONPATH, no `make lab`), it reports no Python patch version."""
    import sys

    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import start_new_kernel

    from tools import execute, lab, numerics

    monkeypatch.setattr(lab, "trust_notebooks", lambda: [])  # the user's trust database is not the test's
    # A new prefix holds no record of torch's answer, so prepare_hub would start torch to ask (2 s of CPU): it
    # gets the answer setup recorded for this machine instead (tests/test_mutants_numerics.py tests the asking).
    monkeypatch.setattr(numerics, "detect_capability", lambda python=sys.executable: numerics.detected())
    folder = lab.prepare_hub(prefix=tmp_path)
    assert folder == tmp_path / "share" / "jupyter" / "kernels" / "python3"
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share" / "jupyter"))
    spec = KernelSpecManager().get_kernel_spec("python3")
    assert spec.argv[:3] == [sys.executable, "-m", "tools.course_kernel"], spec.argv
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(ROOT / "notebooks"))
    try:
        reply = client.kernel_info(reply=True, timeout=60)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert reply["content"]["language_info"] == execute.LANGUAGE_INFO
