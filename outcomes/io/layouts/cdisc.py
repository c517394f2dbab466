"""What the CDISC layouts share: standard covariate names and ISO 8601 elapsed times."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["COVARIATES", "hours_from_iso", "iso_from_hours", "upper_columns"]

#: CDISC DM/ADSL variables kept as covariates, and the names they take in TrialData.
COVARIATES: dict[str, str] = {
    "SEX": "sex", "AGE": "age", "SITEID": "site", "RACE": "race", "ETHNIC": "ethnicity",
    "COUNTRY": "country",
}

_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<d>[\d.]+)D)?(?:T(?:(?P<h>[\d.]+)H)?(?:(?P<m>[\d.]+)M)?(?:(?P<s>[\d.]+)S)?)?$"
)


def upper_columns(raw: pd.DataFrame) -> dict[str, str]:
    """Upper-cased variable name -> the file's column name (CDISC names are upper case)."""
    return {str(c).upper(): c for c in raw.columns}


def hours_from_iso(values: pd.Series) -> pd.Series:
    """Hours from ISO 8601 durations such as ``PT24H``, ``P1DT2H``, ``PT90M`` (missing if not one).

    Examples
    --------
    >>> hours_from_iso(pd.Series(["PT24H", "P1DT2H", "PT90M", "-PT1H", None, "soon"])).tolist()
    [24.0, 26.0, 1.5, -1.0, nan, nan]
    """
    def one(text: object) -> float:
        if not isinstance(text, str):
            return np.nan
        m = _DURATION.match(text.strip())
        if m is None or not any(m.group(k) for k in "dhms"):
            return np.nan
        hours = (float(m.group("d") or 0) * 24 + float(m.group("h") or 0)
                 + float(m.group("m") or 0) / 60 + float(m.group("s") or 0) / 3600)
        return -hours if m.group("sign") else hours

    return values.map(one).astype(float)


def iso_from_hours(hours: pd.Series) -> pd.Series:
    """ISO 8601 durations ``PT<h>H`` from hours (empty where missing).

    Examples
    --------
    >>> iso_from_hours(pd.Series([24.0, 1.5, None])).tolist()
    ['PT24H', 'PT1.5H', '']
    """
    return hours.map(lambda h: "" if pd.isna(h) else f"PT{float(h):g}H")
