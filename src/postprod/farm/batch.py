"""A batch of farm jobs from a TOML file: each a project and the presets to render it in.

```toml
farm = "tcp://render-1:8786"   # or "local" (the default)
workers = 2                    # of a local cluster
segment_s = 10
[[job]]
project = "episode_1.otio"     # relative to this file
presets = ["prores", "h264"]
deliver = ["ebu-r128"]         # delivery presets (postprod deliver), one task each
out = "renders"                # a folder: renders/episode_1.prores.mov, ...
map = ["/mnt/media=/Volumes/media"]
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from postprod.errors import RenderError
from postprod.render.presets import output_preset

_JOB_KEYS = {"project", "presets", "deliver", "out", "map"}
_TOP_KEYS = {"farm", "workers", "segment_s", "job"}


@dataclass(frozen=True, slots=True)
class FarmJob:
    """One project to render in each of ``presets`` (and deliver in each of ``deliveries``)
    into the folder ``out``."""

    project: Path
    presets: tuple[str, ...]
    out: Path
    maps: tuple[str, ...] = ()
    deliveries: tuple[str, ...] = ()

    def output(self, preset: str) -> Path:
        """The file a preset's render writes: ``OUT/PROJECT.PRESET.SUFFIX``."""
        suffix = output_preset(preset).suffixes[0]
        return self.out / f"{self.project.stem}.{preset}{suffix}"


@dataclass(frozen=True, slots=True)
class FarmBatch:
    """The jobs and the cluster they run on."""

    jobs: tuple[FarmJob, ...]
    farm: str = "local"
    workers: int | None = None
    segment_s: float = 10.0


def read_jobs(path: Path) -> FarmBatch:
    """The batch in ``path``; unknown keys, unknown presets and missing projects refused."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RenderError(f"cannot read the jobs file: {error}", where=str(path)) from None
    _known(data, _TOP_KEYS, str(path))
    folder = path.parent
    jobs = []
    for number, job in enumerate(data.get("job", []), start=1):
        where = f"{path}, job {number}"
        _known(job, _JOB_KEYS, where)
        if "project" not in job or not (job.get("presets") or job.get("deliver")):
            raise RenderError("a job needs a project and presets or deliveries", where=where)
        project = folder / str(job["project"])
        if not project.is_file():
            raise RenderError(f"project {project} does not exist", where=where)
        presets = tuple(str(name) for name in job.get("presets", ()))
        for name in presets:
            if output_preset(name).image_sequence:
                raise RenderError(f"the farm writes files, not {name}'s images", where=where)
        out = folder / str(job.get("out", "."))
        out.mkdir(parents=True, exist_ok=True)
        maps = tuple(str(m) for m in job.get("map", ()))
        deliveries = tuple(str(name) for name in job.get("deliver", ()))
        jobs.append(FarmJob(project, presets, out, maps, deliveries))
    if not jobs:
        raise RenderError("no [[job]] in the jobs file", where=str(path))
    workers = data.get("workers")
    return FarmBatch(
        tuple(jobs),
        str(data.get("farm", "local")),
        int(workers) if workers is not None else None,
        float(data.get("segment_s", 10.0)),
    )


def _known(data: dict[str, Any], keys: set[str], where: str) -> None:
    unknown = sorted(set(data) - keys)
    if unknown:
        raise RenderError(
            f"unknown key {unknown[0]!r}", where=where, fix=f"use {', '.join(sorted(keys))}"
        )
