"""The tables and figures a plan asks for, from a finished :class:`~.analyses.Run`."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from outcomes import plots, tables
from outcomes.report.analyses import Run

__all__ = ["make_figures", "make_tables"]


def make_tables(run: Run) -> dict[str, tables.Table]:
    """The formatted tables, by name (a second table of one name gets ``_2``)."""
    plan, frames, frame = run.plan, run.results.frames, run.trial.frame
    builders = {
        "baseline": lambda: tables.baseline_table(
            run.raw, suppress_below=plan.suppress_below or None
        ),
        "visit_summary": lambda: tables.visit_summary(
            frame[frame["instrument"] == run.instrument], outcome="total"
        ),
        "lsmeans": lambda: tables.lsmeans_table(run.fit, reference=plan.reference),
        "responders": lambda: [
            tables.responder_table(t, covariates=["base"], title=f"Responders: {name}")
            for name, t in run.rates.items()
        ],
        "effect_sizes": lambda: _frame_table(
            frames, "effect_sizes", "Effect sizes of the change from baseline"
        ),
        "trait": lambda: _frame_table(frames, "trait_within", "Trait change within each arm"),
        "multiplicity": lambda: (
            run.adjusted is not None
            and tables.multiplicity_table(
                run.adjusted, method=plan.secondary["multiplicity"].get("method", "holm")
            )
        ),
        "trajectories": lambda: _frame_table(frames, "trajectories", "Trajectory model (LMM)"),
        "repeated_dosing": lambda: [
            _frame_table(frames, "session_response", "Acute response to each dosing session"),
            _frame_table(
                frames, "dose_equivalence", "Second dose against first: equivalence (TOST)"
            ),
        ],
        "durability": lambda: _frame_table(frames, "durability", "Still responding"),
        "blinding": lambda: _frame_table(frames, "blinding", "Blinding indices"),
        "sensitivity": lambda: tables.sensitivity_table(run.sensitivity, visit=run.visit),
        "tipping_point": lambda: _frame_table(frames, "tipping_point", "Tipping point"),
    }
    out: dict[str, tables.Table] = {}
    for name in plan.tables:
        made = builders[name]()
        for k, table in enumerate(made if isinstance(made, list) else [made]):
            if table:
                out[name if k == 0 else f"{name}_{k + 1}"] = table
    return out


def make_figures(run: Run) -> dict[str, Any]:
    """The figures, by name; one the run has no data for (e.g. no tipping point) is left out.

    ``responders`` draws one figure per binary outcome of the plan: ``responders`` for the first,
    ``responders_<outcome>`` for the others; ``tipping_point`` one per contrast, for three or
    more arms (``tipping_point_2``, ... for the second and later, titled with the contrast).
    """
    frame, rows = run.trial.frame, run.rows
    one = frame[frame["instrument"] == run.instrument]
    dosing = plots.dosing_days(run.trial.schedule)
    acute = (run.plan.secondary.get("trait") or {}).get("acute")
    drawers = {
        "observed_means": lambda ax: plots.observed_means(
            frame, instrument=run.instrument, ax=ax, dosing=dosing
        ),
        "lsmeans": lambda ax: plots.lsmeans_trajectory(
            run.results.frames["primary_lsmeans"], ax=ax
        ),
        "change": lambda ax: plots.change_by_visit(rows, ax=ax, dosing=dosing),
        "individual": lambda ax: plots.individual_trajectories(one, ax=ax),
        "waterfall": lambda ax: plots.waterfall(rows[rows["visit"] == run.visit], ax=ax),
        **{
            "responders" if k == 0 else f"responders_{outcome}": (
                lambda ax, table=table: plots.responder_bars(table, ax=ax)
            )
            for k, (outcome, table) in enumerate(run.rates.items())
        },
        "forest": lambda ax: plots.forest(run.contrasts, ax=ax),
        "missingness": lambda ax: plots.missingness(_every_subject(run), ax=ax),
        **{
            # numbered, not named: a contrast's name comes from the data, never a file name
            "tipping_point" if k == 0 else f"tipping_point_{k + 1}": (
                lambda ax, part=part, name=contrast: _titled(plots.tipping_map(part, ax=ax), name)
            )
            for k, (contrast, part) in enumerate(_by_contrast(run))
        },
        "acute_vs_outcome": lambda ax: (
            run.trait is not None
            and plots.acute_vs_outcome(run.trait.data, x=acute, y="change", ax=ax)
        ),
    }
    wanted = [
        name
        for asked in run.plan.figures
        for name in drawers
        if name == asked or (asked in _ONE_PER_PART and name.startswith(f"{asked}_"))
    ]
    out = {}
    for name in wanted:
        fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
        if drawers[name](ax) in (None, False):
            plt.close(fig)
            continue
        out[name] = fig
    return out


#: Figures drawn once per part: per binary outcome, per contrast (three or more arms).
_ONE_PER_PART = ("responders", "tipping_point")


def _by_contrast(run: Run) -> list[tuple[str, pd.DataFrame]]:
    """The tipping-point table per contrast (one part for two arms); none without one."""
    if run.tipping is None:
        return []
    table = run.tipping.table
    if "contrast" not in table.columns:
        return [("", table)]
    return [(str(c), part) for c, part in table.groupby("contrast", sort=False, observed=True)]


def _titled(ax: Any, title: str) -> Any:
    if title:
        ax.set_title(title)
    return ax


def _every_subject(run: Run) -> pd.DataFrame:
    """The analysed rows with a row (no value) at every visit a randomised subject lacks."""
    rows = run.rows
    subjects = run.trial.frame.drop_duplicates("subject")[["subject", "arm"]]
    visits = pd.DataFrame({"visit": rows["visit"].cat.categories})
    grid = subjects.merge(visits, how="cross")
    grid["visit"] = pd.Categorical(grid["visit"], categories=rows["visit"].cat.categories)
    return grid.merge(rows[["subject", "visit", "total"]], on=["subject", "visit"], how="left")


def _frame_table(frames: dict[str, Any], name: str, title: str) -> tables.Table | None:
    """A result frame as a formatted table, if the plan produced it."""
    frame = frames.get(name)
    return None if frame is None else tables.from_frame(frame, title=title)
