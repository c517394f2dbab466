"""Plan values: every value of a plan is checked, with its place named, before any analysis runs.

Each hostile plan gives one :class:`PlanError` listing every problem, each located ``[section]
key: ...``; never another exception, and never after minutes or gigabytes (a plan's sizes are
bounded, and TOML that would make the parser itself recurse or explode is refused unparsed). On
the command line such a plan exits with 2, its problems and no traceback, and writes nothing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import outcomes
from outcomes.cli import main
from outcomes.report import TEMPLATE, PlanError, read_plan
from outcomes.report.plan import SECTIONS
from outcomes.report.spec import Events, Table

# -- a plan's values, one wrong at a time ---------------------------------------------------------

#: (what is wrong, the template's text, what replaces it, the problem expected).
WRONG_VALUES = [
    ("negative seed", "seed = 2026", "seed = -1", "[study] seed: -1 is not a whole number"),
    ("seed numpy refuses", "seed = 2026", "seed = 4294967296", "[study] seed: 4294967296 is not"),
    ("seed of 400 digits", "seed = 2026", "seed = " + "9" * 400, "[study] seed: 99999"),
    ("boolean seed", "seed = 2026", "seed = true", "[study] seed: true is not a whole number"),
    ("float seed", "seed = 2026", "seed = 1.5", "[study] seed: 1.5 is not a whole number"),
    ("text seed", "seed = 2026", 'seed = "2026"', '[study] seed: "2026" is not a whole number'),
    ("date seed", "seed = 2026", "seed = 2026-01-01", "[study] seed: 2026-01-01 is not"),
    (
        "a delta that is text",
        "deltas = [0, 4,",
        'deltas = ["x", 4,',
        '[sensitivity] tipping_point deltas: "x" is not a number',
    ),
    ("a boolean delta", "deltas = [0, 4,", "deltas = [true, 4,", "deltas: true is not a number"),
    ("a nan delta", "deltas = [0, 4,", "deltas = [nan, 4,", "deltas: nan is not a number"),
    ("an infinite delta", "deltas = [0, 4,", "deltas = [-inf, 4,", "deltas: -inf is not a number"),
    ("a nested delta", "deltas = [0, 4,", "deltas = [[[0]], 4,", "deltas: [[0]] is not a number"),
    ("a delta twice", "deltas = [0, 4,", "deltas = [4, 4,", "deltas: 4 is listed twice"),
    ("huge delta", "deltas = [0, 4,", "deltas = [1e300, 4,", "deltas: 1e+300 is not a number"),
    (
        "201 deltas",
        "deltas = [0, 4, 8, 12, 16, 20, 24, 28, 32]",
        f"deltas = {list(range(201))}",
        "[sensitivity] tipping_point deltas: 201 values, more than 200",
    ),
    (
        "no deltas",
        "deltas = [0, 4, 8, 12, 16, 20, 24, 28, 32]",
        "deltas = []",
        "[sensitivity] tipping_point deltas: an empty list",
    ),
    (
        "deltas a table",
        "deltas = [0, 4, 8, 12, 16, 20, 24, 28, 32]",
        "deltas = { a = { b = 1 } }",
        "[sensitivity] tipping_point deltas: { a = { b = 1 } } is not a list",
    ),
    (
        "a margin in words",
        "margin = 3.0",
        'margin = "big"',
        '[secondary] repeated_dosing margin: "big" is not a number',
    ),
    ("a zero margin", "margin = 3.0", "margin = 0", "repeated_dosing margin: 0 is not a number"),
    ("negative margin", "margin = 3.0", "margin = -3.0", "repeated_dosing margin: -3.0 is not a"),
    ("infinite margin", "margin = 3.0", "margin = inf", "repeated_dosing margin: inf is not a"),
    ("margin of 400 digits", "margin = 3.0", "margin = 1" + "0" * 400, "repeated_dosing margin:"),
    ("no margin", "margin = 3.0", "marg = 3.0", "[secondary] repeated_dosing margin is missing"),
    (
        "one imputation",
        "n_imputations = 200",
        "n_imputations = 1",
        "[sensitivity] n_imputations: 1 is not a whole number from 2 to 10000",
    ),
    (
        "a million imputations",
        "n_imputations = 200",
        "n_imputations = 1000000",
        "[sensitivity] n_imputations: 1000000 is not a whole number from 2 to 10000",
    ),
    ("boolean imputations", "n_imputations = 200", "n_imputations = true", "n_imputations: true"),
    ("float imputations", "n_imputations = 200", "n_imputations = 200.0", "n_imputations: 200.0"),
    (
        "a typo of a key",
        "n_imputations = 200",
        "n_imputation = 200",
        "[sensitivity] n_imputation: not a key of [sensitivity]; did you mean n_imputations?",
    ),
    (
        "an event name as a key of [estimand]",
        'population = "all randomised participants"',
        'discontinuaton = "treatment policy"',
        "[estimand] discontinuaton: not a key of [estimand]",
    ),
    (
        "an event with no strategy of ICH E9(R1)",
        'discontinuation = "treatment policy"',
        'discontinuation = "ignore"',
        '[estimand.intercurrent_events] discontinuation: "ignore" is not among',
    ),
    (
        "an event with a table for a strategy",
        'discontinuation = "treatment policy"',
        "discontinuation = { a = 1 }",
        "[estimand.intercurrent_events] discontinuation: { a = 1 } is not among",
    ),
    (
        "an event named with a control character",
        'discontinuation = "treatment policy"',
        '"discon\\u0007tinuation" = "treatment policy"',
        '[estimand.intercurrent_events] "discon\\u0007tinuation": "discon\\u0007tinuation" '
        "holds a control character (U+0007)",
    ),
    (
        "51 events",
        'discontinuation = "treatment policy"',
        "\n".join(f'"event {i}" = "hypothetical"' for i in range(49)),
        "[estimand] intercurrent_events: 51 keys, more than 50",
    ),
    (
        "a nested table for a title",
        'title = "DMT versus placebo in major depressive disorder (sample trial)"',
        "title = { a = { b = 1 } }",
        "[study] title: { a = { b = 1 } } is not text in quotes",
    ),
    (
        "a title of 301 characters",
        'title = "DMT versus placebo in major depressive disorder (sample trial)"',
        f'title = "{"x" * 301}"',
        "[study] title: " + '"' + "x" * 40 + '..." (301 characters) is longer than 300',
    ),
    (
        "a title with a terminal escape",
        'title = "DMT',
        'title = "\\u001b[2J\\u001b[31mDMT',
        '[study] title: "\\u001b[2J\\u001b[31mDMT',
    ),
    ("a title with a line feed", 'title = "DMT', 'title = "\\nDMT', "(U+000A)"),
    ("a title with a NUL", 'title = "DMT', 'title = "\\u0000DMT', "(U+0000)"),
    ("a title reversed", 'title = "DMT', 'title = "\\u202eDMT', "control character (U+202E)"),
    (
        "a blank title",
        'title = "DMT versus placebo in major depressive disorder (sample trial)"',
        'title = "   "',
        '[study] title: "   " is blank',
    ),
    (
        "a formula of 2001 characters",
        'formula = "chg ~ base * visit + arm * visit + us(visit | subject)"',
        f'formula = "chg ~ arm{" " * 1992}"',
        "[primary] formula: " + '"chg ~ arm' + " " * 31 + '..." (2,001 characters) is longer',
    ),
    ("a formula as a number", 'formula = "chg', 'formula = 3\n# "chg', "[primary] formula: 3 is"),
    ("a df method", 'df = "kenward-roger"', 'df = "kr"', '[primary] df: "kr" is not among'),
    ("a layout", 'source = "sample"', 'source = "x"\nlayout = "tall"', '[data] layout: "tall"'),
    (
        "suppression below zero",
        "suppress_below = 5",
        "suppress_below = -1",
        "[report] suppress_below: -1 is not a whole number from 0 to 100",
    ),
    ("suppression of 1000", "suppress_below = 5", "suppress_below = 1000", "suppress_below: 1000"),
    ("suppression of 2.5", "suppress_below = 5", "suppress_below = 2.5", "suppress_below: 2.5"),
    (
        "21 responder outcomes",
        'responders = ["response", "remission"]',
        f"responders = {[f'outcome{i}' for i in range(21)]}",
        "[secondary] responders: 21 values, more than 20",
    ),
    (
        "an outcome twice",
        'responders = ["response", "remission"]',
        'responders = ["response", "response"]',
        '[secondary] responders: "response" is listed twice',
    ),
    (
        "201 visits",
        'visits = ["WEEK 1", "WEEK 4"]',
        f"visits = {[f'WEEK {i}' for i in range(201)]}",
        "[secondary] multiplicity visits: 201 values, more than 200",
    ),
    (
        "no visits",
        ', visits = ["WEEK 1", "WEEK 4"]',
        "",
        "[secondary] multiplicity visits is missing",
    ),
    (
        "a method misspelt",
        'method = "holm"',
        'method = "bonferoni"',
        '[secondary] multiplicity method: "bonferoni" is not among',
    ),
    ("effect sizes as 1", "effect_sizes = true", "effect_sizes = 1", "effect_sizes: 1 is not true"),
    (
        "trait as text",
        'trait = { instrument = "neo-ffi-n", pre = "BASELINE", post = "WEEK 12", acute = "meq30" }',
        'trait = "neo-ffi-n"',
        '[secondary] trait: "neo-ffi-n" is not a table',
    ),
    (
        "trait with a typo",
        'pre = "BASELINE"',
        'preq = "BASELINE"',
        "[secondary] trait preq: not a key of [secondary] trait; did you mean pre?",
    ),
    ("trait without pre", 'pre = "BASELINE", ', "", "[secondary] trait pre is missing"),
    (
        "a table asked for as text",
        'tables = ["baseline", "visit_summary", "lsmeans", "responders", "effect_sizes", "trait",',
        'tables = "baseline"\nx = ["visit_summary", "lsmeans", "responders", "trait",',
        '[report] tables: "baseline" is not a list',
    ),
    (
        "an unknown figure",
        '"tipping_point"]\nsuppress',
        '"pie"]\nsuppress',
        '[report] figures: "pie" is not among',
    ),
    (
        "no strategies",
        'strategies = ["MAR", "J2R", "CR", "CIR"]',
        "strategies = []",
        "[sensitivity] strategies: an empty list",
    ),
    (
        "a strategy twice",
        'strategies = ["MAR", "J2R", "CR", "CIR"]',
        'strategies = ["MAR", "MAR"]',
        '[sensitivity] strategies: "MAR" is listed twice',
    ),
    (
        "a tipping point under a strategy not run",
        'tipping_point = { visit = "WEEK 3",',
        'tipping_point = { strategy = "LMCF", visit = "WEEK 3",',
        '[sensitivity] tipping_point strategy: "LMCF" is not among the strategies',
    ),
    ("an unknown section", "\n[report]\n", "\n[extras]\n[report]\n", "[extras] is not a section"),
    (
        "a section misspelt",
        "[sensitivity]",
        "[sensitvity]",
        "[sensitvity] is not a section of a plan; did you mean sensitivity?",
    ),
    ("a section as a list", "\n[report]\n", "\n[[report]]\n", "[report]: [{ tables = [...], "),
    ("a value before all sections", "\n[study]\n", '\ntitle = "x"\n[study]\n', "[title] is not a"),
]


def _plan(folder: Path, old: str, new: str) -> Path:
    assert old in TEMPLATE, old
    path = folder / "plan.toml"
    path.write_text(TEMPLATE.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [case[1:] for case in WRONG_VALUES],
    ids=[case[0] for case in WRONG_VALUES],
)
def test_a_wrong_value_is_a_located_problem(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    with pytest.raises(PlanError) as caught:
        read_plan(_plan(tmp_path, old, new))
    problems = caught.value.problems
    assert any(p.startswith(expected) or expected in p for p in problems), (expected, problems)
    assert all(p.startswith("[") for p in problems), problems  # every problem located
    assert all(p.isprintable() for p in problems), problems  # nothing raw for the terminal


def test_every_problem_at_once(tmp_path: Path) -> None:
    text = TEMPLATE
    wrong = {case[0]: case[1:3] for case in WRONG_VALUES}
    for name in ("a margin in words", "a delta that is text", "negative seed"):
        old, new = wrong[name]
        text = text.replace(old, new, 1)
    path = tmp_path / "plan.toml"
    path.write_text(text)
    with pytest.raises(PlanError) as caught:
        read_plan(path)
    assert [p.split(":")[0] for p in caught.value.problems] == [
        "[study] seed",
        "[secondary] repeated_dosing margin",
        "[sensitivity] tipping_point deltas",
    ]


def test_event_names_are_free_form(tmp_path: Path) -> None:
    plan = read_plan(
        _plan(tmp_path, 'unblinding = "treatment policy"', '"site closed (war)" = "composite"')
    )
    assert plan.estimand["intercurrent_events"]["site closed (war)"] == "composite"


def test_defaults_fill_what_the_analyses_read(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(
        '[study]\ntitle = "t"\n[data]\nsource = "sample"\n[arms]\nreference = "PLACEBO"\n'
        '[primary]\ninstrument = "madrs"\nformula = "chg ~ arm + us(visit | subject)"\n'
        'visit = "WEEK 2"\n'
        "[sensitivity]\ntipping_point = { visit = 'WEEK 2', deltas = [0, 1.5] }\n"
    )
    plan = read_plan(path)
    assert (plan.seed, plan.primary["df"], plan.suppress_below) == (0, "satterthwaite", 0)
    assert plan.secondary == {"responders": [], "effect_sizes": False}
    assert plan.sensitivity["strategies"] == ["MAR"] and plan.sensitivity["n_imputations"] == 100
    assert plan.estimand == {} and plan.tables == () and plan.figures == ()


# -- files the plan names -------------------------------------------------------------------------


@pytest.fixture
def plans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder for plans, away from the working folder (which holds nothing)."""
    folder = tmp_path / "study"
    folder.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return folder


GUESSES = 'guesses = "sample"'
SOURCE = 'source = "sample"'


@pytest.mark.parametrize(
    ("old", "key", "name"),
    [
        (GUESSES, "guesses", "guesses.csv"),
        (SOURCE, "source", "scores.csv"),
        (SOURCE, "schedule", "schedule.toml"),
        (SOURCE, "events", "events.csv"),
        (SOURCE, "subjects", "dm.xpt"),
        (SOURCE, "source", "data/../../scores.csv"),
    ],
)
def test_a_missing_file_is_a_problem_of_the_plan(
    plans: Path, old: str, key: str, name: str
) -> None:
    new = f'{old}\n{key} = "{name}"' if key not in old else f'{key} = "{name}"'
    with pytest.raises(PlanError) as caught:
        read_plan(_plan(plans, old, new))
    place = "[secondary] blinding guesses" if key == "guesses" else f"[data] {key}"
    folder = (plans.resolve() / name).parent
    assert caught.value.problems == [f"{place}: no file {name!r} (looked in {folder})"]


def test_files_are_found_beside_the_plan_not_in_the_working_folder(plans: Path) -> None:
    (plans / "data").mkdir()
    outcomes.sample_guesses().to_csv(plans / "data" / "guesses.csv", index=False)
    (plans / "data" / "scores.csv").write_text("subject,visit\nS1,WEEK 2\n")
    text = TEMPLATE.replace(GUESSES, 'guesses = "data/guesses.csv"').replace(
        SOURCE, 'source = "data/scores.csv"'
    )
    (plans / "plan.toml").write_text(text)
    plan = read_plan(plans / "plan.toml")
    assert plan.data_path("source") == plans.resolve() / "data" / "scores.csv"
    assert plan.file(plan.secondary["blinding"]["guesses"]) == plans.resolve() / "data/guesses.csv"


SECRET = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("guesses.csv", SECRET, "'guesses.csv' has no column 'arm', 'guess'"),
        ("guesses.csv", "subject,arm\nS1,DMT\n", "'guesses.csv' has no column 'guess'"),
        ("guesses.foo", SECRET, "unknown file type '.foo'"),
        ("guesses.csv", "", "the file is empty"),
        ("guesses.csv", None, "is a directory"),
        ("guesses.xlsx", SECRET, "cannot be read as excel"),
        ("guesses.csv", "\x00\x01secret\x00", "holds binary data"),
    ],
)
def test_an_unreadable_guesses_file_is_a_problem_of_the_plan(
    plans: Path, name: str, content: str | None, expected: str
) -> None:
    if content is None:
        (plans / name).mkdir()
    else:
        (plans / name).write_text(content)
    with pytest.raises(PlanError) as caught:
        read_plan(_plan(plans, GUESSES, f'guesses = "{name}"'))
    (problem,) = caught.value.problems
    assert problem.startswith("[secondary] blinding guesses: ") and expected in problem, problem
    assert "PRIVATE" not in problem and "secret" not in problem


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_pipe_or_a_device_is_not_read(plans: Path, kind: str) -> None:
    path = plans / "scores.csv"
    if kind == "fifo":
        os.mkfifo(path)  # reading would wait for a writer forever
    else:
        path.symlink_to("/dev/zero")  # reading would never end
    with pytest.raises(PlanError) as caught:
        read_plan(_plan(plans, SOURCE, 'source = "scores.csv"'))
    assert "is not a regular file" in caught.value.problems[0]
    with pytest.raises(PlanError, match="cannot read it: .* is not a regular file"):
        read_plan(path)


# -- plans too large or too deep for the parser ---------------------------------------------------

#: Plans refused before parsing, by what they hold, with the problem expected.
UNPARSED = {
    "100,000 [": ("[" * 100_000, "brackets nested more than 8 deep"),
    "an array 100,000 deep": ("x = " + "[" * 100_000, "brackets nested more than 8 deep"),
    "inline tables 100,000 deep": ("x = " + "{ a = " * 100_000, "nested more than 8 deep"),
    "a key of 100,000 parts": (".".join("a" * 100_000) + " = 1", "more than 8 dotted parts"),
    "a table of 100,000 parts": ("[" + ".".join("a" * 100_000) + "]", "more than 8 dotted parts"),
    "2 MB": ("# " + "x" * 2_000_000, "larger than 1,000,000 bytes"),
    "not UTF-8": (b"[study]\ntitle = '\xff'\n", "not UTF-8 text (at byte 18)"),
    "an integer of 5000 digits": ("x = " + "9" * 5000, "not valid TOML"),
    "not TOML": ("[study\ntitle = 'x'", "not valid TOML"),
}

#: Run in a child process under a memory limit: if a guard failed, the parser would take
#: gigabytes (a key of 100,000 parts) and the child, not the machine, would run out of memory.
CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3_000_000_000, 3_000_000_000))
from outcomes.report import PlanError, read_plan
out = {}
for path in sys.argv[1:]:
    try:
        read_plan(path)
        out[path] = "read"
    except PlanError as exc:
        out[path] = exc.problems
    except BaseException as exc:
        out[path] = f"{type(exc).__name__}: {exc}"[:300]
print(json.dumps(out))
"""


def test_plans_too_large_or_deep_are_refused_unparsed(tmp_path: Path) -> None:
    paths = []
    for k, (content, _) in enumerate(UNPARSED.values()):
        path = tmp_path / f"plan{k}.toml"
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        paths.append(str(path))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *paths], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    for path, (name, (_, expected)) in zip(paths, UNPARSED.items(), strict=True):
        problems = results[path]
        assert isinstance(problems, list) and len(problems) == 1, (name, problems)
        assert expected in problems[0], (name, problems)


def test_a_plan_file_that_is_not_there_or_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot read it: .*no such file"):
        read_plan(tmp_path / "missing.toml")
    with pytest.raises(PlanError, match="cannot read it: .*is a directory"):
        read_plan(tmp_path)


def test_a_thousand_unknown_keys_are_counted_not_listed(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    keys = "".join(f"k{i} = 1\n" for i in range(1000))
    path.write_text(TEMPLATE.replace("[arms]\n", "[arms]\n" + keys))
    with pytest.raises(PlanError) as caught:
        read_plan(path)
    assert len(caught.value.problems) == 21
    assert caught.value.problems[-1] == "[arms]: and 980 more that are not its keys"
    assert len(str(caught.value).splitlines()) == 22


# -- every key, any value of a type it does not take ----------------------------------------------


def _keys(
    table: Table, path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], tuple[type, ...]]]:
    for name, key in table.keys.items():
        yield (*path, name), key.of.kinds
        if isinstance(key.of, Table):
            yield from _keys(key.of, (*path, name))
        if isinstance(key.of, Events):
            yield (*path, name, "discontinuation"), key.of.strategy.kinds


#: Every key of every section (``("sensitivity", "tipping_point", "deltas")``), with the TOML
#: types it takes; and the event ``discontinuation`` of the free-form intercurrent events.
EVERY_KEY = [key for name, section in SECTIONS.items() for key in _keys(section, (name,))]

TOML_VALUES = st.recursive(
    st.one_of(
        st.text(max_size=8),
        st.integers(),
        st.floats(),
        st.booleans(),
        st.dates(),
        st.times(),
        st.datetimes(),
    ),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=6,
)


#: What must never reach a terminal from a problem: control characters, bidirectional overrides.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _takes(kinds: tuple[type, ...], value: Any) -> bool:
    return isinstance(value, kinds) and (bool in kinds or not isinstance(value, bool))


def _where(path: tuple[str, ...]) -> str:
    if path[-1] == "discontinuation":
        return "[estimand.intercurrent_events] discontinuation"
    return f"[{path[0]}] {' '.join(path[1:])}"


def _set(plan: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for name in path[:-1]:
        plan = plan.setdefault(name, {})
    plan[path[-1]] = value


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hypothesis") / "plan.toml"


@pytest.mark.parametrize(("path", "kinds"), EVERY_KEY, ids=[".".join(k[0]) for k in EVERY_KEY])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_value_of_a_wrong_type_is_a_located_problem(
    plan_file: Path, path: tuple[str, ...], kinds: tuple[type, ...], data: st.DataObject
) -> None:
    value = data.draw(TOML_VALUES.filter(lambda v: not _takes(kinds, v)))
    plan = tomllib.loads(TEMPLATE)
    _set(plan, path, value)
    plan_file.write_text(tomli_w.dumps(plan))
    with pytest.raises(PlanError) as caught:
        read_plan(plan_file)
    assert any(p.startswith(_where(path)) for p in caught.value.problems), caught.value.problems


@pytest.mark.parametrize(("path", "kinds"), EVERY_KEY, ids=[".".join(k[0]) for k in EVERY_KEY])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_value_gives_a_plan_or_a_plan_error(
    plan_file: Path, path: tuple[str, ...], kinds: tuple[type, ...], data: st.DataObject
) -> None:
    value = data.draw(TOML_VALUES)
    plan = tomllib.loads(TEMPLATE)
    _set(plan, path, value)
    plan_file.write_text(tomli_w.dumps(plan))
    try:
        read_plan(plan_file)
    except PlanError as exc:
        assert all(p.startswith("[") for p in exc.problems), exc.problems
        assert not any(CONTROL.search(p) for p in exc.problems), exc.problems


# -- the command line ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("seed = 2026", "seed = -1", "[study] seed: -1 is not a whole number"),
        ("deltas = [0, 4,", 'deltas = ["x", 4,', 'tipping_point deltas: "x" is not a number'),
        ("margin = 3.0", 'margin = "big"', '[secondary] repeated_dosing margin: "big"'),
        (GUESSES, 'guesses = "guesses.csv"', "blinding guesses: no file 'guesses.csv'"),
        ('title = "DMT', 'title = { a = { b = 1 } }\nx = "', "[study] title: { a = { b = 1 } }"),
        ("[study]", "[study]\n" + "x = " + "[" * 100_000 + "\n", "nested more than 8 deep"),
        ('title = "DMT', 'title = "\\u001b]0;pwned\\u0007DMT', '"\\u001b]0;pwned\\u0007DMT'),
    ],
)
def test_command_line_exits_2_with_the_problem_before_any_analysis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: str
) -> None:
    target = tmp_path / "out"
    assert main(["report", str(_plan(tmp_path, old, new)), "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err and "running" not in err  # no analysis started
    assert not CONTROL.search(err.replace("\n", ""))
    assert not target.exists()
