"""One error tree (issue 12): what a user can cause is an OutcomesError that is also the built-in
exception a caller expects."""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

import pandas as pd
import pytest

import outcomes
import outcomes.errors as errors

PACKAGE = Path(outcomes.__file__).parent
BUILTIN = {"ValueError", "TypeError", "KeyError", "LookupError", "RuntimeError", "OSError"}


def test_every_error_class_is_an_outcomes_error_and_a_builtin() -> None:
    for name in errors.__all__:
        cls = getattr(errors, name)
        if issubclass(cls, Warning):
            assert issubclass(cls, errors.OutcomesWarning), name
            continue
        assert issubclass(cls, errors.OutcomesError), name
        if cls is not errors.OutcomesError:
            assert any(issubclass(cls, getattr(builtins, b)) for b in BUILTIN), name


@pytest.mark.parametrize("layer", ["models", "plots", "tables"])
def test_the_analysis_layers_raise_no_bare_builtin(layer: str) -> None:
    bare = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                func = node.exc.func
                if isinstance(func, ast.Name) and func.id in BUILTIN:
                    bare.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {func.id}")
    assert not bare, bare


def test_a_model_specification_error_is_caught_as_value_error() -> None:
    data = pd.DataFrame({"y": [1.0, 2.0], "arm": ["A", "B"], "x": [1.0, 2.0]})
    with pytest.raises(ValueError) as info:
        outcomes.cohens_d(data, outcome="y", arm="arm", reference="C")
    assert isinstance(info.value, errors.ModelSpecificationError)


def test_an_old_keyword_still_works_for_one_release_and_says_so() -> None:
    data = pd.DataFrame({"y": [1.0, 2.0, 4.0, 3.0], "arm": ["A", "A", "B", "B"]})
    new = outcomes.cohens_d(data, outcome="y", arm="arm", reference="B")
    with pytest.warns(errors.OutcomesDeprecationWarning) as caught:
        old = outcomes.cohens_d(data, dv="y", group="arm", reference="B")
    said = " ".join(str(w.message) for w in caught)
    assert "dv= is now outcome=" in said and "group= is now arm=" in said
    pd.testing.assert_frame_equal(old, new)
    with pytest.raises(TypeError, match="got both group= and arm="):
        outcomes.cohens_d(data, outcome="y", group="arm", arm="arm")
    with pytest.warns(DeprecationWarning, match="control= is now reference="):
        outcomes.blinding(outcomes.sample_guesses(), control="PLACEBO")
