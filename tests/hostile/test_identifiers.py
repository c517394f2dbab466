"""Identifiers in every common written form, and the guard that must catch them (issue 10).

Hypothesis writes identifiers of each family into a plausible trial table: people's names from the
guard's lists in any case and form, initials, telephone numbers in international and national
formats with words around them, NHS numbers with valid check digits, e-mail addresses with letters
beyond ASCII, dates of birth in written forms of several languages and as month and year, street
addresses of several countries, ages over 89. Each goes into a role column (subject, visit, arm, a
score) or another column. The guard must report it, at its row and column, and no problem -- its
message, hint or any location -- may repeat it: not the value, not one of its digit runs or names.
The same tables filled with anonymous values (visit labels, arms, scores, site codes, ages 18-89,
years alone, versions) must report nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import outcomes
from outcomes.data.problems import ProblemLog
from outcomes.validate import anonymity
from outcomes.validate.anonymity import find_identifiers
from outcomes.validate.identifiers.names import ABBREVIATIONS, NOT_NAMES, name_lists
from outcomes.validate.identifiers.values import nhs_check

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Words of the guard's own messages and hints: a name equal to one would be found in them.
OWN_WORDS = set(re.findall(r"[a-z]+", Path(anonymity.__file__).read_text().lower()))


def _names(section: str) -> list[str]:
    return sorted(
        n
        for n in name_lists()[section]
        if len(n) >= 3 and n.isalpha() and n not in NOT_NAMES and n not in OWN_WORDS
    )


GIVEN, SURNAMES = _names("given"), _names("surname")
CASES = st.sampled_from([str.lower, str.upper, str.title, lambda s: s])
LETTER = st.sampled_from("ABCDEFGHJKLMNPRSTW")


@st.composite
def person_names(draw: st.DrawFn) -> tuple[str, list[str]]:
    first, last = draw(st.sampled_from(GIVEN)), draw(st.sampled_from(SURNAMES))
    initial, second = draw(LETTER), draw(LETTER)
    particle = draw(st.sampled_from(["van der", "van den", "de la", "von der"]))
    form = draw(
        st.sampled_from(
            [
                f"{first} {last}",
                f"{last}, {first}",
                f"{last} {initial}",
                f"{last}, {initial}.",
                f"{initial}. {last}",
                f"{initial}.{second}. {last}",
                f"{first} {initial}. {last}",
                f"{first} {particle} {last}",
                f"{particle} {last}",
            ]
        )
    )
    # two initials without full stops are initials only in capitals ("Smith JA", not "smith ja")
    capitals = f"{last.title()} {initial}{second}"
    cased = draw(st.sampled_from([draw(CASES)(form), capitals, capitals.upper()]))
    return cased, [first, last]


@st.composite
def initials(draw: st.DrawFn) -> tuple[str, list[str]]:
    letters = draw(
        st.lists(LETTER, min_size=2, max_size=3).filter(
            lambda c: "".join(c).lower() not in ABBREVIATIONS
        )
    )
    sep = draw(st.sampled_from(["", " "]))
    return sep.join(f"{c}." for c in letters), []


def _digits(draw: st.DrawFn, n: int) -> str:
    return "".join(draw(st.sampled_from("0123456789")) for _ in range(n))


@st.composite
def phones(draw: st.DrawFn) -> tuple[str, list[str]]:
    d = lambda n: _digits(draw, n)  # noqa: E731
    area = draw(st.sampled_from("23456789")) + d(2)
    number = draw(
        st.sampled_from(
            [
                f"07700 9{d(5)}",
                f"+44 7700 9{d(5)}",
                f"0044 7700 9{d(5)}",
                f"+44 (0)7700 9{d(5)}",
                f"020 7946 0{d(3)}",
                f"0161 496 0{d(3)}",
                f"({area}) {d(3)}-{d(4)}",
                f"{area}-{d(3)}-{d(4)}",
                f"{area}.{d(3)}.{d(4)}",
                f"+1 {area} {d(3)} {d(4)}",
                f"1-800-{d(3)}-{d(4)}",
                f"030 {d(8)}",
                f"+49 30 {d(8)}",
                f"0151 {d(8)}",
                f"030/{d(7)}",
                f"06 {d(2)} {d(2)} {d(2)} {d(2)}",
                f"+33 6 {d(2)} {d(2)} {d(2)} {d(2)}",
                f"01.{d(2)}.{d(2)}.{d(2)}.{d(2)}",
                f"06-{d(8)}",
                f"+31 6 {d(8)}",
                f"+39 333 {d(7)}",
                f"+34 612 {d(2)} {d(2)} {d(2)}",
            ]
        )
    )
    before = draw(st.sampled_from(["", "tel: ", "Tel. ", "mob ", "Phone: ", "call ", "Telefon: "]))
    after = draw(st.sampled_from(["", " (home)", " after 6pm"]))
    return before + number + after, re.findall(r"[0-9]{4,}", number)


@st.composite
def nhs_numbers(draw: st.DrawFn) -> tuple[str, list[str]]:
    digits = draw(st.text("0123456789", min_size=10, max_size=10).filter(lambda t: nhs_check(t)))
    grouped = f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    form = draw(
        st.sampled_from(
            [f"NHS: {grouped}", f"NHS no. {digits}", f"NHS number {digits[:3]}-{digits[3:6]}-"
             f"{digits[6:]}", grouped, digits, f"CHI {digits}"]
        )
    )  # fmt: skip
    return form, [digits[:3] + digits[3:6], digits[6:]]


LETTERS = "abcdefghijklmnopqrstuvwxyz"
ACCENTED = "äöüéèñçøåßłžšı"


@st.composite
def emails(draw: st.DrawFn) -> tuple[str, list[str]]:
    part = st.text(LETTERS + ACCENTED, min_size=3, max_size=10).filter(lambda t: t not in OWN_WORDS)
    local, domain = draw(part), draw(part)
    accented = draw(st.sampled_from(ACCENTED))
    local = local[:1] + accented + local[1:]
    tld = draw(st.sampled_from(["org", "com", "de", "fr", "es", "it", "nl", "pt", "co.uk"]))
    return f"{local}@{domain}.{tld}", [local, domain]


MONTH_NAMES = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
}
MONTHS = {lang: names.split() for lang, names in MONTH_NAMES.items()}


@st.composite
def birth_dates(draw: st.DrawFn) -> tuple[str, list[str]]:
    year, month, day = (
        draw(st.integers(1920, 2010)),
        draw(st.integers(1, 12)),
        draw(st.integers(1, 28)),
    )
    en, yy = MONTHS["en"][month - 1], year % 100
    ordinal = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(day, "th")
    lang = draw(st.sampled_from(["de", "fr", "es", "it", "nl", "pt"]))
    local = MONTHS[lang][month - 1]
    form = draw(
        st.sampled_from(
            [
                f"{year}-{month:02}-{day:02}",
                f"{day:02}/{month:02}/{year}",
                f"{day}.{month}.{year}",
                f"{day:02}.{month:02}.{yy:02}",
                f"{month}/{day}/{yy:02}",
                f"{month:02}/{year}",
                f"{year}-{month:02}",
                f"{day} {en} {year}",
                f"{day}{ordinal} of {en} {year}",
                f"{en} {day}, {year}",
                f"{en} {day}{ordinal} {year}",
                f"{day:02}-{en[:3].upper()}-{year}",
                f"{day:02}{en[:3].upper()}{year}",
                f"{en} {year}",
                f"{en[:3]}-{yy:02}",
                f"{day}. {local} {year}" if lang == "de" else f"{day} {local} {year}",
                f"{day} de {local} de {year}" if lang in ("es", "pt") else f"{local} {year}",
            ]
        )
    )
    before = draw(st.sampled_from(["", "DOB ", "born ", "date of birth: ", "geb. "]))
    return before + form, [str(year)] if str(year) in form else []


STREET_NAMES = ["Acacia", "Baker", "Church", "Station", "Victoria", "Mill", "Oak", "Elm", "Maple",
                "Cedar", "Manor", "Lime", "Willow", "Chestnut", "Orchard"]  # fmt: skip
GERMAN_NAMES = ["Haupt", "Schiller", "Goethe", "Linden", "Bahnhof", "Kirch", "Berg", "Wald"]
ROMANCE_NAMES = ["Mayor", "Roma", "Garibaldi", "Augusta", "Liberdade", "Paix", "Rosas", "Verdi"]


@st.composite
def addresses(draw: st.DrawFn) -> tuple[str, list[str]]:
    number = str(draw(st.integers(1, 999))) + draw(st.sampled_from(["", "", "a", "B"]))
    name = draw(st.sampled_from(STREET_NAMES))
    strong = draw(st.sampled_from(["Street", "St", "Road", "Rd", "Avenue", "Ave", "Lane"]))
    plain = draw(st.sampled_from(["Close", "Way", "Drive", "Crescent", "Terrace", "Place"]))
    german, romance = draw(st.sampled_from(GERMAN_NAMES)), draw(st.sampled_from(ROMANCE_NAMES))
    form, secrets = draw(
        st.sampled_from(
            [
                (f"{number} {name} {strong}", [name]),
                (f"{number} {name.lower()} {strong.lower()}", [name]),
                (f"{number} {name} {plain}", [name]),
                (f"Flat 3, {number} {name} {strong}", [name]),
                (f"{german}straße {number}", [german + "straße"]),
                (f"{german}str. {number}", [german + "str"]),
                (f"{german}weg {number}", [german + "weg"]),
                (f"{german}straat {number}", [german + "straat"]),
                (f"{german}laan {number}", [german + "laan"]),
                (f"Berliner Straße {number}", ["Berliner"]),
                (f"{number} rue de la {romance}", [romance]),
                (f"{number}, avenue {romance}", [romance]),
                (f"Calle {romance} {number}", [romance]),
                (f"Via {romance} {number}", [romance]),
                (f"Piazza {romance} {number}", [romance]),
                (f"Rua {romance}, {number}", [romance]),
                (f"PO Box {number}", []),
            ]
        )
    )
    before = draw(st.sampled_from(["", "lives at ", "address: "]))
    return before + form, secrets


@st.composite
def ages(draw: st.DrawFn) -> tuple[str, list[str]]:
    age = draw(st.integers(90, 115))
    unit = draw(
        st.sampled_from(
            ["{} years", "{} yrs", "{} y/o", "{}-year-old", "aged {}", "age: {}", "{} Jahre",
             "{} ans", "{} años", "{} anni", "{} jaar", "{} anos", "{}yo", "{} years old"]
        )
    )  # fmt: skip
    return unit.format(age), []


FAMILIES = {
    "names": (person_names(), {"identifier-person-name"}),
    "initials": (initials(), {"identifier-initials"}),
    "phones": (phones(), {"identifier-phone", "identifier-ssn"}),
    "nhs": (nhs_numbers(), {"identifier-ssn"}),
    "emails": (emails(), {"identifier-email"}),
    "dates": (birth_dates(), {"identifier-date"}),
    "addresses": (addresses(), {"identifier-address"}),
    "ages": (ages(), {"identifier-age-over-89"}),
}

SUBJECTS = [f"S{i:03d}" for i in range(1, 7)]


def _trial(rows: int = 12) -> pd.DataFrame:
    """A small long table, as read from a CSV file (text)."""
    return pd.DataFrame(
        {
            "subject": [SUBJECTS[i // 2] for i in range(rows)],
            "arm": ["PLACEBO" if (i // 2) % 2 else "DMT" for i in range(rows)],
            "visit": ["BASELINE" if i % 2 == 0 else "WEEK 2" for i in range(rows)],
            "study_day": ["1" if i % 2 == 0 else "15" for i in range(rows)],
            "MADRSTOT": [str(20 + i) for i in range(rows)],
            "notes": ["none"] * rows,
        }
    )


def _problems(frame: pd.DataFrame) -> pd.DataFrame:
    log = ProblemLog(file="trial.csv")
    find_identifiers(frame, log, subject_column="subject")
    return log.to_frame()


def _assert_not_repeated(text: str, value: str, secrets: list[str]) -> None:
    """Neither the value nor any of its names or digit runs is in ``text``."""
    assert value.lower() not in text.lower(), (value, text)
    for secret in secrets:
        found = re.search(rf"(?<![^\W_]){re.escape(secret)}(?![^\W_])", text, re.IGNORECASE)
        assert found is None, (secret, value, text)


def _identifiers() -> st.SearchStrategy[tuple[str, tuple[str, list[str]]]]:
    return st.sampled_from(sorted(FAMILIES)).flatmap(
        lambda family: st.tuples(st.just(family), FAMILIES[family][0])
    )


@FAST
@given(
    identifier=_identifiers(),
    column=st.sampled_from(["notes", "visit", "arm", "MADRSTOT"]),
    row=st.integers(0, 11),
)
def test_every_identifier_is_caught_and_never_repeated(
    identifier: tuple[str, tuple[str, list[str]]], column: str, row: int
) -> None:
    family, (value, secrets) = identifier
    frame = _trial()
    frame.loc[row, column] = value
    problems = _problems(frame)
    found = problems[problems["column"] == column]
    assert set(found["code"]) & FAMILIES[family][1], (value, problems)
    assert (found["row"] == row + 1).all(), (value, problems)
    assert not found["value"].eq(value).any()
    _assert_not_repeated(problems.astype(str).to_csv(), value, secrets)


@FAST
@given(identifier=_identifiers())
def test_subject_ids_that_are_identifiers_are_caught_and_masked(
    identifier: tuple[str, tuple[str, list[str]]],
) -> None:
    family, (value, secrets) = identifier
    if family == "ages":  # an age alone is not a subject ID
        return
    frame = _trial()
    frame["subject"] = frame["subject"].replace("S002", value)
    problems = _problems(frame)
    assert "subject-id-personal" in set(problems["code"]), (value, problems)
    _assert_not_repeated(problems.astype(str).to_csv(), value, secrets)


GAD = [f"GAD020{i}" for i in range(1, 8)]


def _gad_trial() -> pd.DataFrame:
    frame = _trial().drop(columns=["MADRSTOT", "notes"])
    for item in GAD:
        frame[item] = "1"
    return frame


SCHEDULE = {
    "baseline": "BASELINE",
    "session": [{"number": 1, "day": 1}],
    "visit": [{"name": "BASELINE", "day": 1}, {"name": "WEEK 2", "day": 15}],
}


@SLOW
@given(
    identifier=_identifiers(),
    column=st.sampled_from(["visit", "arm", "GAD0203"]),
    row=st.integers(1, 11),
)
def test_no_check_of_the_read_repeats_an_identifier(
    identifier: tuple[str, tuple[str, list[str]]], column: str, row: int
) -> None:
    """A role value that is an identifier: every problem of the read (a visit not in the
    schedule, an arm that changes, a score that is not a number) masks it."""
    _, (value, secrets) = identifier
    frame = _gad_trial()
    frame.loc[row, column] = value
    with pytest.raises(outcomes.ValidationError) as info:
        outcomes.from_frame(frame, schedule=SCHEDULE, name="trial.csv")
    problems = info.value.problems
    assert problems["code"].str.startswith("identifier-").any(), problems
    text = problems.astype(str).to_csv() + str(info.value) + "\n".join(info.value.notes)
    _assert_not_repeated(text, value, secrets)


# --- anonymous values: nothing to report ----------------------------------------------------

VISITS = st.one_of(
    st.sampled_from(["BASELINE", "SCREENING", "Week Two", "End of study", "Early termination",
                     "Unscheduled", "FOLLOW-UP"]),
    st.builds(lambda f, n: f.format(n), st.sampled_from(
        ["WEEK {}", "Week {}", "Day {}", "DAY {}", "V{}", "Visit {}", "VIS{:02d}", "DOSE {}",
         "Dose {}", "Session {}", "Month {}", "Follow-up {}", "FU{}", "Day {} (+3H)"]),
        st.integers(0, 52)),
)  # fmt: skip
ARMS = st.one_of(
    st.sampled_from(["DMT", "PLACEBO", "Placebo", "MDMA", "LSD 100 µg", "Ketamine 0.5 mg/kg",
                     "Low dose", "High dose", "Niacin control", "Waitlist", "Psilocybin"]),
    st.builds("Psilocybin {} mg".format, st.sampled_from([1, 10, 25])),
)  # fmt: skip
NOTES = st.one_of(
    st.sampled_from(["none", "headache", "mild nausea", "felt calm", "tired", "N/A", "i.v.",
                     "p.o.", "see protocol v2"]),
    st.builds("{} mg".format, st.integers(1, 500)),
    st.builds("{} hours after dose".format, st.integers(1, 48)),
    st.builds("dose {} given".format, st.integers(1, 3)),
    st.builds("{}.{}".format, st.integers(0, 9), st.integers(0, 20)),
    st.builds("{}.{}.{}".format, st.integers(0, 9), st.integers(0, 9), st.integers(0, 9)),
    st.builds(str, st.integers(1930, 2006)),
)  # fmt: skip


@FAST
@given(
    visits=st.lists(VISITS, min_size=2, max_size=2, unique=True),
    arms=st.lists(ARMS, min_size=2, max_size=2, unique=True),
    notes=st.lists(NOTES, min_size=12, max_size=12),
    scores=st.lists(st.integers(0, 60), min_size=12, max_size=12),
    ages=st.lists(st.integers(18, 89), min_size=6, max_size=6),
    site=st.integers(1, 99),
    subject_form=st.sampled_from(["S{:03d}", "DMT-{site:02d}-{:04d}", "{site:03d}-{:03d}",
                                  "PT{}"]),
)  # fmt: skip
def test_anonymous_trial_values_report_nothing(
    visits: list[str],
    arms: list[str],
    notes: list[str],
    scores: list[int],
    ages: list[int],
    site: int,
    subject_form: str,
) -> None:
    frame = _trial()
    frame["subject"] = [subject_form.format(i // 2 + 1, site=site) for i in range(12)]
    frame["visit"] = [visits[i % 2] for i in range(12)]
    frame["arm"] = [arms[(i // 2) % 2] for i in range(12)]
    frame["MADRSTOT"] = [str(s) for s in scores]
    frame["notes"] = notes
    frame["AGE"] = [ages[i // 2] for i in range(12)]
    frame["SITEID"] = f"{site:03d}"
    assert _problems(frame).empty, frame
