"""Deliveries of one project in several presets at once, one Dask task per preset.

A delivery masters the whole programme's sound (measure, normalise, limit, check), which
does not cut into segments, so the farm spreads the presets, not time: each is one task,
retried like a segment; the results come back as plain figures and file names.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from postprod.deliver.presets import DeliveryPreset
from postprod.errors import DeliveryError
from postprod.farm.cluster import require_dask
from postprod.farm.paths import PathMap, map_path
from postprod.farm.tasks import worker_name


@dataclass(frozen=True, slots=True)
class DeliveryTask:
    """Deliver ``project`` in ``preset`` into ``out`` (paths as the job's machine sees them)."""

    project: str
    preset: DeliveryPreset
    out: str
    maps: tuple[PathMap, ...] = ()


@dataclass(frozen=True, slots=True)
class DeliveryDone:
    """One preset's delivery: its files (the job machine's paths), QC verdict and figures."""

    preset: str
    files: tuple[str, ...]  # the master first, then stems, reports and the cue sheet
    passed: bool
    figures: dict[str, float]
    seconds: float
    worker: str


def deliver_preset(task: DeliveryTask) -> DeliveryDone:
    """Run on a worker: the delivery of one preset."""
    from postprod.deliver.deliver import deliver_project

    started = time.time()
    project = Path(map_path(task.project, task.maps))
    out = Path(map_path(task.out, task.maps))
    worker = worker_name()
    if not project.is_file():
        raise DeliveryError(
            f"project {project} is missing on worker {worker}",
            fix="mount the project's folder there, or map it with --map FROM=TO",
        )
    delivery = deliver_project(project, task.preset, out)
    written = (
        delivery.master,
        *delivery.stems,
        *delivery.reports,
        *((delivery.cue,) if delivery.cue else ()),
    )
    return DeliveryDone(
        task.preset.name,
        tuple(str(Path(task.out) / path.relative_to(out)) for path in written),
        delivery.qc.passed,
        dict(delivery.qc.loudness.figures()),
        time.time() - started,
        worker,
    )


def deliver_on_farm(
    client: Any,
    project: Path,
    presets: tuple[DeliveryPreset, ...],
    out: Path,
    *,
    maps: tuple[PathMap, ...] = (),
    retries: int = 2,
    done: Callable[[DeliveryDone], None] | None = None,
) -> tuple[DeliveryDone, ...]:
    """Deliver ``project`` in every preset on the cluster; the first preset that fails
    ``retries + 1`` times fails the job, naming it."""
    distributed = require_dask()
    out.mkdir(parents=True, exist_ok=True)
    futures = {
        client.submit(
            deliver_preset,
            DeliveryTask(str(project.resolve()), preset, str(out.resolve()), maps),
            retries=retries,
            pure=False,
        ): preset.name
        for preset in presets
    }
    results: dict[str, DeliveryDone] = {}
    try:
        for future in distributed.as_completed(list(futures)):
            name = futures[future]
            if future.status != "finished":
                error = future.exception()
                raise DeliveryError(
                    f"delivery {name} failed {retries + 1} times: {type(error).__name__}: {error}",
                    where=str(project),
                    fix="fix the cause and deliver that preset again",
                )
            results[name] = future.result()
            if done is not None:
                done(results[name])
    except BaseException:
        client.cancel(list(futures))
        raise
    return tuple(results[preset.name] for preset in presets)
