"""Bang's and James' blinding indices against published examples and an R implementation.

References (``tests/reference/blinding/``, README there):

* ``published.json``: Enblom et al. 2011 (Evid Based Complement Alternat Med, Table 2) and
  Nishiwaki et al. 2018 (same journal, Table 1; counts reconstructed from the printed BI and
  don't-know shares, so its printed intervals check the standard error), compared to their printed
  digits; James' index of the Houweling 2014 investigators' table as printed by BlindingIndex.jl
  (software output, the only James value found with its counts).
* ``blinding.R`` (R 4.2.2, base R), written from the papers' formulas, which checks James'
  variance against a numerical delta method: ``blinding_r.csv``, compared at 1e-12.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from outcomes.models.endpoints.blinding import BLINDING_COLUMNS, blinding, blinding_from_counts

REF = Path(__file__).parents[1] / "reference" / "blinding"
PUBLISHED = {e["id"]: e for e in json.loads((REF / "published.json").read_text())}


def _counts(active: dict, control: dict) -> pd.DataFrame:
    rows = [
        [arm["guess_active"], arm["guess_control"], arm["dont_know"]] for arm in (active, control)
    ]
    return pd.DataFrame(rows, index=["A", "C"], columns=["A", "C", "dont_know"])


def _printed(ours: float, printed: str) -> None:
    digits = len(printed.split(".")[1]) if "." in printed else 0
    assert abs(ours - float(printed)) <= 0.5 * 10**-digits + 1e-12, (ours, printed)


def _check_bang(row: pd.Series, values: dict) -> None:
    _printed(row["estimate"], values["bi"])
    _printed(row["conf_low"], values["ci95"][0])
    _printed(row["conf_high"], values["ci95"][1])
    if "se" in values:
        _printed(row["std_error"], values["se"])


def test_enblom_2011_table_2() -> None:
    entry = PUBLISHED["enblom2011"]
    verum, sham = entry["table"]["arms"]
    table = blinding_from_counts(_counts(verum, sham), reference="C")
    _check_bang(table.iloc[0], entry["published"]["bang"][verum["arm"]])
    _check_bang(table.iloc[1], entry["published"]["bang"][sham["arm"]])


def test_nishiwaki_2018_table_1() -> None:
    entry = PUBLISHED["nishiwaki2018"]
    arms = {a["arm"]: a for a in entry["table"]["arms"]}
    active = [a for a in arms.values() if a["role"] == "active"]
    control = [a for a in arms.values() if a["role"] == "control"]
    assert len(active) == len(control) == 4
    for act, con in zip(active, control, strict=True):
        table = blinding_from_counts(_counts(act, con), reference="C")
        _check_bang(table.iloc[0], entry["published"]["bang"][act["arm"]])
        _check_bang(table.iloc[1], entry["published"]["bang"][con["arm"]])


def test_houweling_2014_investigators_as_blindingindex_jl() -> None:
    entry = PUBLISHED["houweling2014_investigators_software"]
    active, control = entry["table"]["arms"]
    table = blinding_from_counts(_counts(active, control), reference="C")
    james = table[table["index"] == "james"].iloc[0]
    _check_bang(james, entry["published"]["james"]["overall"])
    assert james["interpretation"] == "no evidence of a lack of blinding"
    _check_bang(table.iloc[0], entry["published"]["bang"][active["arm"]])
    _check_bang(table.iloc[1], entry["published"]["bang"][control["arm"]])


def _r_tables() -> list[str]:
    r = pd.read_csv(REF / "blinding_r.csv")
    return sorted(set(r.loc[r["index"] == "james", "table"]))


@pytest.mark.parametrize("name", _r_tables())
def test_matches_r_implementation(name: str) -> None:
    r = pd.read_csv(REF / "blinding_r.csv")
    r = r[(r["table"] == name) & r["index"].isin(["bang", "james"])]
    bang = r[r["index"] == "bang"].set_index("arm_role")
    active, control = (
        [int(v) for v in bang.loc[role, "counts"].split("|")] for role in ("active", "control")
    )
    counts = pd.DataFrame([active, control], index=["A", "C"], columns=["A", "C", "dont_know"])
    ours = blinding_from_counts(counts, reference="C")
    expected = pd.concat([bang.loc[["active", "control"]], r[r["index"] == "james"]])
    np.testing.assert_allclose(ours["estimate"], expected["estimate"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours["std_error"], expected["se"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours["conf_low"], expected["lower95"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours["conf_high"], expected["upper95"], rtol=0, atol=1e-12)
    assert ours["n_dont_know"].tolist() == expected["n_dont_know"].tolist()


@pytest.fixture
def guesses() -> pd.DataFrame:
    """The R script's ``extra_dmt`` table, one row per participant, plus two without an answer."""
    arm = ["DMT"] * 18 + ["PLACEBO"] * 18
    guess = (
        ["DMT"] * 15
        + ["placebo", "Don't know", None]
        + ["dmt"] * 4
        + ["PLACEBO"] * 11
        + ["don't know"] * 2
        + [""]
    )
    return pd.DataFrame({"subject": [f"S{i:03d}" for i in range(36)], "arm": arm, "guess": guess})


def test_participant_guesses_tabulate_to_the_r_table(guesses) -> None:  # noqa: ANN001
    ours = blinding(guesses, reference="PLACEBO")
    assert list(ours.columns) == list(BLINDING_COLUMNS)
    assert ours["arm"].tolist() == ["DMT", "PLACEBO", "overall"]
    assert ours["n_missing"].tolist() == [1, 1, 2]
    assert ours["n"].tolist() == [17, 17, 34]
    r = pd.read_csv(REF / "blinding_r.csv")
    r = r[r["table"] == "extra_dmt"]
    np.testing.assert_allclose(ours["estimate"], r["estimate"], atol=1e-12)
    assert ours["interpretation"].iloc[2] == "lack of blinding (upper limit below 0.5)"
    assert ours["interpretation"].iloc[0].startswith("more correct guesses")


def test_by_rater(guesses) -> None:  # noqa: ANN001
    both = pd.concat([guesses.assign(rater="participant"), guesses.assign(rater="therapist")])
    ours = blinding(both, reference="PLACEBO", by="rater")
    assert ours["rater"].tolist() == ["participant"] * 3 + ["therapist"] * 3
    np.testing.assert_allclose(ours["estimate"].iloc[:3], ours["estimate"].iloc[3:])


def test_nobody_guessing_is_full_blinding() -> None:
    counts = pd.DataFrame(
        [[0, 0, 10], [0, 0, 12]], index=["A", "C"], columns=["A", "C", "dont_know"]
    )
    table = blinding_from_counts(counts, reference="C")
    assert table["estimate"].tolist() == [0.0, 0.0, 1.0]
    assert table["std_error"].iloc[2] == 0.0


def test_bad_input_is_explained(guesses) -> None:  # noqa: ANN001
    wrong = guesses.copy()
    wrong.loc[3, "guess"] = "psilocybin"
    with pytest.raises(ValueError, match=r"1 guesses are neither .* row 3: 'psilocybin'"):
        blinding(wrong, reference="PLACEBO")
    with pytest.raises(ValueError, match="reference arm 'placebo' is not among"):
        blinding(guesses, reference="placebo")
    with pytest.raises(ValueError, match="no column"):
        blinding(guesses, reference="PLACEBO", guess="answer")
    three = guesses.copy()
    three.loc[0, "arm"] = "LOW DOSE"
    with pytest.raises(ValueError, match="two arms"):
        blinding(three, reference="PLACEBO")
