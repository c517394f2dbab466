"""Checks of the score values, and the totals scored from them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from outcomes.data.problems import ProblemLog, location
from outcomes.data.text import as_text
from outcomes.instruments import Instrument, score
from outcomes.io.measures import MeasureIndex

__all__ = ["TOTAL_TOLERANCE", "check_values", "score_records", "total_codes"]

#: Reported and scored totals may differ by this much (rounding in mean-scored scales).
TOTAL_TOLERANCE = {"sum": 1e-6, "mean": 0.005}


def check_values(
    values: pd.DataFrame, rec: pd.DataFrame, index: MeasureIndex, log: ProblemLog
) -> tuple[pd.DataFrame, set[int]]:
    """Numeric score values, checked, and the records that had an invalid one (each reported)."""
    v = values.merge(rec[["record", "subject", "visit", "instrument"]], on="record")
    text = as_text(v["value"])
    v["number"] = pd.to_numeric(text, errors="coerce")
    v["text"] = text
    v = v[text.notna()]
    bad = v["number"].isna()
    for _, r in v[bad].iterrows():
        log.add(
            "error",
            "non-numeric-score",
            f"row {r['source_row']}, column {r['column']!r}: {r['text']!r} is not a score "
            f"({r['instrument']}, subject {r['subject']}, visit {r['visit']})",
            hint="correct the value, or leave the cell empty if it was not answered",
            **_cell(r),
        )
    invalid = set(v.loc[bad, "record"])
    v = v[~bad]
    lo, hi, whole = _ranges(index)
    code = v["code"].astype("category")  # look-ups per code, not per value
    low = code.map(lo).astype(float)
    high = code.map(hi).astype(float)
    totals = total_codes(index)
    is_total = v["code"].isin(totals)
    out = (v["number"] < low) | (v["number"] > high)
    for _, r in v[out].iterrows():
        what = "total" if r["code"] in totals else f"item {r['code']}"
        log.add(
            "error",
            "total-out-of-range" if what == "total" else "item-out-of-range",
            f"row {r['source_row']}, column {r['column']!r}: {r['instrument']} {what} "
            f"{r['text']} is outside {lo[r['code']]:g}-{hi[r['code']]:g} "
            f"(subject {r['subject']}, visit {r['visit']})",
            hint="correct the value; a code for 'not done' (e.g. -9, 99) should be an empty cell",
            **_cell(r),
        )
    frac = ~is_total & code.map(whole).astype(bool) & (v["number"] % 1 != 0) & ~out
    for _, r in v[frac].iterrows():
        log.add(
            "warning",
            "item-not-whole",
            f"row {r['source_row']}, column {r['column']!r}: item {r['code']} is {r['text']}, "
            "not a whole number",
            hint="check the value; this scale's items are whole numbers",
            **_cell(r),
        )
    dup = v.duplicated(["record", "code"], keep=False)
    for (_, repeated), grp in v[dup].groupby(["record", "code"], sort=False):
        r = grp.iloc[1]  # the first repeat, as for duplicate assessments
        rows = ", ".join(str(x) for x in grp["source_row"])
        log.add(
            "error",
            "duplicate-value",
            f"{r['instrument']} {repeated} for subject {r['subject']} at visit {r['visit']} is "
            "given "
            f"{len(grp)} times (rows {rows})",
            hint="keep one value and remove the others",
            **_cell(r),
        )
    invalid |= set(v.loc[out, "record"])
    return v[~out].drop_duplicates(["record", "code"]), invalid


def _cell(value: pd.Series) -> dict[str, object]:
    """The location of one score value: its assessment, column and text."""
    return {**location(value), "column": value["column"], "value": value["text"]}


def total_codes(index: MeasureIndex) -> set[str]:
    """The total codes of every instrument in ``index``."""
    return {i.total_code for i in index.instruments.values()}


def _ranges(index: MeasureIndex) -> tuple[dict[str, float], dict[str, float], dict[str, bool]]:
    lo: dict[str, float] = {}
    hi: dict[str, float] = {}
    whole: dict[str, bool] = {}
    for inst in index.instruments.values():
        for item in inst.items:
            lo[item.code], hi[item.code] = item.min, item.max
            whole[item.code] = (
                item.whole
                if item.whole is not None
                else float(item.min).is_integer() and item.max - item.min <= 10
            )
        lo[inst.total_code], hi[inst.total_code] = inst.total_min, inst.total_max
        whole[inst.total_code] = False
    return lo, hi, whole


def score_records(
    rec: pd.DataFrame,
    values: pd.DataFrame,
    index: MeasureIndex,
    max_missing: int,
    log: ProblemLog,
    invalid: set[int],
) -> pd.DataFrame:
    """Items and total of every record: reported totals checked against the items.

    Records with an invalid value (already reported) get no 'total not scored' warning.
    """
    wide = values.pivot(index="record", columns="code", values="number")
    wide = wide.reindex(rec["record"])
    out = pd.DataFrame(index=rec["record"])
    out["total"] = np.nan
    out["total_source"] = pd.Series(np.nan, index=out.index, dtype="str")
    located = rec.set_index("record")
    for name, grp in rec.groupby("instrument", sort=True):
        inst: Instrument = index.instruments[str(name)]
        ids = grp["record"]
        items = wide.reindex(index=ids, columns=inst.item_codes)
        scored = score(inst, items, max_missing=max_missing)
        reported = wide.reindex(index=ids, columns=[inst.total_code]).iloc[:, 0]
        complete = items.notna().all(axis=1) & (not inst.totals_only)
        gap = (reported - scored["total"]).abs()
        mismatch = complete & reported.notna() & (gap > TOTAL_TOLERANCE[inst.scoring])
        where = values[values["code"] == inst.total_code].set_index("record")
        for rid in ids[mismatch.to_numpy()]:
            r = located.loc[rid]
            log.add(
                "error",
                "total-mismatch",
                f"row {where.at[rid, 'source_row']}, column {where.at[rid, 'column']!r}: "
                f"{inst.name} total {reported[rid]:g} does not equal "
                f"its items, which score {scored.at[rid, 'total']:g} "
                f"(subject {r['subject']}, visit {r['visit']})",
                hint="correct the items or the total; reverse-keyed items are "
                f"{[i.code for i in inst.items if i.reverse] or 'none'}",
                row=where.at[rid, "source_row"],
                subject=r["subject"],
                visit=r["visit"],
                instrument=inst.name,
                column=where.at[rid, "column"],
                value=f"{reported[rid]:g}",
            )
        use_reported = reported.notna() & ~complete
        total = scored["total"].where(~use_reported, reported)
        source = scored["total_source"].where(~use_reported, "reported")
        unscored = total.isna() & items.notna().any(axis=1) & ~ids.isin(invalid).to_numpy()
        item_codes = np.array(inst.item_codes)
        absent = items.isna().to_numpy()
        for k in np.flatnonzero(unscored.to_numpy()):
            rid = ids.iloc[k]
            r = located.loc[rid]
            missing = list(item_codes[absent[k]])
            log.add(
                "warning",
                "total-not-scored",
                f"row {r['source_row']}: no {inst.name} total for subject {r['subject']} at "
                f"visit {r['visit']}: {len(missing)} item(s) missing ({', '.join(missing)}) "
                f"and the policy allows {max_missing}",
                hint="the row is kept with its items; allow prorating with max_missing_items=k",
                row=r["source_row"],
                subject=r["subject"],
                visit=r["visit"],
                instrument=inst.name,
            )
        out.loc[ids, "total"] = total.to_numpy()
        out.loc[ids, "total_source"] = source.astype("str").to_numpy()
        for code in inst.item_codes:
            out.loc[ids, code] = items[code].to_numpy()
    return out
