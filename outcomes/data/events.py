"""The names of intercurrent events: the standard ones, their variants, their misspellings.

An events table (``subject, event, day[, detail]``, checked by :mod:`outcomes.validate.events`)
and an estimand (the plan's ``[estimand.intercurrent_events]``, :class:`outcomes.Estimand`) name
events the same way: one of :data:`INTERCURRENT_EVENTS` in any case or punctuation
(``Rescue_Medication``), read as the standard name; or a kind of the study's own, used as written.
A name close to a standard one (``discontinuaton``, ``dropout``) is taken for a misspelling of it.
"""

from __future__ import annotations

import difflib

from outcomes.names import normalise

__all__ = ["INTERCURRENT_EVENTS", "event_name", "known_event", "misspelt_event", "suggested_event"]

#: The intercurrent events an events table names (ICH E9(R1) section A.3.1, and unblinding).
INTERCURRENT_EVENTS: tuple[str, ...] = (
    "discontinuation",
    "rescue medication",
    "treatment switch",
    "unblinding",
    "death",
)

#: Names used for known events, for the suggestion only: they are not read as the event.
_SYNONYMS = {
    "dropout": "discontinuation",
    "drop out": "discontinuation",
    "withdrawal": "discontinuation",
    "withdrawn": "discontinuation",
    "withdrew": "discontinuation",
    "early termination": "discontinuation",
    "lost to follow-up": "discontinuation",
    "discontinued": "discontinuation",
    "rescue": "rescue medication",
    "additional medication": "rescue medication",
    "switch": "treatment switch",
    "switched": "treatment switch",
    "unblinded": "unblinding",
    "died": "death",
}
_BY_KEY = {normalise(name): name for name in INTERCURRENT_EVENTS}


def known_event(name: str) -> str | None:
    """The known event ``name`` is written for (any case and punctuation), else None.

    Examples
    --------
    >>> known_event("Rescue_Medication"), known_event("discontinuation"), known_event("dropout")
    ('rescue medication', 'discontinuation', None)
    """
    return _BY_KEY.get(normalise(name))


def event_name(name: str) -> str:
    """An estimand's name for an event: the standard one it is written for, else its own.

    A name close to a standard event but not one (a typo) is a ValueError with the suggestion;
    a name of the study's own (``"site closed"``) is kept, stripped.

    Examples
    --------
    >>> event_name("Discontinuation"), event_name(" site closed ")
    ('discontinuation', 'site closed')
    >>> event_name("discontinuaton")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: 'discontinuaton' is not an intercurrent event (...); did you mean 'discontinuation'?
    """
    known = known_event(name)
    if known is not None:
        return known
    close = misspelt_event(name)
    if close is None:
        return " ".join(str(name).split())
    raise ValueError(
        f"{name!r} is not an intercurrent event ({', '.join(INTERCURRENT_EVENTS)}); "
        f"did you mean {close!r}?"
    )


def misspelt_event(name: str) -> str | None:
    """The standard event an unknown name is a misspelling or synonym of, or None.

    Stricter than the suggestion of a message: a synonym, a name that starts with the first word
    of a standard event (``rescue meds``), or one differing by a few letters.
    """
    lower = " ".join(name.lower().split())
    if lower in _SYNONYMS:
        return _SYNONYMS[lower]
    for known in INTERCURRENT_EVENTS:
        if lower.split(" ")[0] == known.split(" ")[0]:
            return known
    close = difflib.get_close_matches(lower, INTERCURRENT_EVENTS, n=1, cutoff=0.8)
    return close[0] if close else None


def suggested_event(name: str) -> str | None:
    """The closest known event to an unknown name, or None when none is close."""
    lower = " ".join(name.lower().split())
    if lower in _SYNONYMS:
        return _SYNONYMS[lower]
    words = [*INTERCURRENT_EVENTS, *_SYNONYMS]
    close = difflib.get_close_matches(lower, words, n=1, cutoff=0.6)
    return _SYNONYMS.get(close[0], close[0]) if close else None
