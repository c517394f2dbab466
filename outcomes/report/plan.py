"""The analysis plan: a TOML file that declares the data, the estimand and every analysis.

:func:`read_plan` reads a plan and checks it against :data:`SECTIONS`, the declaration of every
section and key of a plan (what it takes, its bounds, whether it is required, its default): every
problem is reported at once, with where it is (``[section] key``) and what is wrong, before any
analysis runs. The files a plan names are looked for relative to the plan's folder, and a missing
or unreadable one is a problem of the plan. :data:`TEMPLATE` is the commented plan that
``outcomes plan init`` writes, and the plan that ``outcomes report --sample`` runs.

Absurd plans are refused before any work: a file of more than :data:`MAX_PLAN_BYTES`, TOML nested
more than :data:`MAX_NESTING` deep or with a key of more than :data:`MAX_KEY_PARTS` dotted parts
(either would make the TOML parser itself exhaust its stack or the memory), and every value
beyond its bounds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from outcomes.errors import OutcomesError
from outcomes.io.read import LAYOUTS
from outcomes.models.core.formula import parse_terms
from outcomes.models.endpoints.multiplicity import METHODS as MULTIPLICITY_METHODS
from outcomes.models.imputation import ICE_STRATEGIES, STRATEGIES
from outcomes.models.mmrm import DF_METHODS
from outcomes.models.mmrm.formula import parse_formula
from outcomes.report.spec import (
    SAMPLE,
    SHOWN_UNKNOWN,
    Checking,
    Choice,
    Events,
    File,
    Flag,
    Formula,
    Items,
    Key,
    Number,
    Place,
    Section,
    Table,
    Text,
    Whole,
    did_you_mean,
    resolve,
    shown,
)
from outcomes.textfiles import MAX_KEY_PARTS, MAX_NESTING, parse_toml, read_text

__all__ = [
    "FIGURES",
    "MAX_KEY_PARTS",
    "MAX_NESTING",
    "MAX_PLAN_BYTES",
    "SECTIONS",
    "TABLES",
    "TEMPLATE",
    "Plan",
    "PlanError",
    "read_plan",
]

#: The largest plan file read, in bytes.
MAX_PLAN_BYTES = 1_000_000
#: Problems a :class:`PlanError`'s message lists (its ``problems`` has every one).
_SHOWN_PROBLEMS = 50

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
# under [report]. Lines starting with # are comments. File names are relative to this file's
# folder. Names (of visits, arms, instruments, outcomes, events) are one line of at most 200
# characters; the plan file is at most 1 MB.

[study]
title = "DMT versus placebo in major depressive disorder (sample trial)"  # at most 300 characters
seed = 2026                      # seeds every random draw (multiple imputation): 0 to 4294967295

[data]
source = "sample"                # "sample" (the built-in trial) or a score file's path
# layout = "long"                # long, wide, sdtm-qs, adam-adqs, redcap; detected when not given
# instrument = "madrs"           # the instrument of a file that holds only one
# schedule = "schedule.toml"     # schedule of assessments and dosing sessions
# events = "events.csv"          # intercurrent events: subject, event, day, detail
# subjects = "dm.xpt"            # subject-level table with the arm (CDISC DM, ADSL)

[arms]
reference = "PLACEBO"            # the control arm

[primary]
instrument = "madrs"
formula = "chg ~ base * visit + arm * visit + us(visit | subject)"  # at most 2000 characters
visit = "WEEK 2"                 # the primary time point
df = "kenward-roger"             # satterthwaite, kenward-roger, between-within, residual

[estimand]                       # texts of at most 1000 characters
variable = "change from baseline in MADRS total at week 2"
population = "all randomised participants"

[estimand.intercurrent_events]   # event (as in the events table) = ICH E9(R1) strategy; up to 50
discontinuation = "treatment policy"
unblinding = "treatment policy"
"rescue medication" = "hypothetical"

[secondary]
responders = ["response", "remission"]   # binary outcomes of `outcomes.derive`, by visit; up to 20
effect_sizes = true                       # Cohen's d on change, and the MMRM difference / SD
trait = { instrument = "neo-ffi-n", pre = "BASELINE", post = "WEEK 12", acute = "meq30" }
multiplicity = { method = "holm", visits = ["WEEK 1", "WEEK 4"] }  # up to 200 visits
trajectories = { random = "1 + weeks" }   # mixed model over weeks, broken at the second dose
repeated_dosing = { margin = 3.0 }        # acute response per dose; TOST of dose 2 vs dose 1
durability = { outcome = "response", anchor = "WEEK 2" }  # still responding at later visits
blinding = { guesses = "sample" }         # end-of-treatment guesses: a table (arm, guess)
# trajectories' random effects: at most 200 characters; the margin: above 0, at most 1000000

[sensitivity]
strategies = ["MAR", "J2R", "CR", "CIR"]  # reference-based multiple imputation (or LMCF)
n_imputations = 200                       # 2 to 10000
tipping_point = { visit = "WEEK 3", deltas = [0, 4, 8, 12, 16, 20, 24, 28, 32] }
# deltas: up to 200, each from -1000000 to 1000000; strategy = "J2R" (one of the strategies
# above) is the default, or the first of them when J2R is not among them

[report]
tables = ["baseline", "visit_summary", "lsmeans", "responders", "effect_sizes", "trait",
          "multiplicity", "trajectories", "repeated_dosing", "durability", "blinding",
          "sensitivity", "tipping_point"]
figures = ["observed_means", "lsmeans", "change", "individual", "waterfall", "responders",
           "forest", "missingness", "tipping_point", "acute_vs_outcome"]
suppress_below = 5               # hide counts below this in baseline tables (0: none); up to 100
"""


class PlanError(OutcomesError, ValueError):
    """A plan with problems: ``problems`` lists each, located."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"  {p}" for p in problems[:_SHOWN_PROBLEMS])
        if len(problems) > _SHOWN_PROBLEMS:
            listed += f"\n  ... and {len(problems) - _SHOWN_PROBLEMS} more"
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

    def file(self, name: str | None) -> Path | None:
        """A file the plan names, relative to the plan's folder; ``None`` for none or "sample"."""
        return None if name is None or name == SAMPLE else resolve(self.base, name)

    def data_path(self, key: str) -> Path | None:
        """The data file ``[data] key`` of the plan (see :meth:`file`)."""
        return self.file(self.data.get(key))


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
        text, name, base = _plan_text(path), str(path), path.resolve().parent
    checking = Checking(base)
    sections = _check(_parse(text, name), checking)
    if checking.problems:
        raise PlanError(name, checking.problems)
    study, report = sections["study"], sections["report"]
    return Plan(
        title=study["title"],
        seed=study["seed"],
        data=sections["data"],
        reference=sections["arms"]["reference"],
        primary=sections["primary"],
        estimand=sections["estimand"],
        secondary=sections["secondary"],
        sensitivity=sections["sensitivity"],
        tables=tuple(report["tables"]),
        figures=tuple(report["figures"]),
        suppress_below=report["suppress_below"],
        path=name,
        base=base,
        text=text,
    )


# -- reading --------------------------------------------------------------------------------------

def _plan_text(path: Path) -> str:
    """The text of a plan file, of at most :data:`MAX_PLAN_BYTES` of UTF-8."""
    try:
        return read_text(path, limit=MAX_PLAN_BYTES)
    except OSError as exc:  # ReadError included
        raise PlanError(str(path), [f"cannot read it: {exc}"]) from exc


def _parse(text: str, name: str) -> dict[str, Any]:
    """The TOML of a plan, refused unread when it is too deep for the parser."""
    try:
        return parse_toml(text)
    except ValueError as exc:
        raise PlanError(name, [str(exc)]) from exc


#: Names (of visits, arms, instruments, outcomes, events), and descriptions.
_NAME = Text(200)
_DESCRIPTION = Text(1000)

#: Every section of a plan and every key of each: what it takes, its bounds, its default.
SECTIONS: Mapping[str, Section] = MappingProxyType(
    {
        "study": Section(
            {
                "title": Key(Text(300), required=True),
                "seed": Key(Whole(0, 2**32 - 1), default=0),  # every numpy seed takes these
            },
            required=True,
        ),
        "data": Section(
            {
                "source": Key(File(sample=True), required=True),
                "layout": Key(Choice(LAYOUTS)),
                "instrument": Key(_NAME),
                "schedule": Key(File(table=False)),
                "events": Key(File()),
                "subjects": Key(File()),
            },
            required=True,
        ),
        "arms": Section({"reference": Key(_NAME, required=True)}, required=True),
        "primary": Section(
            {
                "instrument": Key(_NAME, required=True),
                "formula": Key(Formula(parse_formula), required=True),
                "visit": Key(_NAME, required=True),
                "df": Key(Choice(DF_METHODS), default="satterthwaite"),
            },
            required=True,
        ),
        "estimand": Section(
            {
                "variable": Key(_DESCRIPTION, required=True),
                "population": Key(_DESCRIPTION),
                "intercurrent_events": Key(Events(_NAME, Choice(ICE_STRATEGIES), 50)),
            },
            analysis=True,
        ),
        "secondary": Section(
            {
                "responders": Key(Items(_NAME, 20), default=[]),
                "effect_sizes": Key(Flag(), default=False),
                "trait": Key(
                    Table(
                        {
                            "instrument": Key(_NAME, required=True),
                            "pre": Key(_NAME, required=True),
                            "post": Key(_NAME, required=True),
                            "acute": Key(_NAME),
                        }
                    )
                ),
                "multiplicity": Key(
                    Table(
                        {
                            "method": Key(Choice(MULTIPLICITY_METHODS)),
                            "visits": Key(Items(_NAME, 200, needed=True), required=True),
                        }
                    )
                ),
                "trajectories": Key(Table({"random": Key(Formula(parse_terms), required=True)})),
                "repeated_dosing": Key(
                    Table({"margin": Key(Number(0, 1_000_000, above=True), required=True)})
                ),
                "durability": Key(
                    Table(
                        {
                            "outcome": Key(_NAME, required=True),
                            "anchor": Key(_NAME, required=True),
                        }
                    )
                ),
                "blinding": Key(
                    Table(
                        {
                            "guesses": Key(
                                File(sample=True, columns=("arm", "guess")), required=True
                            )
                        }
                    )
                ),
            }
        ),
        "sensitivity": Section(
            {
                "strategies": Key(
                    Items(Choice(STRATEGIES), len(STRATEGIES), needed=True), default=["MAR"]
                ),
                "n_imputations": Key(Whole(2, 10_000), default=100),
                "tipping_point": Key(
                    Table(
                        {
                            "visit": Key(_NAME, required=True),
                            "deltas": Key(
                                Items(Number(-1_000_000, 1_000_000), 200, needed=True),
                                required=True,
                            ),
                            "strategy": Key(Choice(STRATEGIES)),
                        }
                    )
                ),
            },
            analysis=True,
        ),
        "report": Section(
            {
                "tables": Key(Items(Choice(TABLES), len(TABLES)), default=[]),
                "figures": Key(Items(Choice(FIGURES), len(FIGURES)), default=[]),
                "suppress_below": Key(Whole(0, 100), default=0),
            }
        ),
    }
)


def _check(raw: Mapping[str, Any], checking: Checking) -> dict[str, dict[str, Any]]:
    """Every section of a plan checked against :data:`SECTIONS`, in one pass."""
    unknown = [name for name in raw if name not in SECTIONS]
    for name in unknown[:SHOWN_UNKNOWN]:
        checking.problems.append(
            f"{Place(name)} is not a section of a plan{did_you_mean(name, SECTIONS)}"
        )
    if len(unknown) > SHOWN_UNKNOWN:
        checking.problems.append(
            f"and {len(unknown) - SHOWN_UNKNOWN:,} more that are not sections of a plan"
        )
    sections = {
        name: section.check(raw.get(name), Place(name), checking)
        for name, section in SECTIONS.items()
    }
    _check_tipping_strategy(sections["sensitivity"], checking)
    return sections


def _check_tipping_strategy(sensitivity: dict[str, Any], checking: Checking) -> None:
    """The tipping point's strategy must be one of the strategies run."""
    strategy = sensitivity.get("tipping_point", {}).get("strategy")
    strategies = sensitivity.get("strategies")
    if strategy is not None and strategies is not None and strategy not in strategies:
        checking.bad(
            Place("sensitivity", ("tipping_point", "strategy")),
            f"{shown(strategy)} is not among the strategies {shown(strategies)}",
        )

