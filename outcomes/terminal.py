"""Text from the data, made safe to show: nothing in it can move the cursor, erase, recolour,
retitle, reorder or split what is printed.

A score file is written by someone else. A visit label, a column name or a file name that holds
``ESC [2J`` would clear the screen of whoever runs ``outcomes validate`` on it; one that holds a
carriage return would write over the start of its line; a newline would forge a line of the
report. :func:`printable` is the one rule for every data-derived string that the package prints
on a terminal or writes into a table (a CSV or Markdown file is often read with ``cat``):

* ANSI escape sequences (ECMA-48) are removed whole: CSI (``ESC [`` or ``\\x9b``, then
  parameters and a final byte: cursor moves, erase, colours), control strings (OSC ``ESC ]``
  up to BEL or ST: window titles, OSC 8 hyperlinks; also DCS, SOS, PM, APC) and two-character
  escapes (``ESC c`` resets the terminal);
* every line break (``\\n``, ``\\r``, ``\\r\\n``, ``\\v``, ``\\f``, ``\\x1c``-``\\x1e``, NEL,
  U+2028, U+2029) and the tab become one space, so a value stays on its line;
* every other control character (C0, DEL, C1, so also a lone ``ESC`` or backspace) is removed,
  and so are the bidirectional controls that reorder or hide text (U+061C, U+200E, U+200F,
  U+202A-U+202E, U+2066-U+2069) and the non-characters U+FFFE and U+FFFF (not allowed in XML);
* a lone surrogate (which no UTF-8 stream can hold) becomes U+FFFD.

Text that was printable already comes back unchanged, so the rule can be applied twice.

Examples
--------
>>> printable("WEEK 1\\x1b[2J\\x1b[H")
'WEEK 1'
>>> printable("S01\\rS02\\nS03")
'S01 S02 S03'
"""

from __future__ import annotations

import re

__all__ = ["UNPRINTABLE", "printable", "printable_lines"]

_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: ESC [ or 0x9b, parameters, intermediates, final
    r"|(?:\x1b[]P^_X]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC...ST
    r"|\x1b[ -/]*[0-~]"  # two-character escapes (and nF sequences such as ESC ( B)
)
_BREAKS = "\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029"
_INVISIBLES = (
    "\x00-\x1f\x7f-\x9f"  # C0, DEL, C1
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional marks, embeddings, isolates
    "\ufffe\uffff"
)
_SURROGATES = "\ud800-\udfff"
_BREAK = re.compile(f"\r\n|[{_BREAKS}]")
_INVISIBLE = re.compile(f"[{_INVISIBLES}]")
_SURROGATE = re.compile(f"[{_SURROGATES}]")
#: One character that :func:`printable` would change: a line break, a tab, a control character
#: (the start of every escape sequence among them), a bidirectional mark or a surrogate. A text
#: that must be one printable line (a plan's title) is refused when it holds one.
UNPRINTABLE = re.compile(f"[{_BREAKS}{_INVISIBLES}{_SURROGATES}]")


def printable(text: object) -> str:
    """``text`` (any object, as ``str``) as one field that is safe to print or write.

    Parameters
    ----------
    text : object
        A value from the data: a label, a message that quotes one, a file name.

    Returns
    -------
    str
        The text without escape sequences, control or bidirectional characters, on one line
        (see the module's rules).

    Examples
    --------
    >>> printable("\\x1b]0;owned\\x07PLACEBO \\x1b[31mDMT\\x1b[0m")
    'PLACEBO DMT'
    >>> printable("\\x1b]8;;https://example.org\\x1b\\\\click\\x1b]8;;\\x1b\\\\")
    'click'
    >>> printable("abc\\u202edcba"), printable("12\\b\\b34\\x7f")
    ('abcdcba', '1234')
    >>> printable(3.5)
    '3.5'
    """
    text = _SEQUENCE.sub("", str(text))
    text = _BREAK.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    return _SURROGATE.sub("\ufffd", text)


def printable_lines(text: object) -> str:
    """``text`` of several lines, each made :func:`printable`; its ``\\n`` are kept.

    For the package's own messages of more than one line (an error that lists the problems it
    found): their line breaks are the package's; every line's content is cleaned. A data-derived
    field that goes into such a message should be :func:`printable` already.

    Examples
    --------
    >>> print(printable_lines("2 problems:\\n  visit 'W1\\x1b[1A\\x1b[2K'\\n  row 3"))
    2 problems:
      visit 'W1'
      row 3
    """
    return "\n".join(printable(line) for line in str(text).split("\n"))
