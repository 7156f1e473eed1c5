"""The one text table of the project (comparison, sweep points, exponents), as plain text or markdown."""

from __future__ import annotations

from typing import Sequence


def format_count(x: float) -> str:
    """A count for a table: an integer, one decimal, or three significant digits above 10^4."""
    if x == 0:
        return "0"
    if abs(x) >= 1e4:
        return f"{x:.3g}"
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


def format_table(head: Sequence[str], body: Sequence[Sequence[str]], *, markdown: bool = False,
                 align_right: bool = True) -> list[str]:
    """Lines of a table: header, rule, rows. The first column is left-aligned; the others right-aligned
    (left-aligned with ``align_right=False``). ``markdown`` gives a pipe table."""
    if markdown:
        return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head),
                *("| " + " | ".join(row) + " |" for row in body)]
    widths = [max(len(h), *(len(row[k]) for row in body)) if body else len(h) for k, h in enumerate(head)]

    def line(cells: Sequence[str]) -> str:
        out = [s.rjust(w) if k and align_right else s.ljust(w) for k, (s, w) in enumerate(zip(cells, widths))]
        return "  ".join(out).rstrip()

    return [line(head), line(["-" * w for w in widths]), *(line(row) for row in body)]
