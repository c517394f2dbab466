"""Keyword names kept for one release after a rename, with a warning (one vocabulary, issue 12).

Every public function names its roles the same way: ``subject=``, ``arm=``, ``visit=``,
``outcome=``, ``reference=`` (the reference arm), ``levels=`` (reference levels of factors) and
``conf_level=``. A function renamed to that vocabulary is decorated with :func:`renamed`, which
still takes the old keyword, passes it on under its new name and says so with an
:class:`~outcomes.errors.OutcomesDeprecationWarning`.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from outcomes.errors import ArgumentTypeError, OutcomesDeprecationWarning

__all__ = ["renamed"]

F = TypeVar("F", bound=Callable[..., Any])


def renamed(**old_to_new: str) -> Callable[[F], F]:
    """Accept each old keyword ``old=`` of the decorated function as ``new=``, with a warning.

    Examples
    --------
    >>> import warnings
    >>> @renamed(group="arm")
    ... def count(data, *, arm):
    ...     return arm
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     count(None, group="ARM")
    'ARM'
    >>> str(caught[0].message)
    'count(): group= is now arm=; group= will be removed in the next release'
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise ArgumentTypeError(
                        f"{func.__name__}() got both {old}= and {new}=; {old}= is the old name "
                        f"of {new}="
                    )
                warnings.warn(
                    f"{func.__name__}(): {old}= is now {new}=; {old}= will be removed in the "
                    "next release",
                    OutcomesDeprecationWarning,
                    stacklevel=2,
                )
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
