"""The report of the built-in plan on the sample trial: files, contents, reproducibility, and a
real headless browser (Chromium from Debian's packages) that loads it."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from pathlib import Path

import pytest

import outcomes
from outcomes.cli import main
from outcomes.report import read_plan, run_plan, write_report
from outcomes.report.folder import MANIFEST, read_manifest
from outcomes.report.write import FIGURE_FORMATS, TABLE_FORMATS

STAMP = "2026-01-01 00:00:00 UTC"


def _n_figures(plan) -> int:  # noqa: ANN001 - a Plan
    """The plan's figures, "responders" once per binary outcome."""
    return len(plan.figures) + len(plan.secondary["responders"]) - 1


@pytest.fixture(scope="module")
def plan():  # noqa: ANN201 - a Plan
    # the built-in plan with fewer imputations, to keep the test quick
    built_in = read_plan()
    sensitivity = {**built_in.sensitivity, "n_imputations": 20}
    return dataclasses.replace(built_in, sensitivity=sensitivity)


@pytest.fixture(scope="module")
def report(plan, tmp_path_factory) -> Path:  # noqa: ANN001
    out = tmp_path_factory.mktemp("report")
    write_report(run_plan(plan), out, timestamp=STAMP)
    return out


def test_every_table_and_figure_is_written(plan, report: Path) -> None:  # noqa: ANN001
    for name in plan.figures:
        for suffix in FIGURE_FORMATS:
            assert (report / "figures" / f"{name}.{suffix}").stat().st_size > 0, (name, suffix)
    written = {p.stem for p in (report / "tables").glob("*.html")}
    assert set(plan.tables) <= written
    for name in written:
        for suffix in TABLE_FORMATS:
            assert (report / "tables" / f"{name}.{suffix}").exists(), (name, suffix)


def test_rtf_tables_are_numbered_in_report_order_with_their_source(report: Path) -> None:
    checksum = json.loads((report / "results.json").read_text())["checksums"]["data"]
    page = (report / "report.html").read_text()
    numbered = {}
    for path in (report / "tables").glob("*.rtf"):
        rtf = path.read_text(encoding="ascii")
        number, title = re.search(
            r"\{\\f0 Table (\d+)\}\\line\\fs\d+\{\\f0 ([^}]*)\}", rtf
        ).groups()
        numbered[int(number)] = html.escape(title, quote=False)
        assert f"data of SHA-256 {checksum[:16]}" in rtf
    assert sorted(numbered) == list(range(1, len(numbered) + 1))
    at = [page.index(f">{numbered[k]}<") for k in sorted(numbered)]
    assert at == sorted(at)


def test_results_json_holds_the_estimates_of_the_api(report: Path) -> None:
    document = json.loads((report / "results.json").read_text())
    assert document["generated"] == STAMP
    contrasts = document["results"]["primary_contrasts"]
    trial = outcomes.derive(outcomes.load_sample())
    rows = trial.frame.query("instrument == 'madrs' and phase in ['post-dose', 'follow-up']")
    rows = rows.assign(visit=rows["visit"].cat.remove_unused_categories())
    fit = outcomes.mmrm(
        "chg ~ base * visit + arm * visit + us(visit | subject)",
        rows,
        df="kenward-roger",
        levels={"arm": "PLACEBO"},
    )
    expected = fit.contrasts("arm", by="visit", reference="PLACEBO")
    assert [r["visit"] for r in contrasts] == expected["visit"].astype(str).tolist()
    assert [r["estimate"] for r in contrasts] == pytest.approx(expected["estimate"].tolist())
    assert len(document["checksums"]["plan"]) == 64
    for key in (
        "sensitivity",
        "tipping_point",
        "multiplicity",
        "trait_within",
        "trajectories",
        "session_response",
        "dose_equivalence",
        "durability",
        "blinding",
    ):
        assert document["results"][key], key


def test_report_html_shows_the_primary_result_and_every_figure(plan, report: Path) -> None:  # noqa: ANN001
    page = (report / "report.html").read_text()
    assert page.count('<img alt="') == _n_figures(plan)
    assert "Remission by arm and visit" in page
    assert "At WEEK 2, the difference DMT - PLACEBO" in page
    assert "Population: all randomised participants" in page
    assert re.search(r"data SHA-256</td><td>[0-9a-f]{64}", page)


def test_same_inputs_same_bytes_but_the_time_stamp(plan, report: Path, tmp_path: Path) -> None:  # noqa: ANN001
    again = tmp_path / "again"
    write_report(run_plan(plan), again, timestamp="2030-12-31 23:59:59 UTC")
    stamped = ("report.html", "results.json")
    for path in sorted(report.rglob("*")):
        if path.is_dir() or path.name == MANIFEST:
            continue
        other = again / path.relative_to(report)
        first, second = path.read_bytes(), other.read_bytes()
        if path.name in stamped:
            first = first.replace(STAMP.encode(), b"")
            second = second.replace(b"2030-12-31 23:59:59 UTC", b"")
        assert first == second, path.relative_to(report)
    pairs = zip(read_manifest(report), read_manifest(again), strict=True)
    assert {a["path"] for a, b in pairs if a != b} == set(stamped)


def test_command_line_report_on_the_sample(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    """`outcomes report --sample --out DIR` (with the plan's imputations cut for speed)."""
    import outcomes.report.plan as plan_module

    monkeypatch.setattr(
        plan_module,
        "TEMPLATE",
        plan_module.TEMPLATE.replace("n_imputations = 200", "n_imputations = 10"),
    )
    assert main(["report", "--sample", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert out.out.strip() == str(tmp_path / "report.html")
    assert "primary: MMRM of madrs" in out.err
    assert main(["report", "--out", str(tmp_path)]) == 2


def test_report_loads_in_a_headless_browser(plan, report: Path, open_in_browser) -> None:  # noqa: ANN001
    opened = open_in_browser(report / "report.html")
    assert opened == {"images": _n_figures(plan), "shown": _n_figures(plan), "errors": []}


def test_guesses_file_relative_to_the_plan(tmp_path: Path) -> None:
    """A plan's blinding guesses come from a CSV beside it; the indices are those of the API."""
    guesses = outcomes.sample_guesses()
    guesses.to_csv(tmp_path / "guesses.csv", index=False)
    (tmp_path / "plan.toml").write_text(
        read_plan().text.replace('guesses = "sample"', 'guesses = "guesses.csv"')
    )
    plan = dataclasses.replace(
        read_plan(tmp_path / "plan.toml"), sensitivity={}, figures=(), tables=("blinding",)
    )
    results = run_plan(plan)
    expected = outcomes.blinding(guesses, reference="PLACEBO")
    assert results.frames["blinding"]["estimate"].tolist() == pytest.approx(
        expected["estimate"].tolist()
    )
    assert list(results.tables) == ["blinding"]
