"""One way to compare names: of columns, roles, instruments and events.

A file's column may be ``Study Day``, ``study_day``, ``StudyDay`` or ``STUDYDAY``; an instrument
``GAD-7`` or ``gad7``; a name ``Prénom`` or ``PRENOM``. :func:`words` reads a name as its words
(accents folded, camelCase split, case folded, anything but letters and digits a separator) and
:func:`normalise` as one key, the words run together. Every comparison of names goes through these
two; labels of visits and arms are compared by :func:`outcomes.validate.labels.label_key`, which
keeps what tells labels apart (``Day 1.5`` is not ``Day 15``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable

__all__ = ["normalise", "words"]

#: Letters that do not decompose into a base letter and an accent.
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WORD = re.compile(r"[^\W\d_]+|\d+")


def words(name: Hashable) -> list[str]:
    """The words of a name: accents folded, camelCase split, case folded, letters or digits.

    Examples
    --------
    >>> words("DateOfBirth"), words("date_of_birth"), words("Prénom"), words("GAD-7 total")
    (['date', 'of', 'birth'], ['date', 'of', 'birth'], ['prenom'], ['gad', '7', 'total'])
    """
    text = unicodedata.normalize("NFKD", str(name).translate(_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _WORD.findall(_CAMEL.sub(" ", text).casefold())


def normalise(name: Hashable) -> str:
    """A name as it is compared: its words run together.

    Examples
    --------
    >>> normalise("Study Day"), normalise("GAD-7_total"), normalise("ADAS-Cog(11)")
    ('studyday', 'gad7total', 'adascog11')
    """
    return "".join(words(name))
