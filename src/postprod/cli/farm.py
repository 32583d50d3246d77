"""``postprod farm``: renders and deliveries on a Dask cluster (submit a batch, status), and
the runner behind ``postprod render --farm``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from postprod.cli.journal import record
from postprod.errors import RenderError

if TYPE_CHECKING:
    from postprod.farm.job import FarmProgress, FarmResult
    from postprod.farm.paths import PathMap

app = typer.Typer(
    no_args_is_help=True,
    help="The render farm on Dask: submit a batch of jobs, deliver in several presets, show "
    "the cluster's state.",
)

FARM_HELP = (
    "Render on a Dask cluster: 'local' starts one on this machine (one process per worker), "
    "tcp://SCHEDULER:8786 joins a running scheduler. Needs the extra postprod\\[farm]."
)


@dataclass(frozen=True, slots=True)
class FarmOptions:
    """The command line's farm options."""

    address: str
    workers: int | None = None
    segment_s: float = 10.0
    resume: bool = False
    maps: tuple[str, ...] = ()

    def path_maps(self) -> tuple[PathMap, ...]:
        from postprod.farm.paths import PathMap

        return tuple(PathMap.parse(text) for text in self.maps)


def render_with_farm(
    project: Path,
    out: Path,
    farm: FarmOptions,
    *,
    preset: str | None = None,
    proxy: bool = False,
    size: str | None = None,
    frame_range: str | None = None,
    burn_in: bool = False,
    strict: bool = False,
    client: Any = None,
) -> FarmResult:
    """``postprod render --farm``: plan here, render on the cluster (``client``'s, else
    ``farm.address``), print the progress."""
    from postprod.errors import refuse_overwriting
    from postprod.farm.cluster import farm_client, require_dask
    from postprod.farm.job import FarmSettings, render_on_farm
    from postprod.render.project import plan_project

    require_dask()
    refuse_overwriting(project, out, RenderError)
    if farm.segment_s <= 0:
        raise RenderError(
            f"segment length {farm.segment_s:g} s", fix="give --segment-s above 0, e.g. 10"
        )
    settings = FarmSettings(segment_s=farm.segment_s, resume=farm.resume, maps=farm.path_maps())
    programme, writes = plan_project(
        project, out, size=size, frame_range=frame_range, preset=preset, proxy=proxy
    )

    def run(connected: Any) -> FarmResult:
        with _farm_progress() as progress:
            return render_on_farm(
                connected,
                programme,
                out,
                preset=writes,
                burn_in_timecode=burn_in,
                strict=strict,
                settings=settings,
                progress=progress,
            )

    if client is not None:
        result = run(client)
    else:
        with farm_client(farm.address, workers=farm.workers) as connected:
            _announce(connected)
            result = run(connected)
    Console().print(
        f"farm: {len(result.segments)} segments, {result.rendered} rendered, "
        f"{result.reused} reused; {result.timings.total_s:.1f} s"
    )
    return result


def _announce(client: Any) -> None:
    from postprod.farm.cluster import dashboard_link

    workers = len(client.scheduler_info().get("workers", {}))
    console = Console(stderr=True)
    console.print(f"farm: {client.scheduler.address}, {workers} workers")
    link = dashboard_link(client)
    if link:
        console.print(f"dashboard: {link}")


@contextmanager
def _farm_progress() -> Iterator[Callable[[FarmProgress], None]]:
    """Segments done, frames per second over the cluster and time left, on stderr."""
    from rich.progress import BarColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[detail]}"))
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("farm", total=None, detail="")

        def update(state: FarmProgress) -> None:
            left = state.time_left_s
            detail = (
                f"{state.segments_done}/{state.segments} segments, {state.frames_per_s:.0f} fps"
            )
            if left is not None:
                detail += f", {left:.0f} s left"
            bar.update(task, completed=state.frames_done, total=state.frames, detail=detail)

        yield update


@app.command("submit")
def submit_command(
    jobs: Path = typer.Argument(..., help="A TOML file of jobs: [[job]] project, presets, out."),
    farm: str | None = typer.Option(None, "--farm", help=FARM_HELP + " Default: the file's."),
    workers: int | None = typer.Option(None, "--workers", help="Workers of a local cluster."),
    segment_s: float | None = typer.Option(None, "--segment-s", help="Segment length, s."),
    resume: bool = typer.Option(False, "--resume", help="Keep finished segments of a stopped job."),
) -> None:
    """Render a batch of projects, each in its presets (and deliver them in theirs), on one
    Dask cluster."""
    from postprod.deliver.presets import find_preset
    from postprod.farm.batch import read_jobs
    from postprod.farm.cluster import farm_client
    from postprod.farm.deliveries import deliver_on_farm

    batch = read_jobs(jobs)
    options = FarmOptions(
        farm or batch.farm,
        workers if workers is not None else batch.workers,
        segment_s if segment_s is not None else batch.segment_s,
        resume,
    )
    console = Console()
    with farm_client(options.address, workers=options.workers) as client:
        _announce(client)
        for job in batch.jobs:
            farm_options = FarmOptions(
                options.address, options.workers, options.segment_s, resume, job.maps
            )
            for preset in job.presets:
                out = job.output(preset)
                result = render_with_farm(
                    job.project, out, farm_options, preset=preset, client=client
                )
                console.print(
                    f"wrote {result.path}: {result.frames} frames, {result.samples} samples"
                )
                record(
                    "render",
                    f"rendered {result.frames} frames on the farm",
                    project=job.project,
                    outputs=[result.path],
                    details={"frames": result.frames, "segments": len(result.segments)},
                )
            if job.deliveries:
                chosen = tuple(find_preset(name) for name in job.deliveries)
                for done in deliver_on_farm(
                    client, job.project, chosen, job.out, maps=farm_options.path_maps()
                ):
                    verdict = "passed" if done.passed else "FAILED"
                    console.print(f"delivered {done.files[0]}: QC {verdict}")
                    record(
                        "delivery",
                        f"delivered {done.preset}: {verdict.lower()}",
                        project=job.project,
                        outputs=[Path(path) for path in done.files],
                        details={"preset": done.preset, "passed": done.passed, **done.figures},
                    )


@app.command("deliver")
def deliver_command(
    project: Path = typer.Argument(..., help="The project (.otio)."),
    presets: list[str] = typer.Option(
        ..., "--preset", "-p", help="A delivery preset name or .toml file; repeat for several."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="The folder to deliver into."),
    farm: str = typer.Option("local", "--farm", help=FARM_HELP),
    workers: int | None = typer.Option(None, "--workers", help="Workers of a local cluster."),
    maps: list[str] = typer.Option(
        [], "--map", help="Media at FROM here is at TO on the workers (FROM=TO)."
    ),
) -> None:
    """Deliver a project in several presets at once, one preset per worker; exit 3 when a
    QC check fails."""
    from postprod.cli.qc import EXIT_QC_FAILED

    if not deliver_with_farm(project, presets, out, FarmOptions(farm, workers, maps=tuple(maps))):
        raise typer.Exit(EXIT_QC_FAILED)


def deliver_with_farm(project: Path, presets: list[str], out: Path, farm: FarmOptions) -> bool:
    """``postprod farm deliver`` and ``postprod deliver --farm``: one task per preset on the
    cluster at ``farm.address``, each printed as it lands and journalled; whether every QC
    passed."""
    from postprod.cli.qc import _user_presets
    from postprod.deliver.presets import find_preset
    from postprod.farm.cluster import farm_client, require_dask
    from postprod.farm.deliveries import DeliveryDone, deliver_on_farm

    require_dask()
    chosen = tuple(find_preset(name, _user_presets()) for name in presets)
    maps = farm.path_maps()
    console = Console()

    def show(done: DeliveryDone) -> None:
        verdict = "[bold green]PASSED" if done.passed else "[bold red]FAILED"
        console.print(
            f"{done.files[0]}: {done.figures['integrated_lufs']:.1f} LUFS, "
            f"{done.figures['true_peak_dbtp']:.1f} dBTP, QC {verdict} ({done.worker})"
        )

    with farm_client(farm.address, workers=farm.workers) as client:
        _announce(client)
        results = deliver_on_farm(client, project, chosen, out, maps=maps, done=show)
    for done in results:
        record(
            "delivery",
            f"delivered {done.preset}: {'passed' if done.passed else 'failed'}",
            project=project,
            outputs=[Path(path) for path in done.files],
            details={"preset": done.preset, "passed": done.passed, **done.figures},
        )
    return all(done.passed for done in results)


@app.command("status")
def status_command(
    scheduler: str = typer.Argument(..., help="The scheduler's address, tcp://HOST:8786."),
) -> None:
    """Show a scheduler's workers and the postprod tasks it holds, by state."""
    from rich.table import Table

    from postprod.farm.cluster import dashboard_link, farm_client, postprod_tasks

    with farm_client(scheduler) as client:
        info = client.scheduler_info()
        busy = client.processing()
        table = Table(title=f"{scheduler}: workers", title_justify="left")
        for column in ("worker", "threads", "memory", "running"):
            table.add_column(column)
        for address, worker in sorted(info.get("workers", {}).items()):
            memory_gb = worker.get("memory_limit", 0) / 1e9
            table.add_row(
                address,
                str(worker.get("nthreads", "")),
                f"{memory_gb:.1f} GB",
                str(len(busy.get(address, ()))),
            )
        console = Console()
        console.print(table)
        counts = client.run_on_scheduler(postprod_tasks)
        states = ", ".join(f"{count} {state}" for state, count in sorted(counts.items()))
        console.print(f"postprod tasks: {states or 'none'}")
        link = dashboard_link(client)
        if link:
            console.print(f"dashboard: {link}")
