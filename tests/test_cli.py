"""The command line: exit codes, the readable and JSON reports, describe and sample."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import outcomes
from outcomes.cli import main


def _bad_file(tmp_path: Path) -> Path:
    # Row 2 has MADRS03 = 9 (items are 0-6); row 3 has no subject.
    rows = pd.DataFrame(
        {
            "subject": ["S1", "S1", None],
            "arm": ["A", "A", "A"],
            "visit": ["BASELINE", "WEEK 1", "WEEK 2"],
            "study_day": [1, 8, 15],
            **{f"MADRS{k:02d}": [1, 9 if k == 3 else 1, 1] for k in range(1, 11)},
        }
    )
    path = tmp_path / "bad.csv"
    rows.to_csv(path, index=False)
    return path


def test_validate_exits_1_and_lists_every_error(tmp_path: Path, capsys) -> None:
    assert main(["validate", str(_bad_file(tmp_path))]) == 1
    out = capsys.readouterr().out
    assert out.startswith("2 error(s)")
    assert "item-out-of-range" in out and "missing-subject" in out
    assert "what to do:" in out


def test_validate_json_lists_problems_with_their_locations(tmp_path: Path, capsys) -> None:
    assert main(["validate", str(_bad_file(tmp_path)), "--json"]) == 1
    problems = json.loads(capsys.readouterr().out)
    by_code = {p["code"]: p for p in problems}
    assert set(by_code) == {"item-out-of-range", "missing-subject"}
    item = by_code["item-out-of-range"]
    assert {
        k: item[k] for k in ("severity", "file", "row", "subject", "visit", "column", "value")
    } == {
        "severity": "error",
        "file": "bad.csv",
        "row": 2,
        "subject": "S1",
        "visit": "WEEK 1",
        "column": "MADRS03",
        "value": "9",
    }
    assert set(item) >= {
        "severity",
        "code",
        "message",
        "file",
        "row",
        "subject",
        "visit",
        "column",
        "value",
    }


def test_validate_clean_sample_exits_0(capsys) -> None:
    assert main(["validate", "--sample"]) == 0
    assert capsys.readouterr().out.startswith("0 error(s)")


@pytest.mark.parametrize(
    "argv",
    [
        ["validate"],
        ["validate", "missing.csv"],
        ["validate", "x.csv", "--layout", "tall"],
        ["frobnicate"],
    ],
)
def test_bad_usage_exits_2(argv: list[str], capsys) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        code = int(exc.code or 0)
    assert code == 2
    err = capsys.readouterr().err
    assert "error" in err and "Traceback" not in err


def test_describe_sample_prints_counts_patterns_and_totals(capsys) -> None:
    assert main(["describe", "--sample"]) == 0
    out = capsys.readouterr().out
    for heading in (
        "Subjects with a total, by visit and arm",
        "Missingness patterns",
        "Totals by visit and arm",
    ):
        assert heading in out
    assert "PLACEBO (20), DMT (20)" in out


def test_sample_writes_every_layout(tmp_path: Path, capsys) -> None:
    assert main(["sample", "--out", str(tmp_path)]) == 0
    written = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()}
    assert {
        "long.csv",
        "wide.csv",
        "sdtm/qs.xpt",
        "sdtm/dm.xpt",
        "adam/adqs.xpt",
        "redcap.csv",
        "schedule.toml",
        "events.csv",
        "README.md",
    } <= written


def test_unrecognised_scores_give_one_error_not_a_warning_per_row(capsys) -> None:
    # The antidepressant file names its totals HAMDTL17 and HAMATOTL, which need a mapping.
    path = Path(__file__).parent / "datasets" / "antidepressant_data.csv"
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "no-score-columns" in out and "HAMDTL17" in out
    assert "no-scores" not in out
    assert "read: subject <- column 'PATIENT' (detected)" in out  # what was decided is shown


def test_header_only_file_has_no_assessments(tmp_path: Path, capsys) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("subject,visit,MADRSTOT\n")
    assert main(["validate", str(path)]) == 1
    assert "no-assessments" in capsys.readouterr().out


def test_readable_report_groups_many_problems_of_one_code(tmp_path: Path, capsys) -> None:
    # 15 rows, each with MADRS01 = 7 (above 6): 10 shown, then one line for the 5 others.
    rows = pd.DataFrame(
        {"subject": [f"S{i:02d}" for i in range(15)], "arm": "A", "visit": "BASELINE", "MADRS01": 7}
    )
    path = tmp_path / "many.csv"
    rows.to_csv(path, index=False)
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.count("[error] item-out-of-range: row") == 10
    assert "5 more like these (rows 11, 12, 13, 14, 15)" in out
    assert main(["validate", str(path), "--json"]) == 1
    assert len(json.loads(capsys.readouterr().out)) == 15


def test_a_site_scale_is_registered_from_the_command_line(tmp_path: Path, capsys) -> None:
    scale = tmp_path / "craving.toml"
    scale.write_text(
        'name = "craving"\ntitle = "Site craving scale"\nconstruct = "craving"\n'
        'total_code = "CRAVTOT"\n'
        'items = [{ code = "CRAV01", label = "urge", min = 0, max = 10 },\n'
        '         { code = "CRAV02", label = "thoughts", min = 0, max = 10 }]\n'
    )
    data = tmp_path / "craving.csv"
    # Row 2's CRAV02 = 11 is above the scale's 0-10: found only once the scale is known.
    data.write_text("subject,arm,visit,CRAV01,CRAV02\nS1,A,BASELINE,4,5\nS1,A,WEEK 1,3,11\n")
    try:
        assert main(["validate", str(data), "--register", str(scale), "--json"]) == 1
        codes = {(p["code"], p["row"]) for p in json.loads(capsys.readouterr().out)}
        assert codes == {("item-out-of-range", 2)}
    finally:
        outcomes.instruments.unregister("craving")
