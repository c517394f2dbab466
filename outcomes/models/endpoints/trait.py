"""Trait change: a trait scale (neuroticism) before and after treatment, within and between arms.

Psychedelic trials report a trait such as NEO-FFI neuroticism at baseline and at a late
follow-up (Erritzoe et al. 2018; DOMAIN.md), and ask whether the acute experience (MEQ-30, EDI)
predicts or moderates its change. :func:`trait_change` gives, on the subjects with both
assessments (complete pairs; the others are counted):

``within``
    per arm, the paired t test, Wilcoxon signed-rank test and d_z (:func:`outcomes.paired_change`);
``between``
    the ANCOVA ``post ~ pre + arm``: the difference between arms adjusted for the baseline
    (R's ``lm``; the same difference as with the change as response), and ``lsmeans`` per arm;
``predictors``
    for each acute-experience score, the regression of the change on the baseline, the arm and
    the score (``model = "predictor"``: is a stronger experience followed by a larger change?),
    and with the arm x score interaction (``model = "moderator"``: does the arm difference
    depend on the experience?); rows ``term, estimate, std_error, df, statistic, p_value,
    conf_low, conf_high``. With one arm only, the arm terms are left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from outcomes.data import columns as col
from outcomes.data.describe import baseline_visits
from outcomes.data.frames import FrameLike, as_frame
from outcomes.errors import ModelSpecificationError
from outcomes.models.ancova import ancova
from outcomes.models.core.frames import factor_levels
from outcomes.models.endpoints.paired import paired_change, subject_scores

__all__ = ["TraitChange", "trait_change"]


@dataclass(frozen=True)
class TraitChange:
    """The tables of :func:`trait_change`.

    Attributes
    ----------
    data : DataFrame
        One row per subject: ``subject, arm, pre, post, change`` and the acute scores.
    within, between, lsmeans, predictors : DataFrame
        See the module docstring.
    notes : tuple of str
        Subjects left out, and why.
    """

    data: pd.DataFrame
    within: pd.DataFrame
    between: pd.DataFrame
    lsmeans: pd.DataFrame
    predictors: pd.DataFrame
    notes: tuple[str, ...]


def trait_change(
    data: FrameLike,
    *,
    instrument: str,
    pre: str | None = None,
    post: str | None = None,
    acute: Mapping[str, tuple[str, str | Sequence[str]]] | None = None,
    reference: Any = None,
    conf_level: float = 0.95,
) -> TraitChange:
    """Analyse a trait's change from ``pre`` to ``post``, within and between arms.

    Parameters
    ----------
    data : DataFrame or TrialData
        The long table, with ``subject``, ``arm``, ``instrument``, ``visit`` and ``total``.
    instrument : str
        The trait scale.
    pre, post : str, optional
        Its visits before and after treatment: by default its baseline visit
        (:func:`outcomes.baseline_visits`) and the last visit at which it was given.
    acute : mapping, optional
        Acute-experience scores as predictors: name -> ``(instrument, visit)``, or ``(instrument,
        [visits])`` for the mean over sessions, e.g. ``{"meq30": ("meq30", "DOSE 1")}``.
    reference : optional
        The reference (control) arm; by default the first arm in the data's order.
    conf_level : float

    Returns
    -------
    TraitChange

    Examples
    --------
    >>> import outcomes
    >>> result = trait_change(outcomes.load_sample(), instrument="neo-ffi-n",
    ...                       acute={"meq30": ("meq30", "DOSE 1")}, reference="PLACEBO")
    >>> result.within["arm"].tolist()
    ['PLACEBO', 'DMT']
    >>> result.between["contrast"].tolist()
    ['DMT - PLACEBO']
    >>> sorted(set(result.predictors["model"]))
    ['moderator', 'predictor']
    """
    frame = as_frame(data)
    if pre is None:
        pre = baseline_visits(frame).get(instrument)
        if pre is None:
            raise ModelSpecificationError(
                f"no {instrument!r} rows in the baseline phase: give pre= (its visit before "
                "treatment)"
            )
    if post is None:
        rows = frame[frame[col.INSTRUMENT] == instrument]
        if rows.empty or col.VISIT_NUM not in rows or rows[col.VISIT_NUM].isna().all():
            raise ModelSpecificationError(f"no {instrument!r} rows with a visit number: give post=")
        post = str(rows[col.VISIT].iloc[int(np.nanargmax(rows[col.VISIT_NUM].to_numpy(float)))])
    acute = dict(acute or {})
    clash = {"pre", "post", "change"} & set(acute)
    if clash:
        raise ModelSpecificationError(f"acute score names {sorted(clash)} are taken; choose others")
    table = subject_scores(frame, {"pre": (instrument, pre), "post": (instrument, post), **acute})
    table["change"] = table["post"] - table["pre"]
    order = factor_levels(table["arm"], reference)
    table["arm"] = pd.Categorical(table["arm"].astype(object), categories=order)
    complete = table[["pre", "post"]].notna().all(axis=1)
    notes = []
    if (~complete).any():
        per_arm = table.loc[~complete].groupby("arm", observed=True).size()
        notes.append(
            f"{int((~complete).sum())} subjects without both {instrument} at {pre} and {post} "
            f"left out ({', '.join(f'{a}: {k}' for a, k in per_arm.items())})"
        )
    within = paired_change(table, pre="pre", post="post", arm="arm", conf_level=conf_level)
    pairs = table[complete]
    two_arms = pairs["arm"].nunique() > 1
    refs = {"arm": order[0]} if two_arms else None
    if two_arms:
        fit = ancova("post ~ pre + arm", pairs, levels=refs, conf_level=conf_level)
        between, lsmeans = fit.contrasts("arm"), fit.lsmeans("arm")
    else:
        between = lsmeans = pd.DataFrame()
    predictors = _predictors(pairs, list(acute), two_arms, refs, conf_level, notes)
    return TraitChange(table, within, between, lsmeans, predictors, tuple(notes))


def _predictors(
    pairs: pd.DataFrame,
    names: list[str],
    two_arms: bool,
    levels: dict[str, Any] | None,
    conf_level: float,
    notes: list[str],
) -> pd.DataFrame:
    """The predictor and moderator regressions of the change on each acute score."""
    tables = []
    arm = " + arm" if two_arms else ""
    for name in names:
        used = pairs.dropna(subset=[name])
        if len(used) < len(pairs):
            notes.append(f"{len(pairs) - len(used)} subjects without {name} left out of its models")
        models = {"predictor": f"change ~ pre{arm} + {name}"}
        if two_arms:
            models["moderator"] = f"change ~ pre + arm * {name}"
        for model, formula in models.items():
            fit = ancova(formula, used, levels=levels, conf_level=conf_level)
            table = fit.to_frame()
            table.insert(0, "model", model)
            table.insert(0, "score", name)
            tables.append(table)
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
