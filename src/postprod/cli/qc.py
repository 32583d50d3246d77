"""``postprod qc`` and ``postprod presets``: check files against delivery presets."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from postprod.cli.journal import record
from postprod.deliver.presets import all_presets, find_preset

if TYPE_CHECKING:
    from postprod.deliver.checks import Check

EXIT_QC_FAILED = 3

presets_app = typer.Typer(no_args_is_help=True, help="Delivery presets (data files).")


def _user_presets() -> Path | None:
    folder = os.environ.get("POSTPROD_PRESETS")
    return Path(folder) if folder else None


def qc_command(
    file: Path = typer.Argument(..., help="The sound file to check."),
    preset: str = typer.Option(..., "--preset", "-p", help="A preset name or a .toml file."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    report_dir: Path | None = typer.Option(
        None, "--report", help="Write JSON and HTML reports here."
    ),
    duration: float | None = typer.Option(None, "--duration", help="Expected length, seconds."),
    operator: str | None = typer.Option(
        None, "--operator", help="Who checked it, for the report (default: your user name)."
    ),
) -> None:
    """Check a file against a delivery preset; exit status 3 when a check fails.

    A video file is checked for picture faults too when the preset has picture rules
    (black, freeze, EBU R 103 levels and gamut, flashing), each place in programme timecode.
    """
    from postprod.cli.progress import frame_progress
    from postprod.deliver.qc import run_qc
    from postprod.deliver.report import write_reports

    with frame_progress("picture QC") as update:
        report = run_qc(
            file,
            find_preset(preset, _user_presets()),
            expected_duration_s=duration,
            progress=lambda done, total: update(done, total or 0),
            operator=operator,
        )
    written = write_reports(report, report_dir) if report_dir is not None else ()
    record(
        "qc",
        f"QC {report.preset.name}: {'passed' if report.passed else 'failed'}",
        outputs=[file, *written],
        details={
            "preset": report.preset.name,
            "passed": report.passed,
            **report.loudness.figures(),
        },
    )
    if as_json:
        typer.echo(json.dumps(report.to_dict()))
    else:
        table = Table(title=f"{file.name} against {report.preset.name}", title_justify="left")
        for column in ("check", "result", "value", "limit"):
            table.add_column(column)
        for check in report.checks:
            result = "[green]pass" if check.passed else "[red]FAIL"
            table.add_row(check.name, result, str(check.value), check.limit)
        console = Console()
        console.print(table)
        _print_failures(console, report.checks)
        console.print("[bold green]PASSED" if report.passed else "[bold red]FAILED")
        for path in written:
            console.print(f"report: {path}")
    if not report.passed:
        raise typer.Exit(EXIT_QC_FAILED)


def _print_failures(console: Console, checks: Sequence[Check]) -> None:
    """Each failed check's message (value, limit, fix) and its first places in timecode."""
    for check in checks:
        if check.passed:
            continue
        console.print(f"[red]{check.name}[/red]: {check.message}", highlight=False)
        for finding in check.findings[:_SHOWN_FINDINGS]:
            console.print(
                f"    {finding.start_timecode} - {finding.end_timecode}  {finding.detail}",
                highlight=False,
            )
        if len(check.findings) > _SHOWN_FINDINGS:
            console.print(f"    ... {len(check.findings) - _SHOWN_FINDINGS} more in the report")


#: Findings of a failed check listed in the terminal (the report has them all).
_SHOWN_FINDINGS = 5


@presets_app.command("list")
def presets_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the delivery presets and the standards they follow."""
    presets = all_presets(_user_presets())
    if as_json:
        typer.echo(json.dumps({name: p.description for name, p in presets.items()}))
        return
    table = Table(title="delivery presets", title_justify="left")
    for column in ("name", "what it is", "standard"):
        table.add_column(column)
    for name, preset in presets.items():
        table.add_row(name, preset.description, preset.standard)
    Console().print(table)


def deliver_command(
    project: Path = typer.Argument(..., help="The project (.otio)."),
    presets: list[str] = typer.Option(
        ...,
        "--preset",
        "-p",
        help="A preset name or a .toml file; with --farm, repeat for several.",
    ),
    out: Path = typer.Option(..., "--out", "-o", help="The folder to deliver into."),
    fix: bool = typer.Option(
        False,
        "--fix",
        help="Apply the fixes QC offers (DC high-pass, loudness gain, peak limiter) to the "
        "project as one undo step and deliver again.",
    ),
    farm: str | None = typer.Option(
        None,
        "--farm",
        help="Deliver on a Dask cluster, one preset per worker: 'local' starts one on this "
        "machine, tcp://SCHEDULER:8786 joins a running scheduler. Needs postprod\\[farm].",
    ),
    workers: int | None = typer.Option(
        None, "--workers", help="With --farm local: worker processes (default: one per core)."
    ),
    maps: list[str] = typer.Option(
        [], "--map", help="With --farm: media at FROM here is at TO on the workers (FROM=TO)."
    ),
) -> None:
    """Render, master and check a project's sound against a delivery preset."""
    from postprod.deliver.deliver import deliver_project
    from postprod.errors import DeliveryError

    if farm is not None:
        from postprod.cli.farm import FarmOptions, deliver_with_farm

        if fix:
            raise DeliveryError(
                "--fix changes the project, which a farm delivery does not",
                fix="deliver with --fix on this machine first, then with --farm",
            )
        if not deliver_with_farm(
            project, presets, out, FarmOptions(farm, workers, maps=tuple(maps))
        ):
            raise typer.Exit(EXIT_QC_FAILED)
        return
    if len(presets) > 1:
        raise DeliveryError(
            f"{len(presets)} presets on one machine",
            fix="give one --preset, or add --farm local to deliver several at once",
        )
    preset = presets[0]
    console = Console(stderr=True)
    with console.status("delivering", spinner="dots") as status:
        delivery = deliver_project(
            project,
            find_preset(preset, _user_presets()),
            out,
            fix=fix,
            stage=lambda what: status.update(f"{preset}: {what}"),
        )
    record(
        "delivery",
        f"delivered {delivery.qc.preset.name}: {'passed' if delivery.qc.passed else 'failed'}",
        project=project,
        outputs=[
            delivery.master,
            *delivery.stems,
            *delivery.reports,
            *([delivery.cue] if delivery.cue else []),
        ],
        details={
            "preset": delivery.qc.preset.name,
            "passed": delivery.qc.passed,
            "applied_fixes": list(delivery.applied),
            **delivery.qc.loudness.figures(),
        },
    )
    console = Console()
    for line in delivery.applied:
        console.print(f"[yellow]fixed[/yellow]: {line}", highlight=False)
    verdict = "[bold green]PASSED" if delivery.qc.passed else "[bold red]FAILED"
    figures = delivery.qc.loudness.figures()
    console.print(
        f"{delivery.master}: {figures['integrated_lufs']:.1f} LUFS, "
        f"{figures['true_peak_dbtp']:.1f} dBTP, QC {verdict}"
    )
    for path in (*delivery.stems, *delivery.reports, *((delivery.cue,) if delivery.cue else ())):
        console.print(f"  {path}")
    _print_failures(console, delivery.qc.checks)
    for name, offered in delivery.qc.fixes.items():
        if not fix:
            console.print(f"  fix for {name}: {offered.label} (deliver --fix applies it)")
    if not delivery.qc.passed:
        raise typer.Exit(EXIT_QC_FAILED)
