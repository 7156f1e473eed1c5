"""Errors that the CLI reports as one line and exit status 2.

Library code names the *field* at fault (``"m"``, ``"finders"``), never a
command-line flag; :mod:`quantum_train.commands` maps fields to flags
(``m`` -> ``--m``). Every error here is a :class:`ValueError`, so the Python
API raises ordinary ``ValueError`` subclasses with the same messages.
"""

from __future__ import annotations


class ConfigError(ValueError):
    """A bad option or argument; ``field`` names it (e.g. ``"m"``; a leading ``--`` is dropped)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field.removeprefix("--")

    @property
    def argument(self) -> str:
        """The command-line flag of :attr:`field` (``--m``; positional ``job_id`` stays bare)."""
        return flag_for(self.field)


class DataError(ValueError):
    """Bad data or data request; ``argument`` names the option at fault (also importable from ``quantum_train.data``)."""

    def __init__(self, argument: str, message: str):
        super().__init__(message)
        self.argument = argument


class UsageError(Exception):
    """An error in the command line or its environment that is not tied to one option."""


class TrainingDiverged(Exception):
    """Raised by the CLI after writing results when a finder's training diverged (exit status 3)."""


#: Fields that are positional arguments on the command line (no ``--``).
POSITIONAL = frozenset({"job_id"})


def flag_for(field: str) -> str:
    """``--m`` for ``m``, ``--no-wait`` for ``no_wait``; positional arguments bare."""
    field = field.removeprefix("--")
    return field if field in POSITIONAL else "--" + field.replace("_", "-")
