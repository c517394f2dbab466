"""Responder rates, risk difference, odds ratio, marginal difference and NNT by visit, from
``outcomes.responders``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from outcomes.data.frames import require
from outcomes.models.endpoints.responders import RESPONDER_COLUMNS
from outcomes.tables.builders.common import ci_label, decimals_for
from outcomes.tables.format import format_estimate_ci, format_n_percent, format_nnt
from outcomes.tables.table import Table

__all__ = ["responder_table"]

_MISSING_RULES = {
    "non-responder": "a subject without a value counts as a non-responder (composite strategy); "
    "N is every subject of the arm",
    "exclude": "subjects without a value are left out (observed cases); N is the subjects "
    "with a value",
}


def responder_table(
    rates: pd.DataFrame,
    *,
    covariates: Sequence[str] | None = None,
    conf_level: float = 0.95,
    decimals: Mapping[str, int] | None = None,
    title: str = "Responders",
) -> Table:
    """Responder rates by arm, risk difference, odds ratio and NNT, from
    :func:`outcomes.responders`.

    Parameters
    ----------
    rates : DataFrame
        The output of :func:`outcomes.responders`: its ``by`` column(s) (e.g. ``visit``), then
        :data:`~outcomes.models.endpoints.responders.RESPONDER_COLUMNS`.
    covariates : sequence of str, optional
        The covariates the odds ratios were adjusted for (the ``covariates`` given to
        ``responders``), for the footnote; ``()`` for none. The rates do not record them: when
        not given, the footnote says that the adjustment is not stated.
    conf_level : float
        The level the intervals were computed at.
    decimals : mapping, optional
        Overrides of :data:`~outcomes.tables.format.DECIMALS` (``percent``, ``ratio``).
    title : str

    Returns
    -------
    Table
        The ``by`` columns (and ``contrast`` when there is more than one), ``treatment`` and
        ``reference`` as n/N (%), ``risk_difference`` in percentage points with its CI,
        ``odds_ratio`` with its CI, ``marginal_difference`` (the covariate-adjusted marginal
        risk difference, in percentage points with its CI; not when ``covariates=()``), ``nnt``
        rounded up.

    Examples
    --------
    >>> import outcomes
    >>> df = pd.DataFrame({"id": range(8), "arm": ["A"] * 4 + ["B"] * 4,
    ...                    "resp": [True, True, True, False, True, False, False, None]})
    >>> rates = outcomes.responders(df, outcome="resp", arm="arm", subject="id", reference="B")
    >>> responder_table(rates, covariates=()).to_frame().iloc[0].tolist()
    ['3/4 (75.0%)', '1/4 (25.0%)', '50.0 (-13.5 to 78.9)', '9.00 (0.37 to 220.93)', '2']
    """
    require(rates, RESPONDER_COLUMNS, "responder rates")
    dec = decimals_for(decimals)
    by = [c for c in rates.columns if c not in RESPONDER_COLUMNS]
    contrasts = list(dict.fromkeys(rates["contrast"]))
    marginal = covariates is None or len(covariates) > 0
    stub = [*by, *(["contrast"] if len(contrasts) > 1 else [])]
    rows = []
    for _, r in rates.iterrows():
        rd = [100 * r[c] for c in ("risk_difference", "rd_conf_low", "rd_conf_high")]
        mrd = [100 * r[c] for c in ("marginal_rd", "marginal_rd_conf_low", "marginal_rd_conf_high")]
        rows.append(
            {
                **{c: str(r[c]) for c in stub},
                "treatment": format_n_percent(r["responders"], r["n"], dec["percent"], show_n=True),
                "reference": format_n_percent(
                    r["responders_reference"], r["n_reference"], dec["percent"], show_n=True
                ),
                "risk_difference": format_estimate_ci(*rd, dec["percent"]),
                "odds_ratio": format_estimate_ci(
                    r["odds_ratio"], r["or_conf_low"], r["or_conf_high"], dec["ratio"]
                ),
                **(
                    {"marginal_difference": format_estimate_ci(*mrd, dec["percent"])}
                    if marginal
                    else {}
                ),
                "nnt": format_nnt(r["nnt"]),
            }
        )
    ci = ci_label(conf_level)
    if len(contrasts) == 1:
        treated, _, ref = str(contrasts[0]).partition(" - ")
    else:
        treated, ref = "Treatment", "Reference"
    labels = {c: c[:1].upper() + c[1:] for c in stub}
    labels |= {
        "treatment": f"{treated} n/N (%)",
        "reference": f"{ref} n/N (%)",
        "risk_difference": f"Difference, % points ({ci})",
        "odds_ratio": f"Odds ratio ({ci})",
        **({"marginal_difference": f"Adjusted difference, % points ({ci})"} if marginal else {}),
        "nnt": "NNT",
    }
    if covariates is None:
        adjusted = "with the covariates given to outcomes.responders() (not stated here)"
    elif len(covariates):
        adjusted = f"adjusted for {', '.join(covariates)}"
    else:
        adjusted = "unadjusted"
    difference = f"{treated} minus {ref}" if len(contrasts) == 1 else "each arm minus the reference"
    footnotes = [
        f"n/N (%): responders of the subjects counted. Difference: {difference}, in percentage "
        "points, with Newcombe's hybrid score interval.",
        f"Odds ratio: logistic regression of response on arm, {adjusted}; Wald interval.",
        *(
            [
                f"Adjusted difference: marginal risk difference, {adjusted}, by g-computation "
                "after the logistic regression, with Ye et al.'s (2023) variance; Wald interval."
            ]
            if marginal
            else []
        ),
        "NNT: number needed to treat, 1 / risk difference, rounded up; negative: number "
        "needed to harm; Inf: no difference.",
    ]
    for rule in dict.fromkeys(rates["missing_rule"]):
        footnotes.append(f"Missing data: {_MISSING_RULES.get(rule, rule)}.")
    for column, name in (("or_note", "Odds ratio"), ("marginal_note", "Adjusted difference")):
        if column == "marginal_note" and not marginal:
            continue
        notes = rates[rates[column].fillna("").astype(str) != ""]
        for note, part in notes.groupby(column, sort=False):
            where = ", ".join(" ".join(str(v) for v in row) for row in part[stub].to_numpy())
            footnotes.append(f"{name} {note}" + (f" ({where})." if where else "."))
    return Table(
        pd.DataFrame(rows, columns=list(labels)),
        title,
        footnotes=tuple(footnotes),
        column_labels=labels,
        stub=tuple(stub),
    )
