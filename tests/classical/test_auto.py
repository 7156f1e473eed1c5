"""AutoHSR: the choice is explained, and either choice is exact."""

from __future__ import annotations

import numpy as np
import pytest

from classical.auto import AutoHSR, choose_hsr
from classical.brute import BruteForceHSR
from classical.hsr import HalfSpaceReporter
from classical.kdtree import KDTreeHSR

from .hsr_oracle import oracle_csr


def test_protocol_and_errors_before_build() -> None:
    a = AutoHSR()
    assert isinstance(a, HalfSpaceReporter)
    with pytest.raises(RuntimeError, match="build"):
        a.query(np.ones(2), 0.0)
    with pytest.raises(ValueError, match="prefer"):
        AutoHSR(prefer="faiss")


def test_small_sets_use_brute_force(rng) -> None:
    a = choose_hsr(rng.standard_normal((100, 3)))
    assert a.chosen == "brute" and isinstance(a.impl, BruteForceHSR) and "min_points" in a.reason
    e = choose_hsr(np.empty((0, 3)))
    assert e.chosen == "brute" and e.query(np.ones(3), 0.0).size == 0


@pytest.mark.parametrize("prefer, cls", [("kdtree", KDTreeHSR), ("brute", BruteForceHSR)])
def test_forced_choice_is_exact_with_moves(prefer: str, cls: type, rng) -> None:
    P = rng.standard_normal((3000, 3))
    a = AutoHSR(prefer=prefer).build(P)
    assert a.chosen == prefer and isinstance(a.impl, cls) and "forced" in a.reason
    Q = rng.standard_normal((10, 3))
    ids = rng.choice(3000, size=100, replace=False)
    P[ids] += 0.5 * rng.standard_normal((100, 3))
    a.move(ids, P[ids])
    got = a.query_many(Q, 1.2)
    ref = oracle_csr(P, Q, 1.2)
    np.testing.assert_array_equal(got[0], ref[0])
    np.testing.assert_array_equal(got[1], ref[1])
    assert a.stats.queries == 10 and a.stats.moves == 100
    with pytest.raises(IndexError):
        a.move(np.array([3000]), np.ones((1, 3)))
    with pytest.raises(IndexError):
        a.move(np.array([-1]), np.ones((1, 3)))
    with pytest.raises(ValueError, match="repeat"):
        a.move(np.array([1, 1]), np.ones((2, 3)))


@pytest.mark.parametrize("d", [2, 12])
def test_probe_decides_and_reports(d: int, rng) -> None:
    """The probe records its measurements; the answers are exact whichever is chosen."""
    P = rng.standard_normal((20000, d))
    a = AutoHSR(probe_queries=16, min_points=1000).build(P)
    assert a.chosen in ("kdtree", "brute")
    assert a.reason.startswith("kd-tree prunes" if a.chosen == "kdtree" else "kd-tree cannot prune")
    assert {"t_brute", "t_tree", "tree_ops_fraction", "b"} <= set(a.probe)
    assert a.probe["n"] == 20000 and a.probe["d"] == d
    Q = rng.standard_normal((6, d))
    Q /= np.linalg.norm(Q, axis=1, keepdims=True)
    got = a.query_many(Q, 2.0)
    ref = oracle_csr(P, Q, 2.0)
    np.testing.assert_array_equal(got[0], ref[0])
    np.testing.assert_array_equal(got[1], ref[1])


def test_probe_ops_fraction_reflects_dimension(rng) -> None:
    """Deterministic part of the probe: the tree's work relative to a scan grows with d."""
    lo = AutoHSR(probe_queries=16, min_points=1, probe_b=2.3).build(rng.standard_normal((30000, 2)))
    hi = AutoHSR(probe_queries=16, min_points=1, probe_b=2.3).build(rng.standard_normal((30000, 16)))
    assert lo.probe["tree_ops_fraction"] < 0.1
    assert hi.probe["tree_ops_fraction"] > 0.5


def test_explicit_probe_validation(rng) -> None:
    with pytest.raises(ValueError, match="probe has dimension"):
        AutoHSR(probe=np.ones((4, 2)), min_points=1).build(rng.standard_normal((100, 3)))


def test_probe_work_is_charged_as_build_work() -> None:
    """Whatever AutoHSR spends choosing (tree build, probe queries) is preprocessing in its stats."""
    rng = np.random.default_rng(0)
    P = rng.standard_normal((6000, 3))
    auto = AutoHSR(probe_queries=8).build(P)
    assert auto.stats.build_ops >= 8 * 6000  # at least the brute-force probe
    assert auto.stats.queries == 0 and auto.stats.ops == auto.stats.build_ops
    small = AutoHSR().build(P[:100])  # below min_points: no probe, a scan costs nothing to build
    assert small.stats.build_ops == 0


def test_hsr_finders_probe_their_own_workload() -> None:
    """The automatic structure is timed on the queries the finder will ask, at the run's threshold."""
    from quantum_train.core.model import ShiftedReLUNet
    from quantum_train.finders import make_finder

    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 2))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    net = ShiftedReLUNet.initialize(8192, 2, seed=1)
    weights = make_finder("weights-hsr")
    weights.prepare(net, X)
    assert weights.structure.probe["b"] == net.b and weights.structure.probe["queries"] == 40
    assert weights.structure.probe["n"] == 8192
    for name, cls in (("weights-hsr:kdtree", KDTreeHSR), ("weights-hsr:brute", BruteForceHSR)):
        pinned = make_finder(name)
        pinned.prepare(net, X)
        assert isinstance(pinned.structure, cls) and pinned.name == name
        assert pinned.report()["structure"] == cls.__name__
