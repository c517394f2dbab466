"""The instrument registry: built-in definitions, lookup, user registration, bad definitions."""

from __future__ import annotations

import copy
import re
from importlib import resources
from typing import Any

import pytest

from outcomes.errors import InstrumentError, ReadError
from outcomes.instruments import (
    Instrument,
    Item,
    available,
    find_code,
    get,
    instrument_from_mapping,
    register,
    registry,
    unregister,
)


@pytest.fixture(autouse=True)
def fresh_registry():
    """Each test starts from the built-ins and leaves nothing registered behind."""
    registry._reset()
    yield
    registry._reset()


# name: (items, item min, item max, total min, total max, scoring, higher_is_worse, total code)
BUILT_INS: dict[str, tuple[int, float | None, float | None, float, float, str, bool, str]] = {
    # Montgomery & Åsberg 1979: 10 items 0-6, total 0-60; sponsor code MADRSTOT
    "madrs": (10, 0, 6, 0, 60, "sum", True, "MADRSTOT"),
    # Spitzer et al. 2006: 7 items 0-3, total 0-21; CDISC QSTESTCD GAD0208
    "gad7": (7, 0, 3, 0, 21, "sum", True, "GAD0208"),
    # Kroenke et al. 2001: 9 scored items 0-3, total 0-27; CDISC QSTESTCD PHQ0111
    "phq9": (9, 0, 3, 0, 27, "sum", True, "PHQ0111"),
    # Hamilton 1960: 17 items, 9 of them 0-4 and 8 of them 0-2: 9*4 + 8*2 = 52
    "hamd17": (17, 0, 4, 0, 52, "sum", True, "HAMD0118"),
    # Hamilton 1959: 14 items 0-4, total 0-56
    "hama": (14, 0, 4, 0, 56, "sum", True, "HAMA0115"),
    # Costa & McCrae 1992: 12 N items 0-4, total 0-48
    "neo-ffi-n": (12, 0, 4, 0, 48, "sum", True, "NEONTOT"),
    # John & Srivastava 1999: 8 N items 1-5, scored as the item mean, 1-5
    "bfi44-n": (8, 1, 5, 1, 5, "mean", True, "BFINTOT"),
    # Soto & John 2017: 12 Negative Emotionality items 1-5, item mean, 1-5
    "bfi2-n": (12, 1, 5, 1, 5, "mean", True, "BFI2NTOT"),
    # Rosen, Mohs & Davis 1984: 11 cognitive items, 0-5 to 0-12, total 0-70; CDISC Pilot 01 ACTOT
    "adas-cog11": (11, 0, 12, 0, 70, "sum", True, "ACTOT"),
    # Beck, Steer & Brown 1996: registered by its total alone, 0-63 (no items)
    "bdi-ii": (0, None, None, 0, 63, "sum", True, "BDI2TOT"),
    # Barrett et al. 2015: 30 items 0-5, item mean 0-5; higher = stronger experience
    "meq30": (30, 0, 5, 0, 5, "mean", False, "MEQTOT"),
    # Nour et al. 2016: 8 visual-analogue items 0-100, item mean 0-100
    "edi": (8, 0, 100, 0, 100, "mean", False, "EDITOT"),
}

# name: (response_fall, remission_max, clinical_cutoff, reliability)
RULES: dict[str, tuple[float | None, float | None, float | None, float | None]] = {
    # Rush et al. 2006 (50% fall); remission <= 10 (Goodwin 2022, Raison 2023); SIGMA ICC 0.93
    "madrs": (0.5, 10, 10, 0.93),
    # Spitzer 2006: caseness >= 10, stored as "ends at or below 9"; test-retest 0.83
    "gad7": (0.5, None, 9, 0.83),
    # Kroenke 2001: cut-off >= 10, stored as "at or below 9"; test-retest 0.84
    "phq9": (0.5, None, 9, 0.84),
    # Frank et al. 1991: remission <= 7
    "hamd17": (0.5, 7, 7, None),
    "hama": (0.5, None, None, None),
    # Costa & McCrae 1992: alpha 0.86
    "neo-ffi-n": (None, None, None, 0.86),
    "bfi44-n": (None, None, None, None),
    "bfi2-n": (None, None, None, None),
    "meq30": (None, None, None, None),
    # Nour et al. 2016: alpha 0.93
    "edi": (None, None, None, 0.93),
}

# name: positions (1-based, in the scale's own order) of reverse-keyed items
REVERSED: dict[str, set[int]] = {
    "neo-ffi-n": {1, 4, 7, 10},  # NEO-FFI items 1, 16, 31, 46 (DOMAIN.md)
    "bfi44-n": {2, 5, 7},  # BFI items 9, 24, 34
    "bfi2-n": {1, 2, 5, 6, 9, 10},  # BFI-2 items 4, 9, 24, 29, 44, 49
}


def test_available_lists_every_built_in():
    assert available() == sorted(BUILT_INS)


@pytest.mark.parametrize("name", sorted(BUILT_INS))
def test_built_in_shape(name: str):
    n_items, lo, hi, total_lo, total_hi, scoring, worse, total_code = BUILT_INS[name]
    instrument = get(name)
    assert instrument.name == name
    assert len(instrument.items) == n_items
    assert min((i.min for i in instrument.items), default=None) == lo
    assert max((i.max for i in instrument.items), default=None) == hi
    assert (instrument.total_min, instrument.total_max) == (total_lo, total_hi)
    assert instrument.scoring == scoring
    assert instrument.higher_is_worse is worse
    assert instrument.total_code == total_code


@pytest.mark.parametrize("name", sorted(RULES))
def test_built_in_rules(name: str):
    instrument = get(name)
    rules = (
        instrument.response_fall,
        instrument.remission_max,
        instrument.clinical_cutoff,
        instrument.reliability,
    )
    assert rules == RULES[name]


@pytest.mark.parametrize("name", sorted(BUILT_INS))
def test_every_figure_has_a_source(name: str):
    instrument = get(name)
    assert instrument.sources.get("items" if instrument.items else "total_range")
    for key in ("bands", "response_fall", "remission_max", "clinical_cutoff", "reliability"):
        if getattr(instrument, key):
            assert instrument.sources.get(key), f"{name}: {key} has no source"


@pytest.mark.parametrize("name", sorted(BUILT_INS))
def test_reverse_keying(name: str):
    reversed_positions = {i for i, item in enumerate(get(name).items, 1) if item.reverse}
    assert reversed_positions == REVERSED.get(name, set())


def test_hamd17_item_ranges():
    # Hamilton 1960: items 1-3, 7-11 and 15 are rated 0-4, the others 0-2.
    wide = {1, 2, 3, 7, 8, 9, 10, 11, 15}
    maxima = {i: item.max for i, item in enumerate(get("hamd17").items, 1)}
    assert maxima == {i: (4.0 if i in wide else 2.0) for i in range(1, 18)}


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("madrs", "MADRS01", "MADRS10"),
        ("gad7", "GAD0201", "GAD0207"),
        ("phq9", "PHQ0101", "PHQ0109"),
        ("hamd17", "HAMD0101", "HAMD0117"),
        ("hama", "HAMA0101", "HAMA0114"),
        ("neo-ffi-n", "NEON01", "NEON12"),
        ("bfi44-n", "BFIN01", "BFIN08"),
        ("bfi2-n", "BFI2N01", "BFI2N12"),
        ("meq30", "MEQ01", "MEQ30"),
        ("edi", "EDI01", "EDI08"),
    ],
)
def test_item_codes(name: str, first: str, last: str):
    codes = get(name).item_codes
    assert (codes[0], codes[-1]) == (first, last)


def test_codes_are_unique_across_the_registry():
    codes = [c for n in available() for c in (*get(n).item_codes, get(n).total_code)]
    assert len(codes) == len(set(codes))


def test_catalogue_file_names_match_instrument_names():
    catalogue = resources.files("outcomes.instruments").joinpath("catalogue")
    stems = sorted(
        e.name.removesuffix(".toml") for e in catalogue.iterdir() if e.name.endswith(".toml")
    )
    assert stems == sorted(BUILT_INS)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("GAD-7", "gad7"),
        ("gad7", "gad7"),
        ("GAD-7 V2", "gad7"),
        ("gad_7", "gad7"),
        ("MADRS", "madrs"),
        ("madrs", "madrs"),
        ("PHQ-9", "phq9"),
        ("HAMD17", "hamd17"),
        ("HAM-D17", "hamd17"),
        ("HAMD-17", "hamd17"),
        ("HAMD 17", "hamd17"),
        ("HAM-A", "hama"),
        ("NEO-FFI-N", "neo-ffi-n"),
        ("neo ffi n", "neo-ffi-n"),
        ("BFI-44-N", "bfi44-n"),
        ("BFI-2-NE", "bfi2-n"),
        ("MEQ-30", "meq30"),
        ("EDI", "edi"),
    ],
)
def test_lookup_by_alias(query: str, name: str):
    assert get(query).name == name


def test_get_passes_an_instrument_through():
    madrs = get("madrs")
    assert get(madrs) is madrs


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("GAD-8", "gad7"),
        ("madr", "madrs"),
        ("PHQ-8", "phq9"),
        ("NEO-FFI-E", "neo-ffi-n"),
    ],
)
def test_unknown_name_suggests_the_closest(query: str, suggestion: str):
    with pytest.raises(InstrumentError, match=f"did you mean '{suggestion}'") as info:
        get(query)
    assert "Available: adas-cog11, bdi-ii, bfi2-n, bfi44-n, edi" in str(info.value)


def test_unknown_name_without_a_close_match():
    with pytest.raises(InstrumentError, match="unknown instrument 'zzzz'") as info:
        get("zzzz")
    assert "did you mean" not in str(info.value)


def test_unknown_name_is_a_lookup_error():
    with pytest.raises(LookupError):
        get("nothing-like-it")


@pytest.mark.parametrize(
    ("code", "name", "label"),
    [
        ("GAD0203", "gad7", "worrying too much about different things"),
        ("gad0203", "gad7", "worrying too much about different things"),
        ("MADRS10", "madrs", "suicidal thoughts"),
        ("MADRSTOT", "madrs", None),
        ("PHQ0111", "phq9", None),
        ("HAMD0117", "hamd17", "insight"),
        ("NEON01", "neo-ffi-n", "NEO-FFI item 1 (N)"),
        ("BFI2N12", "bfi2-n", "BFI-2 item 59 (N)"),
    ],
)
def test_find_code(code: str, name: str, label: str | None):
    instrument, item = find_code(code)
    assert instrument.name == name
    assert (item.label if item else None) == label


def test_find_unknown_code():
    with pytest.raises(InstrumentError, match="'GAD0299'"):
        find_code("GAD0299")


# --- Registering the user's own scales --------------------------------------------------------

CUSTOM = {
    "name": "wemwbs7",
    "title": "Short Warwick-Edinburgh Mental Wellbeing Scale",
    "construct": "wellbeing",
    "total_code": "SWTOT",
    "higher_is_worse": False,
    "aliases": ["SWEMWBS"],
    "items": [
        {"code": f"SW{i:02d}", "label": f"item {i}", "min": 1, "max": 5} for i in range(1, 8)
    ],
    "bands": [{"label": "low", "low": 7, "high": 20}, {"label": "high", "low": 21, "high": 35}],
    "sources": {"items": "Stewart-Brown S et al. (2009) Health Qual Life Outcomes 7:15."},
}

CUSTOM_TOML = """
name = "wemwbs7"
title = "Short Warwick-Edinburgh Mental Wellbeing Scale"
construct = "wellbeing"
total_code = "SWTOT"
higher_is_worse = false
aliases = ["SWEMWBS"]
items = [
  { code = "SW01", label = "optimistic", min = 1, max = 5 },
  { code = "SW02", label = "useful", min = 1, max = 5 },
  { code = "SW03", label = "relaxed", min = 1, max = 5 },
]
bands = [
  { label = "low", low = 3, high = 8 },
  { label = "high", low = 9, high = 15 },
]
[sources]
items = "Stewart-Brown S et al. (2009) Health Qual Life Outcomes 7:15."
"""


def test_register_from_a_dict():
    instrument = register(CUSTOM)
    assert get("swemwbs") is instrument
    assert "wemwbs7" in available()
    assert (instrument.total_min, instrument.total_max) == (7, 35)  # 7 items 1-5
    assert find_code("SW03") == (instrument, instrument.items[2])


@pytest.mark.parametrize("as_str", [False, True])
def test_register_from_a_toml_file(tmp_path, as_str: bool):
    path = tmp_path / "wemwbs.toml"
    path.write_text(CUSTOM_TOML, encoding="utf-8")
    instrument = register(str(path) if as_str else path)
    assert get("SWEMWBS") is instrument
    assert instrument.item_codes == ["SW01", "SW02", "SW03"]
    assert [b.label for b in instrument.bands] == ["low", "high"]


def test_register_an_instrument():
    toy = Instrument("toy", "Toy", "test", (Item("TOY1", "a", 0, 1),), "TOYTOT")
    assert register(toy) is get("toy")


def test_registered_scale_is_gone_after_unregister():
    register(CUSTOM)
    assert unregister("SWEMWBS").name == "wemwbs7"
    with pytest.raises(InstrumentError, match="unknown instrument"):
        get("wemwbs7")


def test_unregister_unknown_name():
    with pytest.raises(InstrumentError, match="unknown instrument 'nope'"):
        unregister("nope")


def with_changes(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(CUSTOM)
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "shared", "owner"),
    [
        ({"name": "madrs"}, "name or alias madrs", "madrs"),
        ({"aliases": ["GAD-7"]}, "name or alias gad7", "gad7"),
        ({"total_code": "PHQ0111"}, "code(s) PHQ0111", "phq9"),
        (
            {"items": [{"code": "GAD0201", "label": "a", "min": 1, "max": 5}], "bands": []},
            "code(s) GAD0201",
            "gad7",
        ),
    ],
)
def test_register_refuses_a_clash(changes: dict[str, Any], shared: str, owner: str):
    before = available()
    with pytest.raises(InstrumentError, match=re.escape(f"{shared} with '{owner}'")):
        register(with_changes(**changes))
    assert available() == before


def test_register_refuses_the_same_name_twice():
    register(CUSTOM)
    with pytest.raises(InstrumentError, match="replace=True"):
        register(CUSTOM)


def test_replace_removes_what_it_clashes_with():
    clash = with_changes(items=[{"code": "GAD0201", "label": "a", "min": 1, "max": 5}], bands=[])
    instrument = register(clash, replace=True)
    assert "gad7" not in available()
    assert find_code("GAD0201")[0] is instrument
    replaced = register(with_changes(title="Second version", bands=[]), replace=True)
    assert get("wemwbs7") is replaced


def test_register_a_missing_file(tmp_path):
    with pytest.raises(ReadError, match="no such file"):
        register(tmp_path / "absent.toml")


def test_register_a_file_that_is_not_toml(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("name = 'x\nitems = [", encoding="utf-8")
    with pytest.raises(InstrumentError, match="broken.toml: not valid TOML"):
        register(path)


def test_register_a_bad_file_names_the_file_and_field(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        CUSTOM_TOML.replace(
            "higher_is_worse = false", 'higher_is_worse = false\nscoring = "total"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(InstrumentError, match=r"bad\.toml: instrument 'wemwbs7'.*\n  scoring:"):
        register(path)


def test_register_something_else():
    with pytest.raises(InstrumentError, match="cannot register a int"):
        register(42)  # type: ignore[arg-type]


def test_register_a_malformed_instrument_object():
    bad = Instrument("toy", "Toy", "test", (Item("TOY1", "a", 3, 1),), "TOYTOT")
    with pytest.raises(InstrumentError, match=re.escape("items[0].max")):
        register(bad)


# --- Bad definitions: each names the instrument and the field ---------------------------------

ONE_ITEM = [{"code": "SW01", "label": "a", "min": 1, "max": 5}]

BAD_DEFINITIONS: dict[str, tuple[dict[str, Any], str]] = {
    "missing title": ({"title": None}, "title: is required"),
    "empty construct": ({"construct": " "}, "construct: must be a non-empty string"),
    "unknown field": ({"remision_max": 10}, "unknown field(s) remision_max"),
    "bad scoring": ({"scoring": "median"}, "scoring: must be 'sum' or 'mean'"),
    "direction not a flag": ({"higher_is_worse": "no"}, "higher_is_worse: must be true or false"),
    "no items": ({"items": [], "bands": []}, "items: at least one item"),
    "items not tables": ({"items": ["SW01"], "bands": []}, "items: must be a list of tables"),
    "repeated code": (
        {"items": [*ONE_ITEM, *ONE_ITEM], "bands": []},
        "items[1].code: 'SW01' repeats items[0].code",
    ),
    "repeated code, other case": (
        {"items": [*ONE_ITEM, {**ONE_ITEM[0], "code": "sw01"}], "bands": []},
        "items[1].code: 'sw01' repeats",
    ),
    "code not a column name": (
        {"items": [{**ONE_ITEM[0], "code": "1 X"}], "bands": []},
        "items[0].code: '1 X' is not a code",
    ),
    "min not below max": (
        {"items": [{**ONE_ITEM[0], "min": 5}], "bands": []},
        "items[0].max: must be greater than min (5 <= 5)",
    ),
    "min not a number": (
        {"items": [{**ONE_ITEM[0], "min": "one"}], "bands": []},
        "items[0].min: must be a finite number",
    ),
    "max missing": (
        {"items": [{"code": "SW01", "label": "a", "min": 1}], "bands": []},
        "items[0].max: is required",
    ),
    "reverse not a flag": (
        {"items": [{**ONE_ITEM[0], "reverse": "yes"}], "bands": []},
        "items[0].reverse: must be true or false",
    ),
    "unknown item field": (
        {"items": [{**ONE_ITEM[0], "weight": 2}], "bands": []},
        "items[0]: unknown field(s) weight",
    ),
    "total code is an item code": ({"total_code": "SW01"}, "total_code: 'SW01' is also items[0]"),
    "band outside the range": (
        {
            "bands": [
                {"label": "low", "low": 7, "high": 20},
                {"label": "high", "low": 21, "high": 40},
            ]
        },
        "bands[1]: 21-40 is outside the total's range 7-35",
    ),
    "overlapping bands": (
        {
            "bands": [
                {"label": "low", "low": 7, "high": 22},
                {"label": "high", "low": 21, "high": 35},
            ]
        },
        "bands[1].low: must be above bands[0].high (22)",
    ),
    "bands not covering the range": (
        {
            "bands": [
                {"label": "low", "low": 10, "high": 20},
                {"label": "high", "low": 21, "high": 35},
            ]
        },
        "bands[0].low: must be 7",
    ),
    "band labels repeated": (
        {"bands": [{"label": "x", "low": 7, "high": 20}, {"label": "x", "low": 21, "high": 35}]},
        "bands[1].label: must be a non-empty, unrepeated label",
    ),
    "response fall as a percentage": ({"response_fall": 50}, "response_fall: must be a fraction"),
    "remission outside the range": ({"remission_max": 40}, "remission_max: 40.0 is outside"),
    "cut-off outside the range": ({"clinical_cutoff": 0}, "clinical_cutoff: 0.0 is outside"),
    "reliability of 1": ({"reliability": 1}, "reliability: must be above 0 and below 1"),
    "aliases not a list": ({"aliases": "SWEMWBS"}, "aliases: must be a list of strings"),
    "source of an unknown field": ({"sources": {"cutoff": "x"}}, "sources.cutoff: is not a field"),
    "name with a space": ({"name": "my scale"}, "name: must be lower case without spaces"),
}


@pytest.mark.parametrize("case", sorted(BAD_DEFINITIONS))
def test_bad_definition_names_the_field(case: str):
    changes, message = BAD_DEFINITIONS[case]
    data = with_changes(**changes)
    with pytest.raises(InstrumentError, match=re.escape(message)) as info:
        instrument_from_mapping(data)
    name = data["name"] if isinstance(data["name"], str) else "<unnamed>"
    assert f"instrument {name!r}" in str(info.value)


def test_every_problem_is_reported_at_once():
    data = with_changes(
        scoring="median",
        reliability=2.0,
        items=[{**ONE_ITEM[0], "min": 9}, {**ONE_ITEM[0], "code": "SW01"}],
        bands=[],
    )
    with pytest.raises(InstrumentError) as info:
        instrument_from_mapping(data)
    text = str(info.value)
    assert "4 problem(s)" in text
    for field in ("scoring", "items[0].max", "items[1].code"):
        assert f"\n  {field}:" in text


def test_a_definition_must_be_a_mapping():
    with pytest.raises(InstrumentError, match="must be a mapping, not list"):
        instrument_from_mapping([("name", "x")])  # type: ignore[arg-type]


def test_a_missing_name():
    with pytest.raises(InstrumentError, match="instrument '<unnamed>'.*\n  name: is required"):
        instrument_from_mapping(with_changes(name=None))


def test_name_is_stored_in_lower_case():
    assert instrument_from_mapping(with_changes(name="WEMWBS7")).name == "wemwbs7"
