"""A real browser for the report's tests: Debian's headless Chromium, opening
a page from disk, dumping the DOM after its script ran and the console's
messages. Installed here where it is missing (as root, with apt-get); where it
cannot be, the tests that need it skip and say why."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

# Without the networking flags Chromium tries to reach Google's hosts at every
# start, and this machine's closed network refuses each try.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--hide-scrollbars"]
LOCK = Path(tempfile.gettempdir()) / "cnnaudit-chromium-install.lock"


def chromium() -> str:
    """The browser's path, installing Debian's package once if it is missing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("no chromium, and no root apt-get to install it (Debian: apt-get install "
                    "chromium)")
    with open(LOCK, "w") as lock:  # the other test worker may be installing it
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = shutil.which("chromium")
        if not found:
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            for command in (["apt-get", "update", "-qq"],
                            ["apt-get", "install", "-y", "-qq", "chromium"]):
                done = subprocess.run(command, env=env, capture_output=True, text=True,
                                      timeout=900)
                if done.returncode:
                    pytest.skip(f"chromium could not be installed: {' '.join(command)}: "
                                f"{(done.stderr or done.stdout).strip()[-300:]}")
            found = shutil.which("chromium")
    if not found:
        pytest.skip("apt-get installed chromium but it is not on PATH")
    return found


@dataclass
class Page:
    dom: str
    console: list[str]  # the page's console messages (errors included)


def open_page(path: Path, fragment: str = "", width: int = 1400, height: int = 1000) -> Page:
    """Load ``path`` from disk, let its script run, and return the DOM it built."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
             "--virtual-time-budget=10000", "--enable-logging=stderr", "--v=0", "--dump-dom",
             path.resolve().as_uri() + (f"#{fragment}" if fragment else "")],
            capture_output=True, text=True, timeout=120)
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    return Page(done.stdout, console)


def screenshot(path: Path, out: Path, width: int = 1400, height: int = 900,
               fragment: str = "") -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
             "--virtual-time-budget=10000", f"--screenshot={out}",
             path.resolve().as_uri() + (f"#{fragment}" if fragment else "")],
            capture_output=True, text=True, timeout=120, check=True)
