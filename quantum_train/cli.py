"""The ``quantum-train`` command.

Subcommands live in :mod:`quantum_train.commands`, one module each. Errors in
the options print one line, ``quantum-train: error: argument --X: ...``, and
exit with status 2, before anything is written.

Exit status: 0 done; 2 a bad option or environment (one line, nothing
written); 3 a finder's training diverged (results are still written, the
notes say which finder, where and why); 130 interrupted (Ctrl-C: one line naming the files written before it;
no partial file); 141 output pipe closed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from typing import Sequence

import quantum_train.commands as commands
from quantum_train import written
from quantum_train.errors import ConfigError, TrainingDiverged, UsageError, flag_for

#: Exit status when a finder's training diverged (results still written).
EXIT_DIVERGED = 3
#: Exit status on Ctrl-C.
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="quantum-train", description="Train over-parameterized two-layer networks with "
                     "classical and quantum fired-neuron discovery, costed side by side.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(module, "register"):
            module.register(sub)
    return parser


def _interrupted(files: list[str]) -> str:
    """The Ctrl-C line: exactly which files exist (each whole: every write is atomic)."""
    if not files:
        return "quantum-train: interrupted; nothing was written"
    return (f"quantum-train: interrupted; written before the interrupt: {', '.join(files)} (whole); "
            "nothing else was written")


def main(argv: Sequence[str] | None = None) -> int:
    start = written.mark()
    try:
        parser = build_parser()  # imports every command (numpy, qiskit, ...): Ctrl-C here is handled too
        args = parser.parse_args(argv)
        return args.handler(args)
    except UsageError as err:
        print(f"quantum-train: error: {err}", file=sys.stderr)
    except ConfigError as err:
        print(f"quantum-train: error: argument {err.argument}: {err}", file=sys.stderr)
    except ValueError as err:
        field = getattr(err, "argument", None)  # a DataError names its field
        if field is None:
            raise
        print(f"quantum-train: error: argument {flag_for(field)}: {err}", file=sys.stderr)
    except MemoryError as err:  # e.g. circuits.InsufficientMemoryError, raised before allocating
        print(f"quantum-train: error: {err}", file=sys.stderr)
    except TrainingDiverged as err:
        print(f"quantum-train: {err}", file=sys.stderr)
        return EXIT_DIVERGED
    except KeyboardInterrupt:
        print(_interrupted(written.since(start)), file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into e.g. `head`, which closed early: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return 2


def entry() -> None:
    """The console script: :func:`main`, then exit with its status.

    After Ctrl-C the process leaves at once (``os._exit`` after flushing), so
    that no finaliser (thread pools, numba's workers) can turn status 130 into a
    death by SIGINT.
    """
    code = main()
    if code == EXIT_INTERRUPTED:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
