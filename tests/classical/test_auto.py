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


@pytest.mark.parametrize("d", [7, 8, 16])
def test_scan_from_d_takes_the_scan_without_a_probe(d: int, rng) -> None:
    """At ``d >= scan_from_d`` the scan is chosen by the rule (no probe, no tree); below it the probe decides."""
    P = rng.standard_normal((5000, d))
    a = AutoHSR(probe_queries=8, min_points=1000, scan_from_d=8).build(P)
    if d >= 8:
        assert a.chosen == "brute" and a.probe == {} and f"d = {d} >= 8" in a.reason
        assert a.stats.build_ops == 0  # nothing was spent choosing
    else:
        assert a.probe["d"] == d and a.reason.startswith("kd-tree")
    Q = rng.standard_normal((5, d))
    got = a.query_many(Q, 1.5)
    ref = oracle_csr(P, Q, 1.5)
    np.testing.assert_array_equal(got[0], ref[0])
    np.testing.assert_array_equal(got[1], ref[1])


@pytest.mark.parametrize(("name", "d", "tree"), [("weights-hsr", 16, False), ("data-hsr", 8, False),
                                                 ("weights-hsr:brute", 4, False), ("weights-hsr", 4, True),
                                                 ("data-hsr:kdtree", 16, True)])
def test_hsr_warm_up_compiles_a_tree_only_where_the_run_can_use_one(name, d, tree, monkeypatch) -> None:
    """The finders' automatic choice takes the scan from ``SCAN_FROM_D`` on, and its warm-up builds no tree there."""
    from quantum_train.experiments.comparison import warm_up
    from quantum_train.finders import hsr

    built = []

    class Recorded(KDTreeHSR):
        def build(self, points):
            built.append(points.shape)
            return super().build(points)

    monkeypatch.setattr(hsr, "KDTreeHSR", Recorded)
    warm_up(name, d, 0)
    assert bool(built) == tree
    assert hsr.SCAN_FROM_D == 8
    rng = np.random.default_rng(4)
    X = rng.standard_normal((40, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    from quantum_train.core.model import ShiftedReLUNet
    from quantum_train.finders import make_finder

    finder = make_finder(name.partition(":")[0])
    finder.prepare(ShiftedReLUNet.initialize(8192, d, seed=1), X)
    chosen = finder.report()["structure_chosen"]
    assert chosen == "brute" if d >= hsr.SCAN_FROM_D else chosen in ("brute", "kdtree")
