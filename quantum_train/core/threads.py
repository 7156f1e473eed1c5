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

from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from threading import Lock
from typing import Callable, Iterator

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


_CHUNK_POOL: ThreadPoolExecutor | None = None


def chunk_threads() -> int:
    """The threads :func:`run_chunks` shares its chunks among: numba's current count (:func:`numba.get_num_threads`,
    which :func:`threads_for` sets). The pool is Python's, so any count runs on any machine (the tests ask for 2)."""
    return numba.get_num_threads()


#: A :func:`run_chunks` call given less ``work`` than this runs on the calling thread: waking the pool costs more
#: (about 1 ms per call, measured for the drift finder's few-neuron refreshes in training at ``m = 2^16``).
POOL_MIN_WORK = 1 << 18


class GuidedParts:
    """Chunks ``0 .. chunks - 1`` handed out in contiguous parts of decreasing size, to whichever thread asks
    next: *guided self-scheduling* (Polychronopoulos and Kuck, IEEE Trans. Computers 36(12), 1987; OpenMP's
    ``schedule(guided)``).

    Each part is ``ceil(remaining / (2 threads))`` chunks, but at least ``chunks // (8 threads)`` (so there
    are few parts, each a kernel call of a few microseconds' dispatch): large parts first, small ones last,
    so threads finish together even when one of them runs slower. On this kind of machine (two virtual
    cores shared with other tenants) a core is sometimes slowed for a while; with one fixed half per thread
    the step then waited for the slow half. In such spells the same state, visited with either split in turns,
    took 12-14 % less time per pass with guided parts (drift's visiting pass, ``m = 2^20``, ``d = 16`` and
    ``m = 2^16``, ``d = 8``; ``benchmarks/visit_ab.py``); in quiet spells the two are within that
    comparison's noise (about 5 % either way).
    Which thread runs a part changes no result: each chunk's results go to its own rows.
    """

    def __init__(self, chunks: int, threads: int):
        self.chunks = chunks
        self.threads = threads
        self.smallest = max(1, chunks // (8 * threads))
        self.next = 0
        self._lock = Lock()

    def stop(self) -> None:
        """Hand out no more parts (a thread's kernel raised: the others finish the part they hold and stop)."""
        with self._lock:
            self.next = self.chunks

    def take(self) -> tuple[int, int] | None:
        """The next part ``(first, end)``, or ``None`` when every chunk has been handed out."""
        with self._lock:
            first = self.next
            if first >= self.chunks:
                return None
            size = max(self.smallest, -(-(self.chunks - first) // (2 * self.threads)))
            self.next = min(self.chunks, first + size)
            return first, self.next


def run_chunks(kernel: Callable[..., object], chunks: int, *args, work: int | None = None) -> None:
    """``kernel(first, end, *args)`` over the chunks ``0 .. chunks - 1``, in parts shared among the threads of
    :func:`chunk_threads` as they ask for them (:class:`GuidedParts`); all on the calling thread, in one call,
    if ``work``, the inner products the call takes, is below :data:`POOL_MIN_WORK`.

    ``kernel`` is a ``nogil`` numba kernel that loops over its chunks ``first .. end - 1`` (each chunk's
    results in its own rows, so the parts never write the same memory). With one thread it is called once,
    on the calling thread; otherwise the calling thread and a persistent pool take parts until none is
    left. This is the parallel loop of a ``prange`` kernel without numba's parallel compilation, which
    compiles a kernel's body two to three times over (:mod:`quantum_train.finders._drift_kernels`).
    """
    global _CHUNK_POOL
    threads = 1 if work is not None and work < POOL_MIN_WORK else max(1, min(chunk_threads(), chunks))
    if threads == 1:
        kernel(0, chunks, *args)
        return
    if _CHUNK_POOL is None or _CHUNK_POOL._max_workers < threads - 1:
        _CHUNK_POOL = ThreadPoolExecutor(max(threads - 1, numba.config.NUMBA_NUM_THREADS - 1),
                                         thread_name_prefix="quantum-train-chunks")
    parts = GuidedParts(chunks, threads)

    def take_parts() -> None:
        try:
            while (part := parts.take()) is not None:
                kernel(part[0], part[1], *args)
        except BaseException:
            parts.stop()
            raise

    helpers = [_CHUNK_POOL.submit(take_parts) for _ in range(threads - 1)]
    try:
        take_parts()
    finally:  # every helper has stopped before the call returns or raises: none writes to the arrays after it
        wait(helpers)
    for helper in helpers:
        helper.result()
