"""R data files (``.rda``/``.RData``, ``.rds``), in which trial data circulate, through pyreadr.

An ``.rds`` file holds one object; an ``.rda`` file one or more named objects. A data frame is read
as a table (so is a vector or a matrix, which pyreadr reads as one; lists and other objects are
not tables): factors as pandas categoricals in their levels' order (so a factor of visits keeps
its order), dates and date-times as ``datetime64`` (date-times in UTC), R's ``NA`` as missing;
row names are dropped. pyreadr does not say whether a factor is ordered: an ordered factor comes
back as a categorical that is not ordered, its levels still in order. Text that is not marked as
UTF-8 or latin-1 and is not valid UTF-8 is read as Windows-1252. An ``.rda`` file with several
data frames needs the one to read named (``sheet=``, as for a workbook's sheet).
"""

from __future__ import annotations

import inspect
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from outcomes.errors import ReadError

__all__ = ["read_rdata"]

#: How many of an R data file's data frames a message names at the most.
_NAMED_IN_MESSAGES = 20


def read_rdata(path: Path, name: str | int | None = None) -> pd.DataFrame:
    """The data frame an R data file holds (the one called ``name``, when it holds several).

    ``name`` is the data frame's name or its 0-based position in the file.

    Raises
    ------
    ReadError
        The file is not an R data file, or is damaged or cut short; it holds no data frame; it
        holds several and ``name`` names none of them; or ``name`` names none of its data frames.

    Examples
    --------
    >>> import tempfile
    >>> import pyreadr
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "scores.rds"
    ...     pyreadr.write_rds(path, pd.DataFrame({"subject": ["S1"], "total": [12.0]}))
    ...     read_rdata(path).to_dict("list")
    {'subject': ['S1'], 'total': [12.0]}
    """
    frames = {
        key: value for key, value in _objects(path).items() if isinstance(value, pd.DataFrame)
    }
    if not frames:
        raise ReadError(
            f"{path}: the R data file holds no data frame (nor a vector or matrix) to read as a "
            "table; save the data frame with saveRDS() or save()"
        )
    keys = list(frames)
    if name is None and len(keys) == 1:
        chosen = keys[0]
    elif isinstance(name, int) and not isinstance(name, bool) and -len(keys) <= name < len(keys):
        chosen = keys[name]
    elif isinstance(name, str) and name in frames:
        chosen = name
    elif keys == [None]:  # an .rds file: one object, without a name
        raise ReadError(
            f"{path}: sheet={name!r} names no data frame: the file holds one data frame, which "
            "has no name (an .rds file); read it without sheet="
        )
    else:
        raise ReadError(f"{path}: {_which_one(keys, name)}")
    return _dates_as_datetimes(frames[chosen].reset_index(drop=True))


def _objects(path: Path) -> dict[Any, Any]:
    """The objects pyreadr reads from an R data file, by name (``None`` for an ``.rds`` file's)."""
    # imported here, not with outcomes: pyreadr imports xarray, 0.3 s that only R files need; and
    # it is optional (AGPL-3.0), the extra outcomes[r]
    try:
        import pyreadr
    except ImportError:
        raise ReadError(
            f"{path}: reading R data files needs pyreadr: pip install 'outcomes[r]' (or export "
            "the data frame from R with write.csv or haven::write_xpt)"
        ) from None

    failures = (pyreadr.custom_errors.PyreadrError, pyreadr.custom_errors.LibrdataError)
    with warnings.catch_warnings():
        # pyreadr warns of a file without readable objects; read_rdata says so itself
        warnings.filterwarnings("ignore", message=".*no readable objects", category=UserWarning)
        try:
            try:
                return pyreadr.read_r(str(path))
            except UnicodeDecodeError:  # text without an encoding mark, in no UTF-8
                if "encoding" not in inspect.signature(pyreadr.read_r).parameters:
                    raise  # a pyreadr too old to be told the encoding
                return pyreadr.read_r(str(path), encoding="WINDOWS-1252")
        except failures as exc:
            raise ReadError(
                f"{path}: cannot be read as an R data file ({type(exc).__name__}): it is damaged, "
                "cut short, or not an R data file; save it again with saveRDS() or save()"
            ) from None


def _which_one(keys: list[Any], name: str | int | None) -> str:
    """The message for ``name`` naming none of several data frames, or for no name given."""
    shown = ", ".join(repr(str(k)) for k in keys[:_NAMED_IN_MESSAGES])
    if len(keys) > _NAMED_IN_MESSAGES:
        shown += f" and {len(keys) - _NAMED_IN_MESSAGES:,} more"
    held = f"holds {len(keys):,} data frame{'s' if len(keys) > 1 else ''} ({shown})"
    if name is None:
        return f"the R data file {held}; name the one to read with sheet="
    return f"sheet={name!r} names none of the data frames of the R data file, which {held}"


def _dates_as_datetimes(frame: pd.DataFrame) -> pd.DataFrame:
    """R dates, which pyreadr gives as ``datetime.date`` objects, as ``datetime64``."""
    for i in range(frame.shape[1]):  # by position: names may repeat, which is refused later
        values = frame.iloc[:, i]
        if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) == "date":
            frame.isetitem(i, pd.to_datetime(values))
    return frame
