"""The command line: ``outcomes validate | describe | sample | report | plan init``.

Exit codes: 0 when all is well, 1 when the data have errors, 2 on bad usage (unknown option, a file
that cannot be read, columns that cannot be matched to roles), 130 when interrupted (Ctrl-C; a
report being written is then left as it was, see :mod:`outcomes.report.folder`).

Whatever comes from the data (file names, labels, messages that quote them, read notes, errors) is
printed through :func:`outcomes.terminal.printable`: a data file cannot move the cursor, erase or
hide a line, or forge one. ``--json`` is escaped by :func:`json.dumps` (ASCII only, every control
character as ``\\uXXXX``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import outcomes
from outcomes.data.describe import describe
from outcomes.errors import OutcomesError, ValidationError
from outcomes.io.layouts.adam import DEFAULT_ANALYSIS_FLAG
from outcomes.io.read import LAYOUTS
from outcomes.terminal import printable, printable_lines

__all__ = ["main"]

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    Examples
    --------
    >>> main(["validate", "--sample"])  # doctest: +ELLIPSIS
    0 error(s), ... warning(s) in <sample>
    ...
    0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except ValidationError as exc:  # describe on data with errors; validate handles its own
        print(printable_lines(exc), file=sys.stderr)
        return EXIT_DATA
    except OutcomesError as exc:
        print(printable_lines(f"outcomes: error: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("outcomes: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - flushed at exit, no error
        return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="outcomes", description="Outcome statistics of psychedelic-therapy trials."
    )
    parser.add_argument("--version", action="version", version=f"outcomes {outcomes.__version__}")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check a score file and report every problem")
    _read_options(p)
    p.add_argument("--json", action="store_true", help="print the problems as a JSON list")
    p.set_defaults(run=_validate)

    p = sub.add_parser("describe", help="subjects per arm x visit, missingness, totals")
    _read_options(p)
    p.set_defaults(run=_describe)

    p = sub.add_parser("sample", help="write the sample trial in every layout")
    p.add_argument("--out", required=True, type=Path, help="folder to write to")
    p.set_defaults(run=_sample)

    p = sub.add_parser("report", help="run an analysis plan and write its report")
    p.add_argument("plan", nargs="?", type=Path, help="the plan (TOML)")
    p.add_argument("--sample", action="store_true", help="the built-in plan on the sample trial")
    p.add_argument("--out", required=True, type=Path, help="folder to write the report to")
    p.set_defaults(run=_report)

    p = sub.add_parser("plan", help="analysis plans")
    plan_sub = p.add_subparsers(required=True, metavar="ACTION")
    init = plan_sub.add_parser("init", help="write a commented plan to start from")
    init.add_argument("path", nargs="?", type=Path, default=Path("plan.toml"))
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.set_defaults(run=_plan_init)
    return parser


def _read_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", nargs="?", type=Path, help="the score file")
    p.add_argument("--sample", action="store_true", help="use the built-in sample trial")
    p.add_argument("--layout", choices=LAYOUTS, help="the file's layout (detected if not given)")
    p.add_argument(
        "--format", help="the file's format where its suffix is missing or misleading (csv, ...)"
    )
    p.add_argument("--instrument", help="the instrument of a single-instrument file")
    p.add_argument("--mapping", type=Path, help="TOML or JSON file mapping roles to columns")
    p.add_argument("--schedule", type=Path, help="TOML schedule of assessments")
    p.add_argument("--events", type=Path, help="table of intercurrent events")
    p.add_argument("--subjects", type=Path, help="subject-level table (DM, ADSL) with the arm")
    p.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="COLUMN",
        help="keep this column although it looks like an identifier (repeatable)",
    )
    p.add_argument(
        "--register",
        action="append",
        default=[],
        type=Path,
        metavar="TOML",
        help="register a scale of your own from its TOML definition (repeatable)",
    )
    p.add_argument(
        "--max-missing-items",
        type=int,
        default=0,
        metavar="K",
        help="prorate totals with at most K missing items (default 0: no proration)",
    )
    p.add_argument("--baseline", metavar="VISIT", help="the baseline visit, where no schedule says")
    p.add_argument(
        "--population",
        metavar="FLAG",
        help="read only the subjects this Y/N flag selects (EFFFL, ITTFL, SAFFL, ...)",
    )
    p.add_argument(
        "--covariate",
        action="append",
        dest="covariates",
        metavar="COLUMN",
        help="keep this covariate, from the file or the subjects table (repeatable; "
        "by default the layout's own choice)",
    )
    p.add_argument(
        "--derived",
        action="append",
        default=[],
        metavar="DTYPE",
        help="ADaM: read the sponsor's derived records of this DTYPE too, e.g. LOCF (repeatable)",
    )
    p.add_argument(
        "--analysis-flag",
        default=DEFAULT_ANALYSIS_FLAG,
        metavar="FLAG",
        help=f"ADaM: read only the records this flag marks Y (default {DEFAULT_ANALYSIS_FLAG}, "
        "when the file has it; 'none' reads every record)",
    )


def _load(args: argparse.Namespace) -> outcomes.TrialData:
    if args.sample == (args.path is not None):
        raise OutcomesError("give a PATH or --sample (one of them)")
    for definition in args.register:
        outcomes.instruments.register(definition, replace=True)
    if args.sample:
        return outcomes.load_sample()
    return outcomes.read(
        args.path,
        args.layout,
        args.instrument,
        args.mapping,
        schedule=args.schedule,
        events=args.events,
        subjects=args.subjects,
        allow_identifiers=args.allow,
        max_missing_items=args.max_missing_items,
        baseline=args.baseline,
        population=args.population,
        covariates=args.covariates,
        derived=args.derived,
        analysis_flag=None if args.analysis_flag.lower() == "none" else args.analysis_flag,
        format=args.format,
    )


def _validate(args: argparse.Namespace) -> int:
    try:
        trial = _load(args)
        problems, name, notes = trial.problems, trial.source.get("file", ""), trial.notes
    except ValidationError as exc:
        problems, name, notes = exc.problems, str(args.path), exc.notes
    n_err = int((problems["severity"] == "error").sum()) if len(problems) else 0
    if args.json:
        print(json.dumps(_records(problems), indent=2, ensure_ascii=True))
    else:
        print(f"{n_err} error(s), {len(problems) - n_err} warning(s) in {printable(name)}")
        for note in notes:
            print(f"  read: {printable(note)}")
        _print_problems(problems)
    return EXIT_DATA if n_err else EXIT_OK


#: The readable report shows this many problems of one code; ``--json`` lists them all.
SHOWN_PER_CODE = 10


def _print_problems(problems: Any) -> None:
    ordered = problems.sort_values("severity", kind="stable")
    for code, group in ordered.groupby("code", sort=False):
        for _, p in group.head(SHOWN_PER_CODE).iterrows():
            print(f"[{p['severity']}] {printable(code)}: {printable(p['message'])}")
            if p["hint"]:
                print(f"    what to do: {printable(p['hint'])}")
        hidden = group.iloc[SHOWN_PER_CODE:]
        if len(hidden):
            rows = ", ".join(str(r) for r in hidden["row"].dropna().head(20))
            more = " ..." if hidden["row"].notna().sum() > 20 else ""
            print(
                f"[{group['severity'].iloc[0]}] {printable(code)}: {len(hidden)} more like these "
                f"(rows {printable(rows)}{more}); --json lists every one"
            )


def _records(problems: Any) -> list[dict[str, Any]]:
    keys = [
        "severity",
        "code",
        "message",
        "file",
        "row",
        "subject",
        "visit",
        "column",
        "value",
        "instrument",
        "hint",
    ]
    out = []
    for rec in problems.to_dict("records"):
        out.append(
            {
                k: (None if _is_missing(rec.get(k)) else int(rec[k]) if k == "row" else rec[k])
                for k in keys
            }
        )
    return out


def _is_missing(value: Any) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


def _describe(args: argparse.Namespace) -> int:
    print(describe(_load(args)).to_text())
    return EXIT_OK


def _sample(args: argparse.Namespace) -> int:
    folder = outcomes.write_sample(args.out)
    print(f"sample trial written to {printable(folder)}:")
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            print(f"  {printable(p.relative_to(folder))}")
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from outcomes.report import check_plan, run_plan, write_report
    from outcomes.report.folder import check_output_folder
    from outcomes.report.write import report_time

    if args.sample == (args.plan is not None):
        raise OutcomesError("give a PLAN or --sample (one of them)")
    check_output_folder(args.out)
    stamp = report_time()  # SOURCE_DATE_EPOCH checked before any analysis
    plan = check_plan(None if args.sample else args.plan)
    print(printable(f"running {plan.path}: {plan.title}"), file=sys.stderr)
    results = run_plan(plan, progress=lambda line: print(f"  {printable(line)}", file=sys.stderr))
    page = write_report(results, args.out, timestamp=stamp)
    print(page)
    return EXIT_OK


def _plan_init(args: argparse.Namespace) -> int:
    from outcomes.report import TEMPLATE

    if args.path.is_symlink():
        raise OutcomesError(f"{args.path} is a symbolic link: give the path of a file to write")
    if args.path.exists() and not args.force:
        raise OutcomesError(f"{args.path} exists; use --force to overwrite it")
    args.path.write_text(TEMPLATE, encoding="utf-8")
    print(args.path)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
