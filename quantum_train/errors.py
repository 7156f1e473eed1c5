"""Errors that the CLI reports as one line and exit status 2.

Library code names the *field* at fault (``"m"``, ``"finders"``), never a
command-line flag; :mod:`quantum_train.face.commands` maps fields to flags
(``m`` -> ``--m``). Every error here is a :class:`ValueError`, so the Python
API raises ordinary ``ValueError`` subclasses with the same messages.
"""

from __future__ import annotations

import re

#: another option named inside a message, as :func:`option` writes it
_OPTION = re.compile(r"⟨([a-z_]+)(?:=([^⟩]*))?⟩")


def option(field: str, value: object = None) -> str:
    """Another option named inside a library message (the fix it suggests), rendered by whoever shows it:
    ``--oracle table`` on the command line, ``oracle='table'`` in Python (``str`` of the error)."""
    return f"⟨{field}⟩" if value is None else f"⟨{field}={value}⟩"  # value True: a switch (--physical)


def _python_value(text: str) -> str:
    if text in ("True", "False"):
        return text
    try:
        float(text)
    except ValueError:
        return repr(text)
    return text


def for_python(text: str) -> str:
    """``text`` with its :func:`option` references as Python keywords (``oracle='table'``, ``n=1000``)."""
    return _OPTION.sub(lambda m: m[1] if m[2] is None else f"{m[1]}={_python_value(m[2])}", text)


def for_command_line(text: str) -> str:
    """``text`` with its :func:`option` references as flags (``--oracle table``)."""
    return _OPTION.sub(lambda m: flag_for(m[1]) + ("" if m[2] in (None, "True") else f" {m[2]}"), text)


class ConfigError(ValueError):
    """A bad option or argument; ``field`` names it (e.g. ``"m"``; a leading ``--`` is dropped).

    The message names other options through :func:`option`; ``str(error)`` spells them as Python keywords and
    :attr:`command_line_message` as flags, so no layer below the face writes a flag.
    """

    def __init__(self, field: str, message: str):
        super().__init__(for_python(message))
        self.field = field.removeprefix("--")
        self.template = message

    @property
    def command_line_message(self) -> str:
        """The message with the options it suggests spelled as flags."""
        return for_command_line(self.template)

    @property
    def argument(self) -> str:
        """The command-line flag of :attr:`field` (``--m``; positional ``job_id`` stays bare)."""
        return flag_for(self.field)


class DataError(ValueError):
    """Bad data or data request; ``argument`` names the option at fault (also importable from ``quantum_train.data.datasets``)."""

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
