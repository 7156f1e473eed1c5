"""Subcommands of ``quantum-train``: every module here defines ``register(subparsers)``.

``register`` adds one parser and sets its ``handler`` default to a function
``handler(args) -> int``. Handlers raise :class:`quantum_train.errors.ConfigError`
(or ``UsageError``) for bad input; the CLI prints one line and exits with 2.
"""
