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


def test_the_ard_holds_every_number_of_results_json(report: Path) -> None:
    """Read back from ``results/ard.parquet`` (and its CSV twin), row for row."""
    import pandas as pd

    ard = pd.read_parquet(report / "results" / "ard.parquet")
    csv = pd.read_csv(report / "results" / "ard.csv", dtype=str, keep_default_na=False)
    assert len(csv) == len(ard) and list(csv.columns) == list(ard.columns)
    assert csv["stat_fmt"].tolist() == ard["stat_fmt"].tolist()
    results = json.loads((report / "results.json").read_text())["results"]
    assert set(ard["variable"]) == set(results)
    groups = [c for c in ard.columns if re.fullmatch(r"group\d+", c)]
    for variable, records in results.items():
        rows = ard[ard["variable"] == variable]
        names = [n for n in rows[groups].iloc[0] if isinstance(n, str)]
        expected = [
            ([r[n] for n in names], key, value)
            for r in records
            for key, value in r.items()
            if key not in names
        ]
        got = [
            (
                [
                    None if pd.isna(row[f"{g}_level"]) else row[f"{g}_level"]
                    for g in groups[: len(names)]
                ],
                row["stat_name"],
                row["stat"],
            )
            for _, row in rows.iterrows()
        ]
        assert len(got) == len(expected), variable
        for (levels, name, value), (want_levels, want_name, want) in zip(
            got, expected, strict=True
        ):
            assert (levels, name) == (want_levels, want_name), variable
            if isinstance(want, bool):
                assert value == float(want)
            elif isinstance(want, (int, float)):
                assert value == pytest.approx(want, rel=1e-12), (variable, name)
            else:  # text (a note) or missing
                assert value != value, (variable, name)  # NaN


def test_every_number_a_table_shows_is_a_formatted_value_of_the_ard(report: Path) -> None:
    """The numbers of each table (its stub aside) are ``stat_fmt`` values of the ARD rows of
    the analysis that made it: the table and ``results.json`` cannot disagree."""
    import pandas as pd

    from outcomes.report.analyses import owner

    ard = pd.read_parquet(report / "results" / "ard.parquet")
    number = re.compile(r"<?-?\d+(?:\.\d+)?")
    for path in sorted((report / "tables").glob("*.csv")):
        name = re.sub(r"_\d+$", "", path.stem)
        analysis = owner("tables", name).name
        shown = set(ard.loc[ard["analysis"] == analysis, "stat_fmt"])
        levels = set(ard.filter(like="_level").stack())
        cells = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in cells.columns[1:]:
            for cell in cells[column]:
                if cell in levels or cell in shown:  # a label, or a text such as a note
                    continue
                for token in number.findall(cell):
                    assert token in shown, (path.name, column, cell, token)


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
