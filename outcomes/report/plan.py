"""The analysis plan: a TOML file that declares the data, the estimand and every analysis.

:func:`read_plan` reads and checks a plan, reporting every problem at once with where it is
(``[section] key``) and what is expected; :data:`TEMPLATE` is the commented plan that
``outcomes plan init`` writes, and the plan that ``outcomes report --sample`` runs.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outcomes.errors import OutcomesError
from outcomes.models.imputation import ICE_STRATEGIES, STRATEGIES
from outcomes.models.mmrm import DF_METHODS
from outcomes.models.multiplicity import METHODS as MULTIPLICITY_METHODS

__all__ = ["FIGURES", "TABLES", "TEMPLATE", "Plan", "PlanError", "read_plan"]

#: Tables a plan can ask for.
TABLES: tuple[str, ...] = (
    "baseline",
    "visit_summary",
    "lsmeans",
    "responders",
    "effect_sizes",
    "trait",
    "multiplicity",
    "trajectories",
    "repeated_dosing",
    "durability",
    "blinding",
    "sensitivity",
    "tipping_point",
)
#: Figures a plan can ask for.
FIGURES: tuple[str, ...] = (
    "observed_means",
    "lsmeans",
    "change",
    "individual",
    "waterfall",
    "responders",
    "forest",
    "missingness",
    "tipping_point",
    "acute_vs_outcome",
)

TEMPLATE = """\
# An analysis plan for `outcomes report PLAN.toml --out DIR`.
# Every analysis below is run on the data, and the report shows the tables and figures listed
# under [report]. Lines starting with # are comments.

[study]
title = "DMT versus placebo in major depressive disorder (sample trial)"
seed = 2026                      # seeds every random draw (multiple imputation)

[data]
source = "sample"                # "sample" (the built-in trial) or a score file's path
# layout = "long"                # detected when not given
# schedule = "schedule.toml"     # schedule of assessments and dosing sessions
# events = "events.csv"          # intercurrent events: subject, event, day, detail
# subjects = "dm.xpt"            # subject-level table with the arm (CDISC DM, ADSL)

[arms]
reference = "PLACEBO"            # the control arm

[primary]
instrument = "madrs"
formula = "chg ~ base * visit + arm * visit + us(visit | subject)"
visit = "WEEK 2"                 # the primary time point
df = "kenward-roger"             # satterthwaite, kenward-roger, between-within, residual

[estimand]
variable = "change from baseline in MADRS total at week 2"
population = "all randomised participants"

[estimand.intercurrent_events]   # event (as in the events table) = ICH E9(R1) strategy
discontinuation = "treatment policy"
unblinding = "treatment policy"
"rescue medication" = "hypothetical"

[secondary]
responders = ["response", "remission"]   # binary outcomes of `outcomes.derive`, by visit
effect_sizes = true                       # Cohen's d on change, and the MMRM difference / SD
trait = { instrument = "neo-ffi-n", pre = "BASELINE", post = "WEEK 12", acute = "meq30" }
multiplicity = { method = "holm", visits = ["WEEK 1", "WEEK 4"] }  # key secondary differences
trajectories = { random = "1 + weeks" }   # mixed model over weeks, broken at the second dose
repeated_dosing = { margin = 3.0 }        # acute response per dose; TOST of dose 2 vs dose 1
durability = { outcome = "response", anchor = "WEEK 2" }  # still responding at later visits
blinding = { guesses = "sample" }         # end-of-treatment guesses: a CSV (subject, arm, guess)

[sensitivity]
strategies = ["MAR", "J2R", "CR", "CIR"]  # reference-based multiple imputation
n_imputations = 200
tipping_point = { visit = "WEEK 3", deltas = [0, 4, 8, 12, 16, 20, 24, 28, 32] }

[report]
tables = ["baseline", "visit_summary", "lsmeans", "responders", "effect_sizes", "trait",
          "multiplicity", "trajectories", "repeated_dosing", "durability", "blinding",
          "sensitivity", "tipping_point"]
figures = ["observed_means", "lsmeans", "change", "individual", "waterfall", "responders",
           "forest", "missingness", "tipping_point", "acute_vs_outcome"]
suppress_below = 5               # hide counts below this in baseline tables (0: no suppression)
"""


_KIND_NAMES = {
    str: "text in quotes",
    int: "a whole number",
    bool: "true or false",
    list: "a list [...]",
    dict: "a table { ... }",
}


class PlanError(OutcomesError, ValueError):
    """A plan with problems: ``problems`` lists each, located."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the plan {path}:\n{listed}")


@dataclass(frozen=True)
class Plan:
    """A checked analysis plan (see :data:`TEMPLATE` for every key)."""

    title: str
    seed: int
    data: dict[str, Any]
    reference: str
    primary: dict[str, Any]
    estimand: dict[str, Any]
    secondary: dict[str, Any]
    sensitivity: dict[str, Any]
    tables: tuple[str, ...]
    figures: tuple[str, ...]
    suppress_below: int
    path: str = "<template>"
    base: Path = field(default_factory=Path.cwd)
    text: str = ""

    def data_path(self, key: str) -> Path | None:
        """A data file of the plan, relative to the plan's folder."""
        value = self.data.get(key)
        if value is None or value == "sample":
            return None
        path = Path(value)
        return path if path.is_absolute() else self.base / path


def read_plan(source: str | Path | None = None) -> Plan:
    """Read and check a plan; ``None`` gives the built-in plan of :data:`TEMPLATE`.

    Raises
    ------
    PlanError
        Listing every problem, each with its section and key.

    Examples
    --------
    >>> plan = read_plan()
    >>> plan.primary["visit"], plan.sensitivity["strategies"]
    ('WEEK 2', ['MAR', 'J2R', 'CR', 'CIR'])
    """
    if source is None:
        text, name, base = TEMPLATE, "<template>", Path.cwd()
    else:
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PlanError(str(source), [f"cannot read it: {exc.strerror}"]) from exc
        name, base = str(path), path.resolve().parent
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(name, [f"not valid TOML: {exc}"]) from exc
    problems: list[str] = []
    plan = _check(raw, problems)
    if problems:
        raise PlanError(name, problems)
    return Plan(**plan, path=name, base=base, text=text)


def _section(raw: Mapping[str, Any], name: str, problems: list[str], required: bool) -> dict:
    value = raw.get(name, {})
    if name not in raw and required:
        problems.append(f"[{name}] is missing")
    if not isinstance(value, dict):
        problems.append(f"[{name}] must be a table of keys, not {type(value).__name__}")
        return {}
    return dict(value)


def _key(
    section: dict,
    where: str,
    key: str,
    kind: type | tuple[type, ...],
    problems: list[str],
    default: Any = None,
    choices: tuple[Any, ...] | None = None,
) -> Any:
    if key not in section:
        if default is None:
            problems.append(f"[{where}] {key} is missing")
        return default
    value = section[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)):
        names = " or ".join(_KIND_NAMES[k] for k in kinds)
        problems.append(f"[{where}] {key} must be {names}, not {value!r}")
        return default
    if choices is not None:
        values = value if isinstance(value, list) else [value]
        bad = [v for v in values if v not in choices]
        if bad:
            problems.append(f"[{where}] {key}: {bad} not among {list(choices)}")
    return value


def _check(raw: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    known = {"study", "data", "arms", "primary", "estimand", "secondary", "sensitivity", "report"}
    for unknown in sorted(set(raw) - known):
        problems.append(f"[{unknown}] is not a section of a plan (sections: {sorted(known)})")
    study = _section(raw, "study", problems, required=True)
    data = _section(raw, "data", problems, required=True)
    arms = _section(raw, "arms", problems, required=True)
    primary = _section(raw, "primary", problems, required=True)
    estimand = _section(raw, "estimand", problems, required=False)
    secondary = _section(raw, "secondary", problems, required=False)
    sensitivity = _section(raw, "sensitivity", problems, required=False)
    report = _section(raw, "report", problems, required=False)

    title = _key(study, "study", "title", str, problems)
    seed = _key(study, "study", "seed", int, problems, default=0)
    _key(data, "data", "source", str, problems)
    for optional in ("layout", "schedule", "events", "subjects", "instrument"):
        _key(data, "data", optional, str, problems, default="")
    reference = _key(arms, "arms", "reference", str, problems)
    _key(primary, "primary", "instrument", str, problems)
    _key(primary, "primary", "formula", str, problems)
    _key(primary, "primary", "visit", str, problems)
    primary.setdefault("df", "satterthwaite")
    _key(primary, "primary", "df", str, problems, choices=DF_METHODS)
    if estimand:
        _key(estimand, "estimand", "variable", str, problems)
        events = _key(estimand, "estimand", "intercurrent_events", dict, problems, default={})
        for event, strategy in (events or {}).items():
            if strategy not in ICE_STRATEGIES:
                problems.append(
                    f"[estimand.intercurrent_events] {event} = {strategy!r}: not among "
                    f"{list(ICE_STRATEGIES)}"
                )
    secondary.setdefault("responders", [])
    _key(secondary, "secondary", "responders", list, problems, default=[])
    secondary.setdefault("effect_sizes", False)
    _key(secondary, "secondary", "effect_sizes", bool, problems, default=False)
    if "trait" in secondary:
        trait = _key(secondary, "secondary", "trait", dict, problems, default={})
        for key in ("instrument", "pre", "post"):
            if key not in (trait or {}):
                problems.append(f"[secondary] trait needs {key} = ...")
    if "multiplicity" in secondary:
        multiplicity = _key(secondary, "secondary", "multiplicity", dict, problems, default={})
        if (multiplicity or {}).get("method", "holm") not in MULTIPLICITY_METHODS:
            problems.append(
                f"[secondary] multiplicity method {multiplicity.get('method')!r} not among "
                f"{list(MULTIPLICITY_METHODS)}"
            )
    for name, required in (
        ("trajectories", ("random",)),
        ("repeated_dosing", ("margin",)),
        ("durability", ("outcome", "anchor")),
        ("blinding", ("guesses",)),
    ):
        if name in secondary:
            spec = _key(secondary, "secondary", name, dict, problems, default={})
            for key in required:
                if key not in (spec or {}):
                    problems.append(f"[secondary] {name} needs {key} = ...")
    if sensitivity:
        sensitivity.setdefault("strategies", ["MAR"])
        _key(sensitivity, "sensitivity", "strategies", list, problems, choices=STRATEGIES)
        sensitivity.setdefault("n_imputations", 100)
        n = _key(sensitivity, "sensitivity", "n_imputations", int, problems, default=100)
        if isinstance(n, int) and n < 2:
            problems.append(f"[sensitivity] n_imputations must be at least 2, not {n}")
        if "tipping_point" in sensitivity:
            tip = _key(sensitivity, "sensitivity", "tipping_point", dict, problems, default={})
            for key in ("visit", "deltas"):
                if key not in (tip or {}):
                    problems.append(f"[sensitivity] tipping_point needs {key} = ...")
    tables = _key(report, "report", "tables", list, problems, default=[], choices=TABLES)
    figures = _key(report, "report", "figures", list, problems, default=[], choices=FIGURES)
    suppress_below = _key(report, "report", "suppress_below", int, problems, default=0)
    return {
        "title": title,
        "seed": seed,
        "data": data,
        "reference": reference,
        "primary": primary,
        "estimand": estimand,
        "secondary": secondary,
        "sensitivity": sensitivity,
        "tables": tuple(tables or ()),
        "figures": tuple(figures or ()),
        "suppress_below": suppress_below,
    }
