"""The schedule behind the data: given or inferred, visit labels, windows, baselines."""

from __future__ import annotations

import pandas as pd

from outcomes.data.problems import ProblemLog, location
from outcomes.data.schedule import Schedule
from outcomes.io.mapping import normalise

__all__ = ["check_missing_baseline", "check_windows", "resolve_schedule"]


def resolve_schedule(
    rec: pd.DataFrame,
    rc: dict[str, str],
    schedule: Schedule | None,
    log: ProblemLog,
    *,
    baseline: str | None = None,
) -> tuple[Schedule, list[str]]:
    seen = rec.dropna(subset=["visit"])
    numbers = seen.dropna(subset=["visit_num"]).groupby("visit", sort=False)["visit_num"]
    for visit, nums in numbers:
        if nums.nunique() > 1:
            usual = nums.mode().iloc[0]
            for _, r in rec.loc[nums.index[nums != usual]].drop_duplicates("source_row").iterrows():
                log.add(
                    "error",
                    "visit-number-inconsistent",
                    f"row {r['source_row']}: visit {visit!r} has visit number "
                    f"{r['visit_num']:g}, elsewhere {usual:g}",
                    hint="give each visit label one visit number",
                    row=r["source_row"],
                    subject=r["subject"],
                    visit=visit,
                    column=rc.get("visit_num"),
                    value=r["visit_num"],
                )
    if schedule is not None:
        notes = _align_visits(rec, schedule)
        seen = rec.dropna(subset=["visit"])
        known = set(schedule.visit_names)
        unknown = seen[~seen["visit"].isin(known)]
        for visit, grp in unknown.groupby("visit", sort=False):
            log.add(
                "error",
                "visit-not-in-schedule",
                f"visit {visit!r} is not in the schedule ({len(grp)} rows, first row "
                f"{grp['source_row'].min()}); the schedule has {schedule.visit_names}",
                hint="correct the visit label, or add the visit to the schedule",
                row=grp["source_row"].min(),
                subject=grp["subject"].iloc[0],
                visit=visit,
                column=rc.get("visit"),
                value=visit,
            )
        return schedule, notes
    order = list(dict.fromkeys(seen["visit"]))
    numbers_known = "visit_num" in rc and seen["visit_num"].notna().all()
    nums = seen.groupby("visit", sort=False)["visit_num"].min() if numbers_known else None
    days = seen.groupby("visit", sort=False)["study_day"].median()
    inferred = Schedule.infer(
        order,
        numbers=[float(nums[v]) for v in order] if nums is not None else None,
        days=[float(days[v]) for v in order] if days.notna().all() else None,
        baseline_visit=baseline,
    )
    return inferred, [f"schedule inferred: {n}" for n in inferred.notes]


def _align_visits(rec: pd.DataFrame, schedule: Schedule) -> list[str]:
    """Write visit labels as the schedule does where they differ only in case and punctuation."""
    by_key = {normalise(v): v for v in schedule.visit_names}
    labels = rec["visit"].dropna().unique()
    renames = {
        lab: by_key[normalise(lab)]
        for lab in labels
        if lab not in by_key.values() and normalise(lab) in by_key
    }
    if not renames:
        return []
    rec["visit"] = rec["visit"].replace(renames)
    return [f"visit labels matched to the schedule: {renames}"]


def check_windows(
    rec: pd.DataFrame, rc: dict[str, str], schedule: Schedule, log: ProblemLog
) -> None:
    windows = {v.name: v.window for v in schedule.visits if v.window is not None}
    planned = schedule.to_frame().set_index("visit")
    low = rec["visit"].map(planned["window_low"]).astype(float)
    high = rec["visit"].map(planned["window_high"]).astype(float)
    outside = (rec["study_day"] < low) | (rec["study_day"] > high)
    for _, r in rec[outside].drop_duplicates("source_row").iterrows():
        w = windows[r["visit"]]
        log.add(
            "warning",
            "visit-outside-window",
            f"row {r['source_row']}: subject {r['subject']}'s visit {r['visit']} on study day "
            f"{r['study_day']:g} is outside its window (days {w[0]:g} to {w[1]:g})",
            hint="check the visit label and the day; out-of-window visits are kept",
            **location(r),
            column=rc.get("study_day"),
            value=f"{r['study_day']:g}",
        )


def check_missing_baseline(frame: pd.DataFrame, log: ProblemLog) -> None:
    """Warn for each subject x instrument assessed after the first dose with no pre-dose total."""
    pre = frame["phase"].isin(["screening", "baseline"])
    keys = ["instrument", "subject"]
    measured = frame.loc[pre, "instrument"].unique()
    with_base = frame.loc[pre & frame["total"].notna(), keys].drop_duplicates()
    post = frame.loc[~pre & frame["instrument"].isin(measured), [*keys, "source_row"]]
    first = post.groupby(keys, sort=True, observed=True)["source_row"].min().reset_index()
    lacking = first.merge(with_base, on=keys, how="left", indicator=True)
    for _, r in lacking[lacking["_merge"] == "left_only"].iterrows():
        log.add(
            "warning",
            "missing-baseline",
            f"subject {r['subject']} has no {r['instrument']} total before the first dose, so "
            f"no change from baseline (first later assessment: row {r['source_row']})",
            hint="check the baseline assessment; the subject is kept",
            subject=r["subject"],
            instrument=r["instrument"],
            row=r["source_row"],
        )
