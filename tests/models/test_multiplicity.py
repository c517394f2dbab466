"""Multiplicity adjustments against independent references.

* Bonferroni, Holm, Hochberg: base R's ``p.adjust`` (tests/reference/multiplicity/p_adjust.R and
  its output p_adjust.csv, R 4.2.2), at 1e-12.
* Fixed sequence: hand-computed running maxima.
* Graphical procedure (Bretz, Maurer, Brannath & Posch 2009, Stat Med 28:586-604): the theorems
  that equal weights with equal sharing is Holm's procedure (checked against R's Holm values),
  that an empty graph with equal weights is Bonferroni, and that the chain with all weight on the
  first endpoint is the fixed sequence; and a hand-worked example on the paper's two-primary /
  two-secondary graph, with every step of the arithmetic written out below.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from outcomes.models.endpoints.multiplicity import METHODS, adjust, graphical

REF = Path(__file__).parents[1] / "reference" / "multiplicity"
COLUMNS = ["endpoint", "p_value", "adjusted_p", "rejected"]
GRAPH_COLUMNS = ["endpoint", "p_value", "weight", "adjusted_p", "rejected"]


def _r_cases() -> list[tuple[str, str, pd.DataFrame]]:
    ref = pd.read_csv(REF / "p_adjust.csv")
    return [(case, method, rows) for (case, method), rows in ref.groupby(["case", "method"])]


R_CASES = _r_cases()
R_HOLM = [(case, rows) for case, method, rows in R_CASES if method == "holm"]
R_BONFERRONI = [(case, rows) for case, method, rows in R_CASES if method == "bonferroni"]


def _holm_graph(m: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full(m, 1 / m), (np.ones((m, m)) - np.eye(m)) / (m - 1)


def _chain_graph(m: int) -> tuple[np.ndarray, np.ndarray]:
    w = np.zeros(m)
    w[0] = 1.0
    return w, np.eye(m, k=1)


# --- adjust against R's p.adjust --------------------------------------------------------------


def test_reference_covers_every_case_and_method() -> None:
    assert {(c, m) for c, m, _ in R_CASES} == {
        (c, m)
        for c in ("plain", "ties", "extremes", "step_up", "ties_top")
        for m in ("bonferroni", "holm", "hochberg")
    }


@pytest.mark.parametrize(
    ("case", "method", "rows"), R_CASES, ids=[f"{c}-{m}" for c, m, _ in R_CASES]
)
def test_adjust_matches_r_p_adjust(case: str, method: str, rows: pd.DataFrame) -> None:
    p = dict(zip(rows["endpoint"], rows["p_value"], strict=True))
    out = adjust(p, method)
    assert list(out.columns) == COLUMNS
    assert out["endpoint"].tolist() == rows["endpoint"].tolist()  # input order kept
    np.testing.assert_array_equal(out["p_value"], rows["p_value"])
    np.testing.assert_allclose(out["adjusted_p"], rows["adjusted_p"], rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(out["rejected"], rows["adjusted_p"].to_numpy() <= 0.05)


def test_adjust_accepts_a_series_and_hochberg_beats_holm() -> None:
    # step_up: 0.03, 0.045, 0.04. Hochberg: largest p 0.045 <= 0.05 rejects all;
    # Holm: smallest p times 3 = 0.09 > 0.05 rejects none.
    p = pd.Series({"E1": 0.03, "E2": 0.045, "E3": 0.04})
    assert adjust(p, "hochberg")["rejected"].all()
    assert not adjust(p, "holm")["rejected"].any()


def test_adjust_rejection_follows_alpha() -> None:
    p = {"a": 0.01, "b": 0.04, "c": 0.03}  # Holm: 0.03, 0.06, 0.06
    assert adjust(p, "holm", alpha=0.05)["rejected"].tolist() == [True, False, False]
    assert adjust(p, "holm", alpha=0.06)["rejected"].tolist() == [True, True, True]
    assert adjust(p, "holm", alpha=0.025)["rejected"].tolist() == [False, False, False]


# --- fixed sequence, by hand ------------------------------------------------------------------

FIXED_SEQUENCE = [
    # p in test order A, B, C, D; adjusted = running max; rejected at 0.05
    ([0.01, 0.03, 0.002, 0.2], [0.01, 0.03, 0.03, 0.2], [True, True, True, False]),
    # B fails at 0.06: C (p = 0.001) and D are never tested although their p is small
    ([0.01, 0.06, 0.001, 0.02], [0.01, 0.06, 0.06, 0.06], [True, False, False, False]),
    # the first endpoint fails: nothing is rejected
    ([0.2, 0.001, 0.001, 0.001], [0.2, 0.2, 0.2, 0.2], [False, False, False, False]),
    ([0.0, 1.0, 0.0, 0.5], [0.0, 1.0, 1.0, 1.0], [True, False, False, False]),
]


@pytest.mark.parametrize(("p", "expected", "rejected"), FIXED_SEQUENCE)
def test_fixed_sequence_by_hand(p: list, expected: list, rejected: list) -> None:
    out = adjust(dict(zip("ABCD", p, strict=True)), "fixed-sequence")
    assert list(out.columns) == COLUMNS
    assert out["endpoint"].tolist() == list("ABCD")
    np.testing.assert_allclose(out["adjusted_p"], expected, rtol=0, atol=1e-15)
    assert out["rejected"].tolist() == rejected


def test_fixed_sequence_order_reorders_rows() -> None:
    p = {"secondary": 0.001, "key_secondary": 0.04, "primary": 0.02}
    out = adjust(p, "fixed-sequence", order=["primary", "key_secondary", "secondary"])
    assert out["endpoint"].tolist() == ["primary", "key_secondary", "secondary"]
    np.testing.assert_allclose(out["adjusted_p"], [0.02, 0.04, 0.04])
    assert out["rejected"].all()
    # tested the other way round the primary's 0.02 is still rejected: max(0.001, 0.04, 0.02)
    out = adjust(p, "fixed-sequence", order=["secondary", "key_secondary", "primary"])
    np.testing.assert_allclose(out["adjusted_p"], [0.001, 0.04, 0.04])


# --- graphical: theorems of Bretz et al. 2009 -------------------------------------------------


@pytest.mark.parametrize(("case", "rows"), R_HOLM, ids=[c for c, _ in R_HOLM])
def test_graphical_holm_graph_is_holm(case: str, rows: pd.DataFrame) -> None:
    # weights 1/m each, g_ij = 1/(m-1): Holm's step-down procedure (R's p.adjust "holm")
    w, g = _holm_graph(len(rows))
    p = dict(zip(rows["endpoint"], rows["p_value"], strict=True))
    out = graphical(p, w, g)
    assert list(out.columns) == GRAPH_COLUMNS
    assert out["endpoint"].tolist() == rows["endpoint"].tolist()
    np.testing.assert_allclose(out["weight"], w)
    np.testing.assert_allclose(out["adjusted_p"], rows["adjusted_p"], rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(out["rejected"], rows["adjusted_p"].to_numpy() <= 0.05)


@pytest.mark.parametrize(("case", "rows"), R_BONFERRONI, ids=[c for c, _ in R_BONFERRONI])
def test_graphical_empty_graph_is_bonferroni(case: str, rows: pd.DataFrame) -> None:
    m = len(rows)
    p = dict(zip(rows["endpoint"], rows["p_value"], strict=True))
    out = graphical(p, np.full(m, 1 / m), np.zeros((m, m)))
    np.testing.assert_allclose(out["adjusted_p"], rows["adjusted_p"], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("p", "expected", "rejected"), FIXED_SEQUENCE)
def test_graphical_chain_is_fixed_sequence(p: list, expected: list, rejected: list) -> None:
    # weights (1, 0, 0, 0), A -> B -> C -> D with weight 1: the fixed sequence A, B, C, D
    w, g = _chain_graph(4)
    out = graphical(dict(zip("ABCD", p, strict=True)), w, g)
    np.testing.assert_allclose(out["adjusted_p"], expected, rtol=0, atol=1e-15)
    assert out["rejected"].tolist() == rejected
    fixed = adjust(dict(zip("ABCD", p, strict=True)), "fixed-sequence")
    np.testing.assert_allclose(out["adjusted_p"], fixed["adjusted_p"], rtol=0, atol=1e-15)


# --- graphical: a hand-worked example ---------------------------------------------------------
#
# The graph of Bretz et al. (2009) for two primary hypotheses H1, H2 (weight 1/2 each) and their
# secondaries H3, H4 (weight 0): H1 -> H3, H3 -> H2, H2 -> H4, H4 -> H1, each edge weight 1.
# A secondary can be tested only once its primary is rejected, and once both of a pair are
# rejected their level passes to the other pair. Update rules (Algorithm 1):
#     w_l <- w_l + w_j g_jl;   g_lk <- (g_lk + g_lj g_jk) / (1 - g_lj g_jl).
#
# Example A: p = (H1 0.01, H2 0.04, H3 0.02, H4 0.03).
#   Step 1. p/w: H1 0.01/0.5 = 0.02, H2 0.04/0.5 = 0.08, H3 and H4 have weight 0 (inf).
#           Smallest H1: adj(H1) = 0.02. Remove H1:
#           w3 = 0 + 0.5 * g13 (1) = 0.5; w2 = 0.5 + 0.5 * g12 (0) = 0.5; w4 = 0 + 0.5 * 0 = 0.
#           Only g41 and g13 involve H1 with nonzero weight, so only g43 changes:
#           g43 = (g43 0 + g41 1 * g13 1) / (1 - g41 1 * g14 0) = 1; g42 = (0 + 1 * 0) / 1 = 0.
#           The rest stays: g24 = 1, g32 = 1, g23 = g34 = 0.
#   Step 2. p/w: H2 0.04/0.5 = 0.08, H3 0.02/0.5 = 0.04, H4 inf. Smallest H3:
#           adj(H3) = max(0.02, 0.04) = 0.04. Remove H3:
#           w2 = 0.5 + 0.5 * g32 (1) = 1; w4 = 0 + 0.5 * g34 (0) = 0.
#           g24 = (1 + g23 0 * g34 0) / (1 - g23 0 * g32 1) = 1;
#           g42 = (0 + g43 1 * g32 1) / (1 - g43 1 * g34 0) = 1.
#   Step 3. p/w: H2 0.04/1 = 0.04, H4 inf: adj(H2) = max(0.04, 0.04) = 0.04. Remove H2:
#           w4 = 0 + 1 * g24 (1) = 1.
#   Step 4. H4 0.03/1 = 0.03: adj(H4) = max(0.04, 0.03) = 0.04.
#   Adjusted p = (0.02, 0.04, 0.04, 0.04).
#   At alpha = 0.05 (Algorithm 1): H1 0.01 <= 0.5 * 0.05 = 0.025, reject; H3 0.02 <= 0.025,
#   reject; H2 now has weight 1: 0.04 <= 0.05, reject; H4 weight 1: 0.03 <= 0.05, reject. All four.
#   At alpha = 0.035: H1 0.01 <= 0.0175, reject; then H2 0.04 > 0.0175 and H3 0.02 > 0.0175,
#   H4 has weight 0: stop. Only H1.
#
# Example B: p = (H1 0.03, H2 0.005, H3 0.01, H4 0.5).
#   Step 1. p/w: H1 0.06, H2 0.01. Smallest H2: adj(H2) = 0.01. Remove H2:
#           w4 = 0 + 0.5 * g24 (1) = 0.5; w1 = 0.5 + 0.5 * g21 (0) = 0.5; w3 = 0 + 0.5 * 0 = 0.
#           g34 = (g34 0 + g32 1 * g24 1) / (1 - g32 1 * g23 0) = 1; g31 = (0 + 1 * g21 0) = 0.
#           The rest stays: g13 = 1, g41 = 1, g14 = g43 = 0.
#   Step 2. p/w: H1 0.03/0.5 = 0.06, H3 inf (weight 0), H4 0.5/0.5 = 1. Smallest H1:
#           adj(H1) = max(0.01, 0.06) = 0.06. Remove H1:
#           w3 = 0 + 0.5 * g13 (1) = 0.5; w4 = 0.5 + 0.5 * g14 (0) = 0.5.
#           g34 = (1 + g31 0 * g14 0) / (1 - g31 0 * g13 1) = 1;
#           g43 = (0 + g41 1 * g13 1) / (1 - g41 1 * g14 0) = 1.
#   Step 3. p/w: H3 0.01/0.5 = 0.02, H4 1. Smallest H3: adj(H3) = max(0.06, 0.02) = 0.06.
#           Remove H3: w4 = 0.5 + 0.5 * g34 (1) = 1.
#   Step 4. H4 0.5/1 = 0.5: adj(H4) = max(0.06, 0.5) = 0.5.
#   Adjusted p = (0.06, 0.01, 0.06, 0.5).
#   At alpha = 0.05: H2 0.005 <= 0.025, reject; then H1 0.03 > 0.025, H3 has weight 0,
#   H4 0.5 > 0.025: stop. Only H2, although p(H3) = 0.01: its primary H1 was not rejected.
#   At alpha = 0.06: H2 reject; H1 0.03 <= 0.03, reject; H3 0.01 <= 0.5 * 0.06, reject;
#   H4 0.5 > 0.06: H1, H2, H3.

PRIMARY_SECONDARY_W = {"H1": 0.5, "H2": 0.5, "H3": 0.0, "H4": 0.0}
PRIMARY_SECONDARY_G = pd.DataFrame(
    [[0, 0, 1, 0], [0, 0, 0, 1], [0, 1, 0, 0], [1, 0, 0, 0]],
    index=["H1", "H2", "H3", "H4"],
    columns=["H1", "H2", "H3", "H4"],
    dtype=float,
)

HAND_WORKED = [
    ("A", [0.01, 0.04, 0.02, 0.03], 0.05, [0.02, 0.04, 0.04, 0.04], [True, True, True, True]),
    ("A", [0.01, 0.04, 0.02, 0.03], 0.035, [0.02, 0.04, 0.04, 0.04], [True, False, False, False]),
    ("B", [0.03, 0.005, 0.01, 0.5], 0.05, [0.06, 0.01, 0.06, 0.5], [False, True, False, False]),
    ("B", [0.03, 0.005, 0.01, 0.5], 0.06, [0.06, 0.01, 0.06, 0.5], [True, True, True, False]),
]


@pytest.mark.parametrize(
    ("example", "p", "alpha", "expected", "rejected"),
    HAND_WORKED,
    ids=[f"{e}-alpha{a}" for e, _, a, _, _ in HAND_WORKED],
)
def test_graphical_two_primary_two_secondary_by_hand(
    example: str, p: list, alpha: float, expected: list, rejected: list
) -> None:
    out = graphical(
        dict(zip(["H1", "H2", "H3", "H4"], p, strict=True)),
        PRIMARY_SECONDARY_W,
        PRIMARY_SECONDARY_G,
        alpha=alpha,
    )
    assert list(out.columns) == GRAPH_COLUMNS
    assert out["weight"].tolist() == [0.5, 0.5, 0.0, 0.0]
    np.testing.assert_allclose(out["adjusted_p"], expected, rtol=1e-12)
    assert out["rejected"].tolist() == rejected


def test_graphical_transitions_dataframe_in_any_order() -> None:
    p = {"H1": 0.03, "H2": 0.005, "H3": 0.01, "H4": 0.5}
    shuffled = PRIMARY_SECONDARY_G.loc[["H3", "H1", "H4", "H2"], ["H4", "H2", "H1", "H3"]]
    a = graphical(p, PRIMARY_SECONDARY_W, PRIMARY_SECONDARY_G)
    b = graphical(p, PRIMARY_SECONDARY_W, shuffled)
    pd.testing.assert_frame_equal(a, b)


def test_graphical_rejections_agree_with_adjusted_p() -> None:
    # Algorithm 1's rejections are those with adjusted p <= alpha (Bretz et al. 2009, 2011), on
    # random graphs (rows of G and the weights random points of the simplex, some sub-stochastic).
    rng = np.random.default_rng(20090211)
    for _ in range(300):
        m = int(rng.integers(2, 7))
        w = rng.dirichlet(np.ones(m + 1))[:m] if rng.random() < 0.5 else rng.dirichlet(np.ones(m))
        g = np.zeros((m, m))
        for i in range(m):
            share = rng.dirichlet(np.ones(m))[: m - 1] * rng.choice([1.0, rng.random()])
            g[i, np.arange(m) != i] = share
        g[rng.random((m, m)) < 0.3] = 0.0
        p = rng.choice([rng.uniform(0, 0.1, m), rng.uniform(0, 1, m)])
        alpha = float(rng.choice([0.025, 0.05, 0.1]))
        out = graphical(dict(zip(map(str, range(m)), p, strict=True)), w, g, alpha=alpha)
        adj = out["adjusted_p"].to_numpy()
        clear = np.abs(adj - alpha) > 1e-9
        np.testing.assert_array_equal(out["rejected"][clear], adj[clear] <= alpha)
        assert np.all((adj >= p - 1e-15) & (adj <= 1))


# --- input errors -----------------------------------------------------------------------------

ADJUST_ERRORS = [
    ({"a": 0.01, "b": 1.2}, {}, r"\[0, 1\].*b=1.2"),
    ({"a": -0.01, "b": 0.2}, {}, r"\[0, 1\].*a=-0.01"),
    ({"a": float("nan"), "b": 0.2}, {}, r"missing \(NaN\) for \['a'\]"),
    ({"a": None, "b": 0.2}, {}, r"missing \(NaN\) for \['a'\]"),
    ({"a": "small", "b": 0.2}, {}, "must be numbers"),
    ({}, {}, "empty"),
    ({"a": 0.01}, {"method": "sidak"}, "method must be one of"),
    ({"a": 0.01}, {"method": "Holm"}, "method must be one of"),
    ({"a": 0.01}, {"alpha": 0}, "alpha must be"),
    ({"a": 0.01}, {"alpha": 1.5}, "alpha must be"),
    ({"a": 0.01, "b": 0.2}, {"method": "holm", "order": ["b", "a"]}, "only by 'fixed-sequence'"),
    ({"a": 0.01, "b": 0.2}, {"method": "fixed-sequence", "order": ["a"]}, r"missing: \['b'\]"),
    (
        {"a": 0.01, "b": 0.2},
        {"method": "fixed-sequence", "order": ["a", "b", "c"]},
        r"unknown: \['c'\]",
    ),
    (
        {"a": 0.01, "b": 0.2},
        {"method": "fixed-sequence", "order": ["a", "b", "a"]},
        r"repeated: \['a'\]",
    ),
    ({"a": 0.01, "b": 0.2}, {"method": "fixed-sequence", "order": "ab"}, "not the string"),
]


@pytest.mark.parametrize(("p", "kwargs", "match"), ADJUST_ERRORS)
def test_adjust_errors(p: dict, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        adjust(p, **kwargs)


def test_adjust_rejects_repeated_endpoints_and_non_mappings() -> None:
    with pytest.raises(ValueError, match=r"unique; repeated: \['a'\]"):
        adjust(pd.Series([0.01, 0.02], index=["a", "a"]))
    with pytest.raises(ValueError, match="mapping endpoint -> p-value"):
        adjust([0.01, 0.02])  # type: ignore[arg-type]


P3 = {"a": 0.01, "b": 0.02, "c": 0.03}
GRAPH_ERRORS = [
    ([0.5, 0.5], np.zeros((3, 3)), "one value per endpoint \\(3\\)"),
    ({"a": 0.5, "b": 0.5, "d": 0.0}, np.zeros((3, 3)), "name each endpoint once"),
    ([0.5, 0.7, 0.0], np.zeros((3, 3)), "sum to at most 1; they sum to 1.2"),
    ([0.5, -0.1, 0.0], np.zeros((3, 3)), "non-negative"),
    ([0.5, np.nan, 0.0], np.zeros((3, 3)), "weights must not be missing"),
    ([1 / 3] * 3, np.zeros((2, 2)), "3 x 3 matrix, got shape \\(2, 2\\)"),
    ([1 / 3] * 3, np.zeros((3, 2)), "3 x 3 matrix"),
    ([1 / 3] * 3, [[0, 0.6, 0.6], [0, 0, 1], [1, 0, 0]], "row sums \\{'a': 1.2\\}"),
    ([1 / 3] * 3, [[0, 1, 0], [0, 0.5, 0.5], [1, 0, 0]], "zero diagonal; nonzero for \\['b'\\]"),
    ([1 / 3] * 3, [[0, -0.5, 1], [0, 0, 1], [1, 0, 0]], "transitions must be non-negative"),
    ([1 / 3] * 3, [[0, np.nan, 1], [0, 0, 1], [1, 0, 0]], "transitions must not have missing"),
    (
        [1 / 3] * 3,
        pd.DataFrame(np.zeros((3, 3)), index=list("abd"), columns=list("abc")),
        "DataFrame's index must be the endpoints",
    ),
]


@pytest.mark.parametrize(("weights", "transitions", "match"), GRAPH_ERRORS)
def test_graphical_errors(weights, transitions, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        graphical(P3, weights, transitions)


def test_graphical_shares_the_p_value_checks() -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        graphical({"a": 2.0, "b": 0.1}, [0.5, 0.5], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="alpha must be"):
        graphical({"a": 0.2, "b": 0.1}, [0.5, 0.5], np.zeros((2, 2)), alpha=1.0)


def test_graphical_zero_weight_endpoints_get_adjusted_p_one() -> None:
    # nothing ever flows to c: it can never be rejected, even with p = 0
    out = graphical(P3 | {"c": 0.0}, [0.5, 0.5, 0.0], [[0, 1, 0], [1, 0, 0], [0, 0, 0]])
    assert out["adjusted_p"].tolist() == [0.02, 0.02, 1.0]
    assert out["rejected"].tolist() == [True, True, False]


def test_methods_constant() -> None:
    assert METHODS == ("bonferroni", "holm", "hochberg", "fixed-sequence")
