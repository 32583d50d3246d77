"""``postprod inspect``: a timeline as a readable table, JSON, or a picture."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from postprod.project import load_project
from postprod.timeline.inspect import ItemInfo, TimelineInfo, describe

if TYPE_CHECKING:
    from postprod.timeline.pace import Pace


def inspect_command(
    project: Path = typer.Argument(..., help="The project (.otio)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    png: Path | None = typer.Option(None, "--png", help="Also draw the timeline to this PNG."),
    rhythm: bool = typer.Option(
        False, "--rhythm", help="The cut's rhythm: shot lengths, cuts per minute, cuts on beats."
    ),
    music: Path | None = typer.Option(
        None, "--music", help="With --rhythm: the beats of this music (default: beat markers)."
    ),
    track: str | None = typer.Option(
        None, "--track", "-t", help="With --rhythm: the picture track (default: the first)."
    ),
) -> None:
    """Show a project's tracks, clips, source and record timecodes, transitions and markers."""
    timeline = load_project(project)
    info = describe(timeline)
    pace = _pace(project, timeline, info, music, track) if rhythm else None
    if png is not None:
        from postprod.render.timeline_png import draw_timeline  # Pillow only for a picture

        draw_timeline(info, png, pace)
    if as_json:
        data = info.to_dict()
        if pace is not None:
            data["rhythm"] = pace.to_dict()
        typer.echo(json.dumps(data))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{info.name}: {info.rate} fps, starts {info.start_timecode}, {info.duration_frames} frames",
        title_justify="left",
    )
    for column in (
        "track",
        "kind",
        "name",
        "record in",
        "record out",
        "source in",
        "source out",
        "speed",
        "link",
        "effects",
    ):
        table.add_column(column, no_wrap=True)
    for item in info.items:
        table.add_row(
            item.track,
            item.kind,
            item.name,
            item.record_in_tc,
            item.record_out_tc,
            item.source_in_tc,
            item.source_out_tc,
            _speed(item),
            item.link or "",
            item.effects,
        )
    console = Console(width=max(Console().width, 170))  # timecodes are not to be folded
    console.print(table)
    locked = set(info.locked_tracks)
    console.print(
        "tracks: "
        + ", ".join(f"{name} (locked)" if name in locked else name for name, _ in info.tracks),
        highlight=False,
    )
    for marker in info.markers:
        console.print(
            f"marker {marker.timecode}: {marker.name}"
            + (f" ({marker.colour})" if marker.colour else "")
            + (f": {marker.note}" if marker.note else "")
        )
    if pace is not None:
        _print_pace(console, pace)
    if png is not None:
        console.print(f"wrote {png}")


def _pace(
    project: Path, timeline: Any, info: TimelineInfo, music: Path | None, track: str | None
) -> Pace:
    """The cut's pace against the music's beats (analysed) or the project's beat markers."""
    from postprod.timeline.pace import pace_of
    from postprod.timeline.slots import Where
    from postprod.workflows import beats as rhythm_flow

    where = Where.of(timeline, project.parent)
    if music is not None:
        found = rhythm_flow.analyse_file(music)
        offset = rhythm_flow.music_offset(timeline, music, where)
        beats = list(rhythm_flow.to_record_frames(found.beats_s, where.rate, offset=offset))
    else:
        beats = list(rhythm_flow.marked_beats(timeline, where).beats)
    return pace_of(info, track, beats)


def _print_pace(console: Any, pace: Pace) -> None:
    console.print(
        f"rhythm of {pace.track}: {len(pace.shots)} shots, mean {pace.mean_shot_s:.2f} s, "
        f"median {pace.median_shot_s:.2f} s, {pace.cuts_per_minute:.1f} cuts a minute",
        highlight=False,
    )
    if pace.cuts_on_beat is None:
        console.print("no beats to compare with (give --music FILE, or mark them: postprod beats)")
    else:
        console.print(
            f"{pace.cuts_on_beat} of {len(pace.cuts)} cuts within one frame of a beat",
            highlight=False,
        )
    lengths = ", ".join(f"{length / pace.frame_rate:.2f}" for _, length in pace.shots)
    console.print(f"shot lengths over time (s): {lengths}", highlight=False)


def _speed(item: ItemInfo) -> str:
    """A clip's speed as the table shows it: blank at 100 %, else the percentage (and
    stretch when the pitch is kept), "freeze" for a freeze frame."""
    if item.speed_percent is None or item.speed_percent == 100:
        return ""
    if item.speed_percent == 0:
        return "freeze"
    shown = f"{item.speed_percent:.4g} %"
    return f"{shown} stretch" if item.speed_mode == "stretch" else shown
