"""Identifiers written in cells: e-mail addresses, URLs, IP addresses, telephone numbers, identity
numbers, dates, postcodes, street addresses and ages over 89.

Each detector takes a Series of distinct cell texts and returns one flag per text. A pattern is
first searched for in every text at once (RE2, through pyarrow's compute functions; every pattern
here means the same to RE2 and to Python's ``re``); where a candidate needs
more than a pattern can say (a check digit, the number of digits, the words around it), the few
texts that matched are checked one by one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "addresses",
    "contains",
    "count",
    "dates",
    "emails",
    "fullmatch",
    "identity_numbers",
    "ip_addresses",
    "is_in",
    "nhs_numbers",
    "phones",
    "postcodes",
    "text_ages",
    "urls",
    "zip_codes",
]

#: Letters of the Latin scripts in lower case ((?i) adds the capitals).
_L = "a-zß-öø-ÿāăąćčďđēėęěğīįıķĺľłńňőœŕřśşšţťūůűųźżž"
#: Letters beyond ASCII that e-mail addresses may hold: Latin, Greek, Cyrillic, Hebrew, Arabic,
#: Indic, Japanese, Chinese and Korean scripts (the characters themselves, for RE2).
_SCRIPTS = (
    "\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u3040-\u9fff\uac00-\ud7af"
)

# --- patterns -----------------------------------------------------------------------------------

_EMAIL_CHAR = f"A-Za-z0-9{_SCRIPTS}"
_EMAIL = (
    rf"[{_EMAIL_CHAR}._%+-]+@[{_EMAIL_CHAR}-]+(?:\.[{_EMAIL_CHAR}-]+)*"
    rf"\.(?:[A-Za-z{_SCRIPTS}]{{2,}}|xn--[a-z0-9-]+)"
)
_URL = r"(?i)(?:https?|ftp)://[^ ]|(?:^|[^a-z0-9.])www\.[a-z0-9-]+\.[a-z]"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IP = rf"(?:^|[^0-9.]){_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}(?:$|[^0-9.])"
_UK_POSTCODE = (
    r"(?i)[A-PR-UWYZ](?:[0-9][A-HJKPSTUW0-9]?|[A-HK-Y][0-9][ABEHMNPRV-Y0-9]?)"
    r" [0-9][ABD-HJLNP-UW-Z]{2}|GIR 0AA"
)
_ZIP4 = r"[0-9]{5}-[0-9]{4}"
_ZIP = r"[0-9]{5}(?:-[0-9]{4})?"

# Telephone numbers: a run of digits with separators, checked by _is_phone.
_PHONE_RUN = r"(?:^|[^0-9A-Za-z+/.-])((?:\+|00)?[0-9(][0-9 ()./-]{7,24}[0-9])(?:$|[^0-9A-Za-z])"
_PHONE_WORD = re.compile(
    r"(?i)(?:tel|tél|phone|ph|mob|mobile|cell|fax|telefon|telefoon|téléphone|telephone|handy"
    r"|móvil|movil|celular|cellulare|telemóvel|telemovel|portable|gsm|call|whatsapp|contact"
    r"|number|no|nr|num)\.?:? *$"
)
_NORTH_AMERICAN = re.compile(r"(?:1[ .-]?)?(?:\([0-9]{3}\) ?|[0-9]{3}[ .-]?)[0-9]{3}[ .-][0-9]{4}")
_DATE_START = re.compile(r"[0-9]{1,2}[./-][0-9]{1,2}[./-](?:19|20)[0-9]{2}")

# Identity numbers.
#: Ten digits grouped 3-3-4, not part of a longer grouped number (``+39 333 1234567``).
_NHS = (
    r"(?:^|[^0-9 -]|[^0-9][ -])([0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4})"
    r"(?:$|[^0-9 -]|[ -][^0-9]|[ -]$)"
)
_NHS_WORD = r"(?i)nhs|chi|health|hcn"
_SSN = r"(?:^|[^0-9-])([0-8][0-9]{2}(?:-[0-9]{2}-|  ?[0-9]{2} )[0-9]{4})(?:$|[^0-9-])"
_SSN_WORD = r"(?i)(?:ssn|social security)[^0-9]{0,20}([0-9]{9})(?:$|[^0-9])"
_BSN = r"(?i)(?:bsn|burgerservicenummer|sofi ?nummer)[^0-9]{0,20}([0-9]{4}\.?[0-9]{2}\.?[0-9]{3})"
_NIR = (
    r"(?:^|[^0-9])([12378] ?[0-9]{2} ?(?:0[1-9]|1[0-2]|[2-9][0-9]) ?(?:[0-9]{2}|2[AaBb])"
    r" ?[0-9]{3} ?[0-9]{3} ?[0-9]{2})(?:$|[^0-9])"
)
_DNI = r"(?:^|[^0-9A-Za-z])((?:[0-9]{8}|[XYZxyz]-?[0-9]{7})[ -]?[A-Za-z])(?:$|[^0-9A-Za-z])"
_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"

# Dates.
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:1[89]|2[01])[0-9]{2}"
_FULL_MONTHS = (
    "january february march april may june july august september october november december "
    "januar jänner jaenner februar feber märz maerz mai juni juli oktober dezember janvier "
    "février fevrier mars avril juin juillet août aout septembre octobre novembre décembre "
    "decembre enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre "
    "noviembre diciembre gennaio febbraio aprile maggio giugno luglio settembre ottobre "
    "dicembre januari februari maart mei augustus janeiro fevereiro março marco maio junho "
    "julho setembro outubro novembro dezembro"
).split()
_SHORT_MONTHS = (
    "jan feb mar apr jun jul aug sep sept oct nov dec mär mrz okt dez janv févr fevr fév fev avr "
    "juil déc ene abr ago dic gen mag giu lug set ott mrt out"
).split()
#: Month names that are also common words or names: not read as months next to a year alone.
_AMBIGUOUS_MONTHS = {"marco", "set", "out", "gen", "ago", "mag"}


def _alternatives(words: Iterable[str]) -> str:
    return "(?:" + "|".join(sorted(set(words), key=lambda w: (-len(w), w))) + ")"


_ANY_MONTH = _alternatives(_FULL_MONTHS + _SHORT_MONTHS)
_YEAR_MONTH = _alternatives(set(_FULL_MONTHS + _SHORT_MONTHS) - _AMBIGUOUS_MONTHS)
_ORDINAL_MONTH = _alternatives(set(_FULL_MONTHS) - {"may", "marco"})
_ORD = r"(?:st|nd|rd|th|er|ème|eme|º|ª)"
_NOT_LETTER = f"[^0-9{_L}]"
_DATE = "(?i)" + "|".join(
    (
        # numeric: 2024-03-05, 05/03/2024, 3/5/24, 05.03.85
        rf"(?:^|[^0-9]){_YEAR}[-/.]{_MONTH}[-/.]{_DAY}(?:$|[^0-9])",
        rf"(?:^|[^0-9])(?:{_DAY}[-/.]{_MONTH}|{_MONTH}[-/.]{_DAY})[-/.]{_YEAR}(?:$|[^0-9])",
        rf"(?:^|[^0-9])(?:{_DAY}/{_MONTH}|{_MONTH}/{_DAY})/[0-9]{{2}}(?:$|[^0-9/])",
        r"(?:^|[^0-9.])(?:0[1-9]|[12][0-9]|3[01])\.(?:0[1-9]|1[0-2])\.[0-9]{2}(?:$|[^0-9.])",
        # month and year: 03/1985, 03.1985, 1985-03, 1985/03
        rf"(?:^|[^0-9/.-]){_MONTH}[/.](?:19|20)[0-9]{{2}}(?:$|[^0-9/.-])",
        r"(?:^|[^0-9/.-])(?:19|20)[0-9]{2}[-/](?:0[1-9]|1[0-2])(?:$|[^0-9/.-])",
        # 5th of March 1985, 5. März 1985, 5 de marzo de 1985, 05-MAR-1985, 05MAR85
        rf"(?:^|[^0-9]){_DAY}{_ORD}?\.?(?:[ -]|\. )?(?:(?:of|de|di|du|van) )?{_ANY_MONTH}\.?,?"
        rf"[ /-]?(?:(?:de|del) )?(?:{_YEAR}|[0-9]{{2}})(?:$|[^0-9])",
        # March 5, 1985; March the 5th 1985
        rf"(?:^|{_NOT_LETTER}){_ANY_MONTH}\.? (?:the )?{_DAY}{_ORD}?,? {_YEAR}(?:$|[^0-9])",
        # March 1985, marzo de 1985, Mar-85, Mar '85
        rf"(?:^|{_NOT_LETTER}){_YEAR_MONTH}\.?,? (?:(?:de|del|of) )?{_YEAR}(?:$|[^0-9])",
        rf"(?:^|{_NOT_LETTER}){_YEAR_MONTH}\.?(?:[-/'’]| ['’])[0-9]{{2}}(?:$|[^0-9])",
        # 5th of March, March 5th
        rf"(?:^|[^0-9])(?:[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th) (?:of )?{_ORDINAL_MONTH}"
        rf"(?:$|{_NOT_LETTER})",
        rf"(?:^|{_NOT_LETTER}){_ORDINAL_MONTH} (?:[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)"
        rf"(?:$|{_NOT_LETTER})",
    )
)

# Street addresses.
_WORDS_BETWEEN = rf"((?:[{_L}'’.-]+ +){{1,4}})"
_EN_STREETS = (
    "street st road rd avenue ave lane ln boulevard blvd terrace tce crescent cres gardens gdns "
    "mews parade highway hwy parkway pkwy drive dr close court ct place pl square sq way grove "
    "walk row hill park circle cir alley green view rise vale wharf quay"
).split()
#: Street words that are also common words: only capitalised, after capitalised words.
_PLAIN_WORD_STREETS = set(
    "dr ct pl sq close court place square way grove walk row hill park circle green view rise "
    "vale drive route via corso largo strada plaza ronda av bd camino alameda passage "
    "voie".split()
)
_COMPOUND_STREETS = (
    "straße strasse str. weg allee platz gasse damm ufer chaussee straat laan gracht plein kade "
    "singel dijk dreef steeg"
).split()
_NAMED_STREETS = "straße strasse str. allee platz gasse straat laan plein".split()
_TYPE_FIRST = (
    "calle c/ avenida avda av plaza pza paseo carrer camino carretera ronda travesía travesia "
    "via viale piazza piazzale corso largo vicolo strada rua travessa praça praca alameda "
    "estrada rue avenue boulevard bd chemin allée allee impasse quai"
).split()
_NUMBER_FIRST = (
    "rue avenue av boulevard bd place allée allee chemin impasse quai route square passage voie "
    "sentier cité cite faubourg fbg calle via rua"
).split()
_ADDRESS_PATTERNS = {
    "number-street": rf"(?i)(?:^|[^0-9{_L}])[0-9]{{1,5}}[a-z]?,? +{_WORDS_BETWEEN}"
    rf"({_alternatives(_EN_STREETS)})\.?(?:$|[^{_L}])",
    "compound-number": rf"(?i)(?:^|[^{_L}])([{_L}-]{{2,}}(?:{_alternatives(_COMPOUND_STREETS)}"
    rf"| {_alternatives(_NAMED_STREETS)}))\.? *,? *[0-9]{{1,4}}(?: ?[a-z])?(?:$|[^0-9{_L}])",
    "type-name-number": rf"(?i)(?:^|[^{_L}/])({_alternatives(_TYPE_FIRST)})\.? +"
    rf"((?:[{_L}'’.-]+ +){{0,4}}[{_L}'’.-]+),? *(?:n[º°o.]* *)?[0-9]{{1,4}}[a-z]?"
    rf"(?:$|[^0-9{_L}])",
    "number-type-name": rf"(?i)(?:^|[^0-9{_L}])[0-9]{{1,4}}(?: ?(?:bis|ter|[a-z]))?,? +"
    rf"({_alternatives(_NUMBER_FIRST)})\.? +((?:d['’]|l['’]|de |du |des |la |le |les )*"
    rf"[{_L}'’-]{{2,}})",
    "po-box": rf"(?i)(?:^|[^{_L}])(?:p\.? ?o\.? ?box|post office box|postfach|apartado"
    r"(?: de correos)?|bo[iî]te postale|casella postale|postbus)\.? *[0-9]+",
}
#: Words that do not stand between a house number and a street word (``2 hours on the road``).
_NOT_STREET_NAME = set(
    "the a an of on in at to and or for with from by after before during very my his her their "
    "our your its was is were are be been had has have not no per than then that this these "
    "those it he she they we i you me him them hours hour days day weeks week months month years "
    "year minutes mins min mg ml times more less about into over under up down out off so but if "
    "as also dose doses session sessions visit visits patients subjects people".split()
)

# Ages over 89 written in words.
_AGE_UNITS = r"(?:years?|yrs?|y/o|y\.o\.|yo|year-old|years-old|jahre?n?|ans|años|anos|anni|jaar|y)"
_AGE_NUMBER = r"(?:9[0-9]|1[01][0-9])"
_TEXT_AGE = (
    rf"(?i)(?:^|[^0-9.,])({_AGE_NUMBER})[ -]?{_AGE_UNITS}(?:$|[^{_L}])"
    rf"|(?:^|[^{_L}])(?:aged?|âge|alter|edad|età|leeftijd|idade)[: ]*({_AGE_NUMBER})(?:$|[^0-9])"
)
_AGE_BOUND_BEFORE = re.compile(r"(?i)(?:[>≥]|over|above|more than|at least|older than) *$")
_AGE_BOUND_AFTER = re.compile(r"(?i)(?:\+|[ -]*(?:or|and|y|et|und|o|e|of) *(?:older|over|more|"
                              r"plus|mehr|älter|plus|más|mayor|oltre|ouder|mais))")  # fmt: skip


# --- helpers ------------------------------------------------------------------------------------


def _arrow(text: pd.Series) -> pa.Array:
    return pa.array(text.astype("str"), type=pa.large_string(), from_pandas=True)


def _flags(found: pa.Array) -> np.ndarray:
    return np.array(found.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def contains(text: pd.Series, pattern: str) -> np.ndarray:
    """Which texts contain ``pattern`` (RE2, vectorised).

    Examples
    --------
    >>> contains(pd.Series(["a1", "b"]), "[0-9]").tolist()
    [True, False]
    """
    return _flags(pc.match_substring_regex(_arrow(text), pattern))


def fullmatch(text: pd.Series, pattern: str) -> np.ndarray:
    """Which texts match ``pattern`` whole (RE2, vectorised).

    Examples
    --------
    >>> fullmatch(pd.Series(["12", "a12"]), "[0-9]+").tolist()
    [True, False]
    """
    return _flags(pc.match_substring_regex(_arrow(text), f"^(?:{pattern})$"))


def count(text: pd.Series, pattern: str) -> np.ndarray:
    """How often ``pattern`` occurs in each text (RE2, vectorised).

    Examples
    --------
    >>> count(pd.Series(["a b c", ""]), "[a-z]").tolist()
    [3, 0]
    """
    found = pc.count_substring_regex(_arrow(text), pattern).fill_null(0)
    return np.array(found.to_numpy(zero_copy_only=False), dtype=np.int64)


def is_in(text: pd.Series, words: pa.Array) -> np.ndarray:
    """Which texts, in lower case, are one of ``words`` (lower case, vectorised)."""
    return _flags(pc.is_in(pc.utf8_lower(_arrow(text)), value_set=words))


def _checked(text: pd.Series, pattern: str, valid: Callable[[re.Match[str]], bool]) -> np.ndarray:
    """Texts in which some match of ``pattern`` passes ``valid`` (checked on candidates only)."""
    found = contains(text, pattern)
    regex = re.compile(pattern)
    for i in np.flatnonzero(found):
        found[i] = any(valid(m) for m in regex.finditer(text.iat[i]))
    return found


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


# --- detectors ----------------------------------------------------------------------------------


def emails(text: pd.Series) -> np.ndarray:
    """E-mail addresses, with letters of any script (``jöhn@exämple.org``).

    Examples
    --------
    >>> emails(pd.Series(["jöhn@exämple.org", "write to jo@nhs.net", "@home", "a@b"])).tolist()
    [True, True, False, False]
    """
    return contains(text, _EMAIL)


def urls(text: pd.Series) -> np.ndarray:
    """Web addresses: ``http://``, ``https://``, ``ftp://`` or ``www.``."""
    return contains(text, _URL)


def ip_addresses(text: pd.Series) -> np.ndarray:
    """Dotted IPv4 addresses."""
    return contains(text, _IP)


def _is_phone(match: re.Match[str]) -> bool:
    run = match.group(1)
    digits = len(_digits(run)) - ("(0)" in run)
    bare = run.lstrip("(")
    if _DATE_START.match(bare) and len(re.split(r"[ ()./-]+", bare)) >= 3:
        return False
    if bare.startswith("+"):
        return 10 <= digits <= 15 and bare[1:2] != "0"
    if re.match(r"00[1-9]", bare):
        return 10 <= digits - 2 <= 15
    if re.match(r"0[1-9]", bare):
        return 10 <= digits <= 13
    if _NORTH_AMERICAN.fullmatch(run):
        return True
    return 9 <= digits <= 15 and _PHONE_WORD.search(match.string[: match.start(1)]) is not None


def phones(text: pd.Series) -> np.ndarray:
    """Telephone numbers of 10 to 15 digits, alone or in text.

    International (``+44 (0)7700 900123``, ``0044 7700 900123``), national with a trunk ``0``
    (``020 7946 0958``, ``030/1234567``, ``06 12 34 56 78``), North American with separators
    (``(555) 123-4567``, ``1-800-555-0199``), and any 9 to 15 digits after a word such as ``tel``,
    ``phone`` or ``mob``.

    Examples
    --------
    >>> phones(pd.Series(["mob 07700 900123", "0044 7700 900123", "Phone: 5551234567",
    ...                   "05/03/2024 10:30", "0000012345", "12 13 14 15 16"])).tolist()
    [True, True, True, False, False, False]
    """
    return _checked(text, _PHONE_RUN, _is_phone)


def nhs_check(digits: str) -> bool:
    """Whether ten digits are a valid NHS (or CHI) number: the modulus 11 check digit.

    Examples
    --------
    >>> nhs_check("9434765919"), nhs_check("9434765918"), nhs_check("1111111111")
    (True, False, False)
    """
    numbers = [int(d) for d in digits]
    check = 11 - sum(d * w for d, w in zip(numbers[:9], range(10, 1, -1), strict=True)) % 11
    return (check % 11) == numbers[9] and len(set(digits)) > 1


def nhs_numbers(text: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ten-digit numbers grouped 3-3-4 (``943 476 5919``): held, valid, and valid after a word.

    Returns three flags per text: it holds such a number; one of them passes the NHS check; and
    the text also names it (``NHS``, ``CHI``, ``health``). A random ten-digit code passes the
    check one time in eleven, so the guard reports numbers without a word only where most of a
    column's numbers pass.

    Examples
    --------
    >>> held, valid, named = nhs_numbers(pd.Series(["NHS: 943 476 5919", "9434765918"]))
    >>> held.tolist(), valid.tolist(), named.tolist()
    ([True, True], [True, False], [True, False])
    """
    held = contains(text, _NHS)
    valid = _checked(text, _NHS, lambda m: nhs_check(_digits(m.group(1))))
    named = valid & contains(text, _NHS_WORD)
    return held, valid, named


def _is_ssn(match: re.Match[str]) -> bool:
    digits = _digits(match.group(1))
    return digits[:3] not in ("000", "666") and digits[3:5] != "00" and digits[5:] != "0000"


def _is_bsn(match: re.Match[str]) -> bool:
    digits = [int(d) for d in _digits(match.group(1))]
    return sum(d * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True)) % 11 == 0


def _is_nir(match: re.Match[str]) -> bool:
    text = match.group(1).replace(" ", "").upper()
    body = text[:13].replace("2A", "19").replace("2B", "18")
    return int(text[13:]) == 97 - int(body) % 97


def _is_dni(match: re.Match[str]) -> bool:
    text = re.sub(r"[ -]", "", match.group(1)).upper()
    number = int(str("XYZ".find(text[0])) + text[1:-1] if text[0] in "XYZ" else text[:-1])
    return _DNI_LETTERS[number % 23] == text[-1]


def identity_numbers(text: pd.Series) -> np.ndarray:
    """National identity numbers that a pattern or a check digit tells apart from other codes.

    US social security numbers (``123-45-6789``, ``123 45 6789``, or nine digits after ``SSN``;
    never area 000 or 666, group 00 or serial 0000), Dutch BSN after the word (11-proof), French
    NIR (15 characters, key 97 - n mod 97) and Spanish DNI/NIE (check letter). NHS numbers are
    :func:`nhs_numbers`.

    Examples
    --------
    >>> identity_numbers(pd.Series(["123-45-6789", "BSN 123456782", "1 85 03 75 123 456 41",
    ...                             "12345678Z", "12345678A", "DMT-01-0012"])).tolist()
    [True, True, True, True, False, False]
    """
    return (
        _checked(text, _SSN, _is_ssn)
        | contains(text, _SSN_WORD)
        | _checked(text, _BSN, _is_bsn)
        | _checked(text, _NIR, _is_nir)
        | _checked(text, _DNI, _is_dni)
    )


def dates(text: pd.Series) -> np.ndarray:
    """Calendar dates other than a year alone, with a year 1800-2199, in several languages.

    Full dates in numbers (``2024-03-05``, ``05/03/2024``, ``3/5/24``, ``05.03.85``) or words
    (``5th of March 1985``, ``5. März 1985``, ``5 de marzo de 1985``, ``March 5, 1985``,
    ``05MAR2024``); a month and year (``03/1985``, ``1985-03``, ``March 1985``, ``Mar-85``); a
    day and month with an ordinal (``5th of March``, ``March 5th``). Month names are English,
    German, French, Spanish, Italian, Dutch and Portuguese, in full or abbreviated.

    Examples
    --------
    >>> dates(pd.Series(["5th of March 1985", "03/1985", "5 März 1985", "Mar-85", "1985",
    ...                  "WEEK 12", "Q2 2024", "12 Mar", "1.2.3"])).tolist()
    [True, True, True, True, False, False, False, False, False]
    """
    return contains(text, _DATE)


def postcodes(text: pd.Series) -> np.ndarray:
    """Whole values that are UK postcodes with their space (``SW1A 1AA``) or ZIP+4 codes."""
    return fullmatch(text, _UK_POSTCODE) | fullmatch(text, _ZIP4)


def zip_codes(text: pd.Series) -> np.ndarray:
    """Whole values of five digits, optionally ``-`` and four (for columns named for ZIP codes)."""
    return fullmatch(text, _ZIP)


def _capitalised(words: str) -> bool:
    return all(w[:1].isupper() for w in words.split() if w[:1].isalpha())


def _street_name_ok(words: str, street: str) -> bool:
    """The words of a street name are no common words; a plain street word needs capitals."""
    names = [w.strip(".'’-").lower() for w in words.split()]
    if not names or any(n in _NOT_STREET_NAME for n in names):
        return False
    return street.lower().rstrip(".") not in _PLAIN_WORD_STREETS or _capitalised(
        f"{words} {street}"
    )


def _is_address(kind: str) -> Callable[[re.Match[str]], bool]:
    def valid(match: re.Match[str]) -> bool:
        if kind == "number-street":
            return _street_name_ok(match.group(1), match.group(2))
        if kind == "type-name-number":
            return _street_name_ok(f"{match.group(1)} {match.group(2)}", match.group(1))
        if kind == "number-type-name":
            street, name = match.group(1), match.group(2)
            particle = re.match(r"(?i)d['’]|l['’]|de |du |des |la |le |les ", name)
            plain = street.lower() in _PLAIN_WORD_STREETS
            return not plain or particle is not None or name[:1].isupper()
        return True

    return valid


def addresses(text: pd.Series) -> np.ndarray:
    """Street addresses: a house number and a street word, in English, German, Dutch, French,
    Spanish, Italian and Portuguese; and post office boxes.

    ``12 Acacia Avenue``, ``221B Baker Street``, ``Flat 3, 12 High St``, ``Hauptstraße 5``,
    ``Berliner Straße 12a``, ``Kerkstraat 7``, ``5 rue de la Paix``, ``Calle Mayor 5``,
    ``Via Roma 1``, ``Rua Augusta 100``, ``PO Box 123``.

    Examples
    --------
    >>> addresses(pd.Series(["12 Acacia Avenue", "Hauptstraße 5", "5 rue de la Paix",
    ...                      "2 hours on the road", "via phone 2 times", "DAY 1 (+3H)"])).tolist()
    [True, True, True, False, False, False]
    """
    found = np.zeros(len(text), dtype=bool)
    for kind, pattern in _ADDRESS_PATTERNS.items():
        found |= _checked(text, pattern, _is_address(kind))
    return found


def _is_age(match: re.Match[str]) -> bool:
    start, end = match.span(1) if match.group(1) else match.span(2)
    before, after = match.string[:start], match.string[end:]
    return not _AGE_BOUND_BEFORE.search(before) and not _AGE_BOUND_AFTER.match(after)


def text_ages(text: pd.Series) -> np.ndarray:
    """Ages from 90 to 119 written with their unit or word: ``95 years``, ``aged 95``, ``95 y/o``.

    Aggregated categories (``90+``, ``>89 years``, ``aged 90 or older``) are not ages.

    Examples
    --------
    >>> text_ages(pd.Series(["95 years", "aged 93", "95 y/o", "92 Jahre", "90+ years",
    ...                      "aged 90 or older", "45 years", "week 95"])).tolist()
    [True, True, True, True, False, False, False, False]
    """
    return _checked(text, _TEXT_AGE, _is_age)
