"""Open the course in JupyterLab (what `make lab` runs after setting up .venv).

    python -m tools.lab [--root DIR] [extra jupyter-lab options, e.g. --port 8890 --no-browser]

--root serves another copy of the course (a folder with notebooks/ inside); the browser tests use it
to open a fresh copy exactly the way `make lab` opens the repository.

The notebooks are trusted first. A fresh clone is untrusted, and JupyterLab refuses to render SVG
output of untrusted notebooks: without this step every figure would show as `<Figure size ...>` text.
Trusting is safe here because the committed outputs are exactly what the tests reproduce.

The kernel is the course's own `python3` (tools/course_kernel.py): ipykernel, reporting its language without
the Python patch version, so a chapter does not show as modified the moment its kernel starts.

Saving a notebook goes through keep_clone_clean() (the server's pre-save hook): JupyterLab writes the
kernel's `language_info`, Python patch version included, into every notebook it saves, so merely
opening a chapter and letting autosave run would leave the clone modified. The hook drops that
version, as tools/execute.py does, so a chapter saved unchanged is byte-identical to the committed one.
It also saves every worked answer collapsed: running an answer cell (Run All) expands it on screen and
JupyterLab would save it expanded, so the answers would show the next time the chapter is opened.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
from nbformat.sign import NotebookNotary

from tools import deck, numerics, paths

ROOT = paths.ROOT
NOTEBOOKS = paths.NOTEBOOKS


def trust_notebooks(notebooks: Path = NOTEBOOKS) -> list[Path]:
    """Sign every notebook in the user's Jupyter trust database; return the paths signed."""
    notary = NotebookNotary()
    signed = []
    for path in sorted(notebooks.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if not notary.check_signature(nb):
            notary.sign(nb)
            signed.append(path)
    return signed


def keep_clone_clean(model: dict, path: str = "", contents_manager=None, **kwargs) -> None:
    """Pre-save hook: drop the Python patch version JupyterLab adds to a notebook's language_info, and
    save every worked answer collapsed, as committed, even after Run All has expanded it on screen."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    info = model["content"].get("metadata", {}).get("language_info")
    if isinstance(info, dict) and info.pop("version", None) is not None and contents_manager is not None:
        contents_manager.log.info("course: dropped language_info.version from %s on save", path)
    hidden = deck.hide_answers(model["content"].get("cells") or [])
    if hidden and contents_manager is not None:
        contents_manager.log.info("course: saved %d worked answer(s) of %s collapsed", hidden, path)


# The environment's own Jupyter data folder: setup writes the course kernel there, so whatever starts this
# environment's `python3` kernel (JupyterLab, `jupyter execute`, a hub) gets the course's kernel.
DATA = Path(sys.prefix) / "share" / "jupyter"


def write_if_changed(path: Path, text: str) -> Path:
    """Write `text` to `path` unless it holds it already, atomically: a kernel starting meanwhile reads the old
    file or the new one, never half of one (make lab and the tests' JupyterLab servers all run install_environment)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        scratch = path.with_name(f".{path.name}.{os.getpid()}")
        scratch.write_text(text, encoding="utf-8")
        os.replace(scratch, path)
    return path


def install_kernel(where: Path = DATA, env: dict[str, str] | None = None, metadata: dict[str, str] | None = None,
                   python: str = sys.executable, name: str = "python3",
                   display_name: str = "Python 3 (ipykernel)") -> Path:
    """Write the kernelspec `name` that runs tools.course_kernel with `python`; return its folder.

    The display name defaults to what the chapters' kernelspec metadata says."""
    spec = {
        "argv": [str(python), "-m", "tools.course_kernel", "-f", "{connection_file}"],
        "display_name": display_name,
        "language": "python",
        "metadata": {"debugger": True, **(metadata or {})},
        **({"env": env} if env else {}),
    }
    return write_if_changed(where / "kernels" / name / "kernel.json", json.dumps(spec, indent=1) + "\n").parent


def kernel_env(capability: str) -> dict[str, str]:
    """What the course kernel's spec sets: the numerical settings for a CPU where ATen picks `capability`, and
    PYTHONPATH, without which the kernel cannot import tools/ when started from the notebooks' folder."""
    return {**numerics.environment(capability), "PYTHONPATH": str(ROOT)}


def install_environment(prefix: Path = Path(sys.prefix)) -> Path:
    """What setup does after installing the packages: the course kernel as the environment's `python3`, with the
    numerical settings in its env, and the course's JupyterLab settings. Torch is asked for the CPU's capability
    only when the kernelspec holds no earlier answer; the answer is recorded in its metadata. `prefix` must be
    this interpreter's environment (the spec runs sys.executable). Returns the kernelspec's folder."""
    capability = numerics.detected(prefix / "share" / "jupyter" / "kernels" / "python3" / "kernel.json")
    install_settings(prefix)
    return install_kernel(prefix / "share" / "jupyter", env=kernel_env(capability),
                          metadata={numerics.RECORD: capability})


# JupyterLab settings the course ships: no "get notified about official Jupyter news?" pop-up over the first
# chapter a learner opens, and no update check (a request to a website) behind it.
SETTINGS = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}


def install_settings(prefix: Path = Path(sys.prefix)) -> Path:
    """Write the course's JupyterLab settings as the environment's defaults (overrides.json); return the file."""
    path = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for plugin, values in SETTINGS.items():
        current.setdefault(plugin, {}).update(values)
    return write_if_changed(path, json.dumps(current, indent=1) + "\n")


def prepare_hub(prefix: Path = Path(sys.prefix)) -> Path:
    """What postBuild does for Binder or a JupyterHub image: trust the chapters and install the course kernel and
    settings into the environment, as setup does. A hub starts JupyterLab itself, without `make lab`, so the
    kernelspec carries the kernel's part of what make lab sets (not the save hook, which is the server's)."""
    trust_notebooks()
    return install_environment(prefix)


def lab_command(extra: list[str], root: Path = ROOT) -> list[str]:
    """The jupyter-lab command line that serves the course folder `root` with its notebooks folder open."""
    cmd = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.root_dir={root}",
        "--LabApp.default_url=/lab/tree/notebooks",
        "--ContentsManager.pre_save_hook=tools.lab.keep_clone_clean",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and CI machines often run as root
    return cmd + extra


def main(argv: list[str] | None = None) -> int:
    extra = list(sys.argv[1:] if argv is None else argv)
    root = ROOT
    if extra[:1] == ["--root"] and len(extra) >= 2:
        root, extra = Path(extra[1]).resolve(), extra[2:]
    notebooks = root / "notebooks"
    signed = trust_notebooks(notebooks)
    print(f"trusted {len(signed)} notebook(s); {len(list(notebooks.glob('*.ipynb')))} in total", flush=True)
    numerics.apply()  # the kernelspec sets it too; this covers a kernel of another spec the learner picks
    install_environment()  # as setup did: course kernel, numerics, no news pop-up (cheap: torch's answer is recorded)
    # This environment's kernel comes first, before a user-level `python3` of another environment.
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(DATA), os.environ.get("JUPYTER_PATH")]))
    # The server imports the pre-save hook from this repository's tools/, whatever folder it serves.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    cmd = lab_command(extra, root)
    os.chdir(root)
    os.execv(cmd[0], cmd)  # replace this process: Ctrl-C stops JupyterLab directly
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
