"""Workload E1's input: a CMX 3600 EDL of N events (cuts and dissolves, varied reels).

Deterministic for a seed. Record timecodes run contiguously from 01:00:00:00;
every sixth event is a dissolve into a clip with handles on both sides.
"""

from __future__ import annotations

import random
from pathlib import Path

import opentimelineio as otio


def write_edl(path: Path, *, events: int, rate: float, seed: int = 1) -> Path:
    """Write an EDL of ``events`` events at ``rate`` (29.97 is written drop-frame) to ``path``."""
    drop = abs(rate - 30000 / 1001) < 1e-3
    nominal = round(rate)

    def tc(frames: int) -> str:
        return otio.opentime.to_timecode(otio.opentime.RationalTime(frames, rate), rate, drop)

    rng = random.Random(seed)
    lines = [
        f"TITLE: E1 {events} events at {rate:.3f}",
        f"FCM: {'DROP FRAME' if drop else 'NON-DROP FRAME'}",
    ]
    record = (
        3600 * nominal if not drop else otio.opentime.from_timecode("01:00:00;00", rate).to_frames()
    )
    previous_out = 0
    prev_reel = ""
    for number in range(1, events + 1):
        reel = f"R{rng.randrange(1, 200):03d}"
        source_in = rng.randrange(1, 20) * 3600 * nominal // 4 + rng.randrange(0, 5000)
        length = rng.randrange(nominal, 8 * nominal)
        event = f"{number:03d}" if number < 1000 else f"{number:04d}"
        if number > 1 and number % 6 == 0:
            dissolve = rng.randrange(6, nominal)
            lines.append(
                f"{event}  {prev_reel:<8} V     C        {tc(previous_out)} {tc(previous_out)} {tc(record)} {tc(record)}"
            )
            lines.append(
                f"{event}  {reel:<8} V     D    {dissolve:03d} {tc(source_in)} {tc(source_in + length)} "
                f"{tc(record)} {tc(record + length)}"
            )
            lines.append("* BLEND, DISSOLVE")
        else:
            lines.append(
                f"{event}  {reel:<8} V     C        {tc(source_in)} {tc(source_in + length)} "
                f"{tc(record)} {tc(record + length)}"
            )
        lines.append(f"* FROM CLIP NAME:  {reel}_take{number}.mov")
        record += length
        previous_out = source_in + length
        prev_reel = reel
    path.write_text("\n".join(lines) + "\n")
    return path
