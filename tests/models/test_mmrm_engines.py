"""The MMRM on data an engine holds: the aggregated fit equals the in-memory fit to 1e-10.

The reference is our in-memory fit on the same rows (itself checked against SAS and R mmrm in
test_mmrm_sas.py and test_mmrm_r.py): what is tested here is that the engine's group-by gives
the same sufficient statistics, hence the same fit, on each engine. R mmrm's fev_data
(tests/datasets/fev_data.csv) with its 263 missing FEV1 gives 19 missingness patterns.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.errors import ModelSpecificationError
from outcomes.models.core.formula import FormulaError

pl = pytest.importorskip("polars")
duckdb = pytest.importorskip("duckdb")

FEV = Path(__file__).parents[1] / "datasets" / "fev_data.csv"
TOL = 1e-10


@pytest.fixture(scope="module")
def fev() -> pd.DataFrame:
    """fev_data with its factors as text (as an engine holds them)."""
    return pd.read_csv(FEV)


def _polars_lazy(frame: pd.DataFrame, _: Path) -> Any:
    return pl.from_pandas(frame).lazy()


def _polars_eager(frame: pd.DataFrame, _: Path) -> Any:
    return pl.from_pandas(frame)


def _duckdb(frame: pd.DataFrame, _: Path) -> Any:
    connection = duckdb.connect()
    connection.register("fev", frame)
    return connection.sql("select * from fev")


def _parquet(frame: pd.DataFrame, folder: Path) -> Any:
    path = folder / "fev.parquet"
    frame.to_parquet(path)
    return str(path)


ENGINES: dict[str, Callable[[pd.DataFrame, Path], Any]] = {
    "polars-lazy": _polars_lazy,
    "polars": _polars_eager,
    "duckdb": _duckdb,
    "parquet": _parquet,
}

MODELS = {
    "us, covariates, Satterthwaite": (
        "FEV1 ~ RACE + SEX + ARMCD * AVISIT + us(AVISIT | USUBJID)",
        {},
    ),
    "us, Kenward-Roger": (
        "FEV1 ~ FEV1_BL + ARMCD * AVISIT + us(AVISIT | USUBJID)",
        {"df": "kenward-roger"},
    ),
    "us by arm, reference TRT": (
        "FEV1 ~ ARMCD * AVISIT + us(AVISIT | ARMCD / USUBJID)",
        {"arm": "ARMCD", "reference": "TRT"},
    ),
    "ar1 weighted": (
        "FEV1 ~ FEV1_BL + ARMCD * AVISIT + ar1(AVISIT | USUBJID)",
        {"weights": "WEIGHT"},
    ),
    "toeph ML, residual df": (
        "FEV1 ~ FEV1_BL * AVISIT + ARMCD + toeph(AVISIT | USUBJID)",
        {"reml": False, "df": "residual"},
    ),
}


def _close(ours: Any, memory: Any) -> None:
    np.testing.assert_allclose(np.asarray(ours), np.asarray(memory), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("model", MODELS)
def test_the_fit_on_an_engine_is_the_in_memory_fit(
    fev: pd.DataFrame, tmp_path: Path, engine: str, model: str
) -> None:
    formula, options = MODELS[model]
    memory = outcomes.mmrm(formula, fev, **options)
    ours = outcomes.mmrm(formula, ENGINES[engine](fev, tmp_path), **options)
    assert ours.design.columns == memory.design.columns
    _close(ours.coefficients, memory.coefficients)
    _close(ours.vcov, memory.vcov)
    _close(ours.theta, memory.theta)
    _close(ours.loglik, memory.loglik)
    assert (ours.n_obs, ours.n_subjects) == (memory.n_obs, memory.n_subjects) == (537, 197)
    assert ours.notes == memory.notes  # the 263 rows without FEV1, counted the same
    ours_c = ours.contrasts("ARMCD", by="AVISIT")
    memory_c = memory.contrasts("ARMCD", by="AVISIT")
    numbers = memory_c.select_dtypes("number").columns
    assert list(ours_c.columns) == list(memory_c.columns)
    _close(ours_c[numbers], memory_c[numbers])
    _close(ours.anova().select_dtypes("number"), memory.anova().select_dtypes("number"))
    _close(
        ours.lsmeans("AVISIT").select_dtypes("number"),
        memory.lsmeans("AVISIT").select_dtypes("number"),
    )


def test_an_empty_cell_is_aliased_as_in_memory(fev: pd.DataFrame) -> None:
    """No treated subject at VIS4: the interaction column is dropped, and said, the same way."""
    rows = fev[~((fev["ARMCD"] == "TRT") & (fev["AVISIT"] == "VIS4"))]
    formula = "FEV1 ~ ARMCD * AVISIT + us(AVISIT | USUBJID)"
    memory = outcomes.mmrm(formula, rows)
    ours = outcomes.mmrm(formula, pl.from_pandas(rows).lazy())
    assert memory.design.aliased == ours.design.aliased == ["ARMCDTRT:AVISITVIS4"]
    assert ours.notes == memory.notes
    _close(ours.coefficients, memory.coefficients)


def test_missing_values_of_each_kind_are_left_out_and_counted(fev: pd.DataFrame) -> None:
    """A null in a factor and a NaN in a float column are missing in the engine, as in pandas."""
    rows = fev.copy()
    rows.loc[[1, 2], "RACE"] = None
    rows.loc[[5], "FEV1_BL"] = np.nan
    formula = "FEV1 ~ FEV1_BL + RACE + ARMCD * AVISIT + us(AVISIT | USUBJID)"
    memory = outcomes.mmrm(formula, rows)
    frame = pl.from_pandas(rows, nan_to_null=False)
    ours = outcomes.mmrm(formula, frame.lazy())
    assert ours.notes == memory.notes
    assert ours.n_obs == memory.n_obs
    _close(ours.coefficients, memory.coefficients)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"vcov": "empirical"}, "needs each subject's rows"),
        ({"df": "between-within"}, "needs each subject's rows"),
    ],
)
def test_methods_that_need_rows_are_refused_before_computing(
    fev: pd.DataFrame, options: dict[str, Any], match: str
) -> None:
    with pytest.raises(ModelSpecificationError, match=match):
        outcomes.mmrm(
            "FEV1 ~ ARMCD * AVISIT + us(AVISIT | USUBJID)", pl.from_pandas(fev).lazy(), **options
        )


def test_what_needs_the_rows_is_refused_on_an_aggregated_fit(fev: pd.DataFrame) -> None:
    fit = outcomes.mmrm("FEV1 ~ ARMCD * AVISIT + us(AVISIT | USUBJID)", pl.from_pandas(fev).lazy())
    for call in (fit.fitted, fit.residuals, fit.residual_summary, fit.predict, fit.simulate):
        with pytest.raises(ModelSpecificationError, match="engine's aggregates"):
            call()
    with pytest.raises(ModelSpecificationError, match="proportional weights"):
        fit.lsmeans("ARMCD", weights="proportional")


@pytest.mark.parametrize(
    ("formula", "match"),
    [
        ("FEV1 ~ log(FEV1_BL) + ARMCD * AVISIT + us(AVISIT | USUBJID)", "computed terms"),
        ("FEV1 ~ ARMCD + sp_exp(VISITN | USUBJID)", "spatial"),
        ("FEV1 ~ ARMCD * AVISIT + us(AVISIT | USUBJID)", "two rows at one AVISIT"),
        ("FEV1 ~ ARMCD * AVISIT + us(AVISIT | NOSUCH)", "NOSUCH"),
    ],
)
def test_formulas_and_data_the_engine_path_cannot_fit_are_refused(
    fev: pd.DataFrame, formula: str, match: str
) -> None:
    rows = pd.concat([fev, fev.iloc[[1]]]) if "two rows" in match else fev
    with pytest.raises((ModelSpecificationError, FormulaError), match=match):
        outcomes.mmrm(formula, pl.from_pandas(rows).lazy())


def test_an_enum_keeps_its_level_order_as_a_categorical_does(fev: pd.DataFrame) -> None:
    """Levels on an engine: an Enum's order, as a pandas categorical's in memory."""
    arms, visits = ["TRT", "PBO"], ["VIS4", "VIS3", "VIS2", "VIS1"]
    lazy = pl.from_pandas(fev).lazy()
    lazy = lazy.with_columns(
        pl.col("ARMCD").cast(pl.Enum(arms)), pl.col("AVISIT").cast(pl.Enum(visits))
    )
    memory_rows = fev.assign(
        ARMCD=pd.Categorical(fev["ARMCD"], arms), AVISIT=pd.Categorical(fev["AVISIT"], visits)
    )
    formula = "FEV1 ~ ARMCD * AVISIT + ar1(AVISIT | USUBJID)"
    ours, memory = outcomes.mmrm(formula, lazy), outcomes.mmrm(formula, memory_rows)
    assert ours.design.columns == memory.design.columns
    assert ours.design.columns[:3] == ["(Intercept)", "ARMCDPBO", "AVISITVIS3"]
    assert ours.design.visit_levels == visits
    _close(ours.coefficients, memory.coefficients)
    _close(ours.theta, memory.theta)


@pytest.fixture(scope="module")
def spark() -> Any:
    """A Spark session in local mode (two cores, no UI), stopped after the module."""
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("outcomes-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.mark.parametrize(
    "model", ["us, covariates, Satterthwaite", "us by arm, reference TRT", "ar1 weighted"]
)
def test_the_fit_on_spark_is_the_in_memory_fit(
    fev: pd.DataFrame, tmp_path: Path, spark: Any, model: str
) -> None:
    """Spark in local mode, reading the rows from Parquet as a registry's analyst would."""
    formula, options = MODELS[model]
    memory = outcomes.mmrm(formula, fev, **options)
    rows = spark.read.parquet(_parquet(fev, tmp_path))
    ours = outcomes.mmrm(formula, rows, **options)
    assert ours.design.columns == memory.design.columns
    _close(ours.coefficients, memory.coefficients)
    _close(ours.vcov, memory.vcov)
    _close(ours.theta, memory.theta)
    assert ours.notes == memory.notes
    numbers = ["estimate", "std_error", "df", "p_value", "conf_low", "conf_high"]
    _close(
        ours.contrasts("ARMCD", by="AVISIT")[numbers],
        memory.contrasts("ARMCD", by="AVISIT")[numbers],
    )


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"FEV1_BL": np.inf}, "infinite values in 'FEV1_BL' in 1 row"),
        ({"WEIGHT": 0.0}, "must be positive: 1 row"),
        ({"FEV1": "high"}, "response 'FEV1' is not numeric"),
    ],
)
def test_values_the_in_memory_fit_refuses_are_refused_in_the_engine(
    fev: pd.DataFrame, change: dict[str, Any], match: str
) -> None:
    rows = fev.copy()
    for column, value in change.items():
        if isinstance(value, str):
            rows[column] = rows[column].astype(str)
        else:
            rows.loc[1, column] = value
    formula = "FEV1 ~ FEV1_BL + ARMCD * AVISIT + us(AVISIT | USUBJID)"
    with pytest.raises(ModelSpecificationError, match=match):
        outcomes.mmrm(formula, pl.from_pandas(rows).lazy(), weights="WEIGHT")
