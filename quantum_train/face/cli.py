"""The ``quantum-train`` command.

Subcommands live in :mod:`quantum_train.face.commands`, one module each. Errors in
the options print one line, ``quantum-train: error: argument --X: ...``, and
exit with status 2, before anything is written.

Exit status: 0 done; 2 a bad option or environment (one line, nothing
written); 3 a finder's training diverged (results are still written, the
notes say which finder, where and why); 130 interrupted (Ctrl-C: one line naming the files written before it;
no partial file); 141 output pipe closed.
"""

from __future__ import annotations

import _thread
import argparse
import importlib
import os
import re
import signal
import sys
import threading
from typing import Sequence

import quantum_train.face.commands as commands
from quantum_train.errors import ConfigError, TrainingDiverged, UsageError, flag_for
from quantum_train.output import written

#: Exit status when a finder's training diverged (results still written).
EXIT_DIVERGED = 3
#: Exit status on Ctrl-C.
EXIT_INTERRUPTED = 130


#: A negative number as a value (``--b -inf``, ``--lr -1e-3``), which argparse would take for an option.
NEGATIVE_NUMBER = re.compile(r"^-(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|inf(?:inity)?|nan)$", re.IGNORECASE)


#: reStructuredText inline markup in a docstring (````code````, ``:func:`name```), shown as plain text in help.
RST_MARKUP = re.compile(r"(?::[a-z]+:)?`{1,2}([^`]+)`{1,2}")


def plain_text(text: str | None) -> str | None:
    """``text`` without reStructuredText inline markup (descriptions are taken from docstrings)."""
    return None if text is None else RST_MARKUP.sub(r"\1", text)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, description: str | None = None, **kwargs):
        super().__init__(*args, description=plain_text(description), **kwargs)
        self._negative_number_matcher = NEGATIVE_NUMBER  # argparse's own knows only -1 and -1.5

    def error(self, message: str):  # one line, no usage dump
        raise UsageError(message)


def version() -> str:
    """The installed distribution's version (``unknown`` when run from a source tree that is not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("quantum-train")
    except PackageNotFoundError:
        return "unknown"


class _VersionAction(argparse.Action):
    """``--version``: print ``quantum-train VERSION`` and exit 0 (looked up only when asked)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog} {version()}")
        parser.exit()


def chosen_command(argv: Sequence[str]) -> str | None:
    """The command named in ``argv`` (its first argument that is not an option), if it is one."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in commands.SUMMARIES else None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only ``command``'s module is imported and registered in full (every command's when
    ``command`` is ``"all"``), the others by their one-line summary, so that ``--help`` starts fast."""
    parser = _Parser(prog="quantum-train", description="Train over-parameterized two-layer networks with "
                     "classical and quantum fired-neuron discovery, costed side by side.")
    parser.add_argument("--version", action=_VersionAction, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, summary in commands.SUMMARIES.items():
        if command in (name, "all"):
            importlib.import_module(f"{commands.__name__}.{commands.module_name(name)}").register(sub)
        else:
            sub.add_parser(name, help=summary)
    return parser


def _interrupted(files: list[str]) -> str:
    """The Ctrl-C line: exactly which files exist (each whole: every write is atomic)."""
    if not files:
        return "quantum-train: interrupted; nothing was written"
    return (f"quantum-train: interrupted; written before the interrupt: {', '.join(files)} (whole); "
            "nothing else was written")


class _CtrlC:
    """A Ctrl-C that is never lost.

    Python raises ``KeyboardInterrupt`` from the SIGINT handler wherever the main thread is; raised inside a
    weakref or garbage-collection callback it is printed as "Exception ignored" and lost, and the run goes on
    (CI saw a run estimated at 4.7 h keep training). So the handler also starts a watchdog that interrupts the
    main thread again every ``retry`` seconds until :func:`main` has caught one (``caught``); once caught, the
    handler does nothing, so a late retry cannot interrupt the interrupt's own message.
    """

    def __init__(self, retry: float = 2.0):
        self.retry = retry
        self.caught = threading.Event()
        self._watching = False

    def handler(self, signum, frame) -> None:
        if self.caught.is_set():
            return
        if not self._watching:
            self._watching = True
            threading.Thread(target=self._again, daemon=True, name="quantum-train-ctrl-c").start()
        raise KeyboardInterrupt

    def _again(self) -> None:
        while not self.caught.wait(self.retry):
            _thread.interrupt_main()


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    start = written.mark()
    ctrl_c = _CtrlC()
    # only where Ctrl-C raises at all (not in a background job, which ignores SIGINT) and on the main thread
    own = (threading.current_thread() is threading.main_thread()
           and signal.getsignal(signal.SIGINT) is signal.default_int_handler)
    if own:
        signal.signal(signal.SIGINT, ctrl_c.handler)
    try:
        return _main(argv, start, ctrl_c)
    finally:
        ctrl_c.caught.set()
        if own:
            signal.signal(signal.SIGINT, signal.default_int_handler)


def _main(argv: list[str], start, ctrl_c: _CtrlC) -> int:
    try:
        parser = build_parser(chosen_command(argv))  # imports the command (numpy, qiskit, ...): Ctrl-C is handled
        args = parser.parse_args(argv)
        return args.handler(args)
    except UsageError as err:
        print(f"quantum-train: error: {err}", file=sys.stderr)
    except ConfigError as err:
        print(f"quantum-train: error: argument {err.argument}: {err.command_line_message}", file=sys.stderr)
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
        ctrl_c.caught.set()
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
