"""``postprod probe``: what a media file holds, as a table or as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console, Group
from rich.table import Table

from postprod.errors import TimecodeError
from postprod.media.probe import MediaInfo, StreamInfo, probe
from postprod.timecode import FrameRate, frames_to_label


def probe_command(
    file: Path = typer.Argument(..., help="A picture or sound file."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Show a media file's container, duration, streams and start timecode."""
    info = probe(file)
    if as_json:
        typer.echo(json.dumps(info.to_dict(), indent=2))
        return
    console = Console()
    if not console.is_terminal:  # piped or captured: keep whole rows, never crop the table
        console.width = 160
    console.print(Group(_summary(info), _streams(info)))


def _summary(info: MediaInfo) -> Table:
    """Container, duration (seconds and timecode), start timecode: one line each."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_row("file", str(info.path))
    grid.add_row("container", info.format)
    grid.add_row("duration", _duration(info))
    grid.add_row("start TC", info.start_timecode or "-")
    if info.time_reference_samples is not None:
        grid.add_row("BWF time ref", f"{info.time_reference_samples} samples since midnight")
    return grid


def _streams(info: MediaInfo) -> Table:
    table = Table(show_edge=False, pad_edge=False)
    for column in ("#", "type", "codec", "picture / sound", "rate", "length", "colour / depth"):
        table.add_column(column, no_wrap=True)
    for s in info.streams:
        table.add_row(str(s.index), s.type, s.codec, *_cells(s))
    return table


def _cells(s: StreamInfo) -> tuple[str, str, str, str]:
    seconds = f"{s.duration_s:.3f} s" if s.duration_s is not None else "-"
    if s.type == "video":
        shape = f"{s.width}x{s.height} {s.pixel_format or ''}".strip()
        if s.sample_aspect_ratio and s.sample_aspect_ratio != 1:
            shape += f" SAR {s.sample_aspect_ratio}"
        rate = _rate(s)
        length = f"{s.frames} frames" if s.frames is not None else seconds
        if s.frames_from == "packets":
            length += " (counted)"
        colour = " ".join(
            part
            for part in (
                f"{s.bit_depth}-bit" if s.bit_depth else "",
                s.color_range or "",
                "/".join(c or "?" for c in (s.color_primaries, s.color_transfer, s.color_space))
                if any((s.color_primaries, s.color_transfer, s.color_space))
                else "",
            )
            if part
        )
        return shape, rate, length, colour or "-"
    if s.type == "audio":
        shape = f"{s.channels} ch {s.channel_layout} {s.sample_format or ''}".strip()
        depth = f"{s.bit_depth}-bit" if s.bit_depth else "-"
        return shape, f"{s.sample_rate} Hz", seconds, depth
    return "-", "-", seconds, "-"


def _rate(s: StreamInfo) -> str:
    """``25 fps``, or ``29.970 fps (30000/1001)`` for rates that are not whole."""
    if s.frame_rate is None:
        return "-"
    if s.frame_rate.denominator == 1:
        return f"{s.frame_rate} fps"
    return f"{float(s.frame_rate):.3f} fps ({s.frame_rate})"


def _duration(info: MediaInfo) -> str:
    """Seconds, and as timecode at the picture's rate (or hh:mm:ss.mmm for sound only)."""
    seconds = f"{info.duration_s:.3f} s"
    video = info.video
    if video is not None and video.frames is not None and video.frame_rate is not None:
        drop = bool(info.start_timecode and ";" in info.start_timecode)
        try:
            rate = FrameRate(video.frame_rate, drop_frame=drop)
            return f"{seconds}  {frames_to_label(video.frames, rate)} ({video.frames} frames)"
        except TimecodeError:  # a rate without SMPTE labels (e.g. 15 fps): frames only
            return f"{seconds}  ({video.frames} frames at {video.frame_rate} fps)"
    total_ms = round(info.duration_s * 1000)
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{seconds}  {hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"
