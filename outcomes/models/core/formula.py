"""Model formulas, read by the package's own grammar: nothing in a formula is ever run as code.

A formula such as ``"chg ~ base * visit + arm * visit"`` is parsed into a tree, then expanded into
terms with R's (Wilkinson-Rogers) rules, and every value a term needs is computed here from the
data's columns with numpy. No formula text reaches Python's ``eval``, patsy's evaluation or any
other evaluator: patsy only lays out the columns of terms whose values this module has computed
(through :class:`patsy.LookupFactor`, a dictionary look-up). The same grammar serves scripts,
notebooks and analysis plans, so a formula means the same thing everywhere.

The grammar
-----------
The text is first normalised to Unicode NFKC (full-width ``ｂａｓｅ`` is ``base``). Then:

- **names**: letters, digits, ``_`` and ``.`` not starting with a digit (``base``, ``bdi.pre``, as
  R writes them), or any text in backticks (`` `bdi pre` ``) or in ``Q("...")``; each must be a
  column of the data (compared after NFKC normalisation of both). Names starting with ``__`` are
  refused.
- **numbers**: ``0``, ``1`` and ``-1`` in a term list (the intercept); any number inside ``I()``
  and the functions below.
- **operators**: ``+`` (add terms), ``-`` (remove terms), ``*`` (``a*b`` is ``a + b + a:b``),
  ``:`` (interaction), ``/`` (nesting: ``a/b`` is ``a + a:b``), ``^`` or ``**`` with a whole
  number (``(a + b + c)^2``: all interactions up to order 2), parentheses.
- **functions**, a closed list: ``C(x)`` (``x`` as a factor), ``I(...)`` (arithmetic of names and
  numbers with ``+ - * / ^ **``), ``log``, ``log2``, ``log10``, ``log1p``, ``exp``, ``sqrt``,
  ``abs`` (of arithmetic), and in MMRM formulas the covariance term (``us(visit | subject)``, see
  :mod:`outcomes.models.mmrm.formula`).

Anything else (attribute access, subscripts, strings outside ``Q()``, keywords, lambdas, calls of
other functions, ``.`` for all columns) is a :class:`FormulaError` naming what was found and where.

Examples
--------
>>> import pandas as pd
>>> data = pd.DataFrame({"y": [1.0, 2.0, 3.5], "arm": ["A", "B", "A"], "t": [1.0, 2.0, 3.0]})
>>> model = parse_model("y ~ arm * log(t)").resolve(data.columns)
>>> [":".join(f.key for f in term) for term in model.terms]
['arm', 'log(t)', 'arm:log(t)']
>>> parse_model("y ~ arm.__class__")
Traceback (most recent call last):
...
outcomes.models.core.formula.FormulaError: names starting with '__' are not allowed (at \
character 5 of 'y ~ arm.__class__')
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from outcomes.errors import OutcomesError
from outcomes.models.core.frames import is_number_column

__all__ = [
    "Covariance",
    "Factor",
    "FormulaError",
    "MAX_FORMULA_LENGTH",
    "ModelFormula",
    "parse_model",
    "parse_terms",
]

#: The longest formula accepted, in characters.
MAX_FORMULA_LENGTH = 2000
#: Functions of arithmetic a formula may call (besides ``C``, ``I`` and ``Q``).
FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "log": np.log,
    "log2": np.log2,
    "log10": np.log10,
    "log1p": np.log1p,
    "exp": np.exp,
    "sqrt": np.sqrt,
    "abs": np.abs,
}
#: The operators of arithmetic inside functions (``**`` is read as ``^``).
_ARITHMETIC: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
    "^": np.power,
}
_MAX_DEPTH = 50
_MAX_POWER = 10
_MAX_TOKENS = 500
#: The most terms a formula may expand to (``a*b*c*...`` doubles them with every name).
MAX_TERMS = 1000


class FormulaError(OutcomesError, ValueError):
    """A formula that the grammar refuses, or that names what the data do not have.

    Attributes
    ----------
    reason : str
        What is wrong, without the formula.
    position : int or None
        The 0-based character of the (NFKC-normalised) formula where the problem is.
    """

    def __init__(self, reason: str, formula: str = "", position: int | None = None) -> None:
        self.reason, self.formula, self.position = reason, formula, position
        where = f"at character {position + 1} of " if position is not None else "in "
        shown = _printable(formula)
        super().__init__(f"{reason} ({where}{shown!r})" if formula else reason)


def _printable(text: str) -> str:
    """The formula as it can be shown: control and format characters become ``?``."""
    return "".join("?" if unicodedata.category(c)[0] == "C" else c for c in text)


# --- the tree ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    """A column of the data."""

    name: str
    position: int = field(compare=False)


@dataclass(frozen=True)
class Number:
    """A number, as written."""

    text: str
    position: int = field(compare=False)

    @property
    def value(self) -> float:
        return float(self.text)


@dataclass(frozen=True)
class Call:
    """A call of ``C``, ``I`` or a function of :data:`FUNCTIONS`."""

    function: str
    argument: Node
    position: int = field(compare=False)


@dataclass(frozen=True)
class Operation:
    """A binary operation (``+ - * / : ^``; ``**`` is read as ``^``)."""

    operator: str
    left: Node
    right: Node
    position: int = field(compare=False)


@dataclass(frozen=True)
class Negation:
    """A leading minus: ``-1`` or ``- a:b``."""

    operand: Node
    position: int = field(compare=False)


@dataclass(frozen=True)
class Covariance:
    """The covariance term of an MMRM formula: ``structure(time | group / subject)``."""

    structure: str
    time: tuple[str, ...]
    subject: str
    group: str | None
    position: int = field(compare=False)


Node = Name | Number | Call | Operation | Negation | Covariance


# --- tokens -------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[^\W\d][\w.]*|\.[^\W\d][\w.]*)"
    r"|(?P<backtick>`[^`]*`)"
    r"|(?P<string>\"[^\"\\]*\"|'[^'\\]*')"
    r"|(?P<op>\*\*|[~+\-*/:^(),|])"
)
_ASCII_NAME = re.compile(r"[A-Za-z_.][A-Za-z0-9_.]*")
_KEYWORDS = frozenset({"lambda", "import", "for", "in", "if", "else", "not", "and", "or", "is"})
_REFUSED = {
    "[": "subscripts are not allowed",
    "]": "subscripts are not allowed",
    "{": "braces are not allowed",
    "}": "braces are not allowed",
    "=": "'=' is not allowed (keyword arguments and assignments mean nothing in a formula)",
    ";": "';' is not allowed",
    "@": "'@' is not allowed",
    "%": "'%' operators are not supported",
}


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int = field(compare=False)


def _tokens(text: str) -> list[_Token]:
    out, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            char = text[position]
            shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
            reason = _REFUSED.get(char, f"the character {shown} is not allowed")
            raise FormulaError(reason, text, position)
        kind = match.lastgroup or ""
        if kind != "space":
            out.append(_Token(kind, match.group(), position))
        position = match.end()
        if len(out) > _MAX_TOKENS:
            raise FormulaError(
                f"the formula has more than {_MAX_TOKENS} names, numbers and operators",
                text,
                position,
            )
    out.append(_Token("end", "", len(text)))
    return out


# --- parsing ------------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over the tokens, R's precedence: ``~ < +- < */ < unary - < : < ^``."""

    def __init__(self, text: str, structures: Collection[str]) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0
        self.depth = 0
        self.structures = frozenset(structures)

    def error(self, reason: str, token: _Token | None = None) -> FormulaError:
        return FormulaError(reason, self.text, (token or self.peek()).position)

    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self, *texts: str) -> _Token | None:
        token = self.peek()
        if token.kind == "op" and token.text in texts:
            self.at += 1
            return token
        return None

    def expect(self, text: str, what: str) -> _Token:
        token = self.take(text)
        if token is None:
            raise self.error(f"expected {what}, found {self._found()}")
        return token

    def _found(self) -> str:
        token = self.peek()
        if token.text == "|":
            return "'|', which belongs only in a covariance term such as us(visit | subject)"
        return "the end of the formula" if token.kind == "end" else repr(token.text)

    def nested(self) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.error(f"the formula is nested more than {_MAX_DEPTH} levels deep")

    def formula(self, *, response: bool) -> tuple[Node | None, Node]:
        lhs = None
        if response:
            if self.peek().text == "~":
                raise self.error("the formula has no response before '~'")
            lhs = self.sum()
            self.expect("~", "'~' after the response (a formula is 'response ~ terms')")
        rhs = self.sum()
        if self.peek().kind != "end":
            token = self.peek()
            reason = (
                "a formula has one '~'"
                if token.text == "~"
                else f"unexpected {self._found()}: expected an operator or the end"
            )
            raise self.error(reason, token)
        return lhs, rhs

    def sum(self) -> Node:
        node = self.product()
        while token := self.take("+", "-"):
            node = Operation(token.text, node, self.product(), token.position)
        return node

    def product(self) -> Node:
        node = self.unary()
        while token := self.take("*", "/"):
            node = Operation(token.text, node, self.unary(), token.position)
        return node

    def unary(self) -> Node:
        if token := self.take("-"):
            self.nested()
            node: Node = Negation(self.unary(), token.position)
            self.depth -= 1
            return node
        if self.take("+"):
            return self.unary()
        return self.interaction()

    def interaction(self) -> Node:
        node = self.power()
        while token := self.take(":"):
            node = Operation(":", node, self.power(), token.position)
        return node

    def power(self) -> Node:
        node = self.atom()
        if token := self.take("^", "**"):
            self.nested()
            node = Operation("^", node, self.unary(), token.position)
            self.depth -= 1
        return node

    def atom(self) -> Node:
        token = self.peek()
        if token.kind == "op" and token.text == "(":
            self.at += 1
            self.nested()
            node = self.sum()
            self.depth -= 1
            self.expect(")", "')'")
            return node
        if token.kind == "number":
            self.at += 1
            return Number(token.text, token.position)
        if token.kind == "backtick":
            self.at += 1
            return self.name(token.text[1:-1], token)
        if token.kind == "name":
            self.at += 1
            name = self.name(token.text, token)
            return self.call(token) if self.peek().text == "(" else name
        if token.kind == "string":
            raise self.error('text in quotes is allowed only inside Q("...")', token)
        raise self.error(f"expected a name, a number or '(', found {self._found()}")

    def name(self, name: str, token: _Token) -> Name:
        if any(part.startswith("__") for part in name.split(".")):
            raise self.error("names starting with '__' are not allowed", token)
        if name in _KEYWORDS:
            raise self.error(f"{name!r} is a keyword, not a column", token)
        if not name.strip():
            raise self.error("an empty name", token)
        return Name(name, token.position)

    def call(self, token: _Token) -> Node:
        function = token.text
        self.expect("(", "'('")
        self.nested()
        if function in self.structures:
            node: Node = self.covariance(token)
        elif function == "Q":
            quoted = self.peek()
            if quoted.kind != "string":
                raise self.error('Q() takes a column name in quotes: Q("bdi.pre")')
            self.at += 1
            node = self.name(quoted.text[1:-1], quoted)
        elif function in ("C", "I", *FUNCTIONS):
            node = Call(function, self.sum(), token.position)
        else:
            allowed = ", ".join(["C()", "I()", "Q()", *(f"{f}()" for f in FUNCTIONS)])
            if self.structures:
                allowed += "; covariance terms: " + ", ".join(sorted(self.structures))
            reason = f"{function}() is not a function a formula may call ({allowed})"
            raise self.error(reason, token)
        if self.peek().text == ",":
            raise self.error(f"{function}() takes one argument")
        self.expect(")", f"')' to close {function}(")
        self.depth -= 1
        return node

    def covariance(self, token: _Token) -> Covariance:
        time = [self.plain_name("a time variable")]
        while self.take(","):
            time.append(self.plain_name("a coordinate variable"))
        if self.take("|") is None:
            raise self.error(f"the covariance term {token.text}() needs 'time | subject'")
        subject = self.plain_name("the subject variable")
        group = None
        if self.take("/"):
            group, subject = subject, self.plain_name("the subject variable after '/'")
        return Covariance(token.text, tuple(time), subject, group, token.position)

    def plain_name(self, what: str) -> str:
        token = self.peek()
        if token.kind not in ("name", "backtick"):
            raise self.error(f"expected {what}, found {self._found()}")
        self.at += 1
        text = token.text[1:-1] if token.kind == "backtick" else token.text
        return self.name(text, token).name


def _normalise(text: str) -> str:
    if not isinstance(text, str):
        raise FormulaError(f"a formula is text, not {type(text).__name__}")
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaError(f"the formula is longer than {MAX_FORMULA_LENGTH} characters")
    return unicodedata.normalize("NFKC", text)


# --- terms --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Factor:
    """One factor of a term: a column, or a function of columns computed here.

    Attributes
    ----------
    key : str
        Its name in the design (``arm``, ``log(base)``, ``I(base^2)``).
    node : Node
        What to compute.
    categorical : bool
        Whether it is a factor (``C(x)``; text columns are factors in any case).
    """

    key: str
    node: Node
    categorical: bool = False

    @property
    def variables(self) -> tuple[str, ...]:
        """The columns it uses."""
        return tuple(dict.fromkeys(_names(self.node)))


Term = tuple[Factor, ...]


def _names(node: Node) -> Iterable[str]:
    if isinstance(node, Name):
        yield node.name
    elif isinstance(node, Call):
        yield from _names(node.argument)
    elif isinstance(node, Operation):
        yield from _names(node.left)
        yield from _names(node.right)
    elif isinstance(node, Negation):
        yield from _names(node.operand)
    elif isinstance(node, Covariance):
        yield from (*node.time, *([node.group] if node.group else []), node.subject)


@dataclass(frozen=True)
class ModelFormula:
    """A parsed formula: its response, terms, intercept and (MMRM) covariance term.

    Build one with :func:`parse_model` or :func:`parse_terms`; :meth:`resolve` binds its names
    to a data frame's columns. Terms come in R's order (by degree, then as written).

    Attributes
    ----------
    text : str
        The formula, NFKC-normalised.
    response : Factor or None
    terms : tuple of tuples of Factor
        The terms of the right-hand side, without the intercept.
    intercept : bool
    covariance : Covariance or None
    """

    text: str
    response: Factor | None
    terms: tuple[Term, ...]
    intercept: bool
    covariance: Covariance | None
    rhs: Node = field(repr=False)

    @property
    def factors(self) -> tuple[Factor, ...]:
        """Every distinct factor of the right-hand side, in order of first appearance."""
        seen: dict[str, Factor] = {}
        for term in self.terms:
            for factor in term:
                seen.setdefault(factor.key, factor)
        return tuple(seen.values())

    @property
    def variables(self) -> list[str]:
        """The columns of the mean model: the response's first, then the terms'."""
        names = [*(self.response.variables if self.response else ())]
        names += [v for f in self.factors for v in f.variables]
        return list(dict.fromkeys(names))

    @property
    def mean(self) -> str:
        """The formula as written, without its covariance term (``chg ~ base * visit``)."""
        rhs = _without_covariance(self.rhs)
        written = _write(rhs) if rhs is not None else "1"
        return f"{_write(self.response.node)} ~ {written}" if self.response else written

    def resolve(self, columns: Iterable[Any]) -> ModelFormula:
        """The formula with every name bound to a column of ``columns``.

        Names are compared after NFKC normalisation; every name that is not a column is reported
        at once, with the closest columns.

        Raises
        ------
        FormulaError
            A name that is not a column, or two columns that read as the same name.
        """
        by_name: dict[str, list[str]] = {}
        for column in columns:
            if isinstance(column, str):
                by_name.setdefault(unicodedata.normalize("NFKC", column), []).append(column)
        for column in [c for c in columns if isinstance(c, str)]:
            by_name[column] = [column]  # a name that is a column as it stands is that column
        names = self.variables
        if self.covariance is not None:
            names = list(dict.fromkeys([*names, *_names(self.covariance)]))
        absent = [n for n in names if n not in by_name]
        if absent:
            raise FormulaError(_absent_message(absent, list(by_name)), self.text)
        clash = {n: by_name[n] for n in names if len(by_name[n]) > 1}
        if clash:
            name, found = next(iter(clash.items()))
            raise FormulaError(
                f"{len(found)} columns read as {_quoted(name)} once normalised; rename all but one",
                self.text,
            )
        return _rename(self, {n: by_name[n][0] for n in names})

    def renamed(self, mapping: Mapping[str, str]) -> ModelFormula:
        """The formula with the names of ``mapping`` replaced (the arm by its dose, ...).

        Examples
        --------
        >>> parse_model("chg ~ base + arm + C(site)").renamed({"arm": "dose"}).mean
        'chg ~ base + dose + C(site)'
        """
        return _rename(self, mapping)

    def evaluate(self, frame: pd.DataFrame, factors: Iterable[Factor]) -> dict[str, Any]:
        """The value of each factor on the rows of ``frame`` (a resolved formula's columns).

        Columns are looked up; functions are computed with numpy. A value that is not finite
        (``log`` of 0) is an error naming the factor and the first row.
        """
        values: dict[str, Any] = {}
        for factor in factors:
            if isinstance(factor.node, Name):
                values[factor.key] = frame[factor.node.name]
                continue
            value = _arithmetic(factor.node, frame, self.text)
            bad = ~np.isfinite(value)
            if bad.any():
                raise FormulaError(
                    f"{factor.key} is not a finite number in {int(bad.sum())} of the rows used "
                    f"(the first at position {int(np.flatnonzero(bad)[0]) + 1})",
                    self.text,
                )
            values[factor.key] = value
        return values


def _absent_message(absent: list[str], columns: list[str]) -> str:
    parts = []
    for name in absent:
        close = difflib.get_close_matches(name, columns, n=2)
        hint = f" (did you mean {' or '.join(map(_quoted, close))}?)" if close else ""
        parts.append(_quoted(name) + hint)
    what = "is not a column" if len(absent) == 1 else "are not columns"
    return f"the formula names {', '.join(parts)}, which {what} of the data"


def _rename(formula: ModelFormula, mapping: Mapping[str, str]) -> ModelFormula:
    def node(n: Node) -> Node:
        if isinstance(n, Name):  # a name of removed terms (a - a) stays as written
            return Name(mapping.get(n.name, n.name), n.position)
        if isinstance(n, Call):
            return Call(n.function, node(n.argument), n.position)
        if isinstance(n, Operation):
            return Operation(n.operator, node(n.left), node(n.right), n.position)
        if isinstance(n, Negation):
            return Negation(node(n.operand), n.position)
        if isinstance(n, Covariance):
            group = mapping[n.group] if n.group else None
            time = tuple(mapping[t] for t in n.time)
            return Covariance(n.structure, time, mapping[n.subject], group, n.position)
        return n

    def factor(f: Factor) -> Factor:
        renamed = node(f.node)
        return Factor(_key(renamed, f.categorical), renamed, f.categorical)

    cov = formula.covariance
    return ModelFormula(
        formula.text,
        factor(formula.response) if formula.response else None,
        tuple(tuple(factor(f) for f in term) for term in formula.terms),
        formula.intercept,
        node(cov) if cov is not None else None,  # type: ignore[arg-type]
        node(formula.rhs),
    )


def _arithmetic(node: Node, frame: pd.DataFrame, text: str) -> np.ndarray:
    """The numeric value of an arithmetic node over the rows of ``frame``."""
    if isinstance(node, Number):
        return np.full(len(frame), node.value)
    if isinstance(node, Name):
        column = frame[node.name]
        if not is_number_column(column):
            raise FormulaError(
                f"{_quoted(node.name)} is not numeric: arithmetic and functions take numbers",
                text,
                node.position,
            )
        return column.to_numpy(dtype=float)
    if isinstance(node, Negation):
        return -_arithmetic(node.operand, frame, text)
    if isinstance(node, Call):
        inner = _arithmetic(node.argument, frame, text)
        if node.function == "I":
            return inner
        with np.errstate(all="ignore"):
            return FUNCTIONS[node.function](inner)
    if isinstance(node, Operation):
        left = _arithmetic(node.left, frame, text)
        right = _arithmetic(node.right, frame, text)
        with np.errstate(all="ignore"):
            return _ARITHMETIC[node.operator](left, right)  # ':' is refused by _check_arithmetic
    raise FormulaError("a covariance term is not arithmetic", text, node.position)


# --- expansion into terms -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Expansion:
    terms: tuple[frozenset[str], ...]
    intercept: bool | None = None  # None: not said


def _expand(
    node: Node, factors: dict[str, Factor], text: str, covariances: list[Covariance]
) -> _Expansion:
    """R's rules for a term expression; collects factors by key and covariance terms."""
    if isinstance(node, Covariance):
        covariances.append(node)
        return _Expansion(())
    if isinstance(node, Number):
        if node.value in (0.0, 1.0):
            return _Expansion((), intercept=node.value == 1.0)
        raise FormulaError(
            f"the number {node.text} means nothing as a term (0 or 1 set the intercept; "
            "arithmetic goes inside I())",
            text,
            node.position,
        )
    if isinstance(node, Negation):
        inner = _expand(node.operand, factors, text, covariances)
        return _Expansion((), None if inner.intercept is None else not inner.intercept)
    if isinstance(node, Name | Call):
        factor = _factor(node, text)
        factors.setdefault(factor.key, factor)
        return _Expansion((frozenset([factor.key]),))
    assert isinstance(node, Operation)  # noqa: S101 - the tree has no other node
    if node.operator == "^":
        return _power(node, factors, text, covariances)
    left = _expand(node.left, factors, text, covariances)
    right = _expand(node.right, factors, text, covariances)
    if node.operator == "+":
        intercept = right.intercept if right.intercept is not None else left.intercept
        return _Expansion(_union(left.terms, right.terms), intercept)
    if node.operator == "-":
        intercept = left.intercept
        if right.intercept is not None:
            intercept = not right.intercept
        kept = tuple(t for t in left.terms if t not in set(right.terms))
        return _Expansion(kept, intercept)
    _no_intercept_inside(node, left, right, text)
    _bounded(len(left.terms) * len(right.terms), node, text)
    crossed = tuple(a | b for a in left.terms for b in right.terms)
    if node.operator == ":":
        return _Expansion(_union(crossed, ()))
    if node.operator == "*":
        return _Expansion(_union(left.terms, right.terms, crossed))
    # "/": a/b is a + (all of a):b
    whole = frozenset().union(*left.terms) if left.terms else frozenset()
    return _Expansion(_union(left.terms, tuple(whole | b for b in right.terms)))


def _no_intercept_inside(node: Operation, left: _Expansion, right: _Expansion, text: str) -> None:
    if left.intercept is not None or right.intercept is not None:
        raise FormulaError(f"0 or 1 cannot be an operand of {node.operator!r}", text, node.position)


def _power(
    node: Operation, factors: dict[str, Factor], text: str, covariances: list[Covariance]
) -> _Expansion:
    exponent = node.right
    if not (isinstance(exponent, Number) and exponent.value.is_integer() and exponent.value >= 1):
        raise FormulaError(
            "the power of terms takes a whole number (for arithmetic powers use I(x^2))",
            text,
            node.position,
        )
    if exponent.value > _MAX_POWER:
        raise FormulaError(f"a power of terms above {_MAX_POWER}", text, node.position)
    base = _expand(node.left, factors, text, covariances)
    result = base.terms
    for _ in range(int(exponent.value) - 1):
        _bounded(len(result) * len(base.terms), node, text)
        result = _union(result, tuple(a | b for a in result for b in base.terms))
    return _Expansion(result)


def _bounded(n_terms: int, node: Operation, text: str) -> None:
    if n_terms > MAX_TERMS:
        raise FormulaError(
            f"the formula expands to more than {MAX_TERMS} terms", text, node.position
        )


def _union(*groups: tuple[frozenset[str], ...]) -> tuple[frozenset[str], ...]:
    return tuple(dict.fromkeys(t for group in groups for t in group if t))


def _factor(node: Name | Call, text: str) -> Factor:
    if isinstance(node, Name):
        return Factor(node.name, node)
    if node.function == "C":
        if not isinstance(node.argument, Name):
            raise FormulaError("C() takes one column name", text, node.position)
        return Factor(node.argument.name, node.argument, categorical=True)
    _check_arithmetic(node.argument, text)
    return Factor(_key(node, False), node)


def _check_arithmetic(node: Node, text: str) -> None:
    if isinstance(node, Covariance):
        raise FormulaError("a covariance term inside a function", text, node.position)
    if isinstance(node, Operation):
        if node.operator == ":":
            raise FormulaError(
                "':' inside a function: arithmetic uses * for products", text, node.position
            )
        _check_arithmetic(node.left, text)
        _check_arithmetic(node.right, text)
    elif isinstance(node, Negation):
        _check_arithmetic(node.operand, text)
    elif isinstance(node, Call):
        if node.function == "C":
            raise FormulaError("C() inside arithmetic", text, node.position)
        _check_arithmetic(node.argument, text)


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, ":": 4, "^": 5}


def _key(node: Node, categorical: bool) -> str:
    """A factor's name in the design: its column, or as R writes it (``log(base)``)."""
    return node.name if isinstance(node, Name) else _write(node)


def _write(node: Node, parent: int = 0) -> str:
    if isinstance(node, Name):
        return node.name if _ASCII_NAME.fullmatch(node.name) else f"`{node.name}`"
    if isinstance(node, Number):
        return node.text
    if isinstance(node, Call):
        return f"{node.function}({_write(node.argument)})"
    if isinstance(node, Negation):
        text = "-" + _write(node.operand, _PRECEDENCE["neg"])
        return f"({text})" if parent > _PRECEDENCE["neg"] else text
    if isinstance(node, Operation):
        rank = _PRECEDENCE[node.operator]
        power = node.operator == "^"  # right-associative; the others left-associative
        left = _write(node.left, rank + power)
        right = _write(node.right, rank + (not power))
        spaced = node.operator in "+-*/"
        text = f"{left} {node.operator} {right}" if spaced else f"{left}{node.operator}{right}"
        return f"({text})" if rank < parent else text
    time = ", ".join(node.time)
    subject = f"{node.group} / {node.subject}" if node.group else node.subject
    return f"{node.structure}({time} | {subject})"


def _quoted(name: str) -> str:
    return f"'{_printable(name)}'"


def _build(text: str, lhs: Node | None, rhs: Node) -> ModelFormula:
    factors: dict[str, Factor] = {}
    covariances: list[Covariance] = []
    expansion = _expand(rhs, factors, text, covariances)
    if len(covariances) > 1:
        raise FormulaError("a formula takes one covariance term", text, covariances[1].position)
    if covariances:
        _check_top_level(rhs, text)
    response = None
    if lhs is not None:
        if not isinstance(lhs, Name | Call) or (isinstance(lhs, Call) and lhs.function == "C"):
            raise FormulaError(
                "the response is one column or a function of columns",
                text,
                getattr(lhs, "position", 0),
            )
        response = _factor(lhs, text)
    ordered = sorted(expansion.terms, key=len)  # R's order: by degree, then as written
    by_key = [tuple(factors[k] for k in _in_order(term, factors)) for term in ordered]
    _check_roles(by_key, text)
    return ModelFormula(
        text,
        response,
        tuple(by_key),
        expansion.intercept is not False,
        covariances[0] if covariances else None,
        rhs,
    )


def _without_covariance(node: Node) -> Node | None:
    """The right-hand side less its covariance term (a summand, see :func:`_check_top_level`)."""
    if isinstance(node, Covariance):
        return None
    if isinstance(node, Operation) and node.operator == "+":
        left, right = _without_covariance(node.left), _without_covariance(node.right)
        if left is None or right is None:
            return left if right is None else right
        return Operation("+", left, right, node.position)
    return node


def _in_order(term: frozenset[str], factors: dict[str, Factor]) -> list[str]:
    return [k for k in factors if k in term]


def _check_top_level(rhs: Node, text: str) -> None:
    """The covariance term is one of the summands of the right-hand side."""
    stack = [rhs]
    while stack:
        node = stack.pop()
        if isinstance(node, Operation) and node.operator == "+":
            stack += [node.left, node.right]
        elif isinstance(node, Operation | Negation | Call):
            if any(isinstance(n, Covariance) for n in _subnodes(node)):
                raise FormulaError(
                    "the covariance term is added to the mean model ('+ us(visit | subject)'), "
                    "not combined with it",
                    text,
                    node.position,
                )


def _subnodes(node: Node) -> Iterable[Node]:
    yield node
    if isinstance(node, Operation):
        yield from _subnodes(node.left)
        yield from _subnodes(node.right)
    elif isinstance(node, Negation):
        yield from _subnodes(node.operand)
    elif isinstance(node, Call):
        yield from _subnodes(node.argument)


def _check_roles(terms: list[Term], text: str) -> None:
    """A column is a factor (``C(x)``) or a number, not both."""
    as_factor = {f.key for term in terms for f in term if f.categorical}
    as_number = {v for term in terms for f in term if not f.categorical for v in f.variables}
    both = sorted(as_factor & as_number)
    if both:
        raise FormulaError(f"{_quoted(both[0])} is used both as C() and as a number", text)


def parse_model(formula: str, *, structures: Collection[str] = ()) -> ModelFormula:
    """Parse ``"response ~ terms"``; ``structures`` names the covariance terms it may hold.

    Raises
    ------
    FormulaError
        Located (the character where the grammar stops) and explained.

    Examples
    --------
    >>> model = parse_model("y ~ (a + b + c)^2 - a:b")
    >>> [":".join(f.key for f in term) for term in model.terms]
    ['a', 'b', 'c', 'a:c', 'b:c']
    >>> parse_model("Q('bdi.pre') ~ 0 + `arm group`").mean
    'bdi.pre ~ 0 + `arm group`'
    """
    text = _normalise(formula)
    lhs, rhs = _Parser(text, structures).formula(response=True)
    return _build(text, lhs, rhs)


def parse_terms(terms: str) -> ModelFormula:
    """Parse a right-hand side alone, such as the random effects ``"1 + weeks"``.

    Examples
    --------
    >>> random = parse_terms("0 + weeks")
    >>> random.intercept, [term[0].key for term in random.terms]
    (False, ['weeks'])
    """
    text = _normalise(terms)
    _, rhs = _Parser(text, ()).formula(response=False)
    return _build(text, None, rhs)
