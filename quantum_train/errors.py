"""Errors that the CLI reports as one line and exit status 2."""

from __future__ import annotations


class ConfigError(ValueError):
    """A bad option; ``argument`` is the CLI option at fault (e.g. ``--m``)."""

    def __init__(self, argument: str, message: str):
        super().__init__(message)
        self.argument = argument


class UsageError(Exception):
    """An error in the command line or its environment that is not tied to one option."""
