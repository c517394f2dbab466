"""The MMRM's one pass over the data, run inside the engine that holds them.

The likelihood needs, per covariance group and missingness pattern, the number of subjects and
the cross-products of design and response by pair of visits (:mod:`.likelihood`). That is a
group-by, which runs where the data are: a polars LazyFrame, a DuckDB relation, a Parquet file
(read by DuckDB, which works out of core), or a Spark DataFrame. Only the aggregates (kilobytes)
come back; the optimiser, the df methods and the contrasts then run on them as on the
aggregates of a pandas frame, so the fit is the same to rounding.

The aggregation is written once, in narwhals, which wraps each engine's own objects (a user's
LazyFrame, relation or Spark frame stays what it is; nothing is converted or collected) and
translates one expression language to each. ibis would need its own backend connection and
a conversion of the user's objects, for the same group-by.

The design columns are computed in the engine from the formula's layout: the formula is
parsed by our grammar and laid out by patsy on a small frame of every combination of factor
levels (:func:`_layout`), each column then being an indicator of one level of some factors
times some numeric columns. The engine rows are joined to themselves by subject to give the
pairs of visits of each subject.

Examples
--------
>>> import polars as pl
>>> import outcomes
>>> trial = outcomes.derive(outcomes.load_sample())
>>> madrs = trial.frame.query("instrument == 'madrs' and visit in ['WEEK 1', 'WEEK 2']")
>>> rows = madrs[["subject", "arm", "visit", "base", "chg"]].astype({"arm": str, "visit": str})
>>> lazy = pl.from_pandas(rows).lazy()
>>> fit = outcomes.mmrm("chg ~ base + arm * visit + us(visit | subject)", lazy)
>>> memory = outcomes.mmrm("chg ~ base + arm * visit + us(visit | subject)", rows)
>>> bool(abs(fit.coefficients - memory.coefficients).max() < 1e-10)
True
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import patsy

from outcomes.errors import ModelSpecificationError
from outcomes.models.core.formula import Name
from outcomes.models.core.frames import factor_levels
from outcomes.models.core.model_matrix import ModelMatrix, drop_aliased, model_matrix
from outcomes.models.mmrm.covariance import get_structure
from outcomes.models.mmrm.design import Design
from outcomes.models.mmrm.formula import MMRMFormula
from outcomes.models.mmrm.likelihood import Pattern

__all__ = ["PARQUET_MEMORY_LIMIT", "aggregate", "engine_columns", "is_engine_data"]

#: Column-name prefix of the engine's computed columns (design, visit code, ...).
_P = "__outcomes_"


def is_engine_data(data: Any) -> bool:
    """Whether ``data`` is held by an engine: a Parquet path, or a lazy frame narwhals knows.

    Examples
    --------
    >>> import pandas as pd
    >>> is_engine_data(pd.DataFrame()), is_engine_data("registry.parquet")
    (False, True)
    """
    if isinstance(data, str | Path):
        return str(data).endswith(".parquet")
    module = type(data).__module__.split(".")[0].lstrip("_")
    return module in ("polars", "duckdb", "pyspark")


#: DuckDB's memory for a Parquet path: past it, DuckDB spills to a temporary folder (removed
#: after the fit). For other settings, give ``outcomes.mmrm`` a relation of your own connection.
PARQUET_MEMORY_LIMIT = "3GB"


def engine_columns(data: Any) -> list[str]:
    """The columns of data an engine holds (its schema; nothing is read but that)."""
    with _opened(data) as frame:
        return list(frame.collect_schema().names())


@contextmanager
def _opened(data: Any) -> Iterator[Any]:
    """The data as a narwhals LazyFrame; a Parquet path opened by DuckDB for the duration."""
    import narwhals as nw

    if not isinstance(data, str | Path):
        frame = nw.from_native(data)
        yield frame.lazy() if isinstance(frame, nw.DataFrame) else frame
        return
    try:
        import duckdb
    except ImportError:
        raise ModelSpecificationError(
            "a Parquet path is read by DuckDB, which is not installed: "
            "pip install 'outcomes[engines]'"
        ) from None
    path = Path(data)
    if not path.exists():
        raise ModelSpecificationError(f"no Parquet file {path.name!r} where it was given")
    with tempfile.TemporaryDirectory(prefix="outcomes-duckdb-") as spill:
        settings: dict[str, str | bool | int | float | list[str]] = {
            "memory_limit": PARQUET_MEMORY_LIMIT,
            "temp_directory": spill,
            "preserve_insertion_order": False,
        }
        connection = duckdb.connect(config=settings)
        try:
            yield nw.from_native(connection.read_parquet(str(path)))
        finally:
            connection.close()


@dataclass(frozen=True)
class _Column:
    """One design column: the product of indicators ``factor == level`` and numeric columns."""

    levels: tuple[tuple[str, Any], ...]
    numeric: tuple[str, ...]


def aggregate(
    formula: MMRMFormula,
    data: Any,
    *,
    weights: str | None = None,
    levels: Mapping[str, Any] | None = None,
) -> tuple[Design, list[Pattern]]:
    """The design (without rows) and the pattern statistics of an MMRM, computed in the engine.

    Parameters
    ----------
    formula : MMRMFormula
        The parsed formula.
    data : polars.LazyFrame, polars.DataFrame, DuckDB relation, Spark DataFrame or Parquet path
        One row per subject and visit.
    weights, levels
        As in :func:`outcomes.mmrm`.

    Returns
    -------
    Design, list of Pattern
        The design's ``aggregated`` holds the number of rows used.

    Raises
    ------
    ModelSpecificationError
        A formula or structure the engine path does not compute (spatial structures, computed
        terms such as ``log(base)``), a repeated subject x visit, a subject in two covariance
        groups.
    """
    with _opened(data) as frame:
        return _aggregate(formula, frame, weights, levels)


def _aggregate(
    formula: MMRMFormula, frame: Any, weights: str | None, levels: Mapping[str, Any] | None
) -> tuple[Design, list[Pattern]]:
    import narwhals as nw

    cov = formula.covariance
    if get_structure(cov.structure).spatial:
        raise ModelSpecificationError(
            "spatial covariance structures are fitted in memory only; collect the rows into "
            "a pandas DataFrame"
        )
    schema = frame.collect_schema()
    model = formula.model.resolve(list(schema.names()))
    needed = list(dict.fromkeys([*model.variables, cov.subject, cov.time[0]]))
    needed += [c for c in (cov.group, weights) if c and c not in needed]
    missing = [c for c in needed if c not in schema]
    if missing:
        raise ModelSpecificationError(
            f"the data have no column(s) {missing}; they have {list(schema.names())}"
        )
    _check_terms(model)
    numeric = {c for c in needed if schema[c].is_numeric()}
    factor_vars = [f.key for f in model.factors if f.categorical or f.key not in numeric]
    factor_vars = list(
        dict.fromkeys([*factor_vars, cov.time[0], *([cov.group] if cov.group else [])])
    )
    absent = [nw.col(c).is_null() for c in needed]
    absent += [nw.col(c).is_nan() for c in needed if schema[c].is_float()]
    used = frame.select(needed).filter(~nw.any_horizontal(*absent, ignore_nulls=True))
    n_total = int(_collect(frame.select(nw.len().alias("n")))["n"].iloc[0])
    if model.variables[0] not in numeric:
        raise ModelSpecificationError(f"the response {model.variables[0]!r} is not numeric")
    floats = [c for c in needed if schema[c].is_float()]
    checks = [(~nw.col(c).is_finite()).cast(nw.Int64).sum().alias(f"{_P}inf_{c}") for c in floats]
    if weights:
        checks.append((nw.col(weights) <= 0).cast(nw.Int64).sum().alias(f"{_P}nonpositive"))
    counts = _collect(used.select(nw.len().alias("used"), *_means(model, numeric), *checks)).iloc[0]
    n_used = int(counts["used"])
    if not n_used:
        raise ModelSpecificationError(
            "no row has the response and every model variable: nothing to fit"
        )
    _check_values(counts, floats, weights)
    refs = dict(levels or {})
    found = {c: _levels(used, c, schema[c]) for c in factor_vars}
    factors = {c: _ordered(v, refs.get(c), schema[c]) for c, v in found.items()}
    mm = _layout(model, factors, sorted(numeric & set(model.variables)), cov.subject)
    columns = _columns(mm, factors, [f.key for f in model.factors if f.key in numeric])
    visit_levels = _ordered(found[cov.time[0]], None, schema[cov.time[0]])
    group_levels = factors[cov.group] if cov.group else ["all"]

    response = model.variables[0]
    rows = used.with_columns(
        *[_expr(col).alias(f"{_P}x{j}") for j, col in enumerate(columns)],
        nw.col(response).cast(nw.Float64).alias(f"{_P}y"),
        _code(cov.time[0], visit_levels, 1).alias(f"{_P}v"),
        _code(cov.time[0], visit_levels, 2).alias(f"{_P}bit"),
        (_code(cov.group, group_levels, 1) if cov.group else nw.lit(0)).alias(f"{_P}g"),
        (nw.col(weights).cast(nw.Float64) if weights else nw.lit(1.0)).alias(f"{_P}w"),
    )
    k = len(columns)
    if weights:
        root = nw.col(f"{_P}w").sqrt()
        rows = rows.with_columns(
            *[(nw.col(f"{_P}x{j}") * root).alias(f"{_P}x{j}") for j in range(k)],
            (nw.col(f"{_P}y") * root).alias(f"{_P}y"),
        )
    design_cols = [f"{_P}x{j}" for j in range(k)] + [f"{_P}y"]
    subjects = rows.group_by(cov.subject).agg(
        nw.col(f"{_P}bit").sum().alias(f"{_P}mask"),
        nw.col(f"{_P}g").min().alias(f"{_P}g"),
        nw.col(f"{_P}g").max().alias(f"{_P}gmax"),
        nw.len().alias(f"{_P}n"),
        nw.col(f"{_P}v").n_unique().alias(f"{_P}nv"),
        nw.col(f"{_P}w").log().sum().alias(f"{_P}logw"),
    )
    summary = _collect(
        subjects.group_by(f"{_P}mask", f"{_P}g").agg(
            nw.len().alias("n"),
            nw.col(f"{_P}logw").sum().alias("logw"),
            (nw.col(f"{_P}n") != nw.col(f"{_P}nv")).cast(nw.Int64).sum().alias("repeated"),
            (nw.col(f"{_P}g") != nw.col(f"{_P}gmax")).cast(nw.Int64).sum().alias("two_groups"),
        )
    )
    _check_subjects(summary, cov.subject, cov.time[0], cov.group)
    n_subjects = int(summary["n"].sum())
    keyed = rows.join(subjects.select(cov.subject, f"{_P}mask"), on=cov.subject, how="inner")
    sums = _collect(
        keyed.group_by(f"{_P}mask", f"{_P}g", f"{_P}v").agg(
            *[nw.col(c).sum().alias(c) for c in design_cols]
        )
    )
    left = keyed.select(
        cov.subject,
        f"{_P}mask",
        f"{_P}g",
        nw.col(f"{_P}v").alias("a"),
        *[nw.col(c).alias(f"l{i}") for i, c in enumerate(design_cols)],
    )
    right = keyed.select(
        cov.subject,
        nw.col(f"{_P}v").alias("b"),
        *[nw.col(c).alias(f"r{i}") for i, c in enumerate(design_cols)],
    )
    pairs = left.join(right, on=cov.subject, how="inner").filter(nw.col("a") <= nw.col("b"))
    products = [
        (nw.col(f"l{i}") * nw.col(f"r{j}")).sum().alias(f"p{i}_{j}")
        for i in range(k + 1)
        for j in range(k + 1)
    ]
    cross = _collect(pairs.group_by(f"{_P}mask", f"{_P}g", "a", "b").agg(*products))
    patterns = _patterns(summary, sums, cross, k)

    xtx = sum(np.einsum("aajk->jk", p.xx) for p in patterns)
    kept, names, aliased = drop_aliased(np.asarray(xtx), list(mm.columns))
    if aliased:
        patterns = [_subset(p, kept) for p in patterns]
    design = Design(
        x=np.empty((0, len(kept))),
        y=np.empty(0),
        columns=names,
        aliased=[*mm.aliased, *aliased],
        factors={c: v for c, v in mm.factors.items()},
        covariate_means={c: float(counts[f"{_P}mean_{c}"]) for c in mm.covariate_means},
        design_info=mm.design_info,
        frame=mm.frame.iloc[:0],
        n_dropped=n_total - n_used,
        keep=np.empty(0, dtype=bool),
        kept_columns=mm.kept_columns[kept],
        formula=mm.formula,
        weights=None,
        subject=np.empty(0, dtype=int),
        subject_labels=list(range(n_subjects)),
        visit=np.empty(0, dtype=int),
        visit_levels=visit_levels,
        coords=None,
        group=np.empty(0, dtype=int),
        group_levels=group_levels,
        aggregated=n_used,
    )
    return design, patterns


# -- the formula's columns as engine expressions --------------------------------------------


def _check_terms(model: Any) -> None:
    computed = [
        f.key
        for f in [*model.factors, model.response]
        if not isinstance(f.node, Name) and not f.categorical
    ]
    if computed:
        raise ModelSpecificationError(
            f"computed terms {computed} are not yet computed in an engine; add them as "
            "columns of the data (e.g. with_columns in polars, a SELECT in DuckDB) and name "
            "those in the formula"
        )


def _layout(
    model: Any, factors: dict[str, list[Any]], numeric: list[str], subject: str
) -> ModelMatrix:
    """patsy's columns of the formula on every combination of factor levels.

    Numeric columns take distinct positive values, so that no column is aliased by
    accident; the design's own aliasing is found later, from the data's cross-products.
    """
    names = [c for c in factors if c in model.variables or c == model.response.key]
    combos = list(itertools.product(*(factors[c] for c in names))) or [()]
    # as many copies of each combination as a cell has columns (intercept, numerics)
    combos = combos * (len(numeric) + 2)
    grid = pd.DataFrame(combos, columns=names, dtype=object)
    for c in names:
        grid[c] = pd.Categorical(grid[c], categories=factors[c])
    rng = np.random.default_rng(0)
    for c in numeric:
        grid[c] = rng.uniform(1.0, 2.0, len(grid))
    grid[subject] = np.arange(len(grid))
    return model_matrix(model, grid)


def _columns(mm: ModelMatrix, factors: dict[str, list[Any]], numeric: list[str]) -> list[_Column]:
    """Each design column as indicators times numeric columns, checked on the layout's grid."""
    grid = mm.frame.copy()
    base = _grid_rows(mm, grid)
    found = []
    for j in range(base.shape[1]):
        on = base[:, j] != 0
        levels = []
        for f in mm.factors:
            seen = grid.loc[on, f].unique()
            if len(seen) == 1 and len(factors[f]) > 1:
                levels.append((f, seen[0]))
            elif len(seen) != len(factors[f]):
                raise _unsupported(mm.columns[j])
        numerics = []
        for c in numeric:
            doubled = _grid_rows(mm, grid.assign(**{c: grid[c] * 2}))[:, j]
            if np.allclose(doubled[on], 2 * base[on, j], rtol=1e-12, atol=0):
                numerics.append(c)
        found.append(_Column(tuple(levels), tuple(numerics)))
    rebuilt = np.column_stack([_value(col, grid) for col in found])
    if not np.allclose(rebuilt, base, rtol=1e-12, atol=1e-12):
        raise _unsupported(", ".join(mm.columns))
    return found


def _grid_rows(mm: ModelMatrix, grid: pd.DataFrame) -> np.ndarray:
    values = grid.assign(**mm.formula.evaluate(grid, mm.formula.factors))
    (full,) = patsy.build_design_matrices([mm.design_info], values, NA_action="raise")
    return np.asarray(full, dtype=float)[:, mm.kept_columns]


def _value(col: _Column, grid: pd.DataFrame) -> np.ndarray:
    out = np.ones(len(grid))
    for f, level in col.levels:
        out *= (grid[f].astype(object) == level).to_numpy()
    for c in col.numeric:
        out *= grid[c].to_numpy(dtype=float)
    return out


def _unsupported(columns: str) -> ModelSpecificationError:
    return ModelSpecificationError(
        f"the design column(s) {columns} are not products of factor levels and numeric "
        "columns; fit this formula on a pandas DataFrame"
    )


def _expr(col: _Column) -> Any:
    import narwhals as nw

    out = nw.lit(1.0)
    for f, level in col.levels:
        out = out * (nw.col(f) == level).cast(nw.Float64)
    for c in col.numeric:
        out = out * nw.col(c).cast(nw.Float64)
    return out


def _code(column: str, levels: Sequence[Any], base: int) -> Any:
    """The level's position (``base=1``) or 2 to its power (``base=2``), as an integer."""
    import narwhals as nw

    terms = [
        (nw.col(column) == level).cast(nw.Int64) * (i if base == 1 else 2**i)
        for i, level in enumerate(levels)
    ]
    return nw.sum_horizontal(*terms) if len(terms) > 1 else terms[0]


def _means(model: Any, numeric: set[str]) -> list[Any]:
    import narwhals as nw

    return [
        nw.col(f.key).cast(nw.Float64).mean().alias(f"{_P}mean_{f.key}")
        for f in model.factors
        if f.key in numeric and not f.categorical
    ]


def _ordered(values: list[Any], reference: Any, dtype: Any) -> list[Any]:
    """Levels as :func:`~outcomes.models.core.frames.factor_levels` orders a pandas column:
    an Enum's order (as a categorical's), else sorted; the reference level first."""
    series = pd.Series(values, dtype=object)
    if getattr(dtype, "categories", None) is not None:
        series = series.astype(pd.CategoricalDtype(values, ordered=False))
    return factor_levels(series, reference)


def _levels(frame: Any, column: str, dtype: Any) -> list[Any]:
    """The levels of a factor the rows used have: an Enum's in its order, others sorted."""
    values = list(_collect(frame.select(column).unique())[column])
    order = getattr(dtype, "categories", None)
    if order is None:
        return values
    seen = set(values)
    return [level for level in order if level in seen]


# -- engine plumbing -------------------------------------------------------------------------


def _collect(frame: Any) -> pd.DataFrame:
    out: pd.DataFrame = frame.collect().to_pandas()
    return out


def _check_values(counts: pd.Series, floats: list[str], weights: str | None) -> None:
    """Refuse infinite numbers and non-positive weights, as the in-memory fit does."""
    problems = [
        f"{c!r} in {int(counts[f'{_P}inf_{c}'])} row(s)" for c in floats if counts[f"{_P}inf_{c}"]
    ]
    found = []
    if problems:
        found.append(
            "a model takes finite numbers only; infinite values in "
            + "; ".join(problems)
            + ". Set them to missing (the rows are then left out and counted) or correct them"
        )
    if weights and counts[f"{_P}nonpositive"]:
        found.append(
            f"weights in {weights!r} must be positive: {int(counts[f'{_P}nonpositive'])} row(s) "
            "are not"
        )
    if found:
        raise ModelSpecificationError("; ".join(found))


def _check_subjects(summary: pd.DataFrame, subject: str, visit: str, group: str | None) -> None:
    problems = []
    if summary["repeated"].sum():
        problems.append(
            f"{int(summary['repeated'].sum())} subject(s) have two rows at one {visit}; an "
            "MMRM takes one observation per subject and visit"
        )
    if group and summary["two_groups"].sum():
        problems.append(
            f"{int(summary['two_groups'].sum())} subject(s) are in more than one level of the "
            f"covariance group {group!r}"
        )
    if problems:
        raise ModelSpecificationError("; ".join(problems))


def _patterns(
    summary: pd.DataFrame, sums: pd.DataFrame, cross: pd.DataFrame, k: int
) -> list[Pattern]:
    """Pattern statistics from the engine's three small tables."""
    out = []
    mask_col, group_col = f"{_P}mask", f"{_P}g"
    by_sums = dict(tuple(sums.groupby([mask_col, group_col])))
    by_cross = dict(tuple(cross.groupby([mask_col, group_col])))
    xcols = [f"{_P}x{j}" for j in range(k)]
    ordered = summary.rename(columns={mask_col: "mask", group_col: "group"})
    for row in ordered.sort_values(["group", "mask"]).to_dict("records"):
        mask, group = int(row["mask"]), int(row["group"])
        where = np.array([v for v in range(63) if mask >> v & 1])
        s = len(where)
        pos = {v: i for i, v in enumerate(where)}
        m = np.zeros((s, s, k + 1, k + 1))
        for r in by_cross[(mask, group)].itertuples(index=False):
            block = np.array(r[4:], dtype=float).reshape(k + 1, k + 1)
            a, b = pos[int(r[2])], pos[int(r[3])]
            m[a, b] = block
            m[b, a] = block.T
        first = by_sums[(mask, group)].set_index(f"{_P}v").loc[where]
        out.append(
            Pattern(
                group=group,
                where=where,
                n=int(row["n"]),
                xx=np.ascontiguousarray(m[:, :, :k, :k]),
                xy=np.ascontiguousarray(m[:, :, :k, k]),
                yy=np.ascontiguousarray(m[:, :, k, k]),
                x_sum=first[xcols].to_numpy(dtype=float),
                y_sum=first[f"{_P}y"].to_numpy(dtype=float),
                log_weights=float(row["logw"]),
            )
        )
    return out


def _subset(pat: Pattern, kept: np.ndarray) -> Pattern:
    from dataclasses import replace

    return replace(
        pat,
        xx=pat.xx[:, :, kept][:, :, :, kept],
        xy=pat.xy[:, :, kept],
        x_sum=pat.x_sum[:, kept],
    )
