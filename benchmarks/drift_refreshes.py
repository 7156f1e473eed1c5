"""Where drift's ops go over a long run, iteration by iteration, and whether re-anchoring earlier helps.

    python benchmarks/drift_refreshes.py                          # n=1024, m=2^16, d=8, 100 iterations
    python benchmarks/drift_refreshes.py --reanchor rent          # also: re-anchor by the rent-or-buy rule
    python benchmarks/drift_refreshes.py --m 2^20 --d 16 --iters 30
    python benchmarks/drift_refreshes.py --tau 0.2                # a wider candidate band

For each iteration of a fused drift run (``compare``'s synthetic data, seed
``--seed``): the neurons refreshed (their drift reach passed ``tau``), the
pairs re-decided, drift's ops against dense's ``n m``, and the drift against
``tau``: the median of each moved neuron's step length and the share of
neurons whose certified drift bound since their anchor is past ``tau / 2``
and ``tau``. Ops are counts, not seconds: this is a study of the algorithm,
which a busy machine does not disturb.

``--reanchor rent`` adds a second run of the finder with one change: a
neuron whose re-decisions since its anchor add up to ``n`` (the ops of one
refresh: it has paid a refresh's price in rent) is re-anchored after the
step (a refresh at its current weights, counted as ``n`` ops as every
refresh is). Its fired set is exact before and after, so nothing else
changes: the script checks that the weights equal the plain run's at the end.
This is the amortised re-anchor the ski-rental argument suggests (at most
twice the better of renting and buying, per neuron); it is an experiment
here, not a finder option.
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np
from _problem import add_problem_options, problem  # beside this script

from quantum_train.core.train import train
from quantum_train.experiments.comparison import warm_up
from quantum_train.finders.drift import DEFAULT_TAU, DriftFinder


class Observed(DriftFinder):
    """The fused drift finder, recording per step what the state says (and optionally re-anchoring)."""

    def __init__(self, rent: bool = False, tau: float = DEFAULT_TAU):
        super().__init__(tau)
        self.rent = rent
        self.rows: list[dict] = []
        self.paid: np.ndarray | None = None  # re-decisions per neuron since its anchor

    def fused_step(self, net, X, err, lr, next_forward):
        before_w = net.W.copy()
        refreshed, rechecked = self.refreshed, self.rechecked
        step = super().fused_step(net, X, err, lr, next_forward)
        n = X.shape[0]
        if self.paid is None:
            self.paid = np.zeros(net.m, dtype=np.int64)
        fresh = np.all(self.A == net.W, axis=1)  # anchored at the current weights: just refreshed
        self.paid[fresh] = 0
        self.paid += self.near
        reanchored = 0
        if self.rent and step.next is not None:
            due = np.flatnonzero(self.paid >= n)
            if len(due):
                before = self.ops
                self._refresh(net, X, due)  # fired sets unchanged: they are exact at these weights
                self.paid[due] = 0
                reanchored = len(due)
                step = dataclasses.replace(step, find_ops=step.find_ops + self.ops - before)
        moved = np.linalg.norm(net.W - before_w, axis=1)
        bound = self.drift_bound
        self.rows.append({"refreshed": self.refreshed - refreshed, "reanchored": reanchored,
                          "redecided": self.rechecked - rechecked, "find_ops": step.find_ops,
                          "step_median": float(np.median(moved[moved > 0])) if (moved > 0).any() else 0.0,
                          "past_half_tau": float(np.mean(bound >= self.tau / 2)),
                          "near_positive": float(np.mean(self.near > 0))})
        return step


def run(args, rent: bool):
    data, net, lr = problem(args)
    finder = Observed(rent, args.tau)
    result = train(net, data.X, data.y, finder, args.iters, lr)
    return finder, result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_problem_options(p, m=2**16, d=8, iters=100, seed_default=0)
    p.add_argument("--tau", type=float, default=DEFAULT_TAU, help=f"drift's candidate band (default {DEFAULT_TAU})")
    p.add_argument("--reanchor", choices=["rent"], help="also run with the rent-or-buy re-anchor")
    args = p.parse_args()
    warm_up("drift", args.d, 0)
    print(f"n={args.n} m={args.m} d={args.d} iters={args.iters} seed={args.seed}; dense ops per iteration: "
          f"n m = {args.n * args.m}")
    runs = [("plain", False)] + ([("rent", True)] if args.reanchor else [])
    results = {}
    for label, rent in runs:
        finder, result = run(args, rent)
        results[label] = (finder, result)
        ops = np.asarray(result.ledger.series(what="ops"), dtype=float)
        dense = float(args.n * args.m)
        print(f"\n{label}: tau {finder.tau}; per iteration (the find of iteration t is the re-check of the step "
              "before it)")
        print(f"{'iter':>4s} {'refreshed':>9s} {'re-anch.':>8s} {'re-decided':>10s} {'find ops':>10s} "
              f"{'ops':>10s} {'vs dense':>8s} {'step med':>9s} {'>=tau/2':>7s} {'near>0':>7s}")
        for t, row in enumerate(finder.rows):
            shown = t < 12 or t % 10 == 9 or t == len(finder.rows) - 1
            if shown and t + 1 < len(ops):
                print(f"{t + 1:4d} {row['refreshed']:9d} {row['reanchored']:8d} {row['redecided']:10d} "
                      f"{row['find_ops']:10d} {ops[t + 1]:10.4g} {dense / ops[t + 1]:7.1f}x "
                      f"{row['step_median']:9.2e} {row['past_half_tau']:7.3f} {row['near_positive']:7.3f}")
        for lo, hi in ((1, 4), (10, 20), (2 * args.iters // 3, args.iters), (10, args.iters), (0, args.iters)):
            if hi <= len(ops) and lo < hi:
                print(f"  iterations {lo}-{hi - 1}: ops vs dense {dense * (hi - lo) / ops[lo:hi].sum():.1f}x")
        print(f"  refreshes {finder.refreshed}, re-decided pairs {finder.rechecked}, candidates stored "
              f"{int(finder.length.sum())}, final loss {result.final_loss}")
    if "rent" in results:
        same = np.array_equal(results["plain"][1].W, results["rent"][1].W)
        print(f"\nweights after the run identical with and without re-anchoring: {same}")
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
