"""Shared fixtures: a headless Chromium driven by Playwright for the browser tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests import support
from tools import browser_setup

from tools.paths import ROOT
SCREENSHOTS = ROOT / "build" / "screenshots"

# Flags for a headless Chromium on a machine without a display or internet access: without the
# background-networking flags Chromium keeps trying to reach Google's hosts; --no-sandbox because
# CI containers run as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--allow-file-access-from-files",
    # One renderer process for every page, reused from page to page instead of one started per page: about
    # 10 % less CPU over five live RISE decks (measured). Each worker's tests use one page at a time (a few
    # stay open meanwhile), so sharing one process costs them no parallelism.
    "--renderer-process-limit=1",
]


@pytest.fixture(scope="session")
def course_python() -> Path:
    """The interpreter of build/course-env: the course set alone, as `make lab` installs it (tools/setup_env.py
    course), made once for all test workers. uv links the files from its cache: seconds after `make setup-dev`."""
    import subprocess
    import sys

    from filelock import FileLock

    from tools.paths import BUILD
    BUILD.mkdir(exist_ok=True)
    with FileLock(str(BUILD / "course-env.lock")):
        result = subprocess.run([sys.executable, str(ROOT / "tools" / "setup_env.py"), "course", "--venv",
                                 str(support.COURSE_ENV)], capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return support.COURSE_ENV / "bin" / "python"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    try:
        path = browser_setup.find_chromium()
    except browser_setup.ChromiumError as error:
        pytest.fail(f"{error}\n{browser_setup.HELP}")
    if path is None:
        pytest.fail("no Chromium for the browser tests (run `python -m tools.browser_setup`)\n" + browser_setup.HELP)
    return path


class Browser:
    """The tests' Chromium: pages of one profile on disk, kept for the session.

    A profile on disk keeps what Chromium caches between page loads, above all V8's compiled code of
    JupyterLab's and RISE's scripts, which every RISE deck and JupyterLab page loads again (about 10 % of the
    CPU time of a load, measured). Cookies are cleared for each JupyterLab server (tests.support.open_lab_page);
    JupyterLab keeps its workspace on the server, and `?reset` starts an empty one."""

    def __init__(self, context):
        self.context = context

    def new_page(self, viewport: dict | None = None):
        page = self.context.new_page()
        if viewport:
            page.set_viewport_size(viewport)
        return page


@pytest.fixture(scope="session")
def browser(chromium_path, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=chromium_path, args=CHROMIUM_ARGS,
            headless=True, viewport={"width": 1280, "height": 720})
        yield Browser(context)
        context.close()


@pytest.fixture
def fresh_figures():
    """No matplotlib figure open before or after the test (plotting helpers draw on the current one)."""
    from matplotlib import pyplot as plt

    plt.close("all")
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def watch():
    """watch(page, allowed_prefixes) -> PageProblems collecting everything that went wrong."""
    return support.PageProblems


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server started like `make lab` on a fresh copy of the course (tests.support)."""
    yield from support.start_lab(tmp_path_factory)


@pytest.fixture(scope="module")
def lab_page(browser, lab):
    """One JupyterLab page for the tests that open notebooks: loading the app once saves CPU time."""
    yield from support.open_lab_page(browser, lab)


@pytest.fixture(scope="session")
def repository_in_sync() -> None:
    """The repository's d2l_utils/ is what its notebooks generate: then so is every copy of the two (checked once
    per session, not per copy: one check reads every notebook, about 0.1 s of CPU, and 31 tests take a copy)."""
    from tools import export

    assert export.stale_files() == [], "d2l_utils/ differs from the notebooks: run `make lib`"


@pytest.fixture
def sandbox(tmp_path, monkeypatch, repository_in_sync):
    """A copy of notebooks/ and d2l_utils/ that tools/export.py works on instead of the repository's
    (tests/test_export.py and tests/test_mutants_export.py); in sync when it starts (`repository_in_sync`)."""
    import shutil

    from tools import export

    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(ROOT / "d2l_utils", tmp_path / "d2l_utils", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(export, "ROOT", tmp_path)
    monkeypatch.setattr(export, "NOTEBOOKS", tmp_path / "notebooks")
    monkeypatch.setattr(export, "PACKAGE", tmp_path / "d2l_utils")
    return tmp_path
