"""The anonymisation guard: find direct identifiers in a raw trial table before any analysis.

Trial files given to ``outcomes`` must be anonymised (HIPAA Safe Harbor: no names, sub-state
geography, dates other than the year, ages over 89, telephone or fax numbers, e-mail addresses,
identity numbers, URLs or IP addresses). :func:`find_identifiers` scans every column of a table
as read from its file, the columns that play a role (subject, arm, visit, scores) included, and
adds one error to a :class:`~outcomes.data.problems.ProblemLog` per column and code, with the
number of rows affected, the first of them, its subject, and the offending value masked (first
character kept, every other letter and digit replaced by ``*``). The values found are given to
:meth:`ProblemLog.protect <outcomes.data.problems.ProblemLog.protect>`, so that no problem of the
read, the guard's or a later check's (a visit not in the schedule, an arm that changes, a score
that is not a number), repeats them. A column the user passes in ``allow`` is never reported.

Codes and rules
---------------
Column names are normalised first: accents folded, camelCase split, case folded, and runs of
anything but letters and digits become one space (``"DateOfBirth"``, ``"date_of_birth"`` ->
``date of birth``). A name is matched whole, so ``PHONE_VISIT``, ``VISITNAME``, ``SITEID`` or
``drug_name`` are not identifiers.

``identifier-column``
    The whole name (words may be run together, a trailing number is ignored) is an identifier
    word of English, German, French, Spanish, Italian, Dutch or Portuguese, optionally after whose
    it is (``patient``, ``subject``, ``gp``, ``carer``, ``nok``, ``next of kin``, ``emergency
    contact``, ``mother``, ``home``, ...; ``name_of_patient``, ``nom du patient`` and ``patient's
    name`` too): a personal name (``name``, ``first/last/family/given/maiden name``, ``surname``,
    ``initials``, ``inits``, ``SUBJINIT``, ``vorname``, ``nachname``, ``nom``, ``prénom``,
    ``nombre``, ``apellido``, ``cognome``, ``naam``, ``achternaam``, ``sobrenome``, ...); an
    e-mail (``email``, ``courriel``, ``correo``, ``e-mailadres``); a telephone (``phone``,
    ``tel``, ``mobile``, ``fax``, ``telefon``, ``handy``, ``téléphone``, ``portable``, ``móvil``,
    ``cellulare``, ``telefoon``, with ``number``/``no``/``nummer``/``número de`` around); an
    address (``address``, ``street``, ``city``, ``town``, ``zip``, ``postcode``, ``adresse``,
    ``anschrift``, ``PLZ``, ``ville``, ``dirección``, ``indirizzo``, ``woonplaats``,
    ``endereço``, ``place of birth``, ``Geburtsort``); a birth date (``dob``, ``date of
    birth``, ``BRTHDTC``, ``Geburtsdatum``, ``date de naissance``, ``fecha de nacimiento``,
    ``data di nascita``, ``geboortedatum``, ``data de nascimento``); an identity number
    (``ssn``, ``nhs number``, ``chi number``, ``mrn``, ``insurance``, ``NI number``,
    ``Versichertennummer``, ``NIR``, ``DNI``, ``codice fiscale``, ``BSN``, ``CPF``, ...); a
    contact person (``nok``, ``next of kin``, ``emergency contact``, ``contact number``); an IP
    address; a URL; a licence, passport, vehicle or device number; a social media name
    (``twitter_handle``, ``instagram``). Whose it is may also be a carer's, a relative's or a
    member of staff's (``therapist_name``, ``sitter_phone``, ``nok_contact``), and a word after
    it may say how it is stored (``dob_text``, ``phone_raw``). Bare ``ip`` (investigational
    product), ``contact``, ``nhs`` or ``hospital`` are not matched.
    A column name that is itself an identifier by the value rules below (a header row that is a
    record) is reported under this code, masked.

Every column is scanned value by value, on the distinct values of all text columns together
(strings, categories, dates; numeric columns only by the rules for numbers, see below). Values
that are plain numbers (``"12"``, ``"-0.63"``) are only tested by the rules that concern digit
strings (telephone, identity and ZIP numbers).

``identifier-email``
    A value contains ``local@domain.tld``, with letters of any script (``jöhn@exämple.org``).
``identifier-phone``
    A value contains, between word boundaries, a telephone number of 10 to 15 digits: ``+`` or
    ``00`` and the country code (``+44 (0)7700 900123``, ``0044 7700 900123``); a national
    number with its trunk ``0`` (``020 7946 0958``, ``07700 900123``, ``030/1234567``,
    ``06 12 34 56 78``); a North American number with separators (``(555) 123-4567``,
    ``555.123.4567``, ``1-800-555-0199``); or 9 to 15 digits after a word such as ``tel``,
    ``phone``, ``mob`` or ``fax`` (``Phone: 5551234567``). Text around it does not matter
    (``mob 07700 900123``). A date and time (``05/03/2024 10:30``) is not a number.
``identifier-date``
    A value contains a date other than a year alone, with a year 1800-2199: ISO ``2024-03-05``
    (also with ``/`` or ``.`` and a time, as Excel exports it), ``05/03/2024``, ``3/5/24``
    (two-digit years with ``/``), ``05.03.85``, ``05.03.2024``; in words, with month names of
    English, German, French, Spanish, Italian, Dutch and Portuguese, in full or abbreviated
    (``5 Mar 2024``, ``05-MAR-2024``, SAS ``05MAR2024``, ``March 5, 2024``,
    ``5th of March 1985``, ``5. März 1985``, ``le 1er mars 1985``, ``5 de marzo de 1985``);
    a month and year (``03/1985``, ``03.1985`` in text, ``1985-03``, ``March 1985``,
    ``marzo de 1985``, ``Mar-85``); a day and month with an ordinal (``5th of March``,
    ``March 5th``). ``datetime64`` columns and date objects are scanned as their ISO text.
``identifier-postcode``
    A whole value is a UK postcode with its space (``SW1A 1AA``) or a ZIP+4 code
    (``12345-6789``); in a column whose name mentions zip, postcode or postal, also five digits.
``identifier-address``
    A value contains a street address: a house number, one to four words and a street word
    (``12 Acacia Avenue``, ``221B Baker Street``, ``Flat 3, 12 High St``); a German or Dutch
    street and number (``Hauptstraße 5``, ``Berliner Straße 12a``, ``Kerkstraat 7``); a French,
    Spanish, Italian or Portuguese one (``5 rue de la Paix``, ``Calle Mayor 5``, ``Via Roma 1``,
    ``Rua Augusta 100``); or a post office box (``PO Box 12``, ``Postfach 12``). Street words
    that are also common words (``close``, ``way``, ``park``, ``via``) count only capitalised,
    and no word of a street name may be a common word (``2 hours on the road``).
``identifier-url``
    A value contains ``http://``, ``https://``, ``ftp://`` or ``www.``.
``identifier-ip``
    A value contains a dotted IPv4 address (four numbers 0-255).
``identifier-ssn``
    A value contains an identity number: a US social security number (``123-45-6789``,
    ``123 45 6789``, or nine digits after ``SSN``); an NHS or CHI number (ten digits, grouped
    3-3-4 or not, whose last is the modulus-11 check digit of the other nine, not all the same
    digit) in a value that names it (``NHS: 943 476 5919``, ``NHS no. 9434765919``), or
    anywhere in a column where most such ten-digit numbers pass the check (a random code passes
    one time in eleven); a Dutch BSN after its name (11-proof); a French NIR (15 characters,
    key ``97 - n mod 97``); a Spanish DNI or NIE (check letter). Ten-digit integers in numeric
    columns are tested for NHS numbers the same way.
``identifier-age-over-89``
    The column is named for age (``age``, ``AGE``, ``age_years``, ``AGEYRS``, ``age at
    baseline``, ``Alter``, ``âge``, ``edad``, ``età``, ``leeftijd``, ``idade``) and a value is a
    number above 89; or a value anywhere writes an age from 90 to 119 with its unit or word
    (``95 years``, ``95 yrs``, ``95 y/o``, ``95-year-old``, ``aged 95``, ``92 Jahre``,
    ``91 ans``, ``93 años``). Aggregates (``90+``, ``>89``, ``aged 90 or older``) are not ages.
``identifier-person-name``
    A value is a listed name in any case (:mod:`outcomes.validate.identifiers.names`: given name and
    surname, ``Smith, John``, ``Smith J``, ``J. Smith``, names with particles such as
    ``van der Berg``, with names of many languages from a list shipped with the package and no
    trial word such as ``week``, ``dose`` or ``placebo``); or holds a title and a name
    (``Dr Smith``, ``seen by Mrs. Jones``, ``Herr Müller``); or, in a column of at least five
    distinct values, over half of them are two or three capitalised words (``John Smith``,
    ``John A. Smith``, ``Smith, John``, ``Mary-Jane O'Neil``), or over half are one listed given
    name (``MARY``, ``Ahmed``), and over half of those are held by one subject only (by one row
    when the subject column is unknown), the column's values being held by two subjects or more.
``identifier-initials``
    A value is initials with full stops (``J.S.``, ``J. A. S.``; not abbreviations such as
    ``i.v.`` or ``n.a.``); or, in a column named for initials, two to four letters (``JS``); or,
    in a column of at least five distinct values, over half of them are two or three capital
    letters and over half of those are held by one subject only (of two subjects or more).
``identifier-free-text``
    At least five distinct values; their median number of words (space-separated tokens with a
    letter) is 4 or more, or it is 2 or more and their mean length above 30 characters; and over
    half of the distinct values are held by one subject only (one row when the subject column is
    unknown), of two subjects or more. Rows with two words or more are reported.
``subject-id-personal``
    Subject IDs that any rule above finds (e-mail addresses, telephone or identity numbers,
    names, initials, dates, addresses, ...), that are two or three capitalised words (any one
    value), or -- when at least half of the distinct IDs do -- eight digits that read as a
    birth date ``DDMMYYYY``, ``MMDDYYYY`` or ``YYYYMMDD`` with a year 1900-2015. When they are
    personal, every subject ID is protected, so the subject of every problem is masked.

Numeric columns (numbers, not text) are tested by the age rule when named for age, and for NHS
numbers among their ten-digit integers; a numeric subject column is scanned as text.

Limits
------
Not found (false negatives): single names and names whose words are not in the list, in lower case
or in capitals (``xochitl nakamura``; in title case they are found only by the column rule of
capitalised words), and names in a column of fewer than five values unless listed; names written in
non-Latin scripts; per-subject free text or names repeated on every visit when the subject column is
unknown, and short free text in small tables; in a table of one subject, the column rules (free
text, capitalised or given names, capital initials), which need several subjects to tell a label
from a personal value; initials without full stops outside a column named for them or a column of
them; local telephone numbers without an area code, numbers of fewer than ten digits without a
telephone word, and bare ten-digit numbers without a trunk ``0`` (``5551234567``); telephone numbers
stored as numbers (the leading 0 lost); compact dates (``20240305``) outside subject IDs, month/year
written ``03.1985`` or ``03-1985`` alone (a decimal number, a code), dates with non-Latin month
names; day and month without an ordinal or year (``12 Mar``); UK postcodes without their space and
partial postcodes; US ZIP codes in columns not named for them, and other countries' postcodes;
addresses without a house number or street word (``The Old Rectory``), and street names with common
words; identity numbers without a check digit or pattern (passport numbers, NHS numbers in a column
of mostly other ten-digit codes, BSN without its name, Italian codice fiscale, UK National Insurance
numbers); ages written in other words (``ninety-five``) or over 119; identifiers in numeric columns
other than ages and ten-digit NHS numbers. Possibly reported although anonymous (false positives):
ten-digit codes in a column where most of them pass the NHS check; subject IDs such as
``0123456789`` (read as a telephone number) or ``01-02-2003`` (a date); year ranges and codes that
read as a year and month (``2010-12``, ``Batch 2024-01``); version numbers with four parts (read as
IP addresses); two listed names together that are not a person (``Tom Tom``, a place or a brand);
values titled like a person (``Dr Foster``); and wordy labels held by one subject each in tiny
tables (a race category per subject for five subjects), or two- and three-letter codes held by one
subject each (country codes in a table of five subjects).

Examples
--------
>>> import pandas as pd
>>> from outcomes.data.problems import ProblemLog
>>> frame = pd.DataFrame({
...     "subject": ["S001", "S002", "S003"],
...     "contact": [None, "jane@example.org", "bob@example.org"],
...     "madrs": [31, 28, 35],
... })
>>> log = ProblemLog(file="trial.csv")
>>> find_identifiers(frame, log, subject_column="subject")
>>> problem = log.problems[0]
>>> problem.code, problem.row, problem.subject, problem.value
('identifier-email', 2, 'S002', 'j***@*******.***')
>>> print(problem.message)
column 'contact' holds e-mail addresses in 2 rows (first: row 2)
>>> allowed = ProblemLog(file="trial.csv")
>>> find_identifiers(frame, allowed, subject_column="subject", allow=["contact"])
>>> allowed.problems
()
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from outcomes.data.problems import ProblemLog, mask
from outcomes.errors import MappingError
from outcomes.validate.identifiers import names, values
from outcomes.validate.identifiers.columns import (
    identifier_kind,
    is_age_column,
    is_initials_column,
    is_zip_column,
)

__all__ = ["find_identifiers"]

_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_DIGITS = r"\+?[0-9]+"
_DD = r"(?:0[1-9]|[12][0-9]|3[01])"
_MM = r"(?:0[1-9]|1[0-2])"
_BIRTH_YEAR = r"(?:19[0-9]{2}|200[0-9]|201[0-5])"
_COMPACT_BIRTH_DATE = rf"(?:{_DD}{_MM}|{_MM}{_DD}){_BIRTH_YEAR}|{_BIRTH_YEAR}{_MM}{_DD}"

_UPPER, _LOWER = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_NAME_WORD = (
    rf"(?:[{_UPPER}]['’])?[{_UPPER}][{_LOWER}]+(?:[{_UPPER}][{_LOWER}]+)?"
    rf"(?:[-'’][{_UPPER}]?[{_LOWER}]+)?"
)
_NAME_MIDDLE = rf"(?: (?:{_NAME_WORD}|[{_UPPER}]\.?))?"
_PERSON_NAME = rf"{_NAME_WORD}{_NAME_MIDDLE} {_NAME_WORD}|{_NAME_WORD}, {_NAME_WORD}{_NAME_MIDDLE}"
_WORD = rf"[^ \t\r\n]*[A-Za-z{_UPPER}{_LOWER}][^ \t\r\n]*"
_INITIALS_IN_COLUMN = r"[A-Za-z]{1,4}|[A-Za-z](?: [A-Za-z]){1,3}"
#: A short code, one or two letters and one to nine digits (``S0000001``): one word, and no
#: identifier by any rule (each needs a separator, a space, a word of three letters or more, a
#: final letter or ten digits or more), so it is not tested.
_CODE = r"[A-Za-z]{1,2}[0-9]{1,9}"

_MIN_DISTINCT = 5

_ALLOW_HINT = "pass allow=[{column!r}] if it is not personal data"
_HINTS: dict[str, str] = {
    "identifier-date": "replace dates by study days (or shift them by a random per-subject "
    "offset), or " + _ALLOW_HINT,
    "identifier-age-over-89": "aggregate ages over 89 into one category (e.g. '90 or older'), or "
    + _ALLOW_HINT,
    "subject-id-personal": "replace the subject IDs by pseudonyms not derived from personal data "
    "(e.g. S001, S002), or " + _ALLOW_HINT,
}


def find_identifiers(
    frame: pd.DataFrame,
    log: ProblemLog,
    *,
    subject_column: str | None,
    allow: Collection[Hashable] = (),
) -> None:
    """Report every column or value of a raw table that looks like a direct identifier.

    Parameters
    ----------
    frame : DataFrame
        The table as read from the file, one record per row: record ``i`` (0-based position) is
        reported as row ``i + 1``. Text columns hold strings; numeric columns may be numbers.
    log : ProblemLog
        Receives one error per column and code (see the module docstring for codes and rules),
        and protects every value found, so that no problem repeats it.
    subject_column : str or None
        The column of subject IDs, checked by the ``subject-id-personal`` rule and used to locate
        every problem; ``None`` if unknown.
    allow : collection of column names
        Columns the user declared not to be personal data; never reported.

    Raises
    ------
    MappingError
        If ``subject_column`` is not a column of ``frame``.

    Examples
    --------
    >>> from outcomes.data.problems import ProblemLog
    >>> frame = pd.DataFrame({"USUBJID": ["PT1", "PT2"], "DOB": ["1985", "1990"],
    ...                       "VISIT": ["1985-03-05", "WEEK 2"]})
    >>> log = ProblemLog()
    >>> find_identifiers(frame, log, subject_column="USUBJID")
    >>> [(p.code, p.column, p.value) for p in log.problems]
    [('identifier-column', 'DOB', None), ('identifier-date', 'VISIT', '1***-**-**')]
    """
    if subject_column is not None and subject_column not in frame.columns:
        raise MappingError(f"the subject column {subject_column!r} is not in the table")
    ignored = set(allow)
    scanned = [(i, name) for i, name in enumerate(frame.columns) if name not in ignored]
    table = _Table(frame, [i for i, _ in scanned], subject_column)
    subjects = _Subjects.of(table, subject_column)
    for position, name in scanned:
        _check_name(log, name)
        column = table.columns.get(position)
        if name == subject_column:
            subjects.report(log)
        elif column is not None:
            for code, what, rule in _VALUE_RULES:
                _report(log, code, what, column, rule(column), subjects)
        else:
            _check_numbers(log, name, frame.iloc[:, position], subjects)
    _check_column_names(log, frame.columns[[i for i, _ in scanned]])


# --- the table's values ---------------------------------------------------------------------


class _Values:
    """The distinct texts of a table's text columns, and what each detector finds in them."""

    def __init__(self, text: pd.Series) -> None:
        self.text = text.reset_index(drop=True)
        self._found: dict[str, np.ndarray] = {}

    def _where(
        self, candidates: np.ndarray, compute: Callable[[pd.Series], np.ndarray], dtype: type = bool
    ) -> np.ndarray:
        """``compute`` on the texts of ``candidates`` only; ``False`` (0) for the others."""
        found = np.zeros(len(self.text), dtype=dtype)
        if candidates.any():
            found[candidates] = compute(self.text[candidates])
        return found

    @cached_property
    def _code(self) -> np.ndarray:
        return values.fullmatch(self.text, _CODE)

    @cached_property
    def _number(self) -> np.ndarray:
        return self._where(~self._code, lambda t: values.fullmatch(t, _NUMBER))

    @cached_property
    def _digits(self) -> np.ndarray:
        return self._where(self._number, lambda t: values.fullmatch(t, _DIGITS))

    def _candidates(self, numbers: bool) -> np.ndarray:
        """The texts to test: no codes, and no plain numbers unless digits and ``numbers``."""
        tested = ~self._number | self._digits if numbers else ~self._number
        return tested & ~self._code

    def find(self, detect: Callable[[pd.Series], np.ndarray], numbers: bool = False) -> np.ndarray:
        """Run a detector on the texts that are not codes or plain numbers (or are digits, if
        ``numbers``)."""
        return self._where(self._candidates(numbers), detect)

    def detect(self, name: str) -> np.ndarray:
        """The flags of a detector of :data:`_DETECTORS`, computed once."""
        if name not in self._found:
            self._found[name] = self.find(*_DETECTORS[name])
        return self._found[name]

    @cached_property
    def nhs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        candidates = self._candidates(numbers=True)
        flags = np.zeros((3, len(self.text)), dtype=bool)
        flags[:, candidates] = values.nhs_numbers(self.text[candidates])
        held, valid, named = flags
        return held, valid, named

    @cached_property
    def numbers(self) -> np.ndarray:
        numeric = pd.to_numeric(self.text.where(self._number), errors="coerce")
        return numeric.to_numpy(dtype=float, na_value=np.nan)

    @cached_property
    def words(self) -> np.ndarray:
        counts = self._where(
            ~self._number & ~self._code, lambda t: values.count(t, _WORD), np.int64
        )
        counts[self._code] = 1
        return counts


_DETECTORS: dict[str, tuple[Callable[[pd.Series], np.ndarray], bool]] = {
    "emails": (values.emails, False),
    "phones": (values.phones, True),
    "dates": (values.dates, False),
    "postcodes": (values.postcodes, False),
    "zips": (values.zip_codes, True),
    "addresses": (values.addresses, False),
    "urls": (values.urls, False),
    "ips": (values.ip_addresses, False),
    "identities": (values.identity_numbers, True),
    "text_ages": (values.text_ages, False),
    "listed_names": (names.listed_names, False),
    "titled_names": (names.titled_names, False),
    "given_names": (names.given_names, False),
    "capitalised_names": (lambda t: values.fullmatch(t, _PERSON_NAME), False),
    "dotted_initials": (names.dotted_initials, False),
    "capital_initials": (names.capital_initials, False),
    "short_letters": (lambda t: values.fullmatch(t, _INITIALS_IN_COLUMN), False),
    "birth_dates": (lambda t: values.fullmatch(t, _COMPACT_BIRTH_DATE), True),
}


@dataclass(frozen=True)
class _Column:
    """One text column of a :class:`_Table`: its name and position in the table."""

    name: Hashable
    position: int
    table: _Table

    @property
    def values(self) -> _Values:
        """The table's distinct texts."""
        return self.table.values

    @cached_property
    def distinct(self) -> np.ndarray:
        """The sorted indices of the column's distinct texts."""
        return _present(self.table.to_pooled[self.position], len(self.values.text))

    @property
    def codes(self) -> np.ndarray:
        """Each row's index into the table's texts, -1 if missing."""
        return self.table.codes(self.position)

    @property
    def subject_codes(self) -> np.ndarray | None:
        """Each row's subject as its index into the table's texts; None if subjects unknown."""
        at = self.table.subject_at
        return None if at is None else self.table.codes(at)

    def flags(self, name: str) -> np.ndarray:
        """A detector's flags on the column's distinct texts."""
        return self.values.detect(name)[self.distinct]

    @cached_property
    def held_once(self) -> np.ndarray:
        """Whether each distinct text is held by one subject only (one row if subjects unknown)."""
        present = self.codes >= 0
        holders = self.codes[present].astype(np.int64)
        if self.subject_codes is not None:
            subjects = self.subject_codes[present].astype(np.int64) + 1  # missing IDs become 0
            base = subjects.max(initial=0) + 1
            holders = np.unique(holders * base + subjects) // base
        counts = np.bincount(holders, minlength=len(self.values.text))
        return counts[self.distinct] == 1

    @cached_property
    def holders(self) -> int:
        """How many subjects (rows if subjects unknown) hold a value: one tells nothing apart."""
        present = self.codes >= 0
        if self.subject_codes is None:
            return int(present.sum())
        subjects = self.subject_codes[present & (self.subject_codes >= 0)]
        return np.count_nonzero(np.bincount(subjects))

    def text(self, flags: np.ndarray) -> pd.Series:
        """The distinct texts flagged."""
        return self.values.text.iloc[self.distinct[flags]]

    def rows(self, flags: np.ndarray) -> np.ndarray:
        """0-based positions of the rows whose text is flagged."""
        marked = np.zeros(len(self.values.text) + 1, dtype=bool)
        marked[self.distinct[flags]] = True
        return np.flatnonzero(marked[self.codes])


class _Table:
    """The text columns of a table (by position), on one set of distinct texts.

    The texts are found from each column's distinct values; each row's text (its code) only
    when a rule needs it, for the rows of a value found or the subjects that hold a value.
    """

    def __init__(self, frame: pd.DataFrame, positions: list[int], subject: Hashable | None):
        self.frame = frame
        self.subject_at = None if subject is None else frame.columns.get_loc(subject)
        texts = [p for p in positions if _is_text(frame.iloc[:, p])]
        if self.subject_at is not None and self.subject_at not in texts:
            texts.append(self.subject_at)
        local = [_distinct(frame.iloc[:, p]).astype("str").str.strip() for p in texts]
        pooled = pd.concat(local, ignore_index=True) if local else pd.Series([], dtype="str")
        pooled_codes, pooled_texts = pd.factorize(pooled)
        self.values = _Values(pd.Series(pooled_texts, dtype="str"))
        offsets = np.cumsum([0] + [len(s) for s in local])
        #: For each column, the index into the table's texts of each of its distinct values.
        self.to_pooled = {p: pooled_codes[offsets[k] : offsets[k + 1]] for k, p in enumerate(texts)}
        self.columns = {p: _Column(frame.columns[p], p, self) for p in texts}
        self._codes: dict[int, np.ndarray] = {}

    def codes(self, position: int) -> np.ndarray:
        """Each row's index into the table's texts in a column, -1 if missing (computed once)."""
        if position not in self._codes:
            local, _ = pd.factorize(self.frame.iloc[:, position])
            self._codes[position] = np.append(self.to_pooled[position], -1)[local]
        return self._codes[position]


def _distinct(series: pd.Series) -> pd.Series:
    """A column's distinct values but missing ones, in the order of :func:`pandas.factorize`.

    Text columns are not coded for that: their distinct values are those of
    :func:`pandas.unique` (which keeps a missing value, in its place).

    Examples
    --------
    >>> _distinct(pd.Series(["b", None, "a", "b"], dtype="str")).tolist()
    ['b', 'a']
    >>> _distinct(pd.Series([2, None, 1], dtype=object)).tolist()
    [2, 1]
    """
    if isinstance(series.dtype, pd.StringDtype):
        distinct = pd.unique(series)
        return pd.Series(distinct[~distinct.isna()])
    return pd.Series(pd.factorize(series)[1])


def _present(codes: np.ndarray, size: int) -> np.ndarray:
    """The sorted distinct values of ``codes``, integers from 0 to ``size - 1``.

    Examples
    --------
    >>> _present(np.array([3, 0, 3]), 5).tolist()
    [0, 3]
    """
    present = np.zeros(size, dtype=bool)
    present[codes] = True
    return np.flatnonzero(present)


def _is_text(series: pd.Series) -> bool:
    dtype = series.dtype
    return not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype))


# --- column names ---------------------------------------------------------------------------


def _check_name(log: ProblemLog, name: Hashable) -> None:
    what = identifier_kind(name)
    if what is not None:
        log.add(
            "error",
            "identifier-column",
            f"column {str(name)!r} is named like a direct identifier ({what})",
            hint=f"remove the column, or {_ALLOW_HINT.format(column=name)}",
            column=name,
        )


def _check_column_names(log: ProblemLog, columns: pd.Index) -> None:
    """Report column names that are themselves identifiers (a record read as the header)."""
    header = _Values(pd.Series([str(c).strip() for c in columns], dtype="str"))
    found = np.zeros(len(columns), dtype=bool)
    for name in _CELL_DETECTORS:
        found |= header.detect(name)
    for position in np.flatnonzero(found):
        log.protect([header.text.iat[position]])
        log.add(
            "error",
            "identifier-column",
            f"the name of column {position + 1} holds personal data: it may be a record read as "
            "the header",
            hint="remove or rename the column; check that the file's first line is its header",
            column=header.text.iat[position],
        )


# --- value rules ----------------------------------------------------------------------------

#: Detectors that find an identifier in one value, whatever the rest of its column.
_CELL_DETECTORS = (
    "emails", "phones", "dates", "postcodes", "addresses", "urls", "ips", "identities",
    "text_ages", "listed_names", "titled_names", "dotted_initials",
)  # fmt: skip


def _most(flags: np.ndarray, among: np.ndarray | None = None) -> bool:
    """Whether over half of the values (``among`` those given) are flagged."""
    within = flags if among is None else flags[among]
    return within.size > 0 and within.mean() > 0.5


def _per_subject(column: _Column, among: np.ndarray | None = None) -> bool:
    """At least five distinct values, of two holders or more, most of them held once."""
    return (
        column.distinct.size >= _MIN_DISTINCT
        and column.holders >= 2
        and _most(column.held_once, among)
    )


def _statistical(column: _Column, shaped: np.ndarray) -> np.ndarray:
    """``shaped`` where most distinct values are shaped and most of those are held once."""
    if not _most(shaped) or not _per_subject(column, shaped):
        return np.zeros_like(shaped)
    return shaped


def _identity_numbers(column: _Column) -> np.ndarray:
    held, valid, named = (flags[column.distinct] for flags in column.values.nhs)
    nhs = named | (valid if _most(valid, held) else np.zeros_like(valid))
    return column.flags("identities") | nhs


def _phones(column: _Column) -> np.ndarray:
    return column.flags("phones") & ~_identity_numbers(column)


def _postcodes(column: _Column) -> np.ndarray:
    found = column.flags("postcodes")
    return found | column.flags("zips") if is_zip_column(column.name) else found


def _ages_over_89(column: _Column) -> np.ndarray:
    found = column.flags("text_ages")
    if is_age_column(column.name):
        found = found | (column.values.numbers[column.distinct] > 89)
    return found


def _person_names(column: _Column) -> np.ndarray:
    return (
        column.flags("listed_names")
        | column.flags("titled_names")
        | _statistical(column, column.flags("capitalised_names"))
        | _statistical(column, column.flags("given_names"))
    )


def _initials(column: _Column) -> np.ndarray:
    found = column.flags("dotted_initials") | _statistical(column, column.flags("capital_initials"))
    return found | column.flags("short_letters") if is_initials_column(column.name) else found


def _free_text(column: _Column) -> np.ndarray:
    words = column.values.words[column.distinct]
    if words.size < _MIN_DISTINCT:
        return np.zeros(len(words), dtype=bool)
    median = np.median(words)
    length = column.values.text.iloc[column.distinct].str.len().mean()
    wordy = median >= 4 or (median >= 2 and length > 30)
    return words >= 2 if wordy and _per_subject(column) else np.zeros(len(words), dtype=bool)


_Rule = tuple[str, str, Callable[[_Column], np.ndarray]]
_VALUE_RULES: tuple[_Rule, ...] = (
    ("identifier-email", "e-mail addresses", lambda c: c.flags("emails")),
    ("identifier-phone", "telephone numbers", _phones),
    ("identifier-date", "calendar dates", lambda c: c.flags("dates")),
    ("identifier-postcode", "postcodes or ZIP codes", _postcodes),
    ("identifier-address", "street addresses", lambda c: c.flags("addresses")),
    ("identifier-url", "URLs", lambda c: c.flags("urls")),
    ("identifier-ip", "IP addresses", lambda c: c.flags("ips")),
    ("identifier-ssn", "social security, NHS or other identity numbers", _identity_numbers),
    ("identifier-age-over-89", "ages over 89", _ages_over_89),
    ("identifier-person-name", "personal names", _person_names),
    ("identifier-initials", "initials", _initials),
    ("identifier-free-text", "free text", _free_text),
)


# --- numeric columns ------------------------------------------------------------------------


def _check_numbers(log: ProblemLog, name: Hashable, series: pd.Series, subjects: _Subjects) -> None:
    """Ages over 89 in a column named for age, and NHS numbers among ten-digit integers."""
    if pd.api.types.is_timedelta64_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return
    codes, distinct = pd.factorize(series)
    numbers = np.asarray(distinct, dtype=float)
    with np.errstate(invalid="ignore"):  # inf % 1 is nan, not a ten-digit number
        ten_digits = (numbers >= 1e9) & (numbers < 1e10) & (numbers % 1 == 0)
    valid = np.zeros(len(numbers), dtype=bool)
    valid[ten_digits] = [values.nhs_check(f"{n:.0f}") for n in numbers[ten_digits]]
    found = {
        "identifier-ssn": valid if _most(valid, ten_digits) else np.zeros_like(valid),
        "identifier-age-over-89": numbers > 89 if is_age_column(name) else np.zeros_like(valid),
    }
    for code, flags in found.items():
        if flags.any():
            rows = np.flatnonzero(np.append(flags, False)[codes])
            text = [f"{n:.0f}" if n % 1 == 0 else f"{n:g}" for n in numbers[flags]]
            what = "ages over 89" if code == "identifier-age-over-89" else "NHS numbers"
            _add(log, code, what, name, rows, text[0], subjects)
            log.protect(text)


# --- subjects -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Subjects:
    """The subject column: each row's subject, and which IDs look like personal data."""

    column: _Column | None

    @classmethod
    def of(cls, table: _Table, name: Hashable | None) -> _Subjects:
        column = next((c for c in table.columns.values() if c.name == name), None)
        return cls(column if name is not None else None)

    def label(self, row: int) -> str | None:
        """The subject of a row (0-based)."""
        if self.column is None or self.column.codes[row] < 0:
            return None
        return str(self.column.values.text.iat[self.column.codes[row]])

    def report(self, log: ProblemLog) -> None:
        """Report personal subject IDs; then protect every subject ID."""
        if self.column is None:
            return
        kinds = _personal_ids(self.column)
        flags = np.logical_or.reduce(list(kinds.values()))
        if not flags.any():
            return
        listed = ", ".join(kind for kind, found in kinds.items() if found.any())
        what = f"subject IDs that look like personal data ({listed})"
        _report(log, "subject-id-personal", what, self.column, flags, self)
        log.protect(self.column.text(np.ones_like(flags)))


def _personal_ids(column: _Column) -> dict[str, np.ndarray]:
    birth_dates = column.flags("birth_dates")
    if 2 * birth_dates.sum() < len(birth_dates):
        birth_dates = np.zeros_like(birth_dates)
    found = {
        kind: rule(column)
        for code, kind, rule in _VALUE_RULES
        if code not in ("identifier-free-text", "identifier-age-over-89")
    }
    found["personal names"] = found["personal names"] | column.flags("capitalised_names")
    found["calendar dates"] = found["calendar dates"] | birth_dates
    return found


# --- reporting ------------------------------------------------------------------------------


def _report(
    log: ProblemLog, code: str, what: str, column: _Column, flags: np.ndarray, subjects: _Subjects
) -> None:
    """Add one problem for the rows whose value is flagged, if any, and protect the values."""
    if not flags.any():
        return
    found = column.text(flags)
    rows = column.rows(flags)
    first = column.values.text.iat[column.codes[rows[0]]]
    _add(log, code, what, column.name, rows, first, subjects)
    log.protect(found)


def _add(
    log: ProblemLog,
    code: str,
    what: str,
    name: Hashable,
    rows: np.ndarray,
    first: str,
    subjects: _Subjects,
) -> None:
    count = f"{rows.size} row" if rows.size == 1 else f"{rows.size} rows"
    hint = _HINTS.get(code, "remove the column, or " + _ALLOW_HINT).format(column=name)
    log.add(
        "error",
        code,
        f"column {str(name)!r} holds {what} in {count} (first: row {rows[0] + 1})",
        hint=hint,
        row=int(rows[0]) + 1,
        subject=subjects.label(int(rows[0])),
        column=name,
        value=mask(first),
    )
