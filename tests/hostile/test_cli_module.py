"""``python -m outcomes`` and ``python -m outcomes.cli`` run the command line."""

from __future__ import annotations

import subprocess
import sys

import pytest

import outcomes


@pytest.mark.parametrize("module", ["outcomes", "outcomes.cli"])
def test_python_dash_m(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "--version"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"outcomes {outcomes.__version__}"
