"""One threading policy for an iteration: serial below a size threshold, else numba's pool.

An iteration at ``m = 4096``, ``n = 256`` is about ``1e6`` inner products, a
millisecond of arithmetic; starting numba's and BLAS's thread pools (and
letting them contend with each other, or with another busy process, on two
cores) cost 30-200 ms per iteration in the issue's measurement. Below
:data:`SERIAL_WORK` multiply-adds (``n m d``) an iteration therefore runs on
one thread: numba's parallel kernels with one thread
(:func:`numba.set_num_threads`, which also sizes the blocked scan's worker
pool, see :func:`classical.brute.blocked_halfspace_csr`) and BLAS limited to
one thread with ``threadpoolctl``. Above it, numba's pool and single-threaded
BLAS tiles, as before. ``benchmarks/bench_small.py`` measures both.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import numba
from threadpoolctl import ThreadpoolController

#: ``n m d`` below which one thread runs the whole iteration (2^25: about 10 ms of serial arithmetic).
SERIAL_WORK = 1 << 25

_CONTROLLER = ThreadpoolController()  # inspected once: a fresh inspection costs ~0.5 ms


@contextmanager
def threads_for(work: int, serial_work: int | None = None) -> Iterator[int]:
    """Run the block with one thread if ``work < serial_work`` (default :data:`SERIAL_WORK`); yields the count."""
    limit = SERIAL_WORK if serial_work is None else serial_work
    if work >= limit:
        yield numba.get_num_threads()
        return
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        with _CONTROLLER.limit(limits=1, user_api="blas"):
            yield 1
    finally:
        numba.set_num_threads(before)
