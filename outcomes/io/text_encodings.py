"""The encoding of a delimited text file: told from its bytes, decoded, its mixed bytes located.

UTF-8, UTF-16 or UTF-32, by byte-order mark or, for UTF-16 and UTF-32 without one, by where the
NUL bytes fall (:func:`_sniff_wide`). A file that is not UTF-8 and holds no UTF-8 character of
two or more bytes is Windows-1252 (cp1252), read with a warning. In a file that is UTF-8 but for
some bytes, those bytes are marked while the file is parsed (:data:`_MARK_BASE`) and then found
in their cells (:func:`_unmark`), each cell an error ``encoding``.

:func:`_decode` is what :mod:`outcomes.io.text_tables` uses, with :func:`_unmark` and the
problems it reports; nothing here is public.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from outcomes.errors import ReadError
from outcomes.io.reading import _problem

__all__: list[str] = []

#: Byte-order marks, UTF-32's first: its little-endian mark begins with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: The names of text encodings in messages.
_ENCODING_NAMES = MappingProxyType(
    {
        "utf-32-le": "UTF-32 (little-endian)",
        "utf-32-be": "UTF-32 (big-endian)",
        "utf-16-le": "UTF-16 (little-endian)",
        "utf-16-be": "UTF-16 (big-endian)",
    }
)
#: The first bytes of a text file without byte-order mark in which UTF-16 and UTF-32 are sought.
_SNIFFED_BYTES = 4096
#: A valid UTF-8 sequence of two to four bytes.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
#: The bytes of a UTF-8 file that are not UTF-8 are marked while the file is parsed, byte ``b``
#: as the private-use character U+10FF00 + ``b``, so that the cells holding them can be found.
_MARK_BASE = 0x10FF00
_MARKED = re.compile(f"[{chr(_MARK_BASE + 0x80)}-{chr(_MARK_BASE + 0xFF)}]")
#: What ``surrogateescape`` makes of the bytes it cannot decode.
_ESCAPED = re.compile("[\udc80-\udcff]")


def _cp1252_character(byte: int) -> str:
    """The Windows-1252 character of a byte; latin-1's for the five bytes cp1252 leaves out."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


_CP1252 = MappingProxyType({b: _cp1252_character(b) for b in range(0x80, 0x100)})
#: Tables for :meth:`str.translate`: marks to their cp1252 characters; latin-1 to cp1252.
_FROM_MARKS = {_MARK_BASE + b: c for b, c in _CP1252.items()}
_FROM_LATIN1 = {b: c for b, c in _CP1252.items() if c != chr(b)}
_UNDEFINED_IN_CP1252 = tuple(b for b, c in _CP1252.items() if c == chr(b) and b < 0xA0)


def _decode(raw: bytes, path: Path) -> tuple[str, list[dict[str, Any]], bool]:
    """A text file's text, the problems of its encoding, and whether some bytes are marked.

    UTF-32 or UTF-16 by byte-order mark or by the pattern of NUL bytes, else UTF-8. A file with
    no UTF-8 character of two bytes or more is read as cp1252 (with a warning); in one with some,
    the bytes that are not UTF-8 are marked (see :data:`_MARK_BASE`) for :func:`_unmark`.
    """
    bom, encoding = next(((b, e) for b, e in _BOMS if raw.startswith(b)), (b"", None))
    if encoding is None and b"\x00" in raw[:_SNIFFED_BYTES]:
        encoding = _sniff_wide(raw[:_SNIFFED_BYTES])
    if encoding in _ENCODING_NAMES:
        return _decode_wide(raw, len(bom), encoding, path), [], False
    body = raw[len(bom) :]
    try:
        return body.decode("utf-8"), [], False
    except UnicodeDecodeError:
        pass
    if _UTF8_MULTIBYTE.search(body) is None:
        return _decode_cp1252(body)
    text = body.decode("utf-8", errors="surrogateescape")
    if _MARKED.search(text):
        raise ReadError(
            f"{path}: mixes encodings (it is UTF-8 but for some bytes) and holds characters of "
            "Unicode's last private-use plane, so its bytes cannot be told apart; save it as UTF-8"
        )
    return _ESCAPED.sub(lambda m: chr(_MARK_BASE + ord(m.group()) - 0xDC00), text), [], True


def _sniff_wide(head: bytes) -> str | None:
    """UTF-32 or UTF-16 (LE or BE) told from where NUL bytes fall, or ``None``.

    In ASCII text each character has one non-NUL byte: UTF-16LE has its NUL bytes at odd
    positions, UTF-32BE at the first three of every four, and so on. The head must decode too.
    """
    nul = np.frombuffer(head[: len(head) // 4 * 4], dtype=np.uint8) == 0
    if len(nul) == 0:
        return None
    share = nul.reshape(-1, 4).mean(axis=0)  # of NUL bytes at each position of 4
    even, odd = (share[0] + share[2]) / 2, (share[1] + share[3]) / 2
    candidates = []
    if share[3] == 1 and share[2] > 0.9 and share[0] < 0.05:
        candidates.append("utf-32-le")
    if share[0] == 1 and share[1] > 0.9 and share[3] < 0.05:
        candidates.append("utf-32-be")
    if odd > 0.3 and even < 0.05:
        candidates.append("utf-16-le")
    if even > 0.3 and odd < 0.05:
        candidates.append("utf-16-be")
    for encoding in candidates:
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def _decode_wide(raw: bytes, start: int, encoding: str, path: Path) -> str:
    """UTF-16 or UTF-32 text from byte ``start`` on; a ReadError where it is not valid."""
    try:
        return raw[start:].decode(encoding)
    except UnicodeDecodeError as exc:
        label = _ENCODING_NAMES[encoding]
        line = 1 + raw[start : start + exc.start].decode(encoding).count("\n")
        if exc.reason == "truncated data":
            raise ReadError(
                f"{path}: is {label} text that ends in the middle of a character (line {line}): "
                "it was cut short; get the complete file again"
            ) from None
        raise ReadError(
            f"{path}: is {label} text but byte {start + exc.start:,} (line {line}) is not valid "
            f"{label}, so the file is damaged; get it again, or save it as UTF-8"
        ) from None


def _decode_cp1252(raw: bytes) -> tuple[str, list[dict[str, Any]], bool]:
    """A whole file as Windows-1252 (its undefined bytes as latin-1), with a warning saying so."""
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        text = raw.decode("latin-1").translate(_FROM_LATIN1)
    undefined = sum(raw.count(bytes([b])) for b in _UNDEFINED_IN_CP1252)
    message = (
        "the file is not UTF-8 and was read as Windows-1252 (cp1252), the encoding of Excel's "
        "CSV on Windows"
    )
    if undefined:
        message += (
            f"; {undefined:,} of its bytes are not Windows-1252 either and were read as control "
            "characters"
        )
    hint = (
        "check that accented letters read as written; save the file as UTF-8 (in Excel: "
        "'CSV UTF-8') so that its characters are certain"
    )
    return text, [_problem("warning", "encoding", message, hint)], False


def _unmark(grid: pd.DataFrame) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Decode marked bytes as cp1252, in place; where they were: (row, column, (char, byte)s)."""
    found = []
    for column in range(grid.shape[1]):
        values = grid.iloc[:, column]
        rows = np.flatnonzero(
            values.str.contains(_MARKED.pattern, regex=True).fillna(False).to_numpy(bool)
        )
        for row in rows:
            value = values.iat[row]
            marks = [(i, ord(c) - _MARK_BASE) for i, c in enumerate(value) if _MARKED.match(c)]
            found.append((int(row), column, marks))
        if len(rows):
            grid.iloc[rows, column] = [values.iat[row].translate(_FROM_MARKS) for row in rows]
    return sorted(found)


def _encoding_problem(row: int, column: str, marks: list[tuple[int, int]]) -> dict[str, Any]:
    """The error for a cell of a UTF-8 file holding bytes that are not UTF-8."""
    where = "the header" if row == 0 else f"record {row}"
    many = len(marks) > 1
    message = (
        f"{where}, column {column!r}: {'bytes' if many else 'byte'} "
        f"{', '.join(f'0x{b:02X}' for _, b in marks)} (character{'s' if many else ''} "
        f"{', '.join(str(i + 1) for i, _ in marks)} of the value) {'are' if many else 'is'} "
        "not UTF-8, though the rest of the file is; read as Windows-1252 (cp1252)"
    )
    hint = "the file mixes encodings: save it as UTF-8"
    return _problem("error", "encoding", message, hint, row=row or None, column=column)


def _unread_bytes_problem(n_bytes: int) -> dict[str, Any]:
    """The error for bytes that are not UTF-8 in records too long to be read."""
    message = (
        f"{n_bytes:,} byte{'s' if n_bytes > 1 else ''} that are not UTF-8, though the rest of the "
        "file is, are in records with more fields than the header, whose values are not read"
    )
    return _problem("error", "encoding", message, "the file mixes encodings: save it as UTF-8")
