"""The report tests' browser: a page opened in headless Chromium (from Debian's packages)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

#: Collects the page's errors, and counts its images and those shown, into the body's attributes.
CHECK = """<script>
window.__errors = [];
window.addEventListener("error",
  e => window.__errors.push(String(e.message || e.target.src)), true);
window.addEventListener("load", () => {
  const images = Array.from(document.images);
  document.body.setAttribute("data-images", images.length);
  document.body.setAttribute("data-shown",
    images.filter(i => i.complete && i.naturalWidth > 0).length);
  document.body.setAttribute("data-errors", JSON.stringify(window.__errors));
});
</script>"""


@pytest.fixture
def open_in_browser(tmp_path: Path) -> Callable[[Path], dict]:
    """Open a report in headless Chromium: its images, those shown, and the page's errors."""
    if shutil.which("chromium") is None:
        pytest.skip("Chromium is not installed")

    def opened(report: Path) -> dict:
        probe = tmp_path / "probe.html"
        probe.write_text(report.read_text().replace("<head>", "<head>" + CHECK, 1))
        dom = subprocess.run(
            [
                "chromium",
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--virtual-time-budget=10000",
                "--dump-dom",
                probe.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        body = re.search(r"<body([^>]*)>", dom).group(1)
        attributes = dict(re.findall(r'data-(\w+)="([^"]*)"', body))
        return {
            "images": int(attributes["images"]),
            "shown": int(attributes["shown"]),
            "errors": json.loads(attributes["errors"].replace("&quot;", '"')),
        }

    return opened
