"""The models type-check: mypy with pandas-stubs and scipy-stubs finds nothing in
outcomes/models (issue 12), with the settings of ``[tool.mypy]`` in pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api  # in the test extra

ROOT = Path(__file__).parents[1]


def test_mypy_finds_nothing_in_the_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # [tool.mypy] in pyproject.toml names the files
    out, err, status = api.run(["--cache-dir", str(tmp_path), "--no-error-summary"])
    assert status == 0, out + err


def test_the_check_can_fail(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.py"
    wrong.write_text("def f() -> int:\n    return 'text'\n")
    out, _, status = api.run(["--cache-dir", str(tmp_path / "cache"), str(wrong)])
    assert status == 1 and "Incompatible return value" in out
