"""Make sure a Chromium for the browser tests exists; install Debian's package when it does not.

    python -m tools.browser_setup        # run by `make test` before pytest

The browser tests (tests/test_slides.py, tests/test_live.py) drive Chromium with Playwright.
Playwright's own browser download (`playwright install`) needs hosts that CI cannot reach, so the
tests use the system's Chromium. Lookup order: $CHROMIUM, then `chromium`, `chromium-browser`,
`google-chrome` on PATH. When none is found on a Debian/Ubuntu machine where we are root or have
password-less sudo (CI), the `chromium` package is installed with apt-get; otherwise we print how to
install one and fail, because a browser test that cannot run is a failure, not a skip.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# fonts-dejavu-core: a known font set, so slide screenshots look the same on every machine.
APT_PACKAGES = ("chromium", "fonts-dejavu-core")


def find_chromium() -> str | None:
    """Path of a Chromium executable, or None."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def apt_install() -> bool:
    """Install Chromium with apt-get when we are root on a Debian-like system; True on success."""
    if not shutil.which("apt-get"):
        return False
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        prefix = ["sudo", "-n", "DEBIAN_FRONTEND=noninteractive"]  # e.g. GitHub's runners
    else:
        return False
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print("Chromium not found: installing Debian's chromium package (needs a few minutes)...", flush=True)
    for cmd in (prefix + ["apt-get", "update", "-qq"],
                prefix + ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *APT_PACKAGES]):
        result = subprocess.run(cmd, env=env)
        if result.returncode != 0:
            print(f"`{' '.join(cmd)}` failed with exit code {result.returncode}", file=sys.stderr)
            return False
    return True


HELP = """\
No Chromium found for the browser tests. Install one, then run `make test` again:
  Debian/Ubuntu:  sudo apt-get install chromium   (Ubuntu: chromium-browser)
  macOS:          brew install --cask chromium, then export CHROMIUM="/Applications/Chromium.app/Contents/MacOS/Chromium"
  any system:     set CHROMIUM to the path of a Chromium or Chrome executable"""


def main() -> int:
    path = find_chromium()
    if path is None and apt_install():
        path = find_chromium()
    if path is None:
        print(HELP, file=sys.stderr)
        return 1
    version = subprocess.run([path, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"browser tests use {path} ({version or 'version unknown'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
