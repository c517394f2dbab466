"""People's names and initials in cells.

A value is a listed name when its words are names of ``names.txt`` (given names and surnames of
many languages, from Faker's name lists; see that file's header and ``tools/make_names.py``), in
any case, in one of these forms::

    given surname           john smith, JOHN SMITH, María José García, John A. Smith
    surname, given          Smith, John; Smith, J.
    surname given           Li Wei (two words)
    surname initials        Smith J, SMITH JA, Smith J.A.
    initials surname        J Smith, J. A. Smith, JA Smith
    with particles          Jan van der Berg, van der Berg, de la Cruz, von Trapp, da Silva

and no word but an initial is one of a trial's own words (``week``, ``dose``, ``placebo``,
``control``, ``high``, drug, instrument and population words in several languages,
:data:`NOT_NAMES`), which no name holds. A title before a name is a name wherever it stands
(``Dr Smith``, ``seen by Mrs. Jones``, ``Herr Müller``). Initials are two to four letters each
followed by a full stop (``J.S.``, ``J. A. S.``), except common abbreviations such as ``i.v.``,
``p.o.``, ``n.a.`` or ``e.g.``.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import pyarrow as pa

from outcomes.validate.identifiers.values import contains, fullmatch, is_in

__all__ = [
    "ABBREVIATIONS",
    "NOT_NAMES",
    "dotted_initials",
    "given_names",
    "listed_names",
    "name_lists",
    "capital_initials",
    "titled_names",
]

#: Words of trial tables that are no part of a person's name (lower case).
NOT_NAMES: frozenset[str] = frozenset(
    """
    week weeks wk day days month months year years baseline screening screen follow followup up
    visit visits unscheduled early termination end study trial treatment treatments dose doses
    dosing session sessions period phase part stage arm arms group groups cohort cohorts control
    controls placebo active sham waitlist wait list usual care open label blind blinded double
    single crossover extension site sites center centre clinic hospital home remote phone video
    online test tests retest scale scales score scores total item items subscale questionnaire
    inventory rating index version form module high low medium mid middle standard full half
    micro mg drug drugs medication rescue adverse event events serious mild moderate severe none
    other unknown missing not done yes no male female white black asian mixed british irish
    african caribbean indian pakistani bangladeshi chinese arab hispanic latino native american
    hawaiian islander alaska european pacific race ethnicity night morning evening afternoon
    monday tuesday wednesday thursday friday saturday sunday first second third fourth fifth last
    next previous final pre post before after during review referral consent withdrawal
    completed complete ongoing lost decision sponsor physician investigator hamilton montgomery
    asberg åsberg beck zung spielberger sheehan yale mystical ego dissolution experience clinical
    global impression depression anxiety mania psilocybin psilocin mdma lsd dmt ketamine
    esketamine ayahuasca ibogaine mescaline escitalopram niacin midazolam diphenhydramine
    methylphenidate xanomeline woche wochen tag tage monat monate jahr jahre besuch visite dosis
    sitzung behandlung gruppe kontrolle hoch niedrig mittel nachbeobachtung semaine semaines jour
    jours mois an ans année visite séance seance traitement groupe contrôle controle haute faible
    forte suivi fin début debut base semana semanas día dia días dias mes meses año ano visita
    sesión sesion tratamiento grupo alta baja seguimiento basal settimana settimane giorno giorni
    mese mesi anno sessione trattamento gruppo controllo bassa weken dag dagen maand jaar bezoek
    sessie behandeling groep controle hoog laag mês sessão sessao baixa
    france paris london berlin madrid rome roma milan milano vienna wien zurich geneva amsterdam
    brussels lisbon lisboa dublin sydney melbourne toronto montreal boston houston dallas austin
    denver phoenix atlanta chicago florida georgia virginia carolina jordan israel india kenya
    china japan spain italy germany england scotland wales ireland canada brazil mexico chile
    peru cuba america australia zealand holland belgium sweden norway denmark finland poland
    austria switzerland portugal greece turkey
    """.split()
)
PARTICLES: frozenset[str] = frozenset(
    "van von der den de del della delle dei di da das do dos du la le ter ten zu zur vom af al el "
    "bin ibn".split()
)
#: Particles that begin a surname on their own (``van Gogh``, ``von Trapp``).
_LEADING_PARTICLES = frozenset("van von ter ten zu af".split())
#: Dotted abbreviations that are not initials (letters only, lower case).
ABBREVIATIONS = frozenset(
    "na nd iv po im sc am pm eg ie us uk qd bid tid qid prn od os ou hs ac pc ns ne nr nk unk qs "
    "sl pr bd tds qds ad bc ce vs aka".split()
)
_L = "A-Za-zÀ-ÖØ-öø-ɏ"
_WORD = rf"[{_L}]+(?:['’-][{_L}]+)*\.?"
#: A whole value of two to five name-like words, maybe with a comma (a candidate listed name).
_NAME_SHAPE = rf"[{_L}'’.-]+(?:,? +[{_L}'’.-]+){{1,4}}"
_TOKEN = re.compile(rf"{_WORD}|,")
_TITLE = (
    "Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Sir|Dame|Herr|Frau|Mme|Mlle|Sr|Sra|Srta|Dott|Dott.ssa|Sig|Sig.ra|"
    "Dhr|Mevr|dr|mr|mrs|ms|miss|prof|herr|frau|mme|sr|sra|dhr|mevr|DR|MR|MRS|MISS|PROF"
)
_TITLED = rf"(?:^|[^{_L}])(?:{_TITLE})\.? +({_WORD})"
_DOTTED = rf"[{_L}]\.(?:[ -]?[{_L}]\.?){{1,3}}"
_CAPITALS = "[A-Z]{2,3}"


@cache
def name_lists() -> dict[str, frozenset[str]]:
    """The sections of ``names.txt``: ``given``, ``surname`` and ``surname-word``.

    ``surname-word`` holds surnames that are also common English words (``Day``, ``Low``): they
    count as surnames only after a given name.

    Examples
    --------
    >>> lists = name_lists()
    >>> "john" in lists["given"], "smith" in lists["surname"], "week" in lists["given"]
    (True, True, False)
    """
    sections: dict[str, set[str]] = {}
    current: set[str] = set()
    text = resources.files("outcomes.validate.identifiers").joinpath("names.txt")
    for line in text.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), set())
        elif line and not line.startswith("#"):
            current.add(line)
    return {name: frozenset(names) for name, names in sections.items()}


@cache
def _given_only() -> pa.Array:
    return pa.array(sorted(name_lists()["given"] - NOT_NAMES), type=pa.large_string())


def _listed(word: str, names: frozenset[str]) -> bool:
    """A word in ``names``, or a hyphenated word whose parts all are (``mary-jane``)."""
    return word in names or ("-" in word and all(p in names for p in word.split("-")))


def _surname(word: str) -> bool:
    """A listed surname, or an Irish or Italian one with its prefix (``o'brien``, ``d'amico``)."""
    return _listed(word, name_lists()["surname"]) or bool(
        re.fullmatch(r"[od]['’][^\W\d_]{2,}", word)
    )


def _is_initial(token: str) -> bool:
    letters = token.rstrip(".")
    return len(letters) == 1 or (letters.isupper() and len(letters) <= 3)


def _is_listed_name(value: str) -> bool:
    """Whether a short value is a person's name in one of the forms of the module docstring."""
    lists = name_lists()
    given = lists["given"]
    tokens = _TOKEN.findall(value)
    words = [t.rstrip(".").lower() for t in tokens if t != ","]
    if len(words) < 2 or any(w in NOT_NAMES and len(w) > 2 for w in words):
        return False
    if "," in tokens:
        comma = tokens.index(",")
        before = tokens[:comma]
        after = [t for t in tokens[comma + 1 :] if t != ","]
        if not before or not after:
            return False
        tokens = after + before
        words = [t.rstrip(".").lower() for t in tokens]
    first, last = words[0], words[-1]
    middle = words[1:-1]
    if _listed(first, given) and (
        _surname(last) or last in lists["surname-word"] or _listed(last, given)
    ):
        return all(
            _listed(m, given) or _surname(m) or m in PARTICLES or len(m) == 1 for m in middle
        )
    if all(_is_initial(t) for t in tokens[:-1]) and _surname(last):
        return True
    if _surname(first) and all(_is_initial(t) for t in tokens[1:]):
        return True
    if len(words) == 2 and _surname(first) and _listed(last, given):
        return True
    particles = [i for i, w in enumerate(words) if w in PARTICLES]
    if not particles or particles[-1] == len(words) - 1:
        return False
    start = particles[0]
    run = words[start : particles[-1] + 1]
    if any(w not in PARTICLES for w in run):
        return False
    named = start == 0 or (start == 1 and first in given)
    return named and (len(run) >= 2 or run[0] in _LEADING_PARTICLES or _surname(last))


def listed_names(text: pd.Series) -> np.ndarray:
    """Whole values that are listed names, in any case (see the module docstring).

    Examples
    --------
    >>> listed_names(pd.Series(["john smith", "JOHN SMITH", "Smith J", "J. Smith",
    ...                         "van der Berg", "Smith, John", "Week Two", "Psilocybin High",
    ...                         "Placebo", "Dose A", "Hamilton D", "de la semaine"])).tolist()
    [True, True, True, True, True, True, False, False, False, False, False, False]
    """
    found = fullmatch(text, _NAME_SHAPE)
    for i in np.flatnonzero(found):
        found[i] = len(text.iat[i]) <= 60 and _is_listed_name(text.iat[i])
    return found


def titled_names(text: pd.Series) -> np.ndarray:
    """Values with a title and a name anywhere: ``Dr Smith``, ``seen by mrs jones``.

    The word after the title is capitalised or a listed name, and not a trial word.

    Examples
    --------
    >>> titled_names(pd.Series(["seen by Dr Patel", "mr smith", "Dr visit", "MS cohort"])).tolist()
    [True, True, False, False]
    """
    lists = name_lists()
    found = contains(text, _TITLED)
    regex = re.compile(_TITLED)
    for i in np.flatnonzero(found):
        found[i] = False
        for match in regex.finditer(text.iat[i]):
            word = match.group(1).rstrip(".")
            listed = word.lower() in lists["surname"] or word.lower() in lists["given"]
            if word.lower() not in NOT_NAMES and (word[:1].isupper() or listed):
                found[i] = True
                break
    return found


def given_names(text: pd.Series) -> np.ndarray:
    """Whole values that are one listed given name, in any case (``MARY``, ``Ahmed``).

    Examples
    --------
    >>> given_names(pd.Series(["MARY", "ahmed", "Placebo", "Mary Jones"])).tolist()
    [True, True, False, False]
    """
    return is_in(text, _given_only())


def dotted_initials(text: pd.Series) -> np.ndarray:
    """Whole values that are initials with full stops (``J.S.``, ``J. A. S.``, ``j.s``).

    Examples
    --------
    >>> dotted_initials(pd.Series(["J.S.", "J. S.", "j.s", "i.v.", "N.A.", "1.2", "e.g."])).tolist()
    [True, True, True, False, False, False, False]
    """
    found = fullmatch(text, _DOTTED)
    for i in np.flatnonzero(found):
        found[i] = re.sub(r"[^a-z]", "", text.iat[i].lower()) not in ABBREVIATIONS
    return found


def capital_initials(text: pd.Series) -> np.ndarray:
    """Whole values of two or three capital letters (``JS``, ``MKL``): initials in some columns.

    Examples
    --------
    >>> capital_initials(pd.Series(["JS", "MKL", "js", "ABCD", "J"])).tolist()
    [True, True, False, False, False]
    """
    return fullmatch(text, _CAPITALS)
