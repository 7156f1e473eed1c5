"""Device executors: noisy Aer, IBM fake backends in Runtime local mode, IBM Quantum hardware.

Backend names (:mod:`circuits.backends` resolves them):

- ``aer-noisy:<fake name>``: ``AerSimulator.from_backend(<fake backend>)`` (the
  fake device's noise model), run through Aer's ``SamplerV2``;
- ``<fake name>`` (``fake_torino``, ``fake_sherbrooke``, ...): IBM Runtime
  *local mode*, the fake backend passed as the sampler's ``mode``;
- ``ibm:<backend name>`` or ``ibm:least_busy``: IBM Quantum through
  ``QiskitRuntimeService`` (the account saved with
  ``QiskitRuntimeService.save_account`` or ``QISKIT_IBM_TOKEN``).

The Runtime sampler is the client-side ``qiskit_ibm_runtime.executor_sampler.Sampler``
(``SamplerV2`` is deprecated since qiskit-ibm-runtime 0.50); it accepts a fake
backend as ``mode`` (local mode) as well as a real one.

Every request of a :class:`~circuits.executors.Batch` becomes a measured
Grover circuit with a hardware oracle (:mod:`circuits.hardware_oracles`, the
construction with the fewest two-qubit gates after transpilation for this
device), made an ISA circuit by ``generate_preset_pass_manager(backend=...,
optimization_level=3)``, and the whole batch goes out as ONE sampler job. ISA
circuits are cached per (marked set, iterations), so a find-all that revisits
a state does not transpile again. Executors count no queries: noise only
changes which outcomes come back, and the search layer's classical check
(one query each) rejects the wrong ones.

``qiskit-ibm-runtime`` is optional (``pip install 'quantum-train[ibm]'``); it is
imported lazily, and :class:`MissingExtraError` says how to add it.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections import OrderedDict
from typing import Callable

import numpy as np
from qiskit import QuantumCircuit

from circuits.counting import _check_precision, controlled_grover_op, counting_circuit
from circuits.errors import (  # noqa: F401 (re-exported)
    IBM_EXTRA,
    BackendError,
    IBMAccountError,
    JobFailedError,
    MissingExtraError,
    TooManyQubitsError,
    UnknownBackendError,
)
from circuits.executors import GROVER, Batch, CircuitExecutor
from circuits.hardware_oracles import (
    HARDWARE_MAX_QUBITS,
    ORACLE_KINDS,
    ORACLES,
    hardware_grover_circuit,
    two_qubit_count,
)

#: ISA circuits kept per executor (least recently used dropped first)
ISA_CACHE_SIZE = 4096


def require_runtime(what: str):
    """Import ``qiskit_ibm_runtime`` or raise :class:`MissingExtraError` naming ``what`` needs it."""
    try:
        import qiskit_ibm_runtime
    except ImportError:
        raise MissingExtraError(f"{what} needs qiskit-ibm-runtime, which is not installed; "
                                f"add it with: {IBM_EXTRA}") from None
    return qiskit_ibm_runtime


# --------------------------------------------------------------------------- fake backends

def _fake_classes() -> dict[str, str]:
    """``fake_<name>`` -> class name in ``qiskit_ibm_runtime.fake_provider`` (no instantiation)."""
    fp = require_runtime("an IBM fake backend").fake_provider
    out = {}
    for cls in dir(fp):
        if not cls.startswith("Fake") or cls in ("FakeProviderForBackendV2", "FakeFractionalBackend"):
            continue
        base = cls.removeprefix("Fake")
        base = base[:-2] if base.endswith("V2") else base
        out["fake_" + re.sub(r"(?<!^)(?=[A-Z])", "_", base).lower()] = cls
    return out


def fake_backend_names() -> list[str]:
    """Names of the fake backends shipped with qiskit-ibm-runtime (``fake_torino``, ...)."""
    return sorted(_fake_classes())


def fake_backend(name: str):
    """A fresh fake backend by name; ``UnknownBackendError`` lists a few choices."""
    classes = _fake_classes()
    if name not in classes:
        some = ", ".join(n for n in ("fake_torino", "fake_sherbrooke", "fake_fez", "fake_kyiv") if n in classes)
        raise UnknownBackendError(f"unknown fake backend {name!r}; choose one of the {len(classes)} fake "
                                  f"backends of qiskit-ibm-runtime, e.g. {some}")
    from qiskit_ibm_runtime import fake_provider

    return getattr(fake_provider, classes[name])()


# --------------------------------------------------------------------------- IBM account

def resolve_account(filename: str | None = None):
    """The IBM Quantum account to use, without any network access.

    ``QISKIT_IBM_TOKEN`` (with ``QISKIT_IBM_INSTANCE``, ``QISKIT_IBM_CHANNEL``)
    wins; else the default account saved by ``QiskitRuntimeService.save_account``.
    Raises :class:`IBMAccountError` (one line, with the fix) when there is none.
    """
    require_runtime("an ibm: backend")
    from qiskit_ibm_runtime.accounts import AccountManager, AccountNotFoundError, InvalidAccountError

    try:
        return AccountManager.get(filename=filename)
    except (AccountNotFoundError, InvalidAccountError, ValueError) as err:
        raise IBMAccountError(
            "no IBM Quantum account: set QISKIT_IBM_TOKEN (and QISKIT_IBM_INSTANCE), or save one once with "
            "python -c \"from qiskit_ibm_runtime import QiskitRuntimeService as S; "
            "S.save_account(token='<API key>', instance='<CRN>', set_as_default=True)\" "
            f"({type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''})") from None


def connect_service(account=None):
    """A ``QiskitRuntimeService`` for the resolved account (network; tests replace this)."""
    from qiskit_ibm_runtime import QiskitRuntimeService

    if account is None:
        account = resolve_account()
    try:
        return QiskitRuntimeService(channel=account.channel, token=account.token, url=account.url,
                                    instance=account.instance, proxies=account.proxies,
                                    verify=account.verify)
    except Exception as err:  # noqa: BLE001 - network/auth failures of many kinds: one line
        raise IBMAccountError(f"cannot connect to IBM Quantum with the {account.channel} account: "
                              f"{type(err).__name__}: {_first_line(err)}") from None


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


# --------------------------------------------------------------------------- the executor

def _default_on_submit(job_id: str, backend: str) -> None:
    print(f"submitted job {job_id} to {backend}", file=sys.stderr, flush=True)


class DeviceExecutor(CircuitExecutor):
    """ISA Grover circuits with hardware oracles, one sampler job per batch.

    Subclasses say how to get the device (:meth:`_load_backend`) and its sampler
    (:meth:`_sampler`). ``timeout``: seconds to wait for a job's result
    (``None``: no limit). ``on_submit(job_id, backend_name)`` is called for
    every job submitted (``None``: silent). ``seed_transpiler`` fixes the
    stochastic layout/routing passes.
    """

    name = "device"
    label = "device"
    #: whether jobs live on a server and can be fetched later by id
    remote = False

    def __init__(self, name: str, timeout: float | None = None,
                 on_submit: Callable[[str, str], None] | None = None, seed_transpiler: int = 0):
        self.name = name
        self.timeout = timeout
        self.on_submit = on_submit
        self.seed_transpiler = int(seed_transpiler)
        self._backend = None
        self._pm = None
        self._isa: OrderedDict = OrderedDict()
        self._oracle_choice: dict = {}
        self._zero: dict[int, QuantumCircuit] = {}
        #: job ids submitted so far, in order
        self.job_ids: list[str] = []
        #: circuits run so far (diagnostics)
        self.circuits_run = 0

    # ---- device
    def _load_backend(self):
        raise NotImplementedError

    def _sampler(self, seed: int):
        raise NotImplementedError

    @property
    def backend(self):
        """The device (``BackendV2``), loaded on first use."""
        if self._backend is None:
            self._backend = self._load_backend()
        return self._backend

    @property
    def backend_name(self) -> str:
        return str(self.backend.name)

    @property
    def pass_manager(self):
        """``generate_preset_pass_manager(backend=..., optimization_level=3)`` for this device."""
        if self._pm is None:
            from qiskit.transpiler import generate_preset_pass_manager

            self._pm = generate_preset_pass_manager(backend=self.backend, optimization_level=3,
                                                    seed_transpiler=self.seed_transpiler)
        return self._pm

    def check_qubits(self, index_qubits: int, total_qubits: int | None = None) -> None:
        """Raise :class:`TooManyQubitsError` when a circuit cannot be built or placed."""
        total = index_qubits if total_qubits is None else total_qubits
        if index_qubits > HARDWARE_MAX_QUBITS:
            raise TooManyQubitsError(
                f"hardware Grover circuits are built for at most {HARDWARE_MAX_QUBITS} index qubits "
                f"(m <= {2 ** HARDWARE_MAX_QUBITS} items), got {index_qubits} (m up to {2 ** index_qubits}); "
                f"use the aer or emulator backend for larger searches")
        n = int(self.backend.num_qubits)
        if total > n:
            raise TooManyQubitsError(f"a {total}-qubit circuit does not fit on {self.backend_name}, "
                                     f"which has {n} qubits; choose a larger device or fewer items")

    # ---- circuits
    def choose_oracle(self, num_qubits: int, marked) -> tuple[str, QuantumCircuit, dict[str, int]]:
        """The candidate oracle with the fewest two-qubit gates after transpilation for this device.

        Returns ``(kind, oracle, counts)``, ``counts[kind]`` the two-qubit gates of
        each transpiled candidate (ties broken in :data:`ORACLE_KINDS` order). Cached.
        """
        key = (int(num_qubits), tuple(int(x) for x in np.sort(np.asarray(marked, dtype=np.int64))))
        hit = self._oracle_choice.get(key)
        if hit is None:
            cands = {kind: ORACLES[kind](key[0], list(key[1])) for kind in ORACLE_KINDS}
            isa = self.pass_manager.run(list(cands.values()))
            counts = {kind: two_qubit_count(c) for kind, c in zip(cands, isa)}
            best = min(ORACLE_KINDS, key=lambda kd: (counts[kd], ORACLE_KINDS.index(kd)))
            hit = (best, cands[best], counts)
            self._oracle_choice[key] = hit
        return hit

    def zero_reflection(self, num_qubits: int) -> QuantumCircuit:
        """``S_0`` is the phase oracle of ``{0}``: the cheapest construction of it for this device."""
        zr = self._zero.get(num_qubits)
        if zr is None:
            zr = self.choose_oracle(num_qubits, [0])[1]
            self._zero[num_qubits] = zr
        return zr

    def grover_circuit(self, num_qubits: int, marked, iterations: int) -> QuantumCircuit:
        """The abstract measured Grover circuit (hardware oracle and zero reflection)."""
        oracle = self.choose_oracle(num_qubits, marked)[1]
        return hardware_grover_circuit(oracle, int(iterations), measure=True,
                                       zero_reflection_circuit=self.zero_reflection(int(num_qubits)))

    def isa_circuit(self, num_qubits: int, marked, kind: int, param: int) -> QuantumCircuit:
        """The ISA circuit of one request (cached by marked set, kind and parameter)."""
        key = (int(num_qubits), tuple(int(x) for x in np.sort(np.asarray(marked, dtype=np.int64))),
               int(kind), int(param))
        hit = self._isa.get(key)
        if hit is not None:
            self._isa.move_to_end(key)
            return hit
        if kind == GROVER:
            circuit = self.grover_circuit(num_qubits, marked, param)
        else:  # quantum counting: controlled Grover operators (deep; see quantum-train compare's limits)
            _check_precision(param)
            circuit = counting_circuit(int(num_qubits), None, int(param),
                                       controlled=controlled_grover_op(int(num_qubits), list(key[1])))
        isa = self.pass_manager.run(circuit)
        self._isa[key] = isa
        if len(self._isa) > ISA_CACHE_SIZE:
            self._isa.popitem(last=False)
        return isa

    def isa_circuits(self, batch: Batch) -> list[QuantumCircuit]:
        """The ISA circuits of a batch, after the qubit checks."""
        ms = batch.marked
        nq = batch.num_qubits()
        if nq.size:
            self.check_qubits(int(ms.num_qubits[batch.problems].max()), int(nq.max()))
        return [self.isa_circuit(int(ms.num_qubits[p]), ms.current(p), kind, param)
                for p, kind, param in zip(batch.problems.tolist(), batch.kinds.tolist(), batch.params.tolist())]

    # ---- jobs
    def submit(self, circuits: list[QuantumCircuit], shots: int, seed: int):
        """Send ISA circuits as ONE sampler job; records (and announces) the job id."""
        sampler = self._sampler(int(seed))
        try:
            job = sampler.run(list(circuits), shots=int(shots))
        except BackendError:
            raise
        except Exception as err:  # noqa: BLE001 - submission refused by the service or simulator
            raise JobFailedError(f"submitting {len(circuits)} circuit(s) to {self.backend_name} failed: "
                                 f"{type(err).__name__}: {_first_line(err)}") from None
        job_id = str(job.job_id())
        self.job_ids.append(job_id)
        if self.on_submit is not None:
            self.on_submit(job_id, self.backend_name)
        return job

    def wait(self, job):
        """The job's ``PrimitiveResult``; :class:`JobFailedError` on failure or timeout."""
        job_id = str(job.job_id())
        try:
            if self.remote and "timeout" in inspect.signature(job.result).parameters:
                return job.result(timeout=self.timeout)
            return job.result()
        except Exception as err:  # noqa: BLE001 - failure, cancellation, timeout: one line each
            if "Timeout" in type(err).__name__:
                raise JobFailedError(f"job {job_id} on {self.backend_name} did not finish within {self.timeout:g} s; "
                                     f"it keeps running: fetch it later with: quantum-train job {job_id}") from None
            raise JobFailedError(f"job {job_id} on {self.backend_name} failed: "
                                 f"{type(err).__name__}: {_first_line(err)}") from None

    def circuits_for(self, batch: Batch) -> list[QuantumCircuit]:
        return self.isa_circuits(batch)

    def execute(self, circuits: list[QuantumCircuit], shots: int, seed: int):
        return self.wait(self.submit(circuits, shots, seed))

    def shot_outcomes(self, result, i: int, circuit: QuantumCircuit) -> np.ndarray:
        return outcomes_of(result[i], circuit)


def outcomes_of(pub_result, circuit: QuantumCircuit) -> np.ndarray:
    """Per-shot integers of a sampler pub result: clbit ``i`` of ``circuit`` is bit ``i``."""
    data = pub_result.data
    parts = []
    for creg in circuit.cregs:
        bits = getattr(data, creg.name).to_bool_array(order="little")
        parts.append((creg, bits))
    if not parts:
        raise ValueError("the circuit measures nothing")
    shots = parts[0][1].shape[0]
    out = np.zeros(shots, dtype=np.int64)
    for creg, bits in parts:
        for b in range(creg.size):
            pos = circuit.find_bit(creg[b]).index
            out |= bits[:, b].astype(np.int64) << pos
    return out


class AerNoisyExecutor(DeviceExecutor):
    """``aer-noisy:<fake name>``: Aer with the fake device's noise model (``AerSimulator.from_backend``).

    Speed: Aer processes the whole device noise model (133 qubits on Torino)
    on every run, about 2 s even for a 3-qubit circuit. So each batch is
    simulated on its *active* physical qubits only: the ISA circuits are
    relabelled onto those qubits and the noise model restricted to the errors
    acting within them (the errors of idle qubits cannot affect the outcome;
    ``compact=False`` runs the full model, and the tests compare the two).
    """

    def __init__(self, fake_name: str, compact: bool = True, **kwargs):
        super().__init__(f"aer-noisy:{fake_name}", **kwargs)
        self.fake_name = fake_name
        self.compact = bool(compact)
        self.label = f"qiskit-aer noisy simulation with the noise model of {fake_name} (AerSimulator.from_backend)"
        self._device = fake_backend(fake_name)  # fail fast on unknown names
        self._sim = None
        self._reduced: dict = {}
        self._sampler_sim = None

    def _load_backend(self):
        return self._device

    def _full_simulator(self):
        from qiskit_aer import AerSimulator

        if self._sim is None:
            self._sim = AerSimulator.from_backend(self._device)
        return self._sim

    def _sampler(self, seed: int):
        from qiskit_aer.primitives import SamplerV2

        sim = self._sampler_sim if self._sampler_sim is not None else self._full_simulator()
        return SamplerV2.from_backend(sim, seed=seed)

    def _reduced_simulator(self, active: tuple[int, ...]):
        from qiskit_aer import AerSimulator
        from qiskit_aer.noise import NoiseModel

        sim = self._reduced.get(active)
        if sim is None:
            full = self._full_simulator().options.noise_model
            index = {q: i for i, q in enumerate(active)}
            red = NoiseModel(basis_gates=full.basis_gates)
            for gate, by_qubits in full._local_quantum_errors.items():
                for qubits, err in by_qubits.items():
                    if all(q in index for q in qubits):
                        red.add_quantum_error(err, gate, [index[q] for q in qubits], warnings=False)
            for qubits, err in full._local_readout_errors.items():
                if all(q in index for q in qubits):
                    red.add_readout_error(err, [index[q] for q in qubits], warnings=False)
            for gate, err in full._default_quantum_errors.items():
                red.add_all_qubit_quantum_error(err, gate, warnings=False)
            if full._default_readout_error is not None:
                red.add_all_qubit_readout_error(full._default_readout_error, warnings=False)
            sim = AerSimulator(noise_model=red, basis_gates=full.basis_gates)
            if len(self._reduced) > 64:
                self._reduced.clear()
            self._reduced[active] = sim
        return sim

    def submit(self, circuits: list[QuantumCircuit], shots: int, seed: int):
        if not self.compact:
            self._sampler_sim = None
            return super().submit(circuits, shots, seed)
        from qiskit.circuit import QuantumRegister

        active = sorted({c.find_bit(q).index for c in circuits for inst in c.data
                         if inst.operation.name != "barrier" for q in inst.qubits})
        index = {q: i for i, q in enumerate(active)}
        compact = []
        for c in circuits:
            out = QuantumCircuit(QuantumRegister(len(active), "q"), *c.cregs, name=c.name)
            for inst in c.data:
                if inst.operation.name == "barrier":
                    continue
                out.append(inst.operation, [out.qubits[index[c.find_bit(q).index]] for q in inst.qubits],
                           inst.clbits, copy=False)
            compact.append(out)
        self._sampler_sim = self._reduced_simulator(tuple(active))
        try:
            return super().submit(compact, shots, seed)
        finally:
            self._sampler_sim = None


class FakeLocalExecutor(DeviceExecutor):
    """``<fake name>``: IBM Runtime local mode, the fake backend as the sampler's ``mode``."""

    def __init__(self, fake_name: str, **kwargs):
        super().__init__(fake_name, **kwargs)
        self.label = f"IBM Runtime local mode on {fake_name} (noisy simulation of the device, not hardware)"
        self._device = fake_backend(fake_name)

    def _load_backend(self):
        return self._device

    def _sampler(self, seed: int):
        from qiskit_ibm_runtime.executor_sampler import Sampler

        sampler = Sampler(mode=self.backend)
        sampler.options.simulator.seed_simulator = seed
        return sampler


class IBMExecutor(DeviceExecutor):
    """``ibm:<backend>`` / ``ibm:least_busy``: IBM Quantum hardware through Qiskit Runtime.

    The account is resolved at construction (no network: a missing account
    fails at once); the service is contacted on first use.
    """

    remote = True

    def __init__(self, device: str, timeout: float | None = 3600.0, on_submit=_default_on_submit, **kwargs):
        super().__init__(f"ibm:{device}", timeout=timeout, on_submit=on_submit, **kwargs)
        if not device:

            raise UnknownBackendError("ibm: needs a device name, e.g. ibm:ibm_torino, or ibm:least_busy")
        self.device = device
        self.label = f"IBM Quantum hardware ({'least busy device' if device == 'least_busy' else device})"
        self.account = resolve_account()
        self._service = None

    @property
    def service(self):
        if self._service is None:
            self._service = connect_service(self.account)
        return self._service

    def _load_backend(self):
        try:
            if self.device == "least_busy":
                return self.service.least_busy(operational=True, simulator=False)
            return self.service.backend(self.device)
        except BackendError:
            raise
        except Exception as err:  # noqa: BLE001 - QiskitBackendNotFoundError and friends

            raise UnknownBackendError(f"IBM Quantum backend {self.device!r} is not available to this account: "
                                      f"{_first_line(err)}") from None

    def _sampler(self, seed: int):
        from qiskit_ibm_runtime.executor_sampler import Sampler

        return Sampler(mode=self.backend)


def fetch_job(job_id: str, service=None):
    """A job submitted earlier to IBM Quantum, by id (network)."""
    service = connect_service() if service is None else service
    try:
        return service.job(job_id)
    except Exception as err:  # noqa: BLE001 - RuntimeJobNotFound and friends
        raise JobFailedError(f"cannot fetch job {job_id}: {type(err).__name__}: {_first_line(err)}") from None
