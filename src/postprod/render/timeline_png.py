"""A timeline drawn as a picture: tracks as lanes, clips as labelled blocks, transitions and markers."""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import Any

from postprod.atomic import replacing
from postprod.timeline.inspect import TimelineInfo
from postprod.timeline.pace import Pace

#: OTIO's marker colours as matplotlib colours (yellow and white darkened to show on white).
_MARKER_COLOURS = {
    "RED": "red",
    "PINK": "hotpink",
    "ORANGE": "darkorange",
    "YELLOW": "goldenrod",
    "GREEN": "green",
    "CYAN": "darkcyan",
    "BLUE": "blue",
    "PURPLE": "purple",
    "MAGENTA": "magenta",
    "BLACK": "black",
    "WHITE": "grey",
}


def draw_timeline(
    info: TimelineInfo, out: str | os.PathLike[str], pace: Pace | None = None
) -> Path:
    """Write a PNG of the timeline described by ``info`` (with ``pace``, its shot lengths
    over time under it: ``inspect --rhythm``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lanes = [name for name, _ in info.tracks]
    height = 0.8 + 0.6 * len(lanes)
    if pace is None:
        figure, axes = plt.subplots(figsize=(14, height), dpi=100)
    else:
        figure, (axes, below) = plt.subplots(
            2, 1, figsize=(14, height + 2.4), dpi=100, sharex=True,
            gridspec_kw={"height_ratios": [height, 2.4]},
        )  # fmt: skip
        _draw_pace(below, pace)
    palette = plt.get_cmap("tab20")
    for item in info.items:
        lane = len(lanes) - 1 - lanes.index(item.track)
        width = max(item.record_out - item.record_in, 0.5)
        if item.kind == "clip":
            colour = palette(zlib.crc32((item.source or item.name).encode()) % 20)  # stable colours
            axes.broken_barh(
                [(item.record_in, width)], (lane + 0.1, 0.8), facecolors=colour, edgecolor="black"
            )
            axes.text(
                item.record_in + width / 2,
                lane + 0.5,
                item.name,
                ha="center",
                va="center",
                fontsize=7,
                clip_on=True,
            )
        elif item.kind == "transition":
            axes.broken_barh(
                [(item.record_in, width)],
                (lane + 0.1, 0.8),
                facecolors="none",
                edgecolor="red",
                hatch="////",
            )
    for marker in info.markers:
        marker_colour = _MARKER_COLOURS.get(marker.colour, "darkorange")
        axes.axvline(marker.frame, color=marker_colour, linewidth=1)
        axes.text(
            marker.frame,
            len(lanes) + 0.05,
            marker.name,
            fontsize=7,
            color=marker_colour,
            rotation=20,
        )
    axes.set_yticks([len(lanes) - 1 - k + 0.5 for k in range(len(lanes))], lanes)
    axes.set_xlim(0, max(info.duration_frames, 1))
    axes.set_ylim(0, len(lanes) + 0.4)
    (axes if pace is None else below).set_xlabel(
        f"frames at {info.rate} fps from {info.start_timecode}"
    )
    axes.set_title(info.name, loc="left")
    figure.tight_layout()
    with replacing(out) as temporary:
        figure.savefig(temporary, format="png")
    plt.close(figure)
    return Path(out)


def _draw_pace(axes: Any, pace: Pace) -> None:
    """Shot lengths (seconds) as steps over the programme, beats as ticks, cuts on a beat
    marked."""
    for frame in pace.beats:
        axes.axvline(frame, color="dimgrey", linewidth=0.5, alpha=0.5, zorder=3)
    for start, length in pace.shots:
        axes.bar(start, length / pace.frame_rate, width=length, align="edge",
                 color="steelblue", edgecolor="white")  # fmt: skip
    near = set(pace.beats)
    on = [cut for cut in pace.cuts if any(abs(cut - b) <= 1 for b in near)] if near else []
    if on:
        axes.plot(on, [0] * len(on), "v", color="crimson", label="cut on a beat")
        axes.legend(loc="upper right", fontsize=7)
    axes.axhline(pace.median_shot_s, color="black", linewidth=0.8, linestyle="--")
    axes.set_ylabel("shot length, s")
    title = (
        f"{pace.track}: mean {pace.mean_shot_s:.2f} s, median {pace.median_shot_s:.2f} s "
        f"(dashed), {pace.cuts_per_minute:.1f} cuts/min"
    )
    if pace.cuts_on_beat is not None:
        title += f", {pace.cuts_on_beat} of {len(pace.cuts)} cuts within a frame of a beat"
    axes.set_title(title, loc="left", fontsize=9)
