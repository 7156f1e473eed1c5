"""The text of a gate-cost report (:meth:`quantum_train.experiments.query_cost.CostReport.table`, ``quantum-train resources``)."""

from __future__ import annotations

from typing import Any

from quantum_train.errors import for_command_line, for_python, option

#: A :class:`quantum_train.experiments.query_cost.CostReport`. Not imported: its ``table()`` imports this module, and the
#: project keeps its import graph free of cycles (tests/test_layering.py).
CostReportLike = Any


def _g(x: float) -> str:
    return f"{x:.3g}" if abs(x) >= 1e4 or (x and abs(x) < 1e-2) else f"{x:,.0f}" if x == int(x) else f"{x:.3g}"


def _intervals(iv) -> str:
    if not iv:
        return "never"
    return ", ".join(f"2^{i['from_m_log2']:g}.." + ("" if i["to_m_log2"] is None else f"2^{i['to_m_log2']:g}")
                     for i in iv)


def format_report(rep: CostReportLike, command_line: bool = False) -> str:
    """The text that ``quantum-train resources`` prints (``CostReport.table()``)."""
    lines: list[str] = []
    o = rep.options
    first = next(iter(rep.per_input.values()))
    what = f"k = {o.k} marked items ({option('k')})" if o.k is not None else f"one input fires {rep.fired} neurons"
    lines.append(f"m={rep.m} d={rep.d} p={rep.bits} bits, b={rep.b:.4f}, seed {rep.seed}: {what}; find-all "
          f"({rep.strategy}, delta {rep.delta:g}, exact emulator) found {rep.found}")
    lines.append(f"convention: uncompute = {o.uncompute}, adder = {o.adder}"
          + (f", at most {o.max_logical_qubits} logical qubits" if o.max_logical_qubits else ""))
    lines.append(f"queries per input: {first.queries} = {first.grover_queries} Grover iterations + "
          f"{first.counting_queries} controlled (counting) + {first.check_queries} classical checks")
    lines.append(f"{'per query':<16s} {'lookup':>9s} {'unlookup':>9s} {'arith':>9s} {'diffusion':>9s} {'Toffoli':>9s} "
          f"{'depth':>9s} {'qubits':>9s} {'meas.':>9s} {'ctrl ops':>9s}")
    for model, qc in rep.per_query.items():
        flag = "" if qc.within_budget else " (over the qubit budget)"
        lines.append(f"{model:<16s} {_g(qc.lookup_toffoli):>9s} {_g(qc.unlookup_toffoli):>9s} {_g(qc.arithmetic_toffoli):>9s} "
              f"{_g(qc.diffusion_toffoli):>9s} {_g(qc.toffoli):>9s} {_g(qc.toffoli_depth):>9s} "
              f"{_g(qc.logical_qubits):>9s} {_g(qc.measurements):>9s} {_g(qc.classical_control_ops):>9s}{flag}")
    head = (f"{'per input':<16s} {'Toffoli':>9s} {'/ scan':>9s} {'ctrl ops':>9s} {'/ scan':>9s} "
            f"{'volume':>9s} {'run Tof.':>9s}")
    if rep.physical:
        head += f" {'phys. q':>9s} {'QDK s':>9s} {'depth s':>9s} {'/ scan s':>9s}"
    lines.append(head)
    rounds = rep.rounds if o.ft_program == "round" else 1
    for model, ic in rep.per_input.items():
        control = rep.classical_control_per_input(model)
        line = (f"{model:<16s} {_g(ic.toffoli):>9s} {_g(ic.toffoli / rep.scan.toffoli):>9s} {_g(control):>9s} "
                f"{_g(control / rep.scan.toffoli):>9s} {_g(ic.logical_qubits * ic.toffoli_depth):>9s} "
                f"{_g(o.n * o.iters * ic.toffoli):>9s}")
        if rep.physical:
            est, dl = rep.physical[model], rep.depth_limited[model]
            best = min(est.runtime_seconds * rounds, dl.runtime_seconds)
            line += (f" {_g(est.physical_qubits):>9s} {_g(est.runtime_seconds * rounds):>9s} "
                     f"{_g(dl.runtime_seconds):>9s} {_g(best / rep.scan_seconds):>9s}")
        lines.append(line)
    lines.append(f"classical scan  {rep.scan.multiply_adds} multiply-adds = {_g(rep.scan.toffoli)} Toffolis reversibly "
          f"({o.adder} adders); {rep.scan_seconds:.3g} s measured here (numpy, median of {rep.scan_repeats} repeats, "
          f"{rep.scan_seconds_min:.3g}..{rep.scan_seconds_max:.3g} s, {rep.scan_measured_rows} rows timed)")
    lines.append(f"training run: n = {o.n} inputs x T = {o.iters} iterations: 'run Tof.' is the quantum Toffolis; the scan "
          f"takes {_g(o.n * o.iters * rep.scan.toffoli)} Toffolis, {o.n * o.iters * rep.scan_seconds:.3g} s")
    notes = []
    for model in ("selectswap", "selectswap-dirty"):
        if model in rep.per_query:
            notes.append(f"{model} block {rep.per_query[model].block_size}")
    unl = {m: c.unlookup_block for m, c in rep.per_query.items() if c.unlookup_block}
    if unl:
        notes.append("unlookup one-hot register " + ", ".join(f"{m} k={k}" for m, k in unl.items()))
    if "qram" in rep.per_query:
        notes.append(f"qram: {rep.per_query['qram'].qram_routers} routers not charged")
    if "bucket-brigade" in rep.per_query:
        notes.append(f"bucket-brigade: {rep.per_query['bucket-brigade'].variant}")
    if rep.physical:
        est = next(iter(rep.physical.values()))
        notes.append(est.assumptions + f"; one program = {o.ft_program}; 'depth s': Toffoli depth x max(3 logical "
                     f"cycles, {next(iter(rep.depth_limited.values())).reaction_seconds:g} s reaction), factories "
                     "for the widest layer")
    lines.append("; ".join(notes))
    lines.append("ctrl ops: " + "classical bit operations of the control system (lookup streaming, unlookup fix-up "
          "parities); not charged in the Toffoli ratios, compared with the scan's reversible Toffolis")
    if rep.crossover:
        lines.append(f"crossover in m (2^10..2^64): {'model':<16s} {'Toffolis':<24s} wall")
        for model, row in rep.crossover.items():
            wall = _intervals(row["wall"]) if rep.physical else f"(needs {option('physical', True)})"
            lines.append(f"{'':<28s} {model:<16s} {_intervals(row['toffoli']):<24s} {wall}")
    lines.append(rep.assumptions_text)
    return (for_command_line if command_line else for_python)("\n".join(lines))
