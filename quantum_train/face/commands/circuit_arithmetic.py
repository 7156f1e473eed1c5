"""``quantum-train circuit --oracle arithmetic``: build, run and draw the gate-level oracle's search for a tiny instance.

(No ``register``: the ``circuit`` command calls :func:`run_arithmetic`.)

A fresh network of ``m`` neurons in ``R^d`` (seeded) and one random unit
input, rounded to ``p = --bits`` bits (:mod:`circuits.fixed_point`); the
oracle marks the quantized fired set. ``--uncompute measurement`` builds it
as :func:`circuits.measured_oracle.measured_oracle` (measured ANDs, Gidney
adders, measurement-based unlookup: mid-circuit measurement and ``if_test``),
``unitary`` as :func:`circuits.arithmetic_oracle.arithmetic_oracle` (X/CX/CCX
only). ``j`` Grover iterations run on Aer's matrix-product-state method;
printed: the counts and success probability, the query's CCX, measurements and
qubits beside the closed form of :mod:`circuits.resources` in the same
convention, so that a reader sees the circuit whose cost ``resources`` reports.
``--draw`` saves one query (oracle and diffusion).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from circuits.arithmetic_oracle import ALL_COORDINATES, PER_COORDINATE, arithmetic_oracle, oracle_shape
from circuits.fixed_point import MIN_BITS, fixed_point_instance
from circuits.problem import num_qubits_for
from circuits.resources import UNCOMPUTE_MODES, qrom_cost
from circuits.run import outcome_stats, search_iterations
from quantum_train.core.grover_options import check_mid_circuit
from quantum_train.errors import ConfigError
from quantum_train.face.commands.common import given
from quantum_train.output.io import write_json

#: the largest tiny instance: Aer simulates every gate of every query
MAX_M, MAX_D, MAX_BITS = 16, 2, 4


def check_arithmetic(args: argparse.Namespace) -> None:
    """The options of the arithmetic branch (ConfigError), before any work."""
    if given(args, "uncompute"):
        check_mid_circuit(args.uncompute, "arithmetic", [args.backend])
    if args.backend != "aer":
        raise ConfigError("--backend", f"the arithmetic oracle runs on aer only (gate-level circuits with mid-circuit "
                          f"measurement), got {args.backend!r}")
    if args.marked is not None or args.k is not None:
        raise ConfigError("--oracle", "the arithmetic oracle marks the network's fired set; drop --marked and --k")
    if not 1 <= args.m <= MAX_M:
        raise ConfigError("--m", f"the arithmetic oracle's circuit serves 1 <= m <= {MAX_M} here, got {args.m}")
    if not 1 <= args.d <= MAX_D:
        raise ConfigError("--d", f"must be in [1, {MAX_D}] for the arithmetic oracle's circuit, got {args.d}")
    if not MIN_BITS <= args.bits <= MAX_BITS:
        raise ConfigError("--bits", f"must be in [{MIN_BITS}, {MAX_BITS}] for the drawn circuit, got {args.bits}")
    if args.uncompute not in UNCOMPUTE_MODES:
        raise ConfigError("--uncompute", f"unknown convention {args.uncompute!r}; choose one of "
                          f"{', '.join(UNCOMPUTE_MODES)}")


def run_arithmetic(args: argparse.Namespace) -> int:
    from qiskit_aer import AerSimulator

    from circuits.arithmetic_search import grover_iteration, measured_search_circuit, search_circuit
    from circuits.measured_oracle import measured_grover_iteration, measured_oracle
    from quantum_train.core.model import ShiftedReLUNet
    from quantum_train.data.datasets import synthetic

    net = ShiftedReLUNet.initialize(args.m, args.d, seed=args.seed)
    x = synthetic(1, args.d, seed=args.seed).X[0]
    inst = fixed_point_instance(net.W, x, net.b, args.bits)
    marked = inst.marked()
    q = num_qubits_for(args.m)
    try:
        j = search_iterations(args.iterations, len(marked), q)
    except ValueError as err:
        raise ConfigError("--iterations", str(err)) from None
    start = time.perf_counter()
    if args.uncompute == "measurement":
        oracle = measured_oracle(inst)
        query = measured_grover_iteration(oracle)
        circuit = measured_search_circuit(query, q, j)
        layout, adder = ALL_COORDINATES, "gidney"
        closed = qrom_cost(oracle_shape(inst, layout), "measurement", adder, unlookup_block=1)
    else:
        oracle = arithmetic_oracle(inst, [], PER_COORDINATE)
        query = grover_iteration(oracle)
        circuit = search_circuit(oracle, j, query)
        layout, adder = PER_COORDINATE, "cdkm"
        closed = qrom_cost(oracle_shape(inst, layout), "unitary", adder)
    sim = AerSimulator(method="matrix_product_state")
    result = sim.run(circuit, shots=args.shots, memory=True, seed_simulator=args.seed).result()
    outcomes = np.array([int(bits.split()[-1], 2) for bits in result.get_memory()], dtype=np.int64)
    seconds = time.perf_counter() - start
    st = outcome_stats(outcomes, marked, q, j)
    ops = query.count_ops()
    out = {"oracle": "arithmetic", "uncompute": args.uncompute, "adder": adder, "layout": layout,
           "m": args.m, "d": args.d, "bits": args.bits, "b": net.b, "seed": args.seed,
           "marked": marked.tolist(), "iterations": j, "query_ccx": int(ops.get("ccx", 0)),
           "query_measurements": int(ops.get("measure", 0)), "query_qubits": query.num_qubits,
           "closed_form_toffoli": closed.toffoli, "closed_form_measurements": closed.measurements,
           "closed_form_logical_qubits": closed.logical_qubits, **st.to_dict(), "seconds": seconds}
    print(f"arithmetic oracle, m={args.m} d={args.d} p={args.bits}: quantized fired set {marked.tolist()}; "
          f"{j} Grover iterations, {args.shots} shots on aer (matrix-product state)")
    print(f"success probability {st.success_probability:.3f} +- {st.stderr:.3f} (ideal "
          f"{st.ideal_success_probability:.3f}, uniform guess {st.uniform_guess:.3f}); counts {st.counts}")
    print(f"one query ({args.uncompute} uncompute, {adder} adders, {layout}): {out['query_ccx']} CCX, "
          f"{out['query_measurements']} mid-circuit measurements, {query.num_qubits} qubits; closed form "
          f"(circuits.resources): {closed.toffoli} Toffolis, {closed.measurements} measurements, "
          f"{closed.logical_qubits} qubits")
    print(f"{seconds:.2f} s wall (classical simulation time)")
    if args.json:
        write_json(args.json, out)
        print(f"wrote {args.json}")
    if args.draw:
        from quantum_train.output.plots import save_circuit_png

        save_circuit_png(args.draw, query)
        print(f"wrote {args.draw}")
    return 0
