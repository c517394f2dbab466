"""Blinding integrity: Bang's and James' blinding indices from end-of-treatment guesses.

At the end of blinded treatment, participants (or raters) guess which arm they were in, or say
they do not know. For a two-arm trial with an active and a control arm (``reference=``):

**Bang's index** (Bang, Ni & Davis 2004, Controlled Clinical Trials 25:143-156), per arm:
``BI = (n_correct - n_incorrect) / n``, with don't-know answers in ``n``; the correct guess in the
control arm is "control". Its variance is ``(p_c (1 - p_c) + p_i (1 - p_i) + 2 p_c p_i) / n``
(``p_c, p_i`` the shares of correct and incorrect guesses) and the interval is Wald's. BI ranges
from -1 to 1: 0 is random guessing, 1 everyone guessed right, -1 everyone guessed wrong. Bang
et al. read ``|BI| <= 0.2`` as consistent with blinding, ``BI > 0.2`` as unblinding and
``BI < -0.2`` as "opposite guessing" (e.g. a placebo effect mistaken for the drug).

**James' index** (James, Bloch, Lee, Kraemer & Fuller 1996, Statistics in Medicine
15:1421-1434), one for the trial: a kappa-type measure of disagreement between guess and arm,
weighted so that a don't-know answer counts as full blinding. With ``p_ij`` the shares of the
table (guess ``i`` = active / reference, arm ``j``), ``P_DK`` the share of don't-know, ``w`` the
disagreement weights (0 for a correct guess, 1/2 for an incorrect one), ``p_i.`` and ``q_j`` the
margins of the guessed part:
``kappa = (P_o - P_e) / P_e`` with ``P_o = sum w_ij p_ij / (1 - P_DK)`` and
``P_e = sum w_ij p_i. q_j / (1 - P_DK)^2``, and ``BI = (1 + P_DK + (1 - P_DK) kappa) / 2``; its
large-sample variance is James et al.'s. BI ranges from 0 (complete unblinding) to 1 (complete
blinding), 0.5 being guessing at chance; blinding is judged to have failed when the upper
confidence limit is below 0.5. If nobody guessed, BI = 1 with standard error 0.

A respondent with no answer at all (a missing guess) is left out and counted in ``n_missing``:
"don't know" is an answer, a missing guess is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats

from outcomes.data.frames import FrameLike
from outcomes.deprecation import renamed
from outcomes.errors import ArgumentTypeError, ModelSpecificationError

__all__ = ["BLINDING_COLUMNS", "blinding", "blinding_from_counts"]

#: Columns of the tables of :func:`blinding` and :func:`blinding_from_counts`.
BLINDING_COLUMNS: tuple[str, ...] = (
    "index",
    "arm",
    "n",
    "n_correct",
    "n_incorrect",
    "n_dont_know",
    "n_missing",
    "estimate",
    "std_error",
    "conf_low",
    "conf_high",
    "interpretation",
)

_DONT_KNOW = ("don't know", "dont know", "do not know", "unsure", "DK")
_DK = "dont_know"


@renamed(control="reference")
def blinding(
    data: FrameLike,
    *,
    reference: Any,
    arm: str = "arm",
    guess: str = "guess",
    dont_know: Iterable[Any] = _DONT_KNOW,
    by: str | None = None,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Bang's index per arm and James' index overall, from one guess per respondent.

    Parameters
    ----------
    data : DataFrame or TrialData
        One row per respondent (a TrialData's ``subjects`` table is used), with the randomised
        arm and the guess: the name of an arm, or a don't-know answer.
    reference : object
        The reference (placebo) arm; the other arm is the active one.
    arm, guess : str
        Columns of the arm and the guess.
    dont_know : iterable
        Answers that mean "don't know" (compared without regard to case).
    by : str, optional
        A column to compute the indices separately for (e.g. ``"rater"``: participant,
        therapist, outcome assessor).
    conf_level : float

    Returns
    -------
    DataFrame
        Columns :data:`BLINDING_COLUMNS` (after ``by``): ``index`` is ``"bang"`` (one row per
        arm) or ``"james"`` (``arm`` is ``"overall"``).

    Examples
    --------
    >>> guesses = pd.DataFrame({
    ...     "arm": ["DMT"] * 17 + ["PLACEBO"] * 17,
    ...     "guess": ["DMT"] * 15 + ["PLACEBO", "don't know"]
    ...              + ["DMT"] * 4 + ["PLACEBO"] * 11 + ["don't know"] * 2})
    >>> table = blinding(guesses, reference="PLACEBO")
    >>> table[["index", "arm", "estimate"]].round(3).values.tolist()
    [['bang', 'DMT', 0.824], ['bang', 'PLACEBO', 0.412], ['james', 'overall', 0.236]]
    """
    frame = data.subjects if hasattr(data, "subjects") else data
    if not isinstance(frame, pd.DataFrame):
        raise ArgumentTypeError(
            f"data must be a DataFrame or a TrialData, not {type(data).__name__}"
        )
    missing_cols = [c for c in (arm, guess, *([by] if by else [])) if c not in frame.columns]
    if missing_cols:
        raise ModelSpecificationError(
            f"the data have no column(s) {missing_cols}; they have {list(frame)}"
        )
    arms = [a for a in pd.unique(frame[arm].dropna())]
    if reference not in arms:
        raise ModelSpecificationError(f"reference arm {reference!r} is not among the arms {arms}")
    if len(arms) != 2:
        raise ModelSpecificationError(
            f"the blinding indices are for two arms; the data have {arms}"
        )
    active = next(a for a in arms if a != reference)
    unknown = {str(v).strip().casefold() for v in dont_know}
    lookup = {**{u: _DK for u in unknown}, **{str(a).strip().casefold(): a for a in arms}}
    text = frame[guess].map(lambda g: g if pd.isna(g) else str(g).strip())
    answer = text.map(lambda g: lookup.get(g.casefold(), g) if isinstance(g, str) and g else None)
    bad = answer.notna() & ~answer.isin([*arms, _DK])
    if bad.any():
        listed = ", ".join(f"row {i}: {frame.loc[i, guess]!r}" for i in frame.index[bad][:10])
        raise ModelSpecificationError(
            f"{int(bad.sum())} guesses are neither an arm ({active!r}, {reference!r}) nor a "
            f"don't-know answer {sorted(unknown)}: {listed}"
        )
    no_arm = frame[arm].isna()
    if no_arm.any():
        raise ModelSpecificationError(f"rows {list(frame.index[no_arm][:10])} have no arm")
    parts = frame.assign(_answer=answer.fillna("missing")).groupby(
        [by] if by else (lambda _: 0), sort=False
    )
    tables = []
    for key, part in parts:
        counts = pd.crosstab(part[arm], part["_answer"]).reindex(
            index=[active, reference], columns=[active, reference, _DK, "missing"], fill_value=0
        )
        table = blinding_from_counts(
            counts.drop(columns="missing"),
            reference=reference,
            dont_know=_DK,
            conf_level=conf_level,
        )
        table["n_missing"] = [*counts["missing"].to_list(), int(counts["missing"].sum())]
        if by:
            level: Any = key[0] if isinstance(key, tuple) else key
            table.insert(0, by, level)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


@renamed(control="reference")
def blinding_from_counts(
    counts: pd.DataFrame,
    *,
    reference: Any,
    dont_know: Any = _DK,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Bang's and James' indices from a table of counts: rows arms, columns guesses.

    Parameters
    ----------
    counts : DataFrame
        Two rows (the arms) and three columns: one named for each arm (that guess) and the
        don't-know column.
    reference : object
        The reference arm.
    dont_know : object
        The name of the don't-know column.

    Returns
    -------
    DataFrame
        As :func:`blinding` (``n_missing`` 0).

    Examples
    --------
    Enblom et al. (2011), verum against sham acupuncture; Bang's indices printed as 0.72
    (0.60 to 0.83) and -0.60 (-0.74 to -0.46):

    >>> counts = pd.DataFrame({"verum": [74, 68], "sham": [6, 11], "dont_know": [15, 16]},
    ...                       index=["verum", "sham"])
    >>> t = blinding_from_counts(counts, reference="sham")
    >>> t.loc[t["index"] == "bang", ["estimate", "conf_low", "conf_high"]].round(2).values.tolist()
    [[0.72, 0.6, 0.83], [-0.6, -0.74, -0.46]]
    """
    arms = list(counts.index)
    if len(arms) != 2 or reference not in arms:
        raise ModelSpecificationError(
            f"counts must have two arms as rows, one of them {reference!r}: {arms}"
        )
    active = next(a for a in arms if a != reference)
    missing_cols = [c for c in (active, reference, dont_know) if c not in counts.columns]
    if missing_cols:
        raise ModelSpecificationError(
            f"counts have no column(s) {missing_cols}; they have {list(counts)}"
        )
    table = counts.loc[[active, reference], [active, reference, dont_know]].to_numpy(dtype=float)
    if (table < 0).any():
        raise ModelSpecificationError("counts must not be negative")
    z = scipy.stats.norm.ppf(1 - (1 - conf_level) / 2)
    rows = []
    for i, name in enumerate((active, reference)):
        correct, incorrect, unsure = table[i, i], table[i, 1 - i], table[i, 2]
        n = correct + incorrect + unsure
        bi, se = _bang(correct, incorrect, n)
        rows.append(
            (
                "bang",
                name,
                n,
                correct,
                incorrect,
                unsure,
                0,
                bi,
                se,
                bi - z * se,
                bi + z * se,
                _bang_reading(bi),
            )
        )
    bi, se = _james(table)
    low, high = bi - z * se, bi + z * se
    rows.append(
        (
            "james",
            "overall",
            table.sum(),
            table[0, 0] + table[1, 1],
            table[0, 1] + table[1, 0],
            table[:, 2].sum(),
            0,
            bi,
            se,
            low,
            high,
            "lack of blinding (upper limit below 0.5)"
            if high < 0.5
            else "no evidence of a lack of blinding",
        )
    )
    out = pd.DataFrame(rows, columns=list(BLINDING_COLUMNS))
    count_cols = ["n", "n_correct", "n_incorrect", "n_dont_know", "n_missing"]
    out[count_cols] = out[count_cols].astype(int)
    return out


def _bang(correct: float, incorrect: float, n: float) -> tuple[float, float]:
    """Bang's index of one arm and its large-sample standard error."""
    if n == 0:
        return np.nan, np.nan
    p_c, p_i = correct / n, incorrect / n
    variance = (p_c * (1 - p_c) + p_i * (1 - p_i) + 2 * p_c * p_i) / n
    return p_c - p_i, float(np.sqrt(variance))


def _bang_reading(bi: float) -> str:
    if np.isnan(bi):
        return "no answers"
    if bi > 0.2:
        return "more correct guesses than chance (unblinding)"
    if bi < -0.2:
        return "more incorrect guesses than chance (opposite guessing)"
    return "consistent with random guessing"


def _james(table: np.ndarray) -> tuple[float, float]:
    """James' index and its standard error from the arms x (active, reference, don't know) table."""
    n = table.sum()
    if n == 0:
        return np.nan, np.nan
    p = table[:, :2].T / n  # p[i, j]: guess i (active, reference), arm j (active, reference)
    p_dk = table[:, 2].sum() / n
    guessed = 1 - p_dk
    if guessed == 0:
        return 1.0, 0.0
    w = np.array([[0.0, 0.5], [0.5, 0.0]])
    row, col = p.sum(axis=1), p.sum(axis=0)
    expected = float(row @ w @ col)
    if expected == 0:
        return np.nan, np.nan
    observed = float(np.sum(w * p))
    kappa = (observed / guessed - expected / guessed**2) / (expected / guessed**2)
    bi = (1 + p_dk + guessed * kappa) / 2
    e = (w.T @ row)[None, :] + (w @ col)[:, None]  # e_ij = sum_r w_rj p_r. + sum_r w_ir q_r
    first = np.sum(p * guessed**2 * (guessed * w - (1 + kappa) * e) ** 2) / (4 * expected**2)
    variance = (
        first + p_dk * guessed - guessed * (1 + kappa) * (p_dk + guessed * (1 + kappa) / 4)
    ) / n
    return float(bi), float(np.sqrt(max(variance, 0.0)))
