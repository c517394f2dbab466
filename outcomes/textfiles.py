"""The small text files the package reads: plans, schedules, mappings, scale definitions.

Each is read with bounds, so that a hostile or mistaken file is refused before it costs minutes
or gigabytes: it must be a regular file (not a directory, a device or a pipe, which could block
or never end), of at most :data:`MAX_BYTES`, in UTF-8; and TOML is parsed only when its text
nests at most :data:`MAX_NESTING` deep and no key has more than :data:`MAX_KEY_PARTS` dotted
parts (either would make Python's TOML parser exhaust its stack, or take time and memory growing
with the square of the key: 200 KB of ``a.a.a`` takes gigabytes). No message quotes the file's
content beyond the parser's own line and column.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from outcomes.errors import ReadError

__all__ = [
    "MAX_BYTES",
    "MAX_KEY_PARTS",
    "MAX_NESTING",
    "check_readable",
    "parse_json",
    "parse_toml",
    "read_text",
]

#: The largest text file read, in bytes (a plan is some kB).
MAX_BYTES = 1_000_000
#: The deepest nesting of ``[ ]`` and ``{ }`` in a TOML text (a plan's own shape needs 2).
MAX_NESTING = 8
#: The most dotted parts of one TOML key (``estimand.intercurrent_events`` has 2).
MAX_KEY_PARTS = 8
#: Characters of a parser's message that an error quotes.
_SHOWN_MESSAGE = 300

#: TOML's strings and comments, whose brackets and dots are not structure.
_STRINGS_AND_COMMENTS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*+"{3,5}'
    r"|'''(?:[^']|'(?!''))*+'{3,5}"
    r'|"(?:[^"\\\n]|\\.)*+"'
    r"|'[^'\n]*+'"
    r"|#[^\n]*+",
    re.DOTALL,
)
#: A dotted key, outside strings (a number's decimal point makes two parts of it).
_DOTTED_KEY = re.compile(r"[\w-]+(?:[ \t]*\.[ \t]*[\w-]+)+")
_BRACKETS = re.compile(r"[\[\]{}]")


def check_readable(path: str | os.PathLike[str]) -> None:
    """Raise :class:`~outcomes.errors.ReadError` unless ``path`` is a file this process can read.

    The file must exist, be a regular file (not a directory, a device or a pipe, which could
    block or never end), hold at least one byte, and open for reading.

    Examples
    --------
    >>> check_readable("/")
    Traceback (most recent call last):
    ...
    outcomes.errors.ReadError: /: is a directory, not a file
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ReadError(f"{path}: no such file") from None
    except OSError as exc:
        raise ReadError(f"{path}: the file cannot be opened ({exc.strerror})") from exc
    if stat.S_ISDIR(info.st_mode):
        raise ReadError(f"{path}: is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise ReadError(f"{path}: is not a regular file (a device, a pipe or a socket)")
    if info.st_size == 0:
        raise ReadError(f"{path}: the file is empty (0 bytes)")
    try:
        path.open("rb").close()
    except OSError as exc:
        raise ReadError(f"{path}: the file cannot be opened ({exc.strerror})") from exc


def read_text(path: str | os.PathLike[str], *, limit: int = MAX_BYTES) -> str:
    """The UTF-8 text of a readable file of at most ``limit`` bytes.

    Raises
    ------
    ReadError
        Not a readable regular file (:func:`check_readable`), larger than ``limit``, or not
        UTF-8 (the first bad byte is named, not shown).
    """
    path = Path(path)
    check_readable(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise ReadError(f"{path}: the file cannot be read ({exc.strerror})") from exc
    if len(data) > limit:
        raise ReadError(f"{path}: the file is larger than {limit:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReadError(f"{path}: not UTF-8 text (at byte {exc.start + 1:,})") from exc


def too_deep(text: str) -> str | None:
    """What nests too deep in a TOML text, judged from its text alone, or ``None``.

    Examples
    --------
    >>> too_deep('a = [[1, 2], "[[[[[[[[["]  # a.b.c.d.e.f.g.h.i.j')
    >>> too_deep("x = " + "[" * 100_000)
    'brackets nested more than 8 deep'
    >>> too_deep("a" + ".a" * 20 + " = 1")
    'a key of more than 8 dotted parts'
    """
    bare = _STRINGS_AND_COMMENTS.sub("s", text)
    if _deepest(bare) > MAX_NESTING:
        return f"brackets nested more than {MAX_NESTING} deep"
    parts = max((key.group().count(".") + 1 for key in _DOTTED_KEY.finditer(bare)), default=1)
    if parts > MAX_KEY_PARTS:
        return f"a key of more than {MAX_KEY_PARTS} dotted parts"
    return None


def _deepest(text: str) -> int:
    depth = deepest = 0
    for bracket in _BRACKETS.findall(text):
        depth = depth + 1 if bracket in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def parse_toml(text: str) -> dict[str, Any]:
    """Parse TOML text that cannot exhaust the parser; ``ValueError`` says what is wrong.

    Examples
    --------
    >>> parse_toml('title = "x"\\n[arms]\\nreference = "PLACEBO"')
    {'title': 'x', 'arms': {'reference': 'PLACEBO'}}
    >>> parse_toml("x = " + "[" * 50)
    Traceback (most recent call last):
    ...
    ValueError: its TOML has brackets nested more than 8 deep
    """
    if len(text) > MAX_BYTES:
        raise ValueError(f"the text is longer than {MAX_BYTES:,} characters")
    deep = too_deep(text)
    if deep:
        raise ValueError(f"its TOML has {deep}")
    try:
        return tomllib.loads(text)
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError is a ValueError
        raise ValueError(f"not valid TOML: {str(exc)[:_SHOWN_MESSAGE]}") from exc


def parse_json(text: str) -> Any:
    """Parse JSON text nested at most :data:`MAX_NESTING` deep; ``ValueError`` otherwise.

    Examples
    --------
    >>> parse_json('{"subject": "PATIENT"}')
    {'subject': 'PATIENT'}
    """
    if len(text) > MAX_BYTES:
        raise ValueError(f"the text is longer than {MAX_BYTES:,} characters")
    if _deepest(re.sub(r'"(?:[^"\\]|\\.)*"', "s", text)) > MAX_NESTING:
        raise ValueError(f"its JSON has brackets nested more than {MAX_NESTING} deep")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"not valid JSON: {str(exc)[:_SHOWN_MESSAGE]}") from exc
