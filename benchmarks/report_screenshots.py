"""The report's screenshots in docs/images (README and docs/report.md show
them): each page written by `cnnaudit report` as a user runs it, opened from
disk in headless Chromium at a state its URL fragment names.

    python benchmarks/report_screenshots.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from browser import screenshot  # noqa: E402  (the tests' browser and its flags: one place)

SHOTS = [
    # (picture, command-line arguments, fragment, window height)
    ("report-cheatsheet.png", ["examples/cheatsheet_net.py:Net", "-i", "1,28,28"],
     "colour=params&select=fc1", 1000),
    ("report-resnet18.png", ["torchvision.models:resnet18", "-i", "3,224,224"],
     "depth=3&colour=macs&select=layer3.0.add_", 1000),
]


def main() -> int:
    if shutil.which("chromium") is None:
        print("needs chromium (Debian: apt-get install chromium)")
        return 2
    with tempfile.TemporaryDirectory() as folder:
        for picture, arguments, fragment, height in SHOTS:
            page = Path(folder) / "page.html"
            subprocess.run([sys.executable, "-m", "cnnaudit", "report", *arguments, "-o",
                            str(page), "-q"], cwd=ROOT, check=True)
            screenshot(page, ROOT / "docs" / "images" / picture, height=height,
                       fragment=fragment)
            print(f"docs/images/{picture}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
