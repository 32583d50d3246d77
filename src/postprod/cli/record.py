"""``postprod record``: a take from an audio input onto a track of a project, logged."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.live import Live
from rich.text import Text

from postprod.errors import EditError
from postprod.log import LogStore, RecordingTake, default_location, log_recording
from postprod.project import load_project
from postprod.timecode import FrameRate
from postprod.timecode.points import parse_point
from postprod.timeline.slots import Where

if TYPE_CHECKING:
    from postprod.record.take import Take


def record_command(
    project: Path = typer.Argument(..., help="The project (.otio) the take goes into."),
    track: str | None = typer.Option(
        None, "--track", "-t", help="The audio track (made if missing); default: the armed one."
    ),
    source: str | None = typer.Option(
        None, "--input", help="A device name or number, file:PATH or tone:HZ (default device)."
    ),
    channels: str | None = typer.Option(
        None, "--channels", help="Input channels, counted from 1, e.g. 1,2."
    ),
    duration: float | None = typer.Option(None, "--duration", help="Seconds (default: to a stop)."),
    punch_in: str | None = typer.Option(None, "--punch-in", help="Programme timecode or frames."),
    punch_out: str | None = typer.Option(None, "--punch-out", help="Programme timecode or frames."),
    pre_roll: float = typer.Option(0.0, "--pre-roll", help="Seconds kept before the punch-in."),
    at: str | None = typer.Option(None, "--at", help="Where the take goes (default: track end)."),
    sample_rate: int = typer.Option(48000, "--rate", help="Sample rate, Hz."),
    bit_depth: str = typer.Option("24", "--bit-depth", help="16, 24 or 32f."),
    ltc_channel: int | None = typer.Option(
        None,
        "--ltc-channel",
        help="An input channel (counted from 1) carrying LTC: the take is placed by it.",
    ),
    realtime: bool = typer.Option(False, "--realtime", help="Play a file: input at its pace."),
    note: str = typer.Option("", "--note", help="A note for the log (the take, the performer)."),
) -> None:
    """Record a take onto a track, with a level meter; Ctrl-C stops and keeps the take."""
    from postprod.media.inputs import parse_input
    from postprod.record.take import TakePlan, record_take

    timeline = load_project(project)
    where = Where.of(timeline)
    counting = FrameRate.parse(where.rate)
    track = track or _armed_track(timeline, project)

    def point(text: str | None, what: str) -> int | None:
        return None if text is None else parse_point(text, counting, where.start_frame, what=what)

    picked = _channels(channels)
    opened = max([*picked, ltc_channel or 0, 2 if not picked else 0])
    audio = parse_input(source, sample_rate, opened, seconds=duration, realtime=realtime)
    plan = TakePlan(
        track,
        picked,
        bit_depth,
        duration,
        point(punch_in, "--punch-in"),
        point(punch_out, "--punch-out"),
        pre_roll,
        point(at, "--at"),
        ltc_channel,
    )
    console = Console()
    meter_line = Text("")
    with Live(meter_line, console=console, refresh_per_second=10, transient=True) as live:

        def meter(elapsed_s: float, peaks_dbfs: list[float]) -> None:
            bars = "  ".join(_bar(peak) for peak in peaks_dbfs)
            live.update(Text(f"REC {elapsed_s:7.1f} s  {bars}"))

        take = record_take(project, audio, plan, meter=meter)
    _log(project, take, audio.name, where, note)
    stopped = " (stopped: everything captured is kept)" if take.stopped_early else ""
    console.print(
        f"take {take.path.name}: {take.duration_s:.2f} s on {take.track} at "
        f"{where.tc(take.record_frame)}{stopped}; peak {take.loudness.sample_peak_dbfs:.1f} dBFS, "
        f"{take.loudness.integrated_lufs:.1f} LUFS"
    )


def _armed_track(timeline: Any, project: Path) -> str:
    """The one track armed to record (``postprod track arm``), when no --track is given."""
    from postprod.operations import track_infos

    armed = [info.name for info in track_infos(timeline) if info.armed]
    if len(armed) != 1:
        raise EditError(
            "no track is armed to record" if not armed else f"{', '.join(armed)} are all armed",
            where=str(project),
            fix="give --track NAME, or arm one: postprod track arm PROJECT NAME",
        )
    return armed[0]


def _channels(text: str | None) -> tuple[int, ...]:
    if not text:
        return ()
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise EditError(f"--channels {text!r}", fix="list channel numbers: 1,2") from None


def _finite(value: float) -> float | None:
    """A level for the log (silence has no finite level: None)."""
    return round(value, 2) if math.isfinite(value) else None


def _bar(peak_dbfs: float) -> str:
    """A 20-step meter from -60 to 0 dBFS, with the figure."""
    filled = max(0, min(20, round((peak_dbfs + 60) / 3)))
    return f"[{'#' * filled}{'.' * (20 - filled)}] {peak_dbfs:6.1f}"


def _log(project: Path, take: Take, source: str, where: Where, note: str) -> None:
    if os.environ.get("POSTPROD_LOG", "").lower() == "off":
        return
    details = RecordingTake(
        track=take.track,
        input=source,
        start_timecode=where.tc(take.record_frame),
        duration_s=round(take.duration_s, 6),
        sample_rate=take.sample_rate,
        file=str(take.path.resolve()),
        peak_dbfs=_finite(take.loudness.sample_peak_dbfs),
        loudness_lufs=_finite(take.loudness.integrated_lufs),
    )
    with LogStore(default_location()) as store:
        log_recording(store, details, project=project, note=note)
