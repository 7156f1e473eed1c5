"""``quantum-train circuit``: one Grover search circuit on a simulator, a fake device or IBM Quantum.

``m`` items on ``q = ceil(log2 m)`` qubits, a marked set (``--marked`` or
``--k`` random indices), ``j`` Grover iterations (``auto``: the optimal
``floor(pi / (4 theta))``). Printed: the counts, the measured and the ideal
success probability (and the uniform guess ``k / 2^q``), depth and two-qubit
gates of the circuit, saying whether it was transpiled (for a device) or not (Aer), the hardware oracle chosen, the
backend and the job id. ``--no-wait`` (``ibm:`` backends) returns after
submitting; ``quantum-train job <id>`` fetches the result later.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

from circuits.errors import BackendError, JobFailedError, TooManyQubitsError, UnknownBackendError
from circuits.problem import as_marked, num_qubits_for
from circuits.run import check_shots, outcome_stats, prepare_search_circuit, search_iterations
from quantum_train.core.grover_options import executor_for
from quantum_train.errors import ConfigError, UsageError
from quantum_train.face.commands.common import check_outputs, mark_defaults, positive, seed_option, size
from quantum_train.output.io import atomic_write, write_json


def register(sub) -> None:
    p = sub.add_parser("circuit", help="run one Grover search circuit on a simulator, fake device or IBM Quantum",
                       description=__doc__.splitlines()[0])
    p.add_argument("--m", type=size, required=True, help="items (q = ceil(log2 m) qubits; at most 32 on devices)")
    which = p.add_mutually_exclusive_group()  # one is needed unless --oracle arithmetic (checked in run)
    which.add_argument("--marked", help="comma list of marked item indices, e.g. 3,17")
    which.add_argument("--k", type=int, help="mark k random distinct items (seeded)")
    p.add_argument("--iterations", default="auto", help="Grover iterations: auto (optimal for k) or an integer")
    p.add_argument("--backend", required=True, help="aer, aer-noisy:<fake name>, <fake name> (e.g. fake_torino), "
                   "ibm:<device> or ibm:least_busy")
    p.add_argument("--shots", type=size, default=1024, help="shots (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="seed of --k, the simulators and transpilation (default: %(default)s)")
    p.add_argument("--json", metavar="PATH", help="write the result as JSON (atomically)")
    p.add_argument("--draw", metavar="PATH", help="save the (logical) circuit diagram as PNG, folded to a readable width")
    p.add_argument("--no-wait", action="store_true", help="ibm: backends: submit, print the job id and return")
    p.add_argument("--timeout", type=float, default=3600.0,
                   help="seconds to wait for an ibm: job (default: %(default)s)")
    p.add_argument("--oracle", default="table",
                   help="table (a marked set, --marked or --k) or arithmetic: the gate-level oracle of a tiny network "
                   "(--m <= 16, --d, --bits), built, run on aer and drawn (default: %(default)s)")
    p.add_argument("--d", type=int, default=1, help="--oracle arithmetic: input dimension (default: %(default)s)")
    p.add_argument("--bits", type=int, default=3, help="--oracle arithmetic: fixed-point bits p (default: %(default)s)")
    p.add_argument("--uncompute", default="measurement",
                   help="--oracle arithmetic: measurement (measured ANDs, Gidney adders, measured unlookup) or "
                   "unitary (X/CX/CCX only) (default: %(default)s)")
    mark_defaults(p, "uncompute")
    p.set_defaults(handler=run)


def _marked(args) -> tuple[np.ndarray, int]:
    positive("--m", args.m)
    q = num_qubits_for(args.m)
    if args.marked is not None:
        parts = [s.strip() for s in args.marked.split(",")]
        if any(parts) and not all(parts):
            raise ConfigError("--marked", f"empty entry in {args.marked!r}; separate the indices by single commas")
        try:
            values = [int(s) for s in parts if s]
        except ValueError:
            raise ConfigError("--marked", f"expected a comma list of integers, got {args.marked!r}") from None
        if not values:
            raise ConfigError("--marked", "name at least one marked index, e.g. --marked 3,17 (a search with "
                              "nothing marked has nothing to find)")
        try:
            return as_marked(np.array(values, dtype=np.int64), args.m, "--marked"), q
        except ValueError as err:
            raise ConfigError("--marked", str(err)) from None
    if not 1 <= args.k <= args.m:
        raise ConfigError("--k", f"must be in [1, m] = [1, {args.m}], got {args.k} (a search with nothing "
                          "marked has nothing to find)")
    rng = np.random.default_rng(args.seed)
    return np.sort(rng.choice(args.m, size=args.k, replace=False)).astype(np.int64), q


def _iterations(text: str, k: int, q: int) -> int:
    if text != "auto":
        try:
            text = int(text)
        except ValueError:
            raise ConfigError("--iterations", f"expected auto or an integer >= 0, got {text!r}") from None
    try:
        return search_iterations(text, k, q)
    except ValueError as err:
        raise ConfigError("--iterations", str(err).removeprefix("iterations ")) from None


def jobs_dir() -> str:
    """Where submitted IBM jobs are recorded (``QUANTUM_TRAIN_JOBS``, else ``~/.cache/quantum-train/jobs``)."""
    return os.environ.get("QUANTUM_TRAIN_JOBS") or os.path.join(os.path.expanduser("~"), ".cache", "quantum-train", "jobs")


def save_job_record(record: dict) -> str:
    directory = jobs_dir()
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"{record['job_id']}.json")
    atomic_write(path, json.dumps(record, indent=1).encode())
    return path


#: Fields a job record must hold to decode its result.
RECORD_FIELDS = ("job_id", "backend", "m", "num_qubits", "marked", "iterations")


def load_job_record(job_id: str) -> dict | None:
    """The record saved at submission, None if there is none, or a :class:`ConfigError` if it is unreadable."""
    path = os.path.join(jobs_dir(), f"{os.path.basename(job_id)}.json")
    if not os.path.exists(path):
        return None
    try:
        with open(path) as fh:
            record = json.load(fh)
        missing = [f for f in RECORD_FIELDS if f not in record]
    except (OSError, ValueError, TypeError) as err:
        raise ConfigError("job_id", f"the record {path} is unreadable ({type(err).__name__}); "
                          "delete it and submit the circuit again") from None
    if missing:
        raise ConfigError("job_id", f"the record {path} lacks {', '.join(missing)}; "
                          "delete it and submit the circuit again")
    return record


def report(record: dict, outcomes: np.ndarray) -> dict:
    """Counts and success probabilities of measured ``outcomes``; printed, and returned for ``--json``."""
    marked = np.asarray(record["marked"], dtype=np.int64)
    q, j = int(record["num_qubits"]), int(record["iterations"])
    st = outcome_stats(outcomes, marked, q, j)
    values = np.fromiter(st.counts, dtype=np.int64, count=len(st.counts))
    counts = np.fromiter(st.counts.values(), dtype=np.int64, count=len(st.counts))
    order = np.lexsort((values, -counts))
    is_marked = np.isin(values, marked)
    print(f"backend {record['backend']} ({record['backend_label']})" +
          (f", job {record['job_id']}" if record.get("job_id") else ""))
    print(f"m={record['m']} q={q} marked={marked.tolist()} iterations={j} shots={st.shots}")
    print(f"{'index':>6s} {'bits':>{q}s} {'count':>7s}  marked")
    for i in order[:min(len(order), 16)]:
        print(f"{values[i]:6d} {int(values[i]):0{q}b} {counts[i]:7d}  {'*' if is_marked[i] else ''}")
    if len(order) > 16:
        print(f"... {len(order) - 16} more outcomes")
    print(f"success probability: measured {st.success_probability:.4f} (+- {st.stderr:.4f}), "
          f"ideal {st.ideal_success_probability:.4f}, uniform guess {st.uniform_guess:.4f}")
    print(gate_report(record))
    return {**record, **st.to_dict()}


def gate_report(record: dict) -> str:
    """The line on the circuit's size, saying whether it was transpiled: a device circuit is (to the device's
    ISA, with the hardware oracle chosen); an Aer or emulator circuit is not, and its multi-qubit
    ``DiagonalGate`` oracle counts as one gate."""
    if record.get("oracle"):  # only device circuits choose a hardware oracle, after transpiling each candidate
        return (f"circuit transpiled for {record['transpiled_for']}: depth {record['depth']}, two-qubit gates "
                f"{record['two_qubit_gates']}; oracle {record['oracle']} (two-qubit gates of each candidate: "
                f"{record['oracle_candidates']})")
    return (f"circuit not transpiled ({record['backend']} runs the DiagonalGate oracle natively): depth "
            f"{record['depth']}, gates on two or more qubits {record['two_qubit_gates']} (each DiagonalGate counts as one)")




def run(args: argparse.Namespace) -> int:
    seed_option("--seed", args.seed)
    if args.oracle not in ("table", "arithmetic"):
        raise ConfigError("--oracle", f"unknown oracle {args.oracle!r}; choose table or arithmetic")
    if args.oracle == "arithmetic":
        from quantum_train.face.commands.circuit_arithmetic import check_arithmetic, run_arithmetic

        check_arithmetic(args)
        positive("--shots", args.shots)
        check_outputs(json=args.json, draw=args.draw)
        return run_arithmetic(args)
    if args.marked is None and args.k is None:
        raise ConfigError("--marked", "give --marked or --k (the marked set), or use --oracle arithmetic")
    marked, q = _marked(args)
    j = _iterations(args.iterations, len(marked), q)
    positive("--shots", args.shots)
    try:
        check_shots(args.shots)  # at most MAX_SHOTS: every shot is kept as one outcome
    except ValueError as err:
        raise ConfigError("--shots", str(err)) from None
    if not args.timeout > 0:
        raise ConfigError("--timeout", f"must be positive, got {args.timeout}")
    check_outputs(json=args.json, draw=args.draw, command="circuit")
    if args.backend == "emulator":
        raise ConfigError("--backend", "the emulator samples ideal statistics without circuits; choose aer, "
                          "aer-noisy:<fake name>, <fake name> or ibm:<device>")
    if args.no_wait and not args.backend.startswith("ibm:"):
        raise ConfigError("--no-wait", "only for ibm: backends (local simulations finish in this process)")
    executor = executor_for(args.backend, args.m if args.backend == "aer" else None, "bbht")

    start = time.perf_counter()
    try:
        search = prepare_search_circuit(args.m, marked, executor, j, seed=args.seed, timeout=args.timeout)
    except TooManyQubitsError as err:
        raise ConfigError("--m", str(err)) from None
    except UnknownBackendError as err:
        raise ConfigError("--backend", str(err)) from None
    except BackendError as err:  # e.g. an ibm: device that is not available, or no connection
        raise UsageError(str(err)) from None
    except ValueError as err:  # an executor that runs no circuits
        raise ConfigError("--backend", str(err)) from None
    record = search.describe() | {"backend": args.backend}
    try:
        job = search.submit(args.shots)
    except BackendError as err:
        raise UsageError(str(err)) from None
    if job.job_id is not None:  # only IBM Quantum jobs can be fetched later
        record["job_id"] = job.job_id
        print(f"submitted job {job.job_id} to {search.backend_name}")
        save_job_record(record)
    elif search.backend_name is not None:  # a device backend in local mode: the run ends here
        print(f"running locally on {search.backend_name} (Runtime local mode: no job to fetch later)")
    if args.no_wait:
        print(f"not waiting; fetch the result later with: quantum-train job {job.job_id}")
        return 0
    try:
        run = job.result()
    except JobFailedError as err:
        raise UsageError(str(err)) from None
    outcomes = run.outcomes
    seconds = time.perf_counter() - start
    out = report(record, outcomes)
    print(f"{seconds:.2f} s wall (classical simulation time for aer and fake backends)")
    if args.json:
        write_json(args.json, out | {"seconds": seconds})
        print(f"wrote {args.json}")
    if args.draw:
        from quantum_train.output.plots import save_circuit_png

        save_circuit_png(args.draw, run.circuit)
        print(f"wrote {args.draw}")
    return 0
