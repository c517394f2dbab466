"""The anonymisation guard: find direct identifiers in a raw trial table before any analysis.

Trial files given to ``outcomes`` must be anonymised (HIPAA Safe Harbor: no names, sub-state
geography, dates other than the year, ages over 89, telephone or fax numbers, e-mail addresses,
identity numbers, URLs or IP addresses). :func:`find_identifiers` scans a table as read from its
file and adds one error to a :class:`~outcomes.data.problems.ProblemLog` per column and code, with
the number of rows affected, the first of them, its subject, and the offending value masked (first
character kept, every other letter and digit replaced by ``*``), so that no report repeats an
identifier. A column the user passes in ``allow`` is never reported.

Codes and rules
---------------
Column names are normalised first: camelCase is split, case folded, and runs of anything but
letters and digits become one space (``"DateOfBirth"``, ``"date_of_birth"`` -> ``date of birth``).
A name is matched whole, so ``PHONE_VISIT``, ``VISITNAME`` or ``SITEID`` are not identifiers.

``identifier-column``
    The whole name (words may be run together, a trailing number is ignored) is one of:
    a personal name (``name``, ``first/last/family/given/middle/maiden/full/sur/fore name`` with an
    optional ``patient/subject/participant/person/pt/subj/contact`` before it, ``fname``,
    ``lname``, ``initials``, ``subject initials``, ``SUBJINIT``); an e-mail (``email``,
    ``e-mail address``); a telephone (``phone``, ``telephone``, ``tel``, ``mobile``,
    ``cell phone``, ``fax``, optionally ``home/work/...`` before and ``number/no`` after); an
    address (``address``, ``address line 1``, ``street``, ``city``, ``town``, ``county``, ``zip``,
    ``zip code``, ``postcode``, ``postal code``); a birth date (``dob``, ``date of birth``,
    ``birth date``, ``birthday``, CDISC ``BRTHDTC``); an identity number (``ssn``,
    ``social security number``, ``nhs number``, ``chi number``, ``mrn``,
    ``medical record number``, ``hospital number``, ``insurance``, ``health plan id``,
    ``account number``); ``ip address``; ``url`` or ``website``; a licence, passport, vehicle or
    device number (``licence``, ``driving licence``, ``passport no``, ``vehicle registration``,
    ``vin``, ``number plate``, ``device serial``, ``device id``).
    Bare ``ip`` is not matched: in trials it usually means investigational product.

Text columns (strings, categories, dates; numbers only for the age rule) are scanned value by
value, on their distinct values. Values that are plain numbers (``"12"``, ``"-0.63"``) are only
tested by the rules that concern digit strings (telephone, NHS and ZIP numbers).

``identifier-email``
    A value contains ``local@domain.tld``.
``identifier-phone``
    A whole value is ``+`` and digits with spaces, dots, dashes or brackets; ``(555) 123-4567``;
    ``555-123-4567``; or a trunk number ``0`` + non-zero digit in up to four groups
    (``020 7946 0958``, ``07700 900123``, ``07700900123``) -- in all forms 10 to 15 digits in
    total. Valid NHS numbers are left to ``identifier-ssn``.
``identifier-date``
    A value contains a full calendar date with a year 1800-2199: ISO ``2024-03-05`` (also with
    ``/`` or ``.`` and a time, as Excel exports it), ``05/03/2024``, ``3/5/24`` (two-digit years
    with ``/`` only), ``05.03.2024``, ``5 Mar 2024``, ``05-MAR-2024``, SAS ``05MAR2024``,
    ``March 5, 2024``. ``datetime64`` columns and date objects are scanned as their ISO text.
    A year alone is not a date.
``identifier-postcode``
    A whole value is a UK postcode with its space (``SW1A 1AA``) or a ZIP+4 code
    (``12345-6789``); in a column whose name mentions zip, postcode or postal, also five digits.
``identifier-url``
    A value contains ``http://``, ``https://``, ``ftp://`` or ``www.``.
``identifier-ip``
    A value contains a dotted IPv4 address (four numbers 0-255).
``identifier-ssn``
    A whole value is a US social security number ``123-45-6789``, or ten digits (optionally
    grouped 3-3-4 by spaces or dashes) whose last is the NHS modulus-11 check digit of the
    other nine, not all ten the same digit.
``identifier-age-over-89``
    The column is named ``age`` (``AGE``, ``age_years``, ``AGEYRS``, ``age at baseline``) and a
    value is a number above 89.
``identifier-person-name``
    At least five distinct values, over half of them two or three capitalised words
    (``John Smith``, ``John A. Smith``, ``Smith, John``, ``Mary-Jane O'Neil``), and over half of
    those held by one subject only (by one row when the subject column is unknown).
``identifier-free-text``
    At least five distinct values; their median number of words (space-separated tokens with a
    letter) is 4 or more, or it is 2 or more and their mean length above 30 characters; and over
    half of the distinct values are held by one subject only (one row when the subject column is
    unknown). Rows with two words or more are reported.
``subject-id-personal``
    Subject IDs that are e-mail addresses, telephone or NHS numbers (rules above), personal
    names (the name pattern above, any one value), dates (the date rule above), or -- when at
    least half of the distinct IDs do -- eight digits that read as a birth date ``DDMMYYYY``,
    ``MMDDYYYY`` or ``YYYYMMDD`` with a year 1900-2015. The subject column gets no other value
    rule, and when its IDs are personal, the subject of every problem is masked too.

Limits
------
Not found (false negatives): names in capitals (``JOHN SMITH``), single names, names with
particles (``van der Berg``); per-subject free text or names repeated on every visit when the
subject column is unknown; local telephone numbers without an area code; compact dates
(``20240305``) outside subject IDs; UK postcodes without their space and partial postcodes; US
ZIP codes in columns not named for them; identifiers in numeric columns (a telephone number read
as an integer); social security numbers used as subject IDs. Possibly reported although
anonymous (false positives): ten-digit codes that pass the NHS check (one random code in eleven),
subject IDs such as ``0123456789`` (read as a telephone number), version numbers with four parts
(read as IP addresses), and wordy labels held by one subject each in tiny tables (a race
category per subject for five subjects).

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

import re
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from outcomes.data.problems import ProblemLog
from outcomes.errors import MappingError

__all__ = ["find_identifiers"]

# --- column names -------------------------------------------------------------------------------

_WHO = r"(?:(?:patient|subject|participant|person|pt|subj|contact|home|work|personal) ?)?"
_NO = r"(?: ?(?:number|num|no|nr|id))?"
_IDENTIFIER_NAMES: dict[str, str] = {
    "a personal name": _WHO + r"(?:(?:first|last|family|given|middle|maiden|full|sur|fore) ?)?"
    r"names?|fname|lname|" + _WHO + r"initials|(?:patient|subject|subj|pt) ?init",
    "an e-mail address": _WHO + r"e ?mail(?: ?(?:address|addr))?",
    "a telephone number": _WHO + r"(?:(?:mobile|cell|day|evening) ?)?"
    r"(?:tele?phone|phone|tel|mobile|cell ?phone|fax)" + _NO,
    "an address": _WHO + r"(?:(?:postal|mailing|street|residential) ?)?(?:address|addr)(?: ?line)?"
    r"|street|city|town|county|zip(?: ?code)?|post ?code|postal ?code",
    "a date of birth": r"dob|date ?of ?birth|birth ?(?:date|day|dt|dtc|dat)|brth ?(?:dt|dtc|dat)",
    "an identity number": r"ssn|social ?security" + _NO + r"|(?:nhs|chi|hospital|account) ?"
    r"(?:number|num|no|nr|id)|mrn|medical ?record"
    + _NO
    + r"|insurance"
    + _NO
    + r"|health ?plan"
    + _NO,
    "an IP address": r"ip ?(?:address|addr)|ipv[46](?: ?(?:address|addr))?",
    "a URL": r"url|uri|web ?(?:site|page|address)|home ?page",
    "a licence, vehicle or device number": r"(?:driv(?:er|ers|ing) ?)?licen[cs]e"
    + _NO
    + r"|passport"
    + _NO
    + r"|vehicle(?: ?(?:registration|reg|plate))?"
    + _NO
    + r"|vin|(?:licen[cs]e|number) ?plate|device ?(?:serial|id)(?: ?(?:number|num|no|nr))?",
}
_NAME_PATTERNS = {
    what: re.compile(rf"(?:{pattern})(?: ?[0-9]+)?") for what, pattern in _IDENTIFIER_NAMES.items()
}
_AGE_NAME = re.compile(r"(?:baseline |bl )?age(?: ?(?:in )?(?:years?|yrs?|y))?(?: at [a-z ]+)?")
_ZIP_NAME = re.compile(r"\b(?:zip|post ?code|postal)")

# --- values (RE2-compatible, so pandas runs them in pyarrow) ------------------------------------

_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_DIGITS = r"\+?[0-9]+"
_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_URL = r"(?i)(?:https?|ftp)://[^ ]|(?:^|[^a-z0-9.])www\.[a-z0-9-]+\.[a-z]"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IP = rf"(?:^|[^0-9.]){_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}(?:$|[^0-9.])"
_PHONE = (
    r"\+[0-9][0-9 ().-]{6,20}[0-9]"
    r"|\([0-9]{2,5}\) ?[0-9]{3,4}[ .-]?[0-9]{3,4}"
    r"|[0-9]{3}[ .-][0-9]{3}[ .-][0-9]{4}"
    r"|0[1-9][0-9]{0,3}(?:[ .-]?[0-9]{2,8}){1,3}"
)
_SSN = r"[0-9]{3}-[0-9]{2}-[0-9]{4}"
_NHS = r"[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}"
_UK_POSTCODE = (
    r"(?i)[A-PR-UWYZ](?:[0-9][A-HJKPSTUW0-9]?|[A-HK-Y][0-9][ABEHMNPRV-Y0-9]?)"
    r" [0-9][ABD-HJLNP-UW-Z]{2}|GIR 0AA"
)
_ZIP4 = r"[0-9]{5}-[0-9]{4}"
_ZIP = r"[0-9]{5}(?:-[0-9]{4})?"

_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:1[89]|2[01])[0-9]{2}"
_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = (
    r"(?i)(?:^|[^0-9])(?:"
    rf"{_YEAR}[-/.]{_MONTH}[-/.]{_DAY}"
    rf"|(?:{_DAY}[-/.]{_MONTH}|{_MONTH}[-/.]{_DAY})[-/.]{_YEAR}"
    rf"|(?:{_DAY}/{_MONTH}|{_MONTH}/{_DAY})/[0-9]{{2}}"
    rf"|{_DAY}(?:st|nd|rd|th)?[ -]?{_MONTH_NAME}\.?,?[ -]?(?:{_YEAR}|[0-9]{{2}})"
    rf"|{_MONTH_NAME}\.? {_DAY}(?:st|nd|rd|th)?,? {_YEAR}"
    r")(?:$|[^0-9])"
)
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

_MIN_DISTINCT = 5
_MASK_LENGTH = 40

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
    skip: Collection[Hashable] = (),
) -> None:
    """Report every column or value of a raw table that looks like a direct identifier.

    Parameters
    ----------
    frame : DataFrame
        The table as read from the file, one record per row: record ``i`` (0-based position) is
        reported as row ``i + 1``. Text columns hold strings; numeric columns may be numbers.
    log : ProblemLog
        Receives one error per column and code (see the module docstring for codes and rules).
    subject_column : str or None
        The column of subject IDs, checked by the ``subject-id-personal`` rule and used to locate
        every problem; ``None`` if unknown.
    allow : collection of column names
        Columns the user declared not to be personal data; never reported.
    skip : collection of column names
        Columns known to be scores, visits and the like; not checked at all.

    Raises
    ------
    MappingError
        If ``subject_column`` is not a column of ``frame``.

    Examples
    --------
    >>> from outcomes.data.problems import ProblemLog
    >>> frame = pd.DataFrame({"USUBJID": ["PT1", "PT2"], "DOB": ["1985", "1990"]})
    >>> log = ProblemLog()
    >>> find_identifiers(frame, log, subject_column="USUBJID")
    >>> [(p.code, p.column) for p in log.problems]
    [('identifier-column', 'DOB')]
    """
    if subject_column is not None and subject_column not in frame.columns:
        raise MappingError(f"the subject column {subject_column!r} is not in the table")
    ignored = set(allow) | set(skip)
    subjects = _Subjects.of(frame, subject_column, checked=subject_column not in ignored)
    for position, name in enumerate(frame.columns):
        if name in ignored:
            continue
        _check_name(log, name)
        series = frame.iloc[:, position]
        if name == subject_column:
            subjects.report(log)
        elif _is_text(series):
            _apply(log, _VALUE_RULES, _Scan(name, series, subjects.codes), subjects)
        elif _is_age(name):
            _apply(log, (_AGE_RULE,), _Scan(name, series, subjects.codes), subjects)


# --- columns ------------------------------------------------------------------------------------


def _normalise(name: Hashable) -> str:
    """Lower-case words of a column name: ``"DateOfBirth"`` -> ``"date of birth"``."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", str(name))
    return " ".join(re.findall(r"[a-z]+|[0-9]+", text.lower()))


def _check_name(log: ProblemLog, name: Hashable) -> None:
    normalised = _normalise(name)
    for what, pattern in _NAME_PATTERNS.items():
        if pattern.fullmatch(normalised):
            log.add(
                "error",
                "identifier-column",
                f"column {str(name)!r} is named like a direct identifier ({what})",
                hint=f"remove the column, or {_ALLOW_HINT.format(column=name)}",
                column=name,
            )
            return


def _is_age(name: Hashable) -> bool:
    return _AGE_NAME.fullmatch(_normalise(name)) is not None


def _is_text(series: pd.Series) -> bool:
    dtype = series.dtype
    return not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype))


class _Scan:
    """A column's distinct non-missing values as text, with each row's index into them."""

    def __init__(self, name: Hashable, series: pd.Series, subject_codes: np.ndarray | None):
        self.name = name
        codes, distinct = pd.factorize(series)
        self.codes: np.ndarray = codes
        self.text: pd.Series = pd.Series(distinct).astype("str").str.strip()
        self._subject_codes = subject_codes

    @cached_property
    def _number(self) -> np.ndarray:
        return self.text.str.fullmatch(_NUMBER).to_numpy(dtype=bool)

    @cached_property
    def _digits(self) -> np.ndarray:
        return self._number & self.text.str.fullmatch(_DIGITS).to_numpy(dtype=bool)

    def _candidates(self, numbers: bool) -> np.ndarray:
        return ~self._number | self._digits if numbers else ~self._number

    def match(self, pattern: str, *, whole: bool = False, numbers: bool = False) -> np.ndarray:
        """Which distinct values match ``pattern`` (anywhere, or ``whole``).

        Plain numbers are tested only if ``numbers``, and then only digit strings.
        """
        candidates = self._candidates(numbers)
        found = np.zeros(len(self.text), dtype=bool)
        text = self.text[candidates]
        matched = text.str.fullmatch(pattern) if whole else text.str.contains(pattern)
        found[candidates] = matched.to_numpy(dtype=bool)
        return found

    def count(self, pattern: str) -> np.ndarray:
        """How often ``pattern`` occurs in each distinct value (0 for plain numbers)."""
        counts = np.zeros(len(self.text), dtype=np.int64)
        candidates = self._candidates(numbers=False)
        counts[candidates] = self.text[candidates].str.count(pattern).to_numpy(dtype=np.int64)
        return counts

    @cached_property
    def held_once(self) -> np.ndarray:
        """Whether each distinct value is held by one subject only (one row if subjects unknown)."""
        present = self.codes >= 0
        holders = self.codes[present]
        if self._subject_codes is not None:
            subjects = self._subject_codes[present] + 1  # missing subject IDs become 0
            base = subjects.max(initial=0) + 1
            holders = np.unique(holders.astype(np.int64) * base + subjects) // base
        return np.bincount(holders, minlength=len(self.text)) == 1

    def rows(self, flags: np.ndarray) -> np.ndarray:
        """0-based positions of the rows whose value is flagged."""
        return np.flatnonzero(np.append(flags, False)[self.codes])


def _mask(value: str) -> str:
    """Keep the first character and the punctuation; hide letters and digits."""
    masked = value[:1] + re.sub(r"[^\W_]", "*", value[1:_MASK_LENGTH])
    return masked + "..." if len(value) > _MASK_LENGTH else masked


# --- value rules --------------------------------------------------------------------------------


def _emails(scan: _Scan) -> np.ndarray:
    return scan.match(_EMAIL)


def _nhs_numbers(scan: _Scan) -> np.ndarray:
    found = scan.match(_NHS, whole=True, numbers=True)
    digits = scan.text[found].str.replace(r"[^0-9]", "", regex=True)
    if digits.empty:
        return found
    numbers = np.frombuffer("".join(digits).encode("ascii"), dtype=np.uint8).reshape(-1, 10) - 48
    check = 11 - (numbers[:, :9] @ np.arange(10, 1, -1)) % 11
    check[check == 11] = 0
    found[found] = (check == numbers[:, 9]) & (numbers != numbers[:, :1]).any(axis=1)
    return found


def _phones(scan: _Scan) -> np.ndarray:
    found = scan.match(_PHONE, whole=True, numbers=True)
    digits = scan.text[found].str.count(r"[0-9]").to_numpy()
    found[found] = (digits >= 10) & (digits <= 15)
    return found & ~_nhs_numbers(scan)


def _dates(scan: _Scan) -> np.ndarray:
    return scan.match(_DATE)


def _postcodes(scan: _Scan) -> np.ndarray:
    found = scan.match(_UK_POSTCODE, whole=True) | scan.match(_ZIP4, whole=True)
    if _ZIP_NAME.search(_normalise(scan.name)):
        found |= scan.match(_ZIP, whole=True, numbers=True)
    return found


def _urls(scan: _Scan) -> np.ndarray:
    return scan.match(_URL)


def _ip_addresses(scan: _Scan) -> np.ndarray:
    return scan.match(_IP)


def _identity_numbers(scan: _Scan) -> np.ndarray:
    return scan.match(_SSN, whole=True) | _nhs_numbers(scan)


def _ages_over_89(scan: _Scan) -> np.ndarray:
    if not _is_age(scan.name):
        return np.zeros(len(scan.text), dtype=bool)
    ages = pd.to_numeric(scan.text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return ages > 89


def _person_names(scan: _Scan) -> np.ndarray:
    names = scan.match(_PERSON_NAME, whole=True)
    if len(names) < _MIN_DISTINCT or names.mean() <= 0.5 or scan.held_once[names].mean() <= 0.5:
        return np.zeros_like(names)
    return names


def _free_text(scan: _Scan) -> np.ndarray:
    words = scan.count(_WORD)
    if len(words) < _MIN_DISTINCT:
        return np.zeros(len(words), dtype=bool)
    median = np.median(words)
    wordy = median >= 4 or (median >= 2 and scan.text.str.len().mean() > 30)
    if not wordy or scan.held_once.mean() <= 0.5:
        return np.zeros(len(words), dtype=bool)
    return words >= 2


_Rule = tuple[str, str, Callable[[_Scan], np.ndarray]]
_AGE_RULE: _Rule = ("identifier-age-over-89", "ages over 89", _ages_over_89)
_VALUE_RULES: tuple[_Rule, ...] = (
    ("identifier-email", "e-mail addresses", _emails),
    ("identifier-phone", "telephone numbers", _phones),
    ("identifier-date", "full calendar dates", _dates),
    ("identifier-postcode", "postcodes or ZIP codes", _postcodes),
    ("identifier-url", "URLs", _urls),
    ("identifier-ip", "IP addresses", _ip_addresses),
    ("identifier-ssn", "social security or NHS numbers", _identity_numbers),
    _AGE_RULE,
    ("identifier-person-name", "personal names", _person_names),
    ("identifier-free-text", "free text", _free_text),
)


# --- subjects -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Subjects:
    """The subject column: each row's subject and which IDs look like personal data."""

    scan: _Scan | None
    personal: dict[str, np.ndarray]

    @classmethod
    def of(cls, frame: pd.DataFrame, column: str | None, *, checked: bool) -> _Subjects:
        if column is None:
            return cls(None, {})
        scan = _Scan(column, frame[column], None)
        return cls(scan, _personal_ids(scan) if checked else {})

    @property
    def codes(self) -> np.ndarray | None:
        return None if self.scan is None else self.scan.codes

    @cached_property
    def _flags(self) -> np.ndarray | None:
        kinds = [flags for flags in self.personal.values() if flags.any()]
        return np.logical_or.reduce(kinds) if kinds else None

    def label(self, row: int) -> str | None:
        """The subject of a row (0-based), masked if subject IDs are personal data."""
        if self.scan is None or self.scan.codes[row] < 0:
            return None
        subject = self.scan.text[self.scan.codes[row]]
        return subject if self._flags is None else _mask(subject)

    def report(self, log: ProblemLog) -> None:
        if self.scan is None or self._flags is None:
            return
        kinds = ", ".join(kind for kind, flags in self.personal.items() if flags.any())
        what = f"subject IDs that look like personal data ({kinds})"
        _report(log, "subject-id-personal", what, self.scan, self._flags, self)


def _personal_ids(scan: _Scan) -> dict[str, np.ndarray]:
    birth_dates = scan.match(_COMPACT_BIRTH_DATE, whole=True, numbers=True)
    if 2 * birth_dates.sum() < len(birth_dates):
        birth_dates[:] = False
    return {
        "e-mail addresses": _emails(scan),
        "telephone numbers": _phones(scan),
        "NHS numbers": _nhs_numbers(scan),
        "personal names": scan.match(_PERSON_NAME, whole=True),
        "dates": _dates(scan) | birth_dates,
    }


def _apply(log: ProblemLog, rules: tuple[_Rule, ...], scan: _Scan, subjects: _Subjects) -> None:
    """Report what each rule flags in one column."""
    for code, what, rule in rules:
        _report(log, code, what, scan, rule(scan), subjects)


def _report(
    log: ProblemLog, code: str, what: str, scan: _Scan, flags: np.ndarray, subjects: _Subjects
) -> None:
    """Add one problem for the rows whose value is flagged, if any."""
    if not flags.any():
        return
    rows = scan.rows(flags)
    first = int(rows[0])
    count = f"{rows.size} row" if rows.size == 1 else f"{rows.size} rows"
    hint = _HINTS.get(code, "remove the column, or " + _ALLOW_HINT).format(column=scan.name)
    log.add(
        "error",
        code,
        f"column {str(scan.name)!r} holds {what} in {count} (first: row {first + 1})",
        hint=hint,
        row=first + 1,
        subject=subjects.label(first),
        column=scan.name,
        value=_mask(scan.text[scan.codes[first]]),
    )
