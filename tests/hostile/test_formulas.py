"""Formulas cannot run code: every way in is refused, located, and nothing is ever evaluated.

Three kinds of check: a corpus of hostile formulas (each refused with a located FormulaError,
none of them having any effect), every model fitted with Python's evaluators disabled (so no path
evaluates formula text), and hypothesis-generated formulas, hostile and benign. The benign ones are
checked against patsy's own parser of the same (generated, safe) strings: an independent
implementation of the Wilkinson-Rogers rules, used here as the reference for the expansion of
terms and for the model space of the design.
"""

from __future__ import annotations

import builtins
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import patsy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import outcomes
from outcomes.cli import main
from outcomes.models.core.formula import FormulaError, parse_model, parse_terms
from outcomes.models.core.model_matrix import model_matrix
from outcomes.report import TEMPLATE

DATASETS = Path(__file__).parents[1] / "datasets"


def _wide(text: str) -> str:
    """Full-width forms of ASCII letters, digits and punctuation (NFKC maps them back)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


HOSTILE = [
    "chg ~ base + __import__('os').system('touch PWNED')",
    _wide("chg ~ base + __import__('os').system('touch PWNED')"),
    "chg ~ base + " + _wide("__import__") + "('os')",
    "chg ~ base + arm.__class__.__mro__",
    "chg ~ base + os.system('touch PWNED')",
    "chg ~ base + eval('1')",
    "chg ~ base + exec('x=1')",
    "chg ~ base + open('PWNED', 'w')",
    "chg ~ base + getattr(arm, 'x')",
    "chg ~ base + (lambda: 1)()",
    "chg ~ base + [x for x in arm]",
    "chg ~ base + arm[0]",
    "chg ~ base + {'a': 1}",
    "chg ~ base + I(base.__class__)",
    "chg ~ base + I(open('PWNED'))",
    "chg ~ base + np.log(base)",
    "chg ~ base + C(arm, Treatment('PLACEBO'))",
    "chg ~ base + 'text'",
    "chg ~ base + f'{1}'",
    "chg ~ base; import os",
    "chg ~ base = 1",
    "chg ~ base + x @ y",
    "chg ~ base + `a` + Q(__import__)",
    "chg ~ base\n+ __import__('os')",
    "chg ~ base + \x1b[2Jarm",
    "chg ~ base + arm # comment",
    "chg ~ base + .",
    "chg ~ base + ~arm",
    "chg ~ base + 2",
    "chg ~ base + I(base:arm)",
    "chg ~ base + arm ** base",
    "chg ~ base + arm ** 1000",
    "~ base",
    "chg ~",
    "chg ~ base +",
    "chg ~ (base",
    "chg ~ base)",
    "chg ~ " + "(" * 200 + "base" + ")" * 200,
    "chg ~ " + " + ".join(["base"] * 1000),
    "chg ~ " + "+".join(["base"] * 600),
    "chg ~ " + "*".join(f"v{i}" for i in range(30)),
    "chg ~ (" + "+".join(f"v{i}" for i in range(30)) + ")^10",
]


@contextmanager
def _evaluators_watched() -> Iterator[list[str]]:
    """Record every call of Python's evaluators and of patsy's evaluating factor."""
    calls: list[str] = []
    real = {name: getattr(builtins, name) for name in ("eval", "exec", "compile")}
    real_factor = patsy.EvalFactor.__init__

    def watched(name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            # importing a module runs its code through exec (importlib's loader, as for the
            # submodules statsmodels imports lazily on a first fit): that evaluates no data
            if "importlib" not in sys._getframe(1).f_code.co_filename:
                calls.append(name)
            return real[name](*args, **kwargs)

        return call

    def factor(*args: Any, **kwargs: Any) -> None:
        calls.append("patsy.EvalFactor")
        real_factor(*args, **kwargs)

    for name in real:
        setattr(builtins, name, watched(name))
    patsy.EvalFactor.__init__ = factor  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        for name, function in real.items():
            setattr(builtins, name, function)
        patsy.EvalFactor.__init__ = real_factor  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def fev() -> pd.DataFrame:
    # tests/datasets/fev_data.csv: R mmrm's fev_data (tests/datasets/README.md)
    return pd.read_csv(DATASETS / "fev_data.csv")


@pytest.fixture
def trial_rows() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 40
    return pd.DataFrame(
        {
            "subject": np.repeat([f"S{i:02d}" for i in range(n // 2)], 2),
            "visit": np.tile(["W1", "W2"], n // 2),
            "arm": np.repeat(["DMT", "PLACEBO"] * (n // 4), 2),
            "base": np.repeat(rng.normal(30, 5, n // 2), 2),
            "chg": rng.normal(-5, 4, n),
        }
    )


@pytest.mark.parametrize("formula", HOSTILE)
def test_hostile_formulas_are_refused_and_have_no_effect(
    formula: str, trial_rows: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with _evaluators_watched() as calls, pytest.raises(FormulaError) as caught:
        model_matrix(formula, trial_rows)
    assert caught.value.reason
    assert calls == []
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("formula", "reason"),
    [
        ("y ~ " + "+".join(["a"] * 600), "more than 500 names"),
        ("y ~ " + "*".join("abcdefghijklmnopqrstuvwxyz"), "more than 1000 terms"),
        ("y ~ (" + "+".join("abcdefghijklmnopqrstuvwxyz") + ")^10", "more than 1000 terms"),
        ("y ~ " + "-" * 60 + "a", "nested more than 50"),
        ("y ~ a" + "^1" * 60, "nested more than 50"),
        ("y ~ " + "a" * 2001, "longer than 2000"),
    ],
)
def test_absurd_formulas_are_refused_at_once(formula: str, reason: str) -> None:
    with pytest.raises(FormulaError, match=reason):
        parse_model(formula)


@pytest.mark.parametrize(
    ("formula", "where", "reason"),
    [
        ("y ~ a.__class__", 5, "names starting with '__'"),
        ("y ~ a + os.system(1)", 9, "os.system() is not a function"),
        ("y ~ a[0]", 6, "subscripts"),
        ("y ~ a + 'x'", 9, "quotes"),
        ("y ~ a ~ b", 7, "one '~'"),
        ("y ~ a +", 8, "expected a name"),
        (_wide("y ~ a + __x"), 9, "names starting with '__'"),
    ],
)
def test_refusals_are_located(formula: str, where: int, reason: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse_model(formula)
    assert caught.value.position == where - 1
    assert reason in caught.value.reason
    assert f"at character {where}" in str(caught.value)


def test_every_model_fits_without_any_evaluation(fev: pd.DataFrame) -> None:
    formula = "FEV1 ~ log(FEV1_BL) + ARMCD * AVISIT + I(WEIGHT^2) + us(AVISIT | USUBJID)"
    visit4 = fev[fev["AVISIT"] == "VIS4"]
    timed = fev.assign(time=fev["VISITN"].astype(float))
    with _evaluators_watched() as calls:
        fit = outcomes.mmrm(formula, fev, levels={"ARMCD": "PBO"})
        terms = set(fit.to_frame()["term"])
        lsmeans = fit.lsmeans(["ARMCD", "AVISIT"])
        contrasts = fit.contrasts("ARMCD", by="AVISIT")
        anova = fit.anova()
        ancova = outcomes.ancova("FEV1 ~ FEV1_BL + ARMCD", visit4)
        lmm = outcomes.lmm(
            "FEV1 ~ FEV1_BL + ARMCD * time", timed, subject="USUBJID", random="1 + time"
        )
        gee = outcomes.gee("FEV1 ~ FEV1_BL + ARMCD", fev, subject="USUBJID")
    assert calls == []
    assert fit.converged
    assert {"log(FEV1_BL)", "I(WEIGHT^2)"} <= terms
    assert (len(lsmeans), len(contrasts)) == (8, 4)
    assert "log(FEV1_BL)" in set(anova["term"])
    assert ancova.n_obs == visit4["FEV1"].notna().sum()
    assert lmm.z_names == ["(Intercept)", "time"]
    assert gee.n_obs == fev["FEV1"].notna().sum()


def test_random_effects_use_the_grammar(fev: pd.DataFrame) -> None:
    timed = fev.assign(time=fev["VISITN"].astype(float))
    for random in ("1 + __import__('os')", "1 + time.__class__", "1 + (time | USUBJID)", "lambda"):
        with pytest.raises(FormulaError):
            outcomes.lmm("FEV1 ~ time", timed, subject="USUBJID", random=random)
    assert parse_terms(_wide("0 + time")).mean == "0 + time"


def test_quoted_and_normalised_names(fev: pd.DataFrame) -> None:
    data = fev.rename(columns={"FEV1_BL": "fev.bl", "WEIGHT": "body weight", "ARMCD": "ａｒｍ"})
    quoted = "FEV1 ~ `fev.bl` + Q('body weight') + arm + us(AVISIT | USUBJID)"
    plain = "FEV1 ~ fev.bl + `body weight` + ａｒｍ + us(AVISIT | USUBJID)"
    a = outcomes.mmrm(quoted, data).to_frame()
    b = outcomes.mmrm(plain, data).to_frame()
    assert a["term"].tolist() == ["(Intercept)", "fev.bl", "body weight", "ａｒｍTRT"]
    pd.testing.assert_frame_equal(a, b)
    # the same model on the original names gives the same estimates
    c = outcomes.mmrm("FEV1 ~ FEV1_BL + WEIGHT + ARMCD + us(AVISIT | USUBJID)", fev).to_frame()
    np.testing.assert_allclose(a["estimate"], c["estimate"], rtol=1e-10)


def test_a_name_that_is_not_a_column_is_refused_with_the_closest(fev: pd.DataFrame) -> None:
    with pytest.raises(FormulaError, match=r"'ARM' \(did you mean 'ARMCD'\?\)"):
        outcomes.mmrm("FEV1 ~ ARM + us(AVISIT | USUBJID)", fev)
    with pytest.raises(FormulaError, match="'SUBJ'"):
        outcomes.mmrm("FEV1 ~ ARMCD + us(AVISIT | SUBJ)", fev)


def test_a_value_that_is_not_finite_is_refused(fev: pd.DataFrame) -> None:
    data = fev.assign(zero=0.0)
    with pytest.raises(FormulaError, match=r"log\(zero\) is not a finite number"):
        outcomes.mmrm("FEV1 ~ log(zero) + us(AVISIT | USUBJID)", data)


def test_a_hostile_plan_formula_is_refused_before_any_analysis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    payload = _wide("chg ~ base + __import__('os').system('touch PWNED') + us(visit | subject)")
    plan = tmp_path / "plan.toml"
    plan.write_text(
        TEMPLATE.replace(
            'formula = "chg ~ base * visit + arm * visit + us(visit | subject)"',
            f'formula = "{payload}"',
        ),
        encoding="utf-8",
    )

    def no_analysis(*args: object, **kwargs: object) -> None:
        raise AssertionError("an analysis ran")

    monkeypatch.setattr(outcomes, "mmrm", no_analysis)
    assert main(["report", str(plan), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "[primary] formula: names starting with '__' are not allowed" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.toml"]


# --- generated formulas -------------------------------------------------------------------------

_PIECES = [
    *"abxy~+-*/:^()`,.|'\"[]{}@=;%!\\ 0123456789",
    "**",
    "__",
    "__import__",
    "os",
    "system",
    "lambda",
    "I(",
    "C(",
    "Q(",
    "log(",
    "np.",
    "eval(",
    "us(",
    "\x1b[2J",
    "\n",
    "\r",
    "ａ",
    "＿",
    "（",
    "é",
    "\u202e",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30).map("".join))
def test_any_text_is_parsed_or_refused_never_evaluated(text: str) -> None:
    with _evaluators_watched() as calls:
        try:
            model = parse_model(text, structures={"us"})
        except FormulaError as exc:
            model, reason = None, exc.reason
    assert calls == []
    if model is None:
        assert reason
        return
    # what parses, round-trips through its written form
    written = model.mean + (" + " + _cov(model) if model.covariance else "")
    again = parse_model(written, structures={"us"})
    assert again.terms == model.terms and again.intercept == model.intercept


def _cov(model: object) -> str:
    cov = model.covariance  # type: ignore[attr-defined]
    subject = f"{cov.group} / {cov.subject}" if cov.group else cov.subject
    return f"us({', '.join(cov.time)} | {subject})"


_NAMES = st.sampled_from(["a", "b", "c", "x", "z"])


@st.composite
def _terms(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 2 or draw(st.booleans()):
        return draw(_NAMES)
    op = draw(st.sampled_from([" + ", " * ", ":", " / ", " - "]))
    left, right = draw(_terms(depth + 1)), draw(_terms(depth + 1))
    text = f"{left}{op}{right}"
    return f"({text})" if draw(st.booleans()) else text


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 60
    return pd.DataFrame(
        {
            "y": rng.normal(size=n),
            "a": rng.choice(["p", "q", "r"], n),
            "b": rng.choice(["u", "v"], n),
            "c": rng.choice(["k", "l"], n),
            "x": rng.normal(size=n),
            "z": rng.normal(size=n),
        }
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_terms(), st.sampled_from(["", " - 1", " + 0", " + (a + x)**2"]))
def test_terms_and_model_space_agree_with_patsy(small: pd.DataFrame, rhs: str, tail: str) -> None:
    formula = f"y ~ {rhs}{tail}"
    ours = parse_model(formula)
    theirs = patsy.ModelDesc.from_formula(formula)
    their_terms = {frozenset(f.code for f in t.factors) for t in theirs.rhs_termlist}
    our_terms = {frozenset(f.key for f in t) for t in ours.terms} | (
        {frozenset()} if ours.intercept else set()
    )
    assert our_terms == their_terms
    if not ours.terms:
        return
    x = model_matrix(formula, small).x
    reference = np.asarray(patsy.dmatrix(formula.split("~")[1], small), dtype=float)
    # the same column space: each design is an exact linear combination of the other
    for target, basis in ((reference, x), (x, reference)):
        coef = np.linalg.lstsq(basis, target, rcond=None)[0]
        assert np.allclose(basis @ coef, target, atol=1e-8)
    assert x.shape[1] == np.linalg.matrix_rank(reference)


def test_functions_of_covariates_reach_ls_means_and_imputation(sample: outcomes.TrialData) -> None:
    trial = outcomes.derive(sample).frame
    madrs = trial[(trial["instrument"] == "madrs") & trial["visit"].isin(["WEEK 1", "WEEK 2"])]
    madrs = madrs.assign(visit=madrs["visit"].cat.remove_unused_categories())
    madrs = madrs.assign(log_base=np.log(madrs["base"]))
    computed = outcomes.mmrm("chg ~ log(base) + arm * visit + us(visit | subject)", madrs)
    column = outcomes.mmrm("chg ~ log_base + arm * visit + us(visit | subject)", madrs)
    # the same model: the LS means are at the mean of log(base), as SAS with a derived column
    np.testing.assert_allclose(
        computed.lsmeans(["arm", "visit"])["estimate"],
        column.lsmeans(["arm", "visit"])["estimate"],
        rtol=1e-10,
    )
    mi = outcomes.multiple_imputation(
        "chg ~ log(base) + arm * visit + us(visit | subject)",
        madrs,
        arm="arm",
        reference="PLACEBO",
        n_imputations=5,
        seed=1,
    )
    assert len(mi.contrasts(by="visit")) == 2
    with pytest.raises(FormulaError, match="imputes a column"):
        outcomes.multiple_imputation(
            "log(chg + 40) ~ base + arm * visit + us(visit | subject)",
            madrs,
            arm="arm",
            reference="PLACEBO",
            n_imputations=5,
            seed=1,
        )


def test_a_plan_formula_is_read_with_the_plan(tmp_path: Path) -> None:
    """Grammar problems are plan problems, reported with the others, before any data are read."""
    from outcomes.report import PlanError, read_plan

    plan = tmp_path / "plan.toml"
    plan.write_text(
        TEMPLATE.replace("chg ~ base * visit", "chg ~ base.__class__ * visit")
        .replace('random = "1 + weeks"', 'random = "1 + weeks[0]"')
        .replace("seed = 2026", "seed = -1"),
        encoding="utf-8",
    )
    with pytest.raises(PlanError) as caught:
        read_plan(plan)
    problems = caught.value.problems
    assert any(p.startswith("[study] seed:") for p in problems)
    assert any(p.startswith("[primary] formula: names starting with '__'") for p in problems)
    assert any(p.startswith("[secondary] trajectories random: subscripts") for p in problems)
