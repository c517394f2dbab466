"""The MMRM against SAS PROC MIXED: Kenward-Roger and empirical (sandwich) covariance.

References: tests/reference/mmrm-sas/ddfm_covtype/ and Robust/ (SAS PROC MIXED on fev_data,
published with the R package mmrm, openpharma/mmrm design/ folder, Apache-2.0; see that folder's
README). Each CSV holds SAS's TRT - PBO difference (LSMEANS ARMCD / pdiff) at full precision for
``MODEL FEV1 = ARMCD`` with ``REPEATED AVISIT / SUBJECT=USUBJID TYPE=...``.

Tolerances: estimates 1e-4 relative. SAS stops its Newton-Raphson at a relative Hessian criterion
of 1e-8, which leaves its covariance parameters off the optimum by up to ~1e-4 (its TRT - PBO
estimates differ from ours, at a -2 log-likelihood equal to ours to 1e-9, by up to 3e-5), and
degrees of freedom move ~10x more than estimates; Kenward-Roger standard errors are compared at
3e-4 and df at 1e-3 relative.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import outcomes

REFERENCE = Path(__file__).parents[1] / "reference" / "mmrm-sas"
FEV = Path(__file__).parents[1] / "datasets" / "fev_data.csv"

# our structure name -> SAS file stem
STRUCTURES = {
    "us": "us",
    "cs": "cs",
    "csh": "csh",
    "ar1": "ar1",
    "ar1h": "arh1",
    "toep": "toep",
    "toeph": "toeph",
    "adh": "adh",
}


@pytest.fixture(scope="module")
def fev() -> pd.DataFrame:
    return pd.read_csv(FEV)


def _difference(fit: outcomes.MMRMFit) -> pd.Series:
    return fit.contrasts("ARMCD", reference="PBO").iloc[0]


@pytest.mark.parametrize("structure", STRUCTURES)
@pytest.mark.parametrize(
    ("method", "prefix"), [("kenward-roger", "kr"), ("kenward-roger-linear", "kr1")]
)
def test_kenward_roger_matches_sas(fev, structure: str, method: str, prefix: str) -> None:
    sas = pd.read_csv(REFERENCE / "ddfm_covtype" / f"{prefix}_{STRUCTURES[structure]}.csv").iloc[0]
    fit = outcomes.mmrm(f"FEV1 ~ ARMCD + {structure}(AVISIT | USUBJID)", fev, df=method)
    ours = _difference(fit)
    assert ours["estimate"] == pytest.approx(sas["Estimate"], rel=1e-4)
    assert ours["std_error"] == pytest.approx(sas["StdErr"], rel=3e-4)
    assert ours["df"] == pytest.approx(sas["DF"], rel=1e-3)


def test_spatial_exponential_kenward_roger_df_matches_sas(fev) -> None:
    # ddfm_covtype/kr_spexp.csv: REPEATED / TYPE=SP(EXP)(VISITN VISITN2)
    sas = pd.read_csv(REFERENCE / "ddfm_covtype" / "kr_spexp.csv").iloc[0]
    fit = outcomes.mmrm("FEV1 ~ ARMCD + sp_exp(VISITN, VISITN2 | USUBJID)", fev, df="kenward-roger")
    ours = _difference(fit)
    assert ours["estimate"] == pytest.approx(sas["Estimate"], rel=1e-4)
    assert ours["df"] == pytest.approx(sas["DF"], rel=1e-4)


@pytest.mark.parametrize("structure", STRUCTURES)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_empirical_covariance_matches_sas(fev, structure: str, weighted: bool) -> None:
    stem = f"empirical_{STRUCTURES[structure]}" + ("_weighted" if weighted else "")
    sas = pd.read_csv(REFERENCE / "Robust" / f"{stem}_lsmean.csv").iloc[0]
    covb = pd.read_csv(REFERENCE / "Robust" / f"{stem}_covb.csv")
    fit = outcomes.mmrm(
        f"FEV1 ~ ARMCD + {structure}(AVISIT | USUBJID)",
        fev,
        vcov="empirical",
        df="between-within",
        weights="WEIGHT" if weighted else None,
        levels={"ARMCD": "PBO"},
    )
    ours = _difference(fit)
    assert ours["estimate"] == pytest.approx(sas["Estimate"], rel=1e-4)
    assert ours["std_error"] == pytest.approx(sas["StdErr"], rel=1e-4)
    assert ours["df"] == sas["DF"]  # between-within: 197 subjects with data - 2
    # SAS's covariance of (Intercept, ARMCD TRT); its third row/column is the aliased PBO level.
    sas_covb = covb[["Col1", "Col2"]].to_numpy()[:2]
    np.testing.assert_allclose(fit.vcov.to_numpy(), sas_covb, rtol=2e-4)
