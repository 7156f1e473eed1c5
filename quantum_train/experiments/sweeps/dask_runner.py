"""Sweep points on Dask: a local cluster of worker processes, or an existing scheduler.

The scheduler is contacted *before* any point runs, with a short timeout, so
an unreachable address fails in seconds with one :class:`ConfigError` naming
``scheduler`` instead of a traceback after Dask's default 30 s.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

from quantum_train.errors import ConfigError
from quantum_train.experiments.sweeps.config import PointSpec

#: seconds to wait for a scheduler before refusing it
CONNECT_TIMEOUT = 3


def check_dask(workers: int | None, scheduler: str | None) -> None:
    """Options only: ``workers`` positive, not both, dask.distributed importable."""
    if workers is not None and scheduler is not None:
        raise ConfigError("scheduler", "give either workers or a scheduler, not both")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ConfigError("workers", f"must be a positive integer, got {workers!r}")
    if workers is None and scheduler is None:
        return
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        raise ConfigError("scheduler" if scheduler else "workers",
                          "distributed sweeps need dask.distributed: pip install 'quantum-train[dask]'") from None


def connect(workers: int | None, scheduler: str | None):
    """``(client, cluster)``: a client of ``scheduler`` (refused fast if unreachable) or of a new local cluster."""
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout=CONNECT_TIMEOUT), None
        except (OSError, TimeoutError, ValueError, TypeError) as err:
            reason = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise ConfigError("scheduler", f"cannot reach a Dask scheduler at {scheduler!r} within "
                              f"{CONNECT_TIMEOUT} s ({reason}); check the address, e.g. tcp://host:8786") from None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster), cluster


@contextmanager
def dask_client(workers: int | None, scheduler: str | None) -> Iterator:
    """A connected client (closed on exit), or ``None`` when neither ``workers`` nor ``scheduler`` is given."""
    if workers is None and scheduler is None:
        yield None
        return
    client, cluster = connect(workers, scheduler)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_on_dask(client, todo: Iterable[PointSpec], run: Callable[[PointSpec], dict],
                finish: Callable[[PointSpec, dict], None]) -> None:
    """Submit every point (big widths first, so the slowest do not start last); ``finish`` each as it completes."""
    from dask.distributed import as_completed

    futures = {client.submit(run, spec, pure=False, priority=spec.m * spec.n * spec.d): spec for spec in todo}
    try:
        for fut in as_completed(list(futures)):
            finish(futures[fut], fut.result())
    except BaseException:
        client.cancel(list(futures))
        raise
