"""Long work (deliveries) in background threads, with progress pushed to every tab.

:class:`Jobs` runs each job in a thread of its own; a job reports progress (0
to 1) through the callback it is given and returns its report (JSON-ready).
Every change of a job is sent as ``{"type": "job", "id", "kind", "progress",
"stage", "done", "report", "error"}`` (``stage``: the step it is on, in words) through the notify callback (the hub), and is also
what ``GET /api/jobs/{id}`` answers. A job's failure the user caused
(:class:`PostprodError`) is its one-line ``error``; anything else is an
internal error, said as such.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from postprod.errors import PostprodError


class Progress(Protocol):
    """How a job says how far it is (0 to 1) and, when it changes, the step it is on."""

    def __call__(self, fraction: float, stage: str | None = None) -> None: ...


Work = Callable[[Progress], dict[str, Any]]


@dataclass(slots=True)
class Job:
    """One job's progress and outcome."""

    id: str
    kind: str
    progress: float = 0.0
    stage: str = ""
    done: bool = False
    report: dict[str, Any] | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "job",
            "id": self.id,
            "kind": self.kind,
            "progress": self.progress,
            "stage": self.stage,
            "done": self.done,
            "report": self.report,
            "error": self.error,
        }


class Jobs:
    """The jobs of one console."""

    def __init__(self, notify: Callable[[dict[str, Any]], None]) -> None:
        self.notify = notify
        self._jobs: dict[str, Job] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def start(self, kind: str, work: Work) -> Job:
        """Run ``work`` in a new thread; the job, already announced."""
        with self._lock:
            job = Job(f"{kind}-{next(self._numbers)}", kind)
            self._jobs[job.id] = job
        self._send(job)

        def progress(fraction: float, stage: str | None = None) -> None:
            with self._lock:
                job.progress = min(max(float(fraction), 0.0), 1.0)
                if stage is not None:
                    job.stage = stage
            self._send(job)

        def run() -> None:
            try:
                report = work(progress)
            except PostprodError as error:
                with self._lock:
                    job.error = error.message
            except Exception as error:  # not the user's doing: say so, keep serving
                with self._lock:
                    job.error = f"internal error: {type(error).__name__}: {error}"
            else:
                with self._lock:
                    job.report = report
                    job.progress = 1.0
                    job.stage = "done"
            with self._lock:
                job.done = True
            self._send(job)

        thread = threading.Thread(target=run, name=f"postprod-console-{job.id}", daemon=True)
        self._threads.append(thread)
        thread.start()
        return job

    def wait(self, timeout_s: float | None = None) -> None:
        """Wait for every job started so far (tests, shutdown)."""
        for thread in list(self._threads):
            thread.join(timeout_s)

    def _send(self, job: Job) -> None:
        with self._lock:
            message = job.to_dict()
        self.notify(message)


def file_address(path: Path, folder: Path) -> str | None:
    """``/files/REL`` for a file under the project's folder (None elsewhere)."""
    real = path.resolve()
    if not real.is_relative_to(folder):
        return None
    return "/files/" + quote(real.relative_to(folder).as_posix())


def delivery_work(project: Path, preset_name: str, out_dir: Path) -> Work:
    """The job that delivers ``project`` against a preset into ``out_dir`` and logs it."""

    def work(progress: Progress) -> dict[str, Any]:
        from postprod.deliver.deliver import deliver_project
        from postprod.deliver.presets import find_preset

        preset = find_preset(preset_name, _user_presets())
        progress(0.02, "starting")
        steps = itertools.count(1)

        def stage(what: str) -> None:
            # a delivery's steps are not known ahead (a loudness pass may repeat):
            # each new step closes a third of what is left, never reaching the end
            progress(0.9 * (1 - (2 / 3) ** next(steps)), what)

        delivery = deliver_project(project, preset, out_dir, stage=stage)
        progress(0.95, "logging the delivery")
        outputs = [
            delivery.master,
            *delivery.stems,
            *delivery.reports,
            *([delivery.cue] if delivery.cue else []),
        ]
        figures = delivery.qc.loudness.figures()
        warning = _log_delivery(
            project, delivery.qc.preset.name, delivery.qc.passed, outputs, figures
        )
        folder = project.parent.resolve()
        return {
            "preset": delivery.qc.preset.name,
            "passed": delivery.qc.passed,
            "figures": figures,
            "qc": delivery.qc.to_dict(),
            "files": [{"path": str(path), "url": file_address(path, folder)} for path in outputs],
            "warning": warning,
        }

    return work


def _user_presets() -> Path | None:
    """The user's presets folder (``POSTPROD_PRESETS``), as the command line reads it."""
    folder = os.environ.get("POSTPROD_PRESETS")
    return Path(folder) if folder else None


def preset_names() -> dict[str, Any]:
    """The delivery presets as ``GET /api/presets`` lists them."""
    from dataclasses import asdict

    from postprod.deliver.presets import all_presets

    return {
        name: {key: value for key, value in asdict(preset).items() if key != "source"}
        for name, preset in all_presets(_user_presets()).items()
    }


def _log_delivery(
    project: Path, preset: str, passed: bool, outputs: list[Path], figures: dict[str, Any]
) -> str | None:
    """Log the delivery as the command line does; a log that cannot be written is a warning."""
    if os.environ.get("POSTPROD_LOG", "").lower() == "off":
        return None
    from postprod.log import LogStore, default_location, file_sha256

    files = [
        {"path": str(path.resolve()), "sha256": file_sha256(path)}
        for path in outputs
        if path.is_file()
    ]
    try:
        with LogStore(default_location()) as store:
            store.append(
                "delivery",
                note=f"delivered {preset}: {'passed' if passed else 'failed'}",
                project=str(project),
                details={"preset": preset, "passed": passed, **figures, "outputs": files},
            )
    except (PostprodError, OSError) as error:
        message = error.message if isinstance(error, PostprodError) else str(error)
        return f"not logged ({message})"
    return None


__all__ = ["Job", "Jobs", "delivery_work", "file_address", "preset_names"]
