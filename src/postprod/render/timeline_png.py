"""A timeline drawn as a picture: tracks as lanes, clips as labelled blocks, transitions and markers."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

from postprod.atomic import replacing
from postprod.timeline.inspect import TimelineInfo

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


def draw_timeline(info: TimelineInfo, out: str | os.PathLike[str]) -> Path:
    """Write a PNG of the timeline described by ``info``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lanes = [name for name, _ in info.tracks]
    figure, axes = plt.subplots(figsize=(14, 0.8 + 0.6 * len(lanes)), dpi=100)
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
    axes.set_xlabel(f"frames at {info.rate} fps from {info.start_timecode}")
    axes.set_title(info.name, loc="left")
    figure.tight_layout()
    with replacing(out) as temporary:
        figure.savefig(temporary, format="png")
    plt.close(figure)
    return Path(out)
