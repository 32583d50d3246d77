"""Contact sheets: one picture of the whole edit, a frame from every shot labelled with its timecode.

People read pictures faster than numbers: a sheet shows at a glance that
every shot is the right one and in the right order.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

from postprod.atomic import replacing
from postprod.planner.plan import RenderPlan
from postprod.render.engine import frames_at
from postprod.timecode import FrameRate, frames_to_label
from postprod.video.text import burn_in


def contact_sheet(
    plan: RenderPlan, out: str | os.PathLike[str], *, columns: int = 4, thumb_width: int = 320
) -> Path:
    """A PNG with the middle frame of every span (shot, transition, black), labelled."""
    spans = [span for span in plan.video if span.length > 0]
    indices = [span.start + span.length // 2 for span in spans]
    rate = FrameRate.parse(plan.output.frame_rate)
    scale = thumb_width / plan.output.width
    thumb_height = max(2, round(plan.output.height * scale))
    thumbs = []
    for index, frame in zip(indices, frames_at(plan, indices), strict=True):
        small = np.asarray(
            Image.fromarray(frame).resize((thumb_width, thumb_height), Image.Resampling.BILINEAR)
        )
        label = (
            frames_to_label(plan.start_timecode_frames + index, rate)
            if rate.is_smpte
            else str(index)
        )
        thumbs.append(burn_in(small, label))
    rows = -(-len(thumbs) // columns)
    sheet = np.full(
        (rows * (thumb_height + 4) + 4, columns * (thumb_width + 4) + 4, 3), 32, np.uint8
    )
    for k, thumb in enumerate(thumbs):
        y, x = 4 + (k // columns) * (thumb_height + 4), 4 + (k % columns) * (thumb_width + 4)
        sheet[y : y + thumb_height, x : x + thumb_width] = thumb
    with replacing(out) as temporary:
        Image.fromarray(sheet).save(temporary, format="PNG")
    return Path(out)
