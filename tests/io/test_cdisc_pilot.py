"""The CDISC Pilot 01 ADaM files, read as the sponsor delivered them, in one call.

The files and their provenance: ``tests/datasets/README.md``. The reference values: the printed
Table 14-3.01 of the pilot (``tests/reference/cdisc-pilot01/``). Independent checks read the
files with pyreadstat and filter them the way the pilot's SAP does, in plain pandas.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import outcomes
from outcomes.errors import MappingError, ValidationError
from outcomes.io.formats import read_table

PILOT = Path(__file__).parents[1] / "datasets" / "cdisc-pilot01"
REFERENCE = Path(__file__).parents[1] / "reference" / "cdisc-pilot01"
ADQS = PILOT / "adqsadas.xpt"
ADSL = PILOT / "adsl.xpt"
#: The ADaM files carry the (shifted) SAS dates of treatment and assessment; they are not read.
DATES = ["TRTSDT", "TRTEDT", "ADT"]
ADAS_ITEMS = [f"ACITM{i:02d}" for i in (1, 2, 4, 5, 6, 7, 8, 11, 12, 13, 14)]


def one_call(**options: object) -> outcomes.TrialData:
    """The README's call: the efficacy population's ADAS-Cog(11), site group and dose."""
    return outcomes.read(
        ADQS,
        instrument="adas-cog11",
        subjects=ADSL,
        population="EFFFL",
        covariates=["SITEGR1", "TRT01PN"],
        allow_identifiers=DATES,
        **options,
    )


@pytest.fixture(scope="module")
def sponsor() -> pd.DataFrame:
    """The ADQS as pyreadstat reads it, blanks as missing."""
    frame, _ = pyreadstat.read_xport(ADQS)
    return frame.replace("", np.nan)


@pytest.fixture(scope="module")
def observed() -> outcomes.TrialData:
    return one_call()


@pytest.fixture(scope="module")
def locf() -> outcomes.TrialData:
    return one_call(derived="LOCF")


def test_one_call_gives_the_efficacy_population(observed, sponsor) -> None:
    adsl, _ = pyreadstat.read_xport(ADSL)
    efficacy = adsl[adsl["EFFFL"] == "Y"]
    frame = observed.frame
    assert frame["subject"].nunique() == len(efficacy) == 234
    arms = frame.drop_duplicates("subject").set_index("subject")["arm"].astype(str)
    assert arms.to_dict() == efficacy.set_index("USUBJID")["TRT01P"].to_dict()
    # The site groups are the sponsor's, one per subject.
    site = frame.drop_duplicates("subject").set_index("subject")["SITEGR1"].astype(str)
    assert site.to_dict() == efficacy.set_index("USUBJID")["SITEGR1"].to_dict()
    assert list(observed.schedule.visit_names) == ["Baseline", "Week 8", "Week 16", "Week 24"]
    assert set(frame["instrument"]) == {"adas-cog11"}
    assert not (observed.problems["severity"] == "error").any()


def test_totals_are_the_sponsors_observed_analysis_records(observed, sponsor) -> None:
    chosen = sponsor[
        (sponsor["PARAMCD"] == "ACTOT")
        & sponsor["DTYPE"].isna()
        & (sponsor["ANL01FL"] == "Y")
        & (sponsor["EFFFL"] == "Y")
    ]
    ours = observed.frame.set_index(["subject", observed.frame["visit"].astype(str)])["total"]
    theirs = chosen.set_index(["USUBJID", "AVISIT"])["AVAL"]
    assert len(ours) == len(theirs)
    pd.testing.assert_series_equal(
        ours.sort_index(), theirs.sort_index(), check_names=False, check_index_type=False
    )


def test_derived_and_unflagged_records_are_one_line_each(observed) -> None:
    aside = observed.problems[observed.problems["code"] == "row-set-aside"]
    # 241 LOCF and 360 unflagged rows in the file; those of the 11 items and the total are
    # counted in one warning per reason, never one per row nor "duplicate" errors.
    assert len(aside) == 2
    assert aside["message"].str.contains("DTYPE = LOCF").any()
    assert aside["message"].str.contains("ANL01FL").any()
    notes = " ".join(observed.notes)
    assert "ACITM03 (817), ACITM09 (807), ACITM10 (812)" in notes
    assert "234 of 254 subjects" in notes


def test_locf_week_24_is_table_14_3_01(locf) -> None:
    reference = pd.read_csv(REFERENCE / "table-14-3-01.csv").set_index("arm")
    frame = outcomes.derive(locf).frame
    week24 = frame[frame["visit"] == "Week 24"]
    assert (week24["dtype"] == "LOCF").sum() > 0  # the sponsor's carried-forward records
    by_arm = week24.groupby("arm", observed=True)
    got = pd.DataFrame(
        {
            "n": by_arm["chg"].count(),
            "baseline_mean": by_arm["base"].mean().round(1),
            "baseline_sd": by_arm["base"].std().round(2),
            "week24_mean": by_arm["total"].mean().round(1),
            "week24_sd": by_arm["total"].std().round(2),
            "change_mean": by_arm["chg"].mean().round(1),
            "change_sd": by_arm["chg"].std().round(2),
        }
    )
    got.index = got.index.astype(str)
    pd.testing.assert_frame_equal(
        got.loc[reference.index], reference, check_dtype=False, check_names=False
    )


def test_locf_ancova_is_table_14_3_01(locf) -> None:
    reference = pd.read_csv(REFERENCE / "table-14-3-01-comparisons.csv").set_index("comparison")
    frame = outcomes.derive(locf).frame
    week24 = frame[frame["visit"] == "Week 24"]
    fit = outcomes.ancova("chg ~ base + arm + C(SITEGR1)", week24, levels={"arm": "Placebo"})
    pairs = fit.contrasts("arm").set_index("contrast")
    for comparison in ["Xanomeline High Dose - Placebo", "Xanomeline Low Dose - Placebo"]:
        row, ref = pairs.loc[comparison], reference.loc[comparison]
        assert round(row["estimate"], 1) == ref["estimate"]
        assert round(row["std_error"], 2) == ref["std_error"]
        assert round(row["conf_low"], 1) == ref["conf_low"]
        assert round(row["conf_high"], 1) == ref["conf_high"]
        assert round(row["p_value"], 3) == ref["p_value"]
    low = outcomes.ancova(
        "chg ~ base + arm + C(SITEGR1)", week24, levels={"arm": "Xanomeline Low Dose"}
    )
    high_low = low.contrasts("arm").set_index("contrast")
    p = high_low.loc["Xanomeline High Dose - Xanomeline Low Dose", "p_value"]
    assert round(p, 3) == reference.loc["Xanomeline High Dose - Xanomeline Low Dose", "p_value"]
    dose = outcomes.ancova("chg ~ base + TRT01PN + C(SITEGR1)", week24).to_frame()
    p_dose = dose.set_index("term").loc["TRT01PN", "p_value"]
    assert round(p_dose, 3) == reference.loc["dose response", "p_value"]


def test_proration_by_the_published_rule_gives_the_sponsors_totals(sponsor) -> None:
    # Items only (the total's rows removed), prorated with up to 3 of 11 items missing: the
    # SAP's rule, sum x 70 / the most the answered items could score, on the 20 incomplete
    # records of the pilot.
    raw = read_table(ADQS)
    items_only = raw[raw["PARAMCD"] != "ACTOT"].reset_index(drop=True)
    trial = outcomes.from_frame(
        items_only,
        instrument="adas-cog11",
        allow_identifiers=DATES,
        max_missing_items=3,
        name="adqsadas.xpt",
    )
    prorated = trial.frame[trial.frame["total_source"] == "prorated"]
    assert len(prorated) == 20
    chosen = sponsor[
        (sponsor["PARAMCD"] == "ACTOT") & sponsor["DTYPE"].isna() & (sponsor["ANL01FL"] == "Y")
    ].set_index(["USUBJID", "AVISIT"])["AVAL"]
    keys = list(zip(prorated["subject"], prorated["visit"].astype(str), strict=True))
    np.testing.assert_allclose(prorated["total"].to_numpy(), chosen.loc[keys].to_numpy())
    # The count rule (mean of the answered items x 11) would not: it misses them all.
    answered = prorated[ADAS_ITEMS]
    by_count = answered.mean(axis=1) * 11
    assert (np.abs(by_count.to_numpy() - chosen.loc[keys].to_numpy()) > 0.5).any()


def test_arm_from_trtp_and_mapping_is_honoured() -> None:
    # Today's trap: an ADQS with TRTP and no TRT01P read as one arm "ALL".
    trial = outcomes.read(ADQS, instrument="adas-cog11", allow_identifiers=DATES)
    assert trial.frame["arm"].nunique() == 3
    assert any("arm <- TRTP" in n for n in trial.notes)
    dose = outcomes.read(
        ADQS, instrument="adas-cog11", allow_identifiers=DATES, mapping={"arm": "TRTPN"}
    )
    assert sorted(dose.frame["arm"].astype(str).unique()) == ["0", "54", "81"]


def test_mapping_keys_a_cdisc_layout_does_not_have_are_refused() -> None:
    with pytest.raises(MappingError, match="items and totals as rows"):
        outcomes.read(ADQS, instrument="adas-cog11", mapping={"totals": {"AVAL": "adas-cog11"}})
    with pytest.raises(MappingError, match="analysis_flag='ANL02FL'"):
        outcomes.read(ADQS, instrument="adas-cog11", analysis_flag="ANL02FL")
    with pytest.raises(MappingError, match="population='FASFL'"):
        outcomes.read(ADQS, instrument="adas-cog11", population="FASFL", allow_identifiers=DATES)


def test_without_the_analysis_flag_the_duplicates_are_reported(sponsor) -> None:
    with pytest.raises(ValidationError) as caught:
        outcomes.read(ADQS, instrument="adas-cog11", allow_identifiers=DATES, analysis_flag=None)
    duplicates = caught.value.problems.query("code == 'duplicate-value'")
    assert len(duplicates) > 0


def test_a_subject_twice_in_adsl_is_located(tmp_path: Path) -> None:
    adsl = read_table(ADSL)
    twice = pd.concat([adsl, adsl.iloc[[5]]], ignore_index=True)
    path = tmp_path / "adsl.csv"
    twice.to_csv(path, index=False)
    with pytest.raises(ValidationError) as caught:
        outcomes.read(ADQS, instrument="adas-cog11", subjects=path, allow_identifiers=DATES)
    problems = caught.value.problems
    dup = problems[problems["code"] == "duplicate-subject"]
    assert len(dup) == 1
    assert dup["row"].iloc[0] == len(twice)
    assert "row 6" in dup["message"].iloc[0]


def test_validate_command_in_one_line(capsys) -> None:
    from outcomes.cli import main

    args = [
        "validate",
        str(ADQS),
        "--instrument",
        "adas-cog11",
        "--subjects",
        str(ADSL),
        "--population",
        "EFFFL",
        "--covariate",
        "SITEGR1",
        "--derived",
        "LOCF",
        *[arg for column in DATES for arg in ("--allow", column)],
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("0 error(s)")
    assert "234 of 254 subjects" in out
