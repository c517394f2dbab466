"""Every analysis in analyses/ runs from start to end on the public API."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

ANALYSES = sorted((Path(__file__).parents[1] / "analyses").glob("*.py"))


def test_there_are_analyses() -> None:
    assert ANALYSES


@pytest.mark.parametrize("script", ANALYSES, ids=[p.name for p in ANALYSES])
def test_analysis_runs(script: Path, capsys) -> None:
    namespace = runpy.run_path(str(script), run_name="__main__")
    assert "trial" in namespace
    assert capsys.readouterr().out  # it reports something
