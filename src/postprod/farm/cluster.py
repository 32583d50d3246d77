"""A Dask client for a job: a ``LocalCluster`` of processes (one thread each) or an existing
scheduler (``tcp://host:8786``). Dask is the optional extra ``postprod[farm]``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from postprod.errors import RenderError


def require_dask() -> Any:
    """The ``distributed`` module, or one clear error naming the extra to install."""
    try:
        import distributed
    except ImportError:
        raise RenderError(
            "the render farm needs Dask distributed, which is not installed",
            fix="pip install 'postprod[farm]'",
        ) from None
    return distributed


@contextmanager
def farm_client(
    address: str, *, workers: int | None = None, dashboard: bool = True
) -> Iterator[Any]:
    """A ``distributed.Client``: ``local`` starts a LocalCluster of ``workers`` processes
    (default: one per core) and stops it afterwards; any other address joins that
    scheduler."""
    distributed = require_dask()
    if address == "local":
        cluster = local_cluster(workers or os.cpu_count() or 1, dashboard=dashboard)
        try:
            with distributed.Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    if not address.startswith(("tcp://", "tls://", "ws://", "wss://", "inproc://")):
        raise RenderError(
            f"farm {address!r} is neither 'local' nor a scheduler address",
            fix="give --farm local or --farm tcp://SCHEDULER:8786",
        )
    try:
        client = distributed.Client(address, timeout="10s")
    except OSError as error:
        raise RenderError(
            f"cannot reach the scheduler at {address}: {error}",
            fix="start it with `dask scheduler` and check the address and port",
        ) from None
    with client:
        if workers:
            client.wait_for_workers(workers, timeout=60)
        yield client


#: What a render worker must not inherit from the nanny: Dask sets glibc's trim threshold
#: to 64 kB, which also switches off glibc's moving mmap threshold, so every frame buffer
#: (6 MB at 1080p) is mapped, faulted in and unmapped again: measured, +60 % CPU per
#: segment. ``None`` unsets it (``distributed.nanny._get_env_variables``).
WORKER_ENVIRON = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


def local_cluster(workers: int, *, dashboard: bool = True, **options: Any) -> Any:
    """A ``LocalCluster`` of ``workers`` processes of one thread each, set up for rendering
    (:data:`WORKER_ENVIRON`)."""
    import dask

    distributed = require_dask()
    with dask.config.set(WORKER_ENVIRON):
        return distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0" if dashboard else None,
            **options,
        )


def dashboard_link(client: Any) -> str | None:
    """The Dask dashboard's address, if the scheduler serves one."""
    try:
        info = client.scheduler_info()
    except Exception:  # an informative extra, never a failure
        return None
    if "dashboard" not in info.get("services", {}):
        return None
    return str(client.dashboard_link)


def postprod_tasks(dask_scheduler: Any) -> dict[str, int]:
    """Run on the scheduler (``Client.run_on_scheduler``): postprod's tasks counted by state."""
    counts: dict[str, int] = {}
    for key, task in dask_scheduler.tasks.items():
        if str(key).startswith("postprod-"):
            counts[task.state] = counts.get(task.state, 0) + 1
    return counts
