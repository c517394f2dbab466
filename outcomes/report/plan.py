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

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType, SimpleNamespace
from typing import Any

import outcomes
from outcomes.errors import OutcomesError
from outcomes.io.formats import FORMATS
from outcomes.io.read import LAYOUTS
from outcomes.report.analyses import ANALYSES, FIGURES, TABLES, Analysis, Facts, owner
from outcomes.report.spec import (
    NAME,
    SAMPLE,
    SHOWN_UNKNOWN,
    Checking,
    Choice,
    File,
    Items,
    Key,
    Place,
    Population,
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
    "check_against_data",
    "read_plan",
]

#: The largest plan file read, in bytes.
MAX_PLAN_BYTES = 1_000_000
#: Problems a :class:`PlanError`'s message lists (its ``problems`` has every one).
_SHOWN_PROBLEMS = 50

#: The plan's first sections, which are not analyses.
_HEAD = """\
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
# mapping = "mapping.toml"       # which column plays which role (outcomes.read's mapping)
# instruments = ["bdi.toml"]     # instrument definitions to register for this plan
# allow_identifiers = ["SITEID"] # columns to keep although they look like identifiers
# max_missing_items = 0          # a total with up to this many missing items is prorated
# sheet = "scores"               # Excel: the sheet (the first by default)
# baseline = "BASELINE"          # the baseline visit, where no schedule says it
# covariates = ["SITEGR1"]       # covariate columns to keep (CDISC: its standard ones)
# derived = ["LOCF"]             # ADaM: DTYPE values of derived records to read too
# analysis_flag = "ANL01FL"      # ADaM: only records this flag marks Y (ANL01FL when present)
# format = "xpt"                 # the file's format, where its suffix is missing or misleading

# [population]                   # one subject-level flag of the data: only its Y subjects
# EFFFL = "Y"

[arms]
reference = "PLACEBO"            # the control arm
# order = ["PLACEBO", "DMT"]     # every arm, in the order of tables, figures and contrasts
                                 # (doses low to high); by default controls first, then by name
"""

#: The plan's last section: what the report shows.
_REPORT = """\
[report]
{tables}
{figures}
suppress_below = 5               # hide counts below this in baseline tables (0: none); up to 100
# baseline = {{ covariates = ["age", "sex"], categorical = ["site"] }}  # the baseline table's rows
# (default: the data's covariates); categorical ones are counted by level, numbers or not
"""


def _listed(key: str, names: tuple[str, ...]) -> str:
    """``key = [...]`` of every name, wrapped as TOML allows, lines of at most 100 characters."""
    lines, line = [], f"{key} = ["
    for name in names:
        item = f'"{name}", '
        if len(line) + len(item) > 100:
            lines.append(line.rstrip())
            line = " " * (len(key) + 4)
        line += item
    return "\n".join([*lines, line.rstrip(", ") + "]"])


def _template() -> str:
    """The commented plan: the first sections, each analysis's lines, then the report's, which
    lists every table and figure the plan above it makes."""
    parts = [_HEAD]
    for section in ("primary", "estimand", "secondary", "sensitivity"):
        lines = "".join(a.template for a in ANALYSES if a.section == section)
        parts.append(_SECONDARY + lines if section == "secondary" else lines)
    view: Any = SimpleNamespace(**parse_toml("\n".join(parts)))
    tables, figures = (
        _listed(kind, tuple(n for n in names if owner(kind, n).output_needs(view, n) is None))
        for kind, names in (("tables", TABLES), ("figures", FIGURES))
    )
    parts.append(_REPORT.format(tables=tables, figures=figures))
    return "\n".join(parts)


_SECONDARY = """\
[secondary]   # an entry { ..., optional = true } is skipped, and the report says why, when the
              # data do not fit it (a second dose, two arms, visits it names, ...)
"""

TEMPLATE = _template()


class PlanError(OutcomesError, ValueError):
    """A plan with problems: ``problems`` lists each, located."""

    def __init__(
        self,
        path: str,
        problems: list[str],
        *,
        plan: Plan | None = None,
        unchecked: tuple[str, ...] = (),
    ) -> None:
        self.path = path
        self.problems = problems
        #: The plan as far as it is right, where its data can be read (``[study]``, ``[data]``,
        #: ``[population]`` and ``[arms]`` without problems): what the data checks can use.
        self.plan = plan
        #: The analyses of ``plan`` with problems of their own, which the data checks leave out.
        self.unchecked = unchecked
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
    population: dict[str, str] = field(default_factory=dict)
    baseline: dict[str, list[str]] = field(default_factory=dict)
    arm_order: tuple[str, ...] = ()

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
    if not checking.problems:
        return _plan(sections, name, base, text)
    if any(checking.concerns(section) for section in _DATA_SECTIONS):
        raise PlanError(name, checking.problems)
    unchecked = tuple(a.name for a in ANALYSES if checking.concerns(a.section or a.name, a.key))
    partial = _plan(sections, name, base, text)
    raise PlanError(name, checking.problems, plan=partial, unchecked=unchecked)


#: The sections the data are read by: with a problem in one, the data cannot be checked.
_DATA_SECTIONS = ("study", "data", "population", "arms")


def _plan(sections: dict[str, dict[str, Any]], name: str, base: Path, text: str) -> Plan:
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
        tables=tuple(report.get("tables", ())),
        figures=tuple(report.get("figures", ())),
        suppress_below=report.get("suppress_below", 0),
        path=name,
        base=base,
        text=text,
        population=sections["population"],
        baseline=report.get("baseline", {}),
        arm_order=tuple(sections["arms"].get("order", ())),
    )


def check_against_data(
    plan: Plan, trial: outcomes.TrialData, *, unchecked: Collection[str] = ()
) -> dict[str, list[str]]:
    """Check the plan against the data: every name it uses, what each analysis needs.

    Each analysis of the plan checks what it needs of the data (arms, doses, events, visits,
    columns: :meth:`~outcomes.report.analyses.base.Analysis.check`); every problem of every
    analysis is reported at once, located, before any analysis runs. An analysis the plan marks
    ``optional = true`` is skipped instead when it has problems.

    Parameters
    ----------
    plan : Plan
    trial : TrialData
        The plan's data, derived.
    unchecked : collection of str
        Analyses (by name) to leave out: those with problems of their own in the plan
        (:attr:`PlanError.unchecked`).

    Returns
    -------
    dict
        The analyses skipped, by name, with their problems (why).

    Raises
    ------
    PlanError
        Every problem found.

    Examples
    --------
    >>> trial = outcomes.derive(outcomes.load_sample())
    >>> check_against_data(read_plan(), trial)
    {}
    """
    facts = Facts(trial)
    problems = []
    if plan.reference not in facts.arms:
        problems.append(
            f"[arms] reference {plan.reference!r} is not an arm of the data ({facts.arms})"
        )
    problems += _check_arm_order(plan, facts)
    skipped = {}
    for analysis in ANALYSES:
        if not analysis.asked(plan) or analysis.name in unchecked:
            continue
        found = analysis.check(plan, facts)
        if found and analysis.optional(plan):
            skipped[analysis.name] = found
        else:
            problems += found
    if problems:
        raise PlanError(plan.path, problems)
    return skipped


def _check_arm_order(plan: Plan, facts: Facts) -> list[str]:
    """``[arms] order`` names every arm of the data, and only those."""
    if not plan.arm_order:
        return []
    unknown = [a for a in plan.arm_order if a not in facts.arms]
    absent = [a for a in facts.arms if a not in plan.arm_order]
    return [f"[arms] order: {a!r} is not an arm of the data ({facts.arms})" for a in unknown] + [
        f"[arms] order: the arm {a!r} of the data is not in the order" for a in absent
    ]


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


def _analysis_sections() -> dict[str, Section]:
    """The sections the analyses declare: a whole section each, or a key of ``[secondary]``."""
    sections = {a.section: a.spec for a in ANALYSES if a.section and a.key is None}
    secondary = {a.key: a.spec for a in ANALYSES if a.section == "secondary" and a.key}
    return {**sections, "secondary": Section(secondary)}


_ANALYSIS_SECTIONS = _analysis_sections()

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
                "instrument": Key(NAME),
                "schedule": Key(File(table=False)),
                "events": Key(File()),
                "subjects": Key(File()),
                "mapping": Key(File(table=False)),
                "instruments": Key(Items(File(instrument=True), 50)),
                "allow_identifiers": Key(Items(NAME, 1000)),
                "max_missing_items": Key(Whole(0, 1000)),
                "sheet": Key(NAME),
                "baseline": Key(NAME),
                "covariates": Key(Items(NAME, 1000)),
                "derived": Key(Items(NAME, 50)),
                "analysis_flag": Key(NAME),
                "format": Key(Choice(tuple(sorted(set(FORMATS.values()))))),
            },
            required=True,
        ),
        "population": Population(),
        "arms": Section(
            {"reference": Key(NAME, required=True), "order": Key(Items(NAME, 100))},
            required=True,
        ),
        "primary": _ANALYSIS_SECTIONS["primary"],
        "estimand": _ANALYSIS_SECTIONS["estimand"],
        "secondary": _ANALYSIS_SECTIONS["secondary"],
        "sensitivity": _ANALYSIS_SECTIONS["sensitivity"],
        "report": Section(
            {
                "tables": Key(Items(Choice(TABLES), len(TABLES)), default=[]),
                "figures": Key(Items(Choice(FIGURES), len(FIGURES)), default=[]),
                "suppress_below": Key(Whole(0, 100), default=0),
                "baseline": Key(
                    Table(
                        {
                            "covariates": Key(Items(NAME, 200)),
                            "categorical": Key(Items(NAME, 200)),
                        }
                    )
                ),
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
    _check_sample(sections, checking)
    _check_ancova(raw, sections["primary"], checking)
    _check_outputs(raw, sections, checking)
    return sections


def _check_outputs(
    raw: Mapping[str, Any], sections: dict[str, dict[str, Any]], checking: Checking
) -> None:
    """Each table and figure asked for must have its analysis, and what it needs, in the plan.

    An analysis given with a wrong value (a problem already reported) counts as given.
    """
    view: Any = SimpleNamespace(**sections)  # the checked sections as a Plan's attributes
    for kind in ("tables", "figures"):
        for name in sections["report"].get(kind, []):
            analysis = owner(kind, name)
            if not _given(raw, analysis):
                needs = analysis.place
            elif checking.concerns(analysis.section or analysis.name, analysis.key):
                continue
            else:
                needs = analysis.output_needs(view, name)
            if needs is not None:
                checking.bad(
                    Place("report", (kind,)),
                    f"{shown(name)} needs {needs}, which the plan does not have",
                )


def _given(raw: Mapping[str, Any], analysis: Analysis) -> bool:
    """Whether the plan gives the analysis (an entry not left out, empty or false)."""
    if analysis.section is None:
        return True
    entry = raw.get(analysis.section)
    if analysis.key is not None and isinstance(entry, dict):
        entry = entry.get(analysis.key)
    return entry not in (None, False, {}, [])


def _check_tipping_strategy(sensitivity: dict[str, Any], checking: Checking) -> None:
    """The tipping point's strategy must be one of the strategies run."""
    strategy = sensitivity.get("tipping_point", {}).get("strategy")
    strategies = sensitivity.get("strategies")
    if strategy is not None and strategies is not None and strategy not in strategies:
        checking.bad(
            Place("sensitivity", ("tipping_point", "strategy")),
            f"{shown(strategy)} is not among the strategies {shown(strategies)}",
        )


def _check_sample(sections: dict[str, dict[str, Any]], checking: Checking) -> None:
    """The built-in sample is read as it is: a key for reading a file does not apply to it."""
    if sections["data"].get("source") != SAMPLE:
        return
    for key in sections["data"]:
        if key != "source":
            checking.bad(Place("data", (key,)), 'the "sample" data are read as they are')
    if sections["population"]:
        checking.bad(Place("population"), 'the "sample" data are read as they are')


def _check_ancova(raw: Mapping[str, Any], primary: dict[str, Any], checking: Checking) -> None:
    """An ANCOVA's df are the residual df: a ``df`` the plan gives is for an MMRM."""
    given = raw.get("primary")
    if primary.get("model") == "ancova" and isinstance(given, dict) and "df" in given:
        checking.bad(
            Place("primary", ("df",)),
            'an ANCOVA has the residual degrees of freedom; df is for model = "mmrm"',
        )
