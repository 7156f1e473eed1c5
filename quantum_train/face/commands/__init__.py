"""Subcommands of ``quantum-train``: every module here defines ``register(subparsers)``.

``register`` adds one parser and sets its ``handler`` default to a function
``handler(args) -> int``. Handlers raise :class:`quantum_train.errors.ConfigError`
(or ``UsageError``) for bad input; the CLI prints one line and exits with 2.
"""

#: Each command and its one-line summary, for ``quantum-train --help`` without importing any command
#: (each module's own ``register`` repeats its summary; a test checks that they agree). The module of
#: ``find-fired`` is ``find_fired``.
SUMMARIES = {
    "circuit": "run one Grover search circuit on a simulator, fake device or IBM Quantum",
    "compare": "train one network with several fired-set finders and compare costs",
    "find-fired": "find the fired neurons of random inputs by Grover search",
    "job": "fetch the result of an IBM Quantum job submitted with circuit --no-wait",
    "resources": "gates, qubits and fault-tolerant cost of a query and of one input's find-all",
    "sweep": "cost per iteration against m (and d, n) for several finders: exponents, T*, m*",
    "verdict": "the cheapest way to train a given (m, d, n, T), in every currency",
}


def module_name(command: str) -> str:
    """The module of ``command`` in this package (``find-fired`` -> ``find_fired``)."""
    return command.replace("-", "_")
