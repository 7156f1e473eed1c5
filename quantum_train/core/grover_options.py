"""The Grover search's options and backends: one set of checks, below every layer that takes them.

The face (``--strategy`` ... flags, the API's keywords), the experiments' configs and the Grover finder all check
the same options here, where the run is set up, never inside the search.

Defaults and limits of the Grover finders (``grover-<backend>``), the family's name parsing
(:func:`backend_of`), and the checks of ``strategy``, ``delta``, ``oracle``, ``bits``, ``memory``,
``uncompute`` and ``adder`` and of a backend's executor, each a :class:`~quantum_train.errors.ConfigError`
naming the field, raised before anything is allocated. The finder (:mod:`quantum_train.finders.grover`),
``compare``, ``find_fired`` and the commands all take them from here.
"""

from __future__ import annotations

from circuits import InsufficientMemoryError, num_qubits_for
from circuits.arithmetic_oracle import ALL_COORDINATES, PER_COORDINATE
from circuits.backends import BackendError, make_executor
from circuits.executors import Executor
from circuits.fixed_point import MAX_BITS, MIN_BITS
from circuits.resources import ADDERS, DEFAULT_ADDER, DEFAULT_UNCOMPUTE, MEMORY_MODELS, UNCOMPUTE_MODES
from circuits.search import STRATEGIES, as_strategy
from quantum_train.errors import ConfigError, option

#: ``grover-aer`` joins the default finders up to this many neurons (statevector simulation time).
AER_DEFAULT_MAX_M = 2**10
#: ... and while ``n * iters`` stays within this many find-all searches (about half a second each on Aer
#: at ``m = 2^10``), so that a default run stays within about a minute.
AER_DEFAULT_MAX_SEARCHES = 64
DEFAULT_STRATEGY = "counting"
DEFAULT_DELTA = 1e-3
#: Device finders (``grover-aer-noisy:...``, ``grover-fake_...``, ``grover-ibm:...``) need tiny instances:
#: hardware oracles reach 5 index qubits (m <= 32), and every lockstep round of the n searches is one
#: device job (about 2-5 s on a fake backend, a queue wait on hardware), for each of dozens of rounds.
DEVICE_MAX_M = 32
DEVICE_MAX_N = 4


#: The Grover family's names are ``grover-<backend>``.
GROVER_PREFIX = "grover-"


def backend_of(name: str) -> str | None:
    """The backend of a ``grover-<backend>`` finder name, else None (the family's only name parsing)."""
    return name[len(GROVER_PREFIX):] if name.startswith(GROVER_PREFIX) else None


def is_device_finder(name: str) -> bool:
    """``grover-<backend>`` on a device backend (noisy simulation of, or a real, IBM device)."""
    from circuits.backends import is_device_backend

    backend = backend_of(name)
    return backend is not None and is_device_backend(backend)
ORACLES = ("table", "arithmetic")
DEFAULT_BITS = 16
DEFAULT_MEMORY = "qrom"
#: the arithmetic oracle runs on Aer's MPS method, bond dimension up to 2^(q + t); beyond this many
#: neurons a search takes minutes per input
ARITHMETIC_MAX_M = 64


#: the arithmetic oracle's circuit that runs on Aer, by convention
RAN_NOTE = {"unitary": "the circuit that ran on Aer: per_coordinate layout, unitary uncompute, cdkm adders",
            "measurement": "the circuit that ran on Aer: all_coordinates layout, measured ANDs, gidney adders, "
                           "measurement-based unlookup (k = 1)"}


def ran_layout(oracle: str, uncompute: str) -> str:
    """The layout charged: that of the circuit which ran (the arithmetic oracle), else all coordinates at once."""
    if oracle != "arithmetic":
        return ALL_COORDINATES
    return PER_COORDINATE if uncompute == "unitary" else ALL_COORDINATES


def check_search_options(strategy: str, delta: float) -> None:
    """``--strategy`` names a find-all strategy and ``--delta`` lies in (0, 1)."""
    if strategy not in STRATEGIES:
        raise ConfigError("strategy", f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    if not 0 < delta < 1:
        raise ConfigError("delta", f"must be in (0, 1), got {delta}")


def check_oracle_options(oracle: str, bits: int, memory: str, finders, m: int,
                         uncompute: str = DEFAULT_UNCOMPUTE, adder: str = DEFAULT_ADDER) -> None:
    """``--oracle``, ``--bits``, ``--memory``, ``--uncompute``, ``--adder`` (ConfigError): the arithmetic oracle
    runs on ``grover-aer``, small ``m``."""
    if uncompute not in UNCOMPUTE_MODES:
        raise ConfigError("uncompute", f"unknown convention {uncompute!r}; choose one of {', '.join(UNCOMPUTE_MODES)}")
    if adder not in ADDERS:
        raise ConfigError("adder", f"unknown adder {adder!r}; choose one of {', '.join(ADDERS)}")
    if oracle not in ORACLES:
        raise ConfigError("oracle", f"unknown oracle {oracle!r}; choose one of {', '.join(ORACLES)}")
    if not MIN_BITS <= bits <= MAX_BITS:
        raise ConfigError("bits", f"must be in [{MIN_BITS}, {MAX_BITS}], got {bits}")
    if memory not in MEMORY_MODELS:
        raise ConfigError("memory", f"unknown memory model {memory!r}; choose one of {', '.join(MEMORY_MODELS)}")
    if oracle == "arithmetic":
        other = [f for f in finders if backend_of(f) not in (None, "aer")]
        if other:
            raise ConfigError("oracle", f"the arithmetic oracle runs on grover-aer only (gate-level circuits on "
                              f"Aer), not {', '.join(other)}; drop them or use {option('oracle', 'table')}")
        if m > ARITHMETIC_MAX_M:
            raise ConfigError("m", f"the arithmetic oracle on Aer serves m <= {ARITHMETIC_MAX_M} "
                              f"(matrix-product-state simulation of every gate), got {m}")


def check_mid_circuit(uncompute: str, oracle: str, backends) -> None:
    """Measurement-based uncomputation asked for on a backend that cannot measure mid-circuit (ConfigError on
    ``uncompute``). The measured oracle runs only on Aer (``if_test`` with classical feed-forward); the commands
    call this when ``--uncompute measurement`` was typed, since at its default the fault is the oracle's backend."""
    other = [b for b in backends if b != "aer"]
    if uncompute == "measurement" and oracle == "arithmetic" and other:
        raise ConfigError("uncompute", f"measurement-based uncomputation needs mid-circuit measurement with classical "
                          f"feed-forward, which {', '.join(other)} does not run here; use the aer backend, or "
                          f"{option('uncompute', 'unitary')} for the gate-cost figure only")


def executor_for(backend: str, num_items: int | None = None, strategy: str | None = None, *,
                 option: str = "backend", label: str = "", instead: str = option("backend", "emulator")) -> Executor:
    """The executor of a backend name, or a :class:`ConfigError` before anything is allocated.

    An unknown or unusable backend is charged to ``option``. With
    ``num_items``, the widest circuit the ``strategy`` will build must fit a
    statevector in memory, else the error names ``m``, says how many qubits
    and why, and suggests ``instead`` (how to ask for the emulator where the
    error is read). ``label`` (e.g. the finder's name) prefixes the message.
    """
    prefix = f"{label}: " if label else ""
    try:
        executor = make_executor(backend)
    except BackendError as err:
        raise ConfigError(option, prefix + str(err)) from None
    if num_items is not None and hasattr(executor, "check_memory"):
        q = num_qubits_for(num_items)
        plan = as_strategy(strategy or DEFAULT_STRATEGY)
        widest = (executor.widest_circuit_qubits(q, plan) if hasattr(executor, "widest_circuit_qubits")
                  else plan.widest_circuit_qubits(q))  # the qubits the executor's circuits really have
        why = f"m = {num_items} needs {q} index qubits" + (
            f" and the widest circuit of the {strategy or DEFAULT_STRATEGY} strategy on it adds {widest - q} "
            f"qubit{'s' if widest - q > 1 else ''}"
            if widest > q else "")
        try:
            executor.check_memory(widest)
        except InsufficientMemoryError as err:
            raise ConfigError("m", f"{prefix}{why}: {err}; use {instead} (exact ideal statistics without a "
                              "statevector) for larger problems") from None
    return executor
