"""``quantum-train job <id>``: fetch a job submitted to IBM Quantum by ``quantum-train circuit``.

Prints the job's status; once it is done, the same report as ``circuit``
(counts, measured and ideal success probability), decoded with the record
that ``circuit`` saved at submission (``~/.cache/quantum-train/jobs/<id>.json``,
or ``$QUANTUM_TRAIN_JOBS``).
"""

from __future__ import annotations

import argparse

from quantum_train.errors import ConfigError, UsageError
from quantum_train.face.commands.circuit import load_job_record, report
from quantum_train.face.commands.common import check_output_path
from quantum_train.output.io import write_json


def register(sub) -> None:
    p = sub.add_parser("job", help="fetch the result of an IBM Quantum job submitted with circuit --no-wait",
                       description=__doc__.splitlines()[0])
    p.add_argument("job_id", help="the job id printed by quantum-train circuit")
    p.add_argument("--json", metavar="PATH", help="write the result as JSON (atomically)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    check_output_path("--json", args.json, command="circuit")  # a job writes the circuit command's document
    record = load_job_record(args.job_id)
    if record is None:
        raise ConfigError("job_id", f"no record of job {args.job_id!r} (jobs submitted by quantum-train circuit "
                          "on an ibm: backend are recorded at submission)")
    from circuits import ibm

    try:
        ibm.require_runtime("quantum-train job")
        service = ibm.connect_service()
        job = ibm.fetch_job(args.job_id, service)
        status = job.status()
        status = str(getattr(status, "name", status))
    except ibm.BackendError as err:
        raise UsageError(str(err)) from None
    except Exception as err:  # noqa: BLE001 - network failures: one line
        raise UsageError(f"cannot query job {args.job_id}: {type(err).__name__}: {ibm._first_line(err)}") from None
    print(f"job {args.job_id} on {record.get('backend_name', record['backend'])}: {status}")
    if status in ("ERROR", "CANCELLED"):
        raise UsageError(f"job {args.job_id} ended {status}"
                         + (f": {job.error_message()}" if hasattr(job, "error_message") and job.error_message() else ""))
    if status != "DONE":
        print(f"not finished; try again later: quantum-train job {args.job_id}")
        return 0
    try:
        result = job.result()
    except Exception as err:  # noqa: BLE001
        raise UsageError(f"job {args.job_id} failed: {type(err).__name__}: {ibm._first_line(err)}") from None
    from qiskit import QuantumCircuit

    q = int(record["num_qubits"])
    outcomes = ibm.outcomes_of(result[0], QuantumCircuit(q, q))
    out = report(record, outcomes)
    if args.json:
        write_json(args.json, out)
        print(f"wrote {args.json}")
    return 0
