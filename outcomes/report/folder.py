"""The output folder of a report: checked before any analysis, written aside, moved into place.

What the folder guarantees:

* **Only inside the folder.** A report is written into a fresh private folder that this process
  creates beside ``out`` (same parent, hence the same file system); nothing already there, and in
  particular no symbolic link, is ever written through. An earlier report is removed without
  following links: a link in it is deleted as a link, its target left untouched.
* **Refused before any work.** :func:`check_output_folder` refuses an ``out`` that is a file, a
  symbolic link (to anything), a folder holding files that is not an earlier report (its files
  would be deleted: think ``--out .`` or ``--out ~``), or whose parent does not exist or cannot be
  written in. Call it before the analyses; :func:`staged_folder` calls it again.
* **Complete or not at all.** The new folder is moved to ``out`` only once every file and the
  manifest are written. An interruption (``KeyboardInterrupt``, a crash) before that removes the
  new folder and leaves ``out`` as it was: the earlier complete report, or absent.
* **Nothing stale.** The new folder replaces the old one whole: no file of an earlier run survives
  beside the new ones.
* **A manifest.** ``manifest.json`` lists every other file with its size and SHA-256, sorted by
  path, in bytes that depend only on the files.
* **Ordinary permissions.** The folder and its files get the modes of the process's umask (the
  private staging folder around it is removed).

Only a second interrupt while a staging folder is being removed can leave one (``.outcomes-*``)
beside ``out``; it is never taken for a report, and may be deleted.

Which folders may be replaced: a new path, an empty folder, a folder holding nothing but folders
and symbolic links (removing them loses no data), and an earlier report, recognised by its
manifest. Everything in an earlier report is replaced, files added to it by hand included.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from outcomes.errors import OutcomesError

__all__ = [
    "MANIFEST",
    "MANIFEST_FORMAT",
    "OutputFolderError",
    "check_output_folder",
    "read_manifest",
    "staged_folder",
    "write_manifest",
]

#: The manifest's file name, at the top of a report folder.
MANIFEST = "manifest.json"
#: The manifest's ``format`` field, by which an earlier report is recognised.
MANIFEST_FORMAT = "outcomes report manifest 1"
#: A larger ``manifest.json`` is not taken for a report's (a report's is some hundred kB).
_MAX_MANIFEST_BYTES = 16 * 2**20


class OutputFolderError(OutcomesError, OSError):
    """The output folder cannot be used: the message says why and what to give instead."""


def check_output_folder(out: str | Path) -> Path:
    """Check that a report may be written to ``out``; returns it as an absolute path.

    Nothing is written. The last part of ``out`` is not resolved (a symbolic link is refused, not
    followed); the folders above it are.

    Parameters
    ----------
    out : str or Path
        The report's folder: a new path, an empty folder, a folder holding only folders and
        symbolic links, or an earlier report (which is replaced whole).

    Returns
    -------
    Path
        ``out``, absolute.

    Raises
    ------
    OutputFolderError
        If ``out`` is a symbolic link, a file, a folder holding files that is not an earlier
        report, or its parent does not exist or cannot be written in.

    Examples
    --------
    >>> import tempfile
    >>> parent = Path(tempfile.mkdtemp())
    >>> check_output_folder(parent / "report") == parent.resolve() / "report"
    True
    >>> (parent / "notes.txt").write_text("mine")
    4
    >>> check_output_folder(parent / "notes.txt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    outcomes.report.folder.OutputFolderError: the output folder .../notes.txt is a file: ...
    >>> check_output_folder(parent)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    outcomes.report.folder.OutputFolderError: the output folder ... holds files and is not ...
    """
    target = _absolute(Path(out))
    if not target.parent.is_dir():
        raise OutputFolderError(
            f"the folder {target.parent} that would hold the report does not exist"
        )
    if target.is_symlink():
        raise OutputFolderError(
            f"the output folder {target} is a symbolic link: give the path of a real folder"
        )
    if target.exists() and not target.is_dir():
        raise OutputFolderError(f"the output folder {target} is a file: give a folder's path")
    for folder in (target.parent, target):
        if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
            raise OutputFolderError(f"cannot write in {folder}: give a folder you can write in")
    if target.exists():
        _check_replaceable(target)
    return target


def _absolute(out: Path) -> Path:
    """``out`` absolute, its parent resolved but not its last part (which may be a link)."""
    if out.name in ("", ".."):
        return out.resolve()
    return out.parent.resolve() / out.name


def _check_replaceable(folder: Path) -> None:
    """Refuse a folder that holds files and is not an earlier report."""
    try:
        read_manifest(folder)
    except OutputFolderError as not_a_report:
        found = _first_file(folder)
        if found is not None:
            raise OutputFolderError(
                f"the output folder {folder} holds files and is not an outcomes report "
                f"({not_a_report}): writing the report would delete them, "
                f"{found.relative_to(folder)} among them. Give a new or an empty folder."
            ) from None


def _first_file(folder: Path) -> Path | None:
    """An entry under ``folder`` that is neither a folder nor a symbolic link, or None."""
    for root, _, names in os.walk(folder, onerror=_unreadable):  # links to folders: not entered
        for name in names:
            if not os.path.islink(os.path.join(root, name)):
                return Path(root, name)
    return None


def _unreadable(error: OSError) -> None:
    raise OutputFolderError(f"cannot read {error.filename}: {error.strerror}")


def read_manifest(folder: str | Path) -> list[dict[str, Any]]:
    """The entries of the manifest of the report in ``folder``, as :func:`write_manifest` wrote.

    Raises
    ------
    OutputFolderError
        If ``folder`` has no ``manifest.json`` (a regular file, not a link) of this format.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "report"
    >>> with staged_folder(out) as folder:
    ...     _ = (folder / "a.txt").write_text("a")
    >>> read_manifest(out)
    [{'bytes': 1, 'path': 'a.txt',
      'sha256': 'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb'}]
    """
    path = Path(folder) / MANIFEST
    try:
        info = path.lstat()
        regular = stat.S_ISREG(info.st_mode) and info.st_size <= _MAX_MANIFEST_BYTES
        document = json.loads(path.read_bytes()) if regular else None
    except FileNotFoundError:
        raise OutputFolderError(f"it has no {MANIFEST}") from None
    except (OSError, ValueError) as exc:
        raise OutputFolderError(f"its {MANIFEST} cannot be read: {exc}") from None
    if not _is_manifest(document):
        raise OutputFolderError(f"its {MANIFEST} is not that of an outcomes report")
    return document["files"]


def _is_manifest(document: Any) -> bool:
    entry = {"path": str, "bytes": int, "sha256": str}
    return (
        isinstance(document, dict)
        and document.get("format") == MANIFEST_FORMAT
        and isinstance(document.get("files"), list)
        and all(
            isinstance(item, dict) and all(isinstance(item.get(k), t) for k, t in entry.items())
            for item in document["files"]
        )
    )


def write_manifest(folder: str | Path) -> Path:
    """Write ``folder/manifest.json``: every other file's path, size and SHA-256, sorted by path.

    The bytes depend only on the files (no time, no version): the same files give the same
    manifest.

    Returns
    -------
    Path
        The manifest.
    """
    folder = Path(folder)
    paths = sorted(
        (p.relative_to(folder).as_posix(), p)
        for p in folder.rglob("*")
        if p.is_file() and p != folder / MANIFEST
    )
    files = [{"path": name, "bytes": p.stat().st_size, "sha256": _sha256(p)} for name, p in paths]
    document = {"format": MANIFEST_FORMAT, "files": files}
    manifest = folder / MANIFEST
    manifest.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="ascii")
    return manifest


def _sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


@contextmanager
def staged_folder(out: str | Path) -> Iterator[Path]:
    """A new, empty folder to write a report into, moved to ``out`` when the block completes.

    The folder is made inside a private staging folder beside ``out`` (``.outcomes-*``, mode
    0700; the folder itself gets the umask's mode). When the block ends without an exception,
    the manifest is written (:func:`write_manifest`), ``out`` is checked again
    (:func:`check_output_folder`), and the folder is renamed to ``out``: an earlier ``out`` is
    renamed aside first and then deleted, without following links. If the block raises (or is
    interrupted), nothing is moved. Either way the staging folder is removed.

    Raises
    ------
    OutputFolderError
        As :func:`check_output_folder`, when the block starts or ends.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "report"
    >>> with staged_folder(out) as folder:
    ...     _ = (folder / "a.txt").write_text("a")
    ...     out.exists()
    False
    >>> sorted(p.name for p in out.iterdir())
    ['a.txt', 'manifest.json']
    >>> with staged_folder(out) as folder:
    ...     _ = (folder / "b.txt").write_text("b")
    ...     raise RuntimeError("a crash")
    Traceback (most recent call last):
    ...
    RuntimeError: a crash
    >>> sorted(p.name for p in out.parent.iterdir()), sorted(p.name for p in out.iterdir())
    (['report'], ['a.txt', 'manifest.json'])
    """
    target = check_output_folder(out)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".outcomes-"))
    try:
        folder = staging / "new"
        folder.mkdir()
        yield folder
        write_manifest(folder)
        _replace(check_output_folder(target), folder, staging / "earlier")
    finally:
        shutil.rmtree(staging)


def _replace(target: Path, new: Path, aside: Path) -> None:
    """Rename ``new`` to ``target``, moving what is there to ``aside``, or put it back."""
    try:
        if os.path.lexists(target):
            os.rename(target, aside)
        os.rename(new, target)
    except BaseException:
        if os.path.lexists(aside) and not os.path.lexists(target):
            os.rename(aside, target)
        raise
