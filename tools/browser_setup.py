"""Find a Chromium for the browser tests, or install one when there is none.

    python -m tools.browser_setup        # run by `make test` before pytest

The browser tests (tests/test_slides.py, tests/test_live.py) launch it with Playwright (executable_path=).
find_chromium() looks at $CHROMIUM, then at `chromium-headless-shell` (Chromium's headless-only build: the same
engine without the browser's user interface, so the browser tests cost less CPU), `chromium`, `chromium-browser`,
`google-chrome(-stable)` on PATH,
skipping snaps, which do not run in containers (is_snap(): a path under /snap/ or linking to /usr/bin/snap, or a
`#!` script under 64 KB that mentions snap, like Ubuntu's chromium-browser stub), then at Playwright's own
Chromium if it has been downloaded. When none is found on Linux, install_commands() decides from
`apt-cache policy chromium-headless-shell chromium` (read after `apt-get update` when root or password-less sudo
allows it): apt-get's `chromium-headless-shell`, or else its `chromium`, where apt has a real one (Debian) and we are
root or have password-less sudo (CI);
otherwise (Ubuntu, whose candidate is a snap transitional package; no apt; no root) Playwright's download,
`python -m playwright install chromium`, with `--with-deps` (system libraries) when root or sudo is available.
On macOS nothing is installed: HELP says how.
A browser test that cannot run is a failure, not a skip: every failure ends with one `error:` line saying
what to do, and exit code 1.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass

NAMES = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Debian's browsers, the lighter first (Debian 12 has both, in bookworm and in bookworm-security).
APT_BROWSERS = ("chromium-headless-shell", "chromium")
# fonts-dejavu-core: a known font set, so slide screenshots look the same on every machine.
APT_FONTS = ("fonts-dejavu-core",)
SNAP_ROOT = "/snap/"
# A snap stub is a shell script of a few lines; a real browser binary is far larger than this.
STUB_LIMIT = 64 * 1024

HELP = """\
No Chromium found for the browser tests. Install one, then run `make test` again:
  Debian:      sudo apt-get install chromium-headless-shell   (or chromium)
  Ubuntu:      .venv/bin/python -m playwright install --with-deps chromium   (apt's chromium is a snap, which containers cannot run)
  macOS:       brew install --cask chromium, then export CHROMIUM="/Applications/Chromium.app/Contents/MacOS/Chromium"
  any system:  set CHROMIUM to the path of a Chromium or Chrome executable"""
NOT_FOUND = ("no Chromium for the browser tests: install Debian's chromium-headless-shell or chromium, "
             "or run `.venv/bin/python -m playwright install --with-deps chromium`, or set CHROMIUM=/path/to/chrome")


class ChromiumError(Exception):
    """No usable Chromium; the message says what to do."""


def read_small_file(path: str) -> bytes:
    """Content of a file smaller than STUB_LIMIT; b"" for a larger or unreadable one."""
    try:
        if os.path.getsize(path) >= STUB_LIMIT:
            return b""
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def apt_policy() -> str | None:
    """Output of `apt-cache policy` for APT_BROWSERS (untranslated), or None without apt-cache."""
    if not shutil.which("apt-cache"):
        return None
    env = dict(os.environ, LC_ALL="C", LANGUAGE="C")
    return subprocess.run(["apt-cache", "policy", *APT_BROWSERS], capture_output=True, text=True, env=env).stdout


def current_privilege() -> str:
    """"root", "sudo" (password-less) or "" (neither)."""
    if os.geteuid() == 0:
        return "root"
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return "sudo"
    return ""


def playwright_chromium() -> str | None:
    """Where Playwright keeps its own Chromium, downloaded or not; None when Playwright cannot tell."""
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            return p.chromium.executable_path
    except Exception:  # Playwright missing, its Node.js driver failing, or an asyncio loop already running
        return None


def run_command(cmd: list[str]) -> int:
    """Run cmd in the foreground, apt kept non-interactive; its exit code."""
    try:
        return subprocess.run(cmd, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive")).returncode
    except OSError as error:
        print(f"cannot run {cmd[0]}: {error}", file=sys.stderr)
        return 127


@dataclass
class Host:
    """What the lookup and the install decision look at: Host.real() is this machine, the tests build fakes."""

    env: Mapping[str, str]
    platform: str                            # sys.platform: "linux", "darwin", ...
    which: Callable[[str], str | None]
    apt_policy: Callable[[], str | None]     # output of `apt-cache policy <APT_BROWSERS>`, None without apt-cache
    privilege: Callable[[], str]             # "root", "sudo" or ""
    playwright: Callable[[], str | None]     # path of Playwright's Chromium, which may not be downloaded
    realpath: Callable[[str], str] = os.path.realpath
    read: Callable[[str], bytes] = read_small_file
    snap_root: str = SNAP_ROOT
    python: str = sys.executable

    @classmethod
    def real(cls) -> Host:
        """This machine."""
        return cls(env=os.environ, platform=sys.platform, which=shutil.which, apt_policy=apt_policy,
                   privilege=current_privilege, playwright=playwright_chromium)


def is_executable(path: str) -> bool:
    """True for an executable file."""
    return os.path.isfile(path) and os.access(path, os.X_OK)


def is_snap(path: str, host: Host) -> bool:
    """True for a snap wrapper (under /snap/, or a link to /usr/bin/snap) or stub (a small script mentioning snap)."""
    real = host.realpath(path)
    if path.startswith(host.snap_root) or real.startswith(host.snap_root) or os.path.basename(real) == "snap":
        return True
    content = host.read(path)
    return content.startswith(b"#!") and re.search(rb"\bsnap\b", content) is not None


def find_chromium(host: Host | None = None, note: Callable[[str], None] = lambda message: None) -> str | None:
    """Path of a Chromium: $CHROMIUM, else the first non-snap one on PATH, else Playwright's; None if there is none."""
    host = host or Host.real()
    explicit = host.env.get("CHROMIUM")
    if explicit:
        if is_executable(explicit):
            return explicit
        raise ChromiumError(f"CHROMIUM={explicit} is not an executable file: "
                            "set CHROMIUM to the path of a Chromium or Chrome executable, or unset it")
    for name in NAMES:
        path = host.which(name)
        if path and is_snap(path, host):
            note(f"skipping {path}: a snap, and snaps do not run in containers")
        elif path:
            return path
    path = host.playwright()
    return path if path and is_executable(path) else None


def apt_candidate(policy: str | None, package: str = "chromium") -> str | None:
    """The version of `package` apt would install, or None: no apt, no candidate, or a snap transitional package."""
    # apt-cache prints one section per package, each starting with "<name>:" at the start of a line.
    section = re.search(rf"^{re.escape(package)}:\n((?:[ \t].*\n?)*)", policy or "", re.MULTILINE)
    match = re.search(r"^\s*Candidate:\s*(\S+)", section[1] if section else "", re.MULTILINE)
    if match is None or match[1] == "(none)" or "snap" in match[1]:
        return None
    return match[1]


def apt_prefix(privilege: str) -> list[str]:
    """What runs apt-get as root: nothing for root, password-less sudo otherwise."""
    return ["sudo", "-n", "DEBIAN_FRONTEND=noninteractive"] if privilege == "sudo" else []


def install_commands(platform: str, policy: str | None, privilege: str, python: str) -> list[list[str]]:
    """The commands that install a Chromium: apt-get on Debian, Playwright's download elsewhere on Linux, none on macOS."""
    if platform != "linux":
        return []
    browser = next((name for name in APT_BROWSERS if apt_candidate(policy, name)), None)
    if privilege and browser:
        return [apt_prefix(privilege) + ["apt-get", "install", "-y", "-qq", "--no-install-recommends", browser, *APT_FONTS]]
    # --with-deps installs the system libraries with apt-get, as root or through sudo (Playwright calls sudo itself).
    return [[python, "-m", "playwright", "install", *(["--with-deps"] if privilege else []), "chromium"]]


def install(commands: list[list[str]], run: Callable[[list[str]], int]) -> bool:
    """Run the install commands in turn; False, with a message, at the first that fails."""
    for cmd in commands:
        print(f"Chromium not found: running `{' '.join(cmd)}` (a few minutes)", flush=True)
        code = run(cmd)
        if code != 0:
            print(f"`{' '.join(cmd)}` failed with exit code {code}", file=sys.stderr)
            return False
    return True


def setup(host: Host, run: Callable[[list[str]], int] = run_command) -> str:
    """Path of a Chromium, installed first when there is none and we can; ChromiumError otherwise."""
    path = find_chromium(host, note=print)
    if path:
        return path
    commands: list[list[str]] = []
    if host.platform == "linux":
        level = host.privilege()
        if level and host.which("apt-get"):
            update = apt_prefix(level) + ["apt-get", "update", "-qq"]  # so that apt-cache policy is current
            print(f"Chromium not found: running `{' '.join(update)}`", flush=True)
            if run(update) != 0:
                print("apt-get update failed: deciding with the package lists as they are", file=sys.stderr)
        commands = install_commands(host.platform, host.apt_policy(), level, host.python)
    if commands and install(commands, run):
        path = find_chromium(host)
        if path:
            return path
        print("the install succeeded, but still no Chromium is found", file=sys.stderr)
    print(HELP, file=sys.stderr)
    raise ChromiumError(NOT_FOUND)


def version_of(path: str) -> str:
    """What `path --version` prints; ChromiumError when the browser does not run."""
    hint = (f"{path} does not run: install its system libraries (`sudo .venv/bin/python -m playwright install-deps chromium`), "
            "or set CHROMIUM=/path/to/a/working/chrome")
    try:
        result = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"`{path} --version`: {error}", file=sys.stderr)
        raise ChromiumError(hint) from None
    if result.returncode != 0:
        print(f"`{path} --version` exited with {result.returncode}: {result.stderr.strip()}", file=sys.stderr)
        raise ChromiumError(hint)
    return result.stdout.strip()


def main(host: Host | None = None, run: Callable[[list[str]], int] = run_command) -> int:
    """Find or install a Chromium and check that it runs; 0, or 1 after one final `error:` line on stderr."""
    try:
        path = setup(host or Host.real(), run)
        version = version_of(path)
    except ChromiumError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"browser tests use {path} ({version or 'version unknown'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
