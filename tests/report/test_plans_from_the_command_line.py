"""Plans of trials unlike the sample, run from the command line with no Python.

``plans/cdisc_pilot01.toml``: the CDISC Pilot 01's ADaM files as the sponsor delivered them
(``tests/datasets/README.md``), three arms, the efficacy population from ``[population]``,
columns chosen and allowed in ``[data]``. Its Week 24 differences are checked against R's nlme
and emmeans fitted to the ADaM file as the sponsor filtered it
(``tests/reference/r/cdisc_pilot_mmrm.R`` and its ``.csv``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from outcomes.cli import main

PLANS = Path(__file__).parent / "plans"
REFERENCE = Path(__file__).parents[1] / "reference" / "r" / "cdisc_pilot_mmrm.csv"


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pilot") / "report"
    assert main(["report", str(PLANS / "cdisc_pilot01.toml"), "--out", str(out)]) == 0
    return out


def test_the_cdisc_pilot_plan_runs_on_the_efficacy_population(pilot: Path) -> None:
    results = json.loads((pilot / "results.json").read_text())
    contrasts = pd.DataFrame(results["results"]["primary_contrasts"])
    week24 = contrasts[contrasts["visit"] == "Week 24"].set_index("contrast")
    assert sorted(week24.index) == [
        "Xanomeline High Dose - Placebo",
        "Xanomeline Low Dose - Placebo",
    ]
    expected = pd.read_csv(REFERENCE).set_index("contrast")
    # The REML likelihood is flat here: ours and gls's agree to 1e-9 in it (-1539.1817742) and
    # to 3e-6 in the estimates, a thousandth of a printed digit.
    for contrast, row in expected.iterrows():
        assert week24.loc[contrast, "estimate"] == pytest.approx(row["estimate"], abs=1e-5)
    page = (pilot / "report.html").read_text()
    n_obs, n_subjects = expected[["n_obs", "n_subjects"]].iloc[0]
    assert f"{n_obs} observations of {n_subjects} participants" in page
    assert "Kenward-Roger degrees of freedom" in page and "unstructured (UN) covariance" in page
    assert "for every missing value" not in page  # MAR only: no reference-based sentence
    assert any("population EFFFL = Y: 234 of 254 subjects" in n for n in results["notes"])


def test_the_cdisc_pilot_report_opens_in_a_browser(pilot: Path, open_in_browser) -> None:  # noqa: ANN001
    opened = open_in_browser(pilot / "report.html")
    assert opened["errors"] == [] and opened["images"] == opened["shown"] == 7
