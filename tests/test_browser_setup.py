"""tools/browser_setup.py: which Chromium the browser tests get, and what is installed when there is none.

Everything runs against fakes (a Host with fake PATH, apt-cache answers, privilege and Playwright, and
executables in tmp_path); commands are recorded, never run. One test asks this machine for real.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools import browser_setup
from tools.browser_setup import Host

# `apt-cache policy chromium` on Debian 12 (this format, checked on the machine the tests were written on).
DEBIAN = """\
chromium:
  Installed: (none)
  Candidate: 142.0.7444.59-1~deb12u1
  Version table:
     142.0.7444.59-1~deb12u1 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
"""
# Ubuntu 24.04: `chromium` is a transitional package that installs the snap.
UBUNTU = """\
chromium:
  Installed: (none)
  Candidate: 2:1snap1-0ubuntu2
  Version table:
     2:1snap1-0ubuntu2 500
        500 http://archive.ubuntu.com/ubuntu noble/universe amd64 Packages
"""
NO_CANDIDATE = """\
chromium:
  Installed: (none)
  Candidate: (none)
  Version table:
"""
NO_APT = None  # apt-cache missing
# `apt-cache policy chromium-headless-shell chromium` in Debian 12's format (as this machine printed it, the sources
# shortened), with chromium's version changed on purpose: two different candidates show each is read from its own
# section.
DEBIAN_BOTH = """\
chromium-headless-shell:
  Installed: (none)
  Candidate: 156.0.8078.114-1~deb12u1
  Version table:
     156.0.8078.114-1~deb12u1 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
chromium:
  Installed: (none)
  Candidate: 155.0.7000.1-1~deb12u1
  Version table:
     155.0.7000.1-1~deb12u1 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
"""
# The same with no headless shell to install (a mirror without it): apt's chromium is next.
ONLY_CHROMIUM = DEBIAN_BOTH.replace("Candidate: 156.0.8078.114-1~deb12u1", "Candidate: (none)")

# Ubuntu's /usr/bin/chromium-browser from the transitional deb.
SNAP_STUB = """\
#!/bin/sh
if ! [ -x /snap/bin/chromium ]; then
    echo "Command '$0' requires the chromium snap to be installed." >&2
    echo "Please install it with:" >&2
    echo "snap install chromium" >&2
    exit 1
fi
exec /snap/bin/chromium "$@"
"""
# A working browser: a launcher script like Debian's /usr/bin/chromium (no snap in it).
WORKING = "#!/bin/sh\n# Chromium launcher (snapshot of the settings)\necho 'Chromium 142.0.7444.59'\n"
BROKEN = "#!/bin/sh\necho 'error while loading shared libraries: libnss3.so' >&2\nexit 127\n"

PY = "/venv/bin/python"
APT_INSTALL = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-dejavu-core"]
APT_INSTALL_SHELL = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium-headless-shell",
                     "fonts-dejavu-core"]
APT_UPDATE = ["apt-get", "update", "-qq"]
SUDO = ["sudo", "-n", "DEBIAN_FRONTEND=noninteractive"]
PLAYWRIGHT_WITH_DEPS = [PY, "-m", "playwright", "install", "--with-deps", "chromium"]
PLAYWRIGHT_USER = [PY, "-m", "playwright", "install", "chromium"]


def executable(path: Path, text: str = WORKING) -> str:
    """Write an executable file at path; its path as a string."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return str(path)


def fake_host(tmp_path: Path, on_path: dict[str, str] | None = None, policy: str | None = NO_APT, privilege: str = "root",
              platform: str = "linux", env: dict[str, str] | None = None, playwright: str | None = None) -> Host:
    """A Host that sees only what it is given: PATH entries, apt-cache's answer, privilege, Playwright's path."""
    return Host(env=env or {}, platform=platform, which=(on_path or {}).get, apt_policy=lambda: policy, privilege=lambda: privilege,
                playwright=lambda: playwright, snap_root=f"{tmp_path / 'snap'}/", python=PY)


class Recorder:
    """Stands in for run_command: records each command, and "installs" by creating a file at install_to."""

    def __init__(self, install_to: Path | None = None, fail: list[str] | None = None):
        self.commands: list[list[str]] = []
        self.install_to = install_to
        self.fail = fail

    def __call__(self, cmd: list[str]) -> int:
        self.commands.append(cmd)
        if cmd == self.fail:
            return 100
        if self.install_to is not None and "install" in cmd:
            executable(self.install_to)
        return 0


def final_error(stderr: str) -> str:
    """The last stderr line, checked to be the only `error:` line."""
    lines = stderr.strip().splitlines()
    assert [line for line in lines if line.startswith("error:")] == [lines[-1]], stderr
    return lines[-1]


# --- apt-cache policy ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("policy, package, candidate", [
    (DEBIAN, "chromium", "142.0.7444.59-1~deb12u1"),
    (UBUNTU, "chromium", None),
    (NO_CANDIDATE, "chromium", None),
    (NO_APT, "chromium", None),
    ("", "chromium", None),  # a package apt has never heard of: no output at all
    # Each package's candidate is read from its own section.
    (DEBIAN_BOTH, "chromium-headless-shell", "156.0.8078.114-1~deb12u1"),
    (DEBIAN_BOTH, "chromium", "155.0.7000.1-1~deb12u1"),
    (ONLY_CHROMIUM, "chromium-headless-shell", None),
    (ONLY_CHROMIUM, "chromium", "155.0.7000.1-1~deb12u1"),
    (DEBIAN, "chromium-headless-shell", None),  # apt printed nothing for it: an older release
])
def test_apt_candidate(policy, package, candidate):
    assert browser_setup.apt_candidate(policy, package) == candidate


# --- the install decision ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("platform, policy, privilege, commands", [
    ("linux", DEBIAN, "root", [APT_INSTALL]),
    ("linux", DEBIAN_BOTH, "root", [APT_INSTALL_SHELL]),
    ("linux", DEBIAN_BOTH, "sudo", [SUDO + APT_INSTALL_SHELL]),
    ("linux", ONLY_CHROMIUM, "root", [APT_INSTALL]),
    ("linux", DEBIAN_BOTH, "", [PLAYWRIGHT_USER]),
    ("linux", DEBIAN, "sudo", [SUDO + APT_INSTALL]),
    ("linux", UBUNTU, "root", [PLAYWRIGHT_WITH_DEPS]),
    ("linux", UBUNTU, "sudo", [PLAYWRIGHT_WITH_DEPS]),
    ("linux", NO_CANDIDATE, "root", [PLAYWRIGHT_WITH_DEPS]),
    ("linux", NO_APT, "sudo", [PLAYWRIGHT_WITH_DEPS]),
    ("linux", DEBIAN, "", [PLAYWRIGHT_USER]),
    ("linux", UBUNTU, "", [PLAYWRIGHT_USER]),
    ("linux", NO_APT, "", [PLAYWRIGHT_USER]),
    ("darwin", NO_APT, "", []),
    ("darwin", DEBIAN, "root", []),
])
def test_install_commands(platform, policy, privilege, commands):
    assert browser_setup.install_commands(platform, policy, privilege, PY) == commands


def test_the_playwright_command_is_the_one_its_cli_offers():
    """`install [browser...]` with `--with-deps`, per the pinned Playwright's own help (which installs nothing)."""
    result = subprocess.run([sys.executable, "-m", "playwright", "install", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Usage: playwright install [options] [browser...]" in result.stdout
    assert "--with-deps" in result.stdout


# --- finding a browser ---------------------------------------------------------------------------------------------

def test_chromium_variable_wins(tmp_path):
    mine = executable(tmp_path / "my" / "chrome")
    other = executable(tmp_path / "bin" / "chromium")
    host = fake_host(tmp_path, on_path={"chromium": other}, env={"CHROMIUM": mine})
    assert browser_setup.find_chromium(host) == mine


@pytest.mark.parametrize("make", ["missing", "not executable", "directory"])
def test_a_bad_chromium_variable_is_an_error_naming_it(tmp_path, make):
    target = tmp_path / "chrome"
    if make == "not executable":
        target.write_text(WORKING)
    elif make == "directory":
        target.mkdir()
    host = fake_host(tmp_path, on_path={"chromium": executable(tmp_path / "bin" / "chromium")}, env={"CHROMIUM": str(target)})
    with pytest.raises(browser_setup.ChromiumError, match=f"^CHROMIUM={target} is not an executable file"):
        browser_setup.find_chromium(host)


def test_path_order(tmp_path):
    chrome = executable(tmp_path / "bin" / "google-chrome")
    chromium = executable(tmp_path / "bin" / "chromium")
    shell = executable(tmp_path / "bin" / "chromium-headless-shell")
    on_path = {"google-chrome": chrome, "chromium": chromium, "chromium-headless-shell": shell}
    assert browser_setup.find_chromium(fake_host(tmp_path, on_path)) == shell
    assert browser_setup.find_chromium(fake_host(tmp_path, {"google-chrome": chrome, "chromium": chromium})) == chromium
    assert browser_setup.find_chromium(fake_host(tmp_path, {"google-chrome": chrome})) == chrome


def test_snap_stub_script_is_skipped(tmp_path):
    stub = executable(tmp_path / "bin" / "chromium-browser", SNAP_STUB)
    chrome = executable(tmp_path / "opt" / "google-chrome")
    notes: list[str] = []
    host = fake_host(tmp_path, {"chromium-browser": stub, "google-chrome": chrome})
    assert browser_setup.find_chromium(host, note=notes.append) == chrome
    assert notes == [f"skipping {stub}: a snap, and snaps do not run in containers"]


def test_link_into_the_snap_root_is_skipped(tmp_path):
    """/usr/bin/chromium -> /snap/bin/chromium, with tmp_path/snap standing in for /snap."""
    target = executable(tmp_path / "snap" / "chromium" / "current" / "usr" / "lib" / "chromium-browser" / "chrome")
    link = tmp_path / "bin" / "chromium"
    link.parent.mkdir()
    link.symlink_to(target)
    host = fake_host(tmp_path, {"chromium": str(link)})
    assert browser_setup.is_snap(str(link), host)
    assert browser_setup.find_chromium(host) is None


def test_snap_bin_wrapper_is_skipped(tmp_path):
    """/snap/bin/chromium is a link to /usr/bin/snap, a large binary: the wrapper is recognised by its target's name."""
    snap = executable(tmp_path / "usr" / "bin" / "snap", "\x7fELF" + "x" * browser_setup.STUB_LIMIT)
    wrapper = tmp_path / "elsewhere" / "chromium"
    wrapper.parent.mkdir()
    wrapper.symlink_to(snap)
    chrome = executable(tmp_path / "opt" / "google-chrome-stable")
    host = fake_host(tmp_path, {"chromium": str(wrapper), "google-chrome-stable": chrome})
    assert browser_setup.find_chromium(host) == chrome


def test_a_path_under_the_snap_root_is_skipped_without_reading_it(tmp_path):
    host = fake_host(tmp_path)
    host.read = lambda path: pytest.fail("read a file under the snap root")
    assert browser_setup.is_snap(f"{tmp_path}/snap/bin/chromium", host)


@pytest.mark.parametrize("name, content, snap", [
    ("debian launcher", WORKING, False),  # "snapshot" is not "snap"
    ("ubuntu stub", SNAP_STUB, True),
    ("no shebang", "snap install chromium\n", False),
    ("large binary mentioning snap", "#!" + "snap " * browser_setup.STUB_LIMIT, False),
])
def test_is_snap_on_file_contents(tmp_path, name, content, snap):
    path = executable(tmp_path / "bin" / "chromium", content)
    assert browser_setup.is_snap(path, fake_host(tmp_path)) is snap


def test_playwright_chromium_when_path_has_only_snaps(tmp_path):
    stub = executable(tmp_path / "bin" / "chromium", SNAP_STUB)
    downloaded = executable(tmp_path / "ms-playwright" / "chromium-1255" / "chrome-linux64" / "chrome")
    host = fake_host(tmp_path, {"chromium": stub}, playwright=downloaded)
    assert browser_setup.find_chromium(host) == downloaded


def test_playwright_chromium_not_downloaded_is_none(tmp_path):
    host = fake_host(tmp_path, playwright=str(tmp_path / "ms-playwright" / "chromium-1255" / "chrome-linux64" / "chrome"))
    assert browser_setup.find_chromium(host) is None


# --- main: decision, commands run, and the final line ----------------------------------------------------------------

def test_found_browser_installs_nothing(tmp_path, capsys):
    chromium = executable(tmp_path / "bin" / "chromium")
    run = Recorder()
    assert browser_setup.main(fake_host(tmp_path, {"chromium": chromium}, policy=DEBIAN), run) == 0
    assert run.commands == []
    assert capsys.readouterr().out == f"browser tests use {chromium} (Chromium 142.0.7444.59)\n"


@pytest.mark.parametrize("policy, package, install", [(DEBIAN, "chromium", APT_INSTALL),
                                                      (DEBIAN_BOTH, "chromium-headless-shell", APT_INSTALL_SHELL)],
                         ids=["chromium", "headless-shell"])
@pytest.mark.parametrize("privilege, prefix", [("root", []), ("sudo", SUDO)])
def test_debian_installs_apts_chromium(tmp_path, capsys, privilege, prefix, policy, package, install):
    chromium = tmp_path / "bin" / package
    on_path = {"apt-get": "/usr/bin/apt-get"}
    run = Recorder(install_to=chromium)
    host = fake_host(tmp_path, on_path, policy=policy, privilege=privilege)
    host.which = lambda name: str(chromium) if name == package and chromium.exists() else on_path.get(name)
    assert browser_setup.main(host, run) == 0
    assert run.commands == [prefix + APT_UPDATE, prefix + install]
    assert capsys.readouterr().out.endswith(f"browser tests use {chromium} (Chromium 142.0.7444.59)\n")


def test_ubuntu_installs_playwrights_chromium_with_deps(tmp_path, capsys):
    stub = executable(tmp_path / "usr" / "bin" / "chromium-browser", SNAP_STUB)
    downloaded = tmp_path / "ms-playwright" / "chrome"
    run = Recorder(install_to=downloaded)
    host = fake_host(tmp_path, {"chromium-browser": stub, "apt-get": "/usr/bin/apt-get"}, policy=UBUNTU, playwright=str(downloaded))
    assert browser_setup.main(host, run) == 0
    assert run.commands == [APT_UPDATE, PLAYWRIGHT_WITH_DEPS]
    out = capsys.readouterr().out
    assert f"skipping {stub}: a snap" in out
    assert out.endswith(f"browser tests use {downloaded} (Chromium 142.0.7444.59)\n")


def test_without_root_or_apt_playwright_downloads_without_deps(tmp_path):
    downloaded = tmp_path / "ms-playwright" / "chrome"
    run = Recorder(install_to=downloaded)
    host = fake_host(tmp_path, {"apt-get": "/usr/bin/apt-get"}, policy=DEBIAN, privilege="", playwright=str(downloaded))
    assert browser_setup.main(host, run) == 0
    assert run.commands == [PLAYWRIGHT_USER]


def test_macos_installs_nothing_and_says_how(tmp_path, capsys):
    run = Recorder()
    host = fake_host(tmp_path, platform="darwin", playwright=str(tmp_path / "absent"))
    host.privilege = host.apt_policy = lambda: pytest.fail("macOS needs neither apt nor root")
    assert browser_setup.main(host, run) == 1
    assert run.commands == []
    stderr = capsys.readouterr().err
    assert browser_setup.HELP in stderr
    assert final_error(stderr) == f"error: {browser_setup.NOT_FOUND}"
    assert "playwright install --with-deps chromium" in final_error(stderr) and "CHROMIUM=" in final_error(stderr)


def test_failed_install_ends_in_one_error_line(tmp_path, capsys):
    run = Recorder(fail=APT_INSTALL)
    host = fake_host(tmp_path, {"apt-get": "/usr/bin/apt-get"}, policy=DEBIAN, playwright=str(tmp_path / "absent"))
    assert browser_setup.main(host, run) == 1
    assert run.commands == [APT_UPDATE, APT_INSTALL]
    stderr = capsys.readouterr().err
    assert f"`{' '.join(APT_INSTALL)}` failed with exit code 100" in stderr
    assert final_error(stderr) == f"error: {browser_setup.NOT_FOUND}"


def test_install_that_finds_nothing_afterwards_fails(tmp_path, capsys):
    run = Recorder()  # "succeeds" without creating anything
    host = fake_host(tmp_path, policy=UBUNTU, privilege="", playwright=str(tmp_path / "absent"))
    assert browser_setup.main(host, run) == 1
    assert run.commands == [PLAYWRIGHT_USER]
    stderr = capsys.readouterr().err
    assert "the install succeeded, but still no Chromium is found" in stderr
    assert final_error(stderr) == f"error: {browser_setup.NOT_FOUND}"


def test_bad_chromium_variable_fails_main_without_installing(tmp_path, capsys):
    run = Recorder()
    host = fake_host(tmp_path, policy=DEBIAN, env={"CHROMIUM": str(tmp_path / "nowhere")})
    assert browser_setup.main(host, run) == 1
    assert run.commands == []
    assert final_error(capsys.readouterr().err).startswith(f"error: CHROMIUM={tmp_path / 'nowhere'} is not an executable file")


def test_a_browser_that_does_not_run_fails(tmp_path, capsys):
    broken = executable(tmp_path / "bin" / "chromium", BROKEN)
    assert browser_setup.main(fake_host(tmp_path, {"chromium": broken}), Recorder()) == 1
    stderr = capsys.readouterr().err
    assert "libnss3.so" in stderr
    assert final_error(stderr).startswith(f"error: {broken} does not run: install its system libraries")


# --- this machine --------------------------------------------------------------------------------------------------

def test_find_chromium_on_this_machine():
    """The real lookup returns an executable or None; without $CHROMIUM, Debian's headless shell on PATH wins over
    its full browser."""
    path = browser_setup.find_chromium()
    assert path is None or browser_setup.is_executable(path)
    if "CHROMIUM" not in os.environ:
        shell, system = shutil.which("chromium-headless-shell"), shutil.which("chromium")
        if shell:
            assert path == shell
        elif system and not browser_setup.is_snap(system, Host.real()):
            assert path == system
