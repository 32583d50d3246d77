"""Picture QC of a file: one streaming decode pass through the picture meter, as checks.

Each picture is decoded, measured (``qc/picture.py``) and let go before the
next is decoded, so memory does not grow with the programme beyond a few
numbers per frame. Findings are placed in programme timecode: the file's own
start timecode (its ``tmcd`` track or ``timecode`` tag), or 00:00:00:00.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from postprod.deliver.checks import Check, Finding, make_check
from postprod.errors import TimecodeError
from postprod.media.planes import YuvPlanes, open_planes
from postprod.media.probe import probe
from postprod.qc.picture import FrameRun, PictureMeter, PictureResult
from postprod.qc.picture_rules import PictureRules
from postprod.timecode import FrameRate, frames_to_label, label_to_frames


@dataclass(frozen=True, slots=True)
class ProgrammeClock:
    """Frame index -> programme timecode label."""

    rate: Fraction
    start_frames: int
    smpte: FrameRate | None

    @staticmethod
    def of(rate: Fraction, start_timecode: str | None) -> ProgrammeClock:
        try:
            smpte: FrameRate | None = FrameRate.parse(rate)
            assert smpte is not None
            smpte.require_smpte()
            start = label_to_frames(start_timecode, smpte) if start_timecode else 0
        except TimecodeError:
            smpte, start = None, 0
        return ProgrammeClock(rate, start, smpte)

    def label(self, frame: int) -> str:
        """The timecode of ``frame`` (from the file's first); at a rate timecode cannot
        count, hours:minutes:seconds.milliseconds."""
        if self.smpte is not None:
            return frames_to_label(self.start_frames + frame, self.smpte)
        seconds = float(frame / self.rate)
        return f"{int(seconds // 3600):02d}:{int(seconds // 60 % 60):02d}:{seconds % 60:06.3f}"

    @property
    def start_label(self) -> str:
        return self.label(0)

    def duration_label(self, seconds: float) -> str:
        """A length as a timecode (frames counted from zero, no start offset)."""
        frames = round(seconds * self.rate)
        if self.smpte is not None:
            return frames_to_label(frames, self.smpte)
        return f"{int(seconds // 3600):02d}:{int(seconds // 60 % 60):02d}:{seconds % 60:06.3f}"


@dataclass(frozen=True, slots=True)
class PictureQc:
    """What the picture pass measured, and its clock."""

    result: PictureResult
    clock: ProgrammeClock

    @property
    def duration_s(self) -> float:
        return float(self.result.frames / self.clock.rate)


def measure_picture(
    path: str | os.PathLike[str],
    rules: PictureRules,
    *,
    progress: Callable[[int, int | None], None] | None = None,
    sound: Callable[[NDArray[np.float32]], None] | None = None,
    clock: ProgrammeClock | None = None,
) -> PictureQc:
    """Decode ``path``'s picture once and measure every frame against ``rules``.

    With ``sound``, the same pass decodes the first sound stream too and hands it
    each float32 ``(channels, n)`` block, so a programme file is read once for picture
    and sound QC. ``progress(frames_done, frames_total_or_None)`` is called every 25
    frames. ``clock`` places the frames (default: the file's start timecode and rate).
    """
    path = Path(path)
    with open_planes(path) as reader:
        meter = PictureMeter(float(reader.frame_rate), rules)
        total = reader.frame_count
        index = 0
        items = reader.planes() if sound is None else reader.planes_and_sound()
        for item in items:
            if not isinstance(item, YuvPlanes):
                assert sound is not None
                sound(item)
                continue
            meter.feed(
                item.y,
                item.u,
                item.v,
                bits=item.bits,
                full_range=item.full_range,
                matrix=item.matrix,
            )
            if progress is not None and index % 25 == 0:
                progress(index, total)
            index += 1
        rate = reader.frame_rate
    if clock is None:
        clock = ProgrammeClock.of(rate, probe(path, count_packets=False).start_timecode)
    return PictureQc(meter.result(), clock)


def picture_checks(qc: PictureQc, rules: PictureRules) -> list[Check]:
    """The picture checks, one per kind, each with its findings in programme timecode."""
    result, clock = qc.result, qc.clock

    def found(runs: tuple[FrameRun, ...] | list[FrameRun], unit: str = "") -> tuple[Finding, ...]:
        return tuple(
            Finding(
                clock.label(r.start), clock.label(r.end), f"{r.detail}{unit}", round(r.value, 3)
            )
            for r in runs
        )

    inside = [run for run in result.black if run.detail == "inside"]
    longest_black = max((run.value for run in inside), default=0.0)
    longest_freeze = max((run.value for run in result.freeze), default=0.0)
    area_pct = f"more than {rules.out_of_range_area * 100:g} % of the picture"
    flashes = max(result.max_flashes_per_s, result.max_red_flashes_per_s)
    checks = [
        make_check(
            "picture_black",
            not inside,
            round(longest_black, 3),
            f"no black of {rules.black_min_s} s or more inside the programme (head and tail allowed)"
            if rules.black_allowed_at_ends
            else f"no black of {rules.black_min_s} s or more",
            "find the gap in the picture edit",
            found(result.black),
        ),
        make_check(
            "picture_freeze",
            not result.freeze,
            round(longest_freeze, 3),
            f"no picture held for {rules.freeze_min_s} s or more "
            f"(frame difference below {rules.freeze_noise_db} dB)",
            "check the edit and the source for a frozen or repeated picture",
            found(result.freeze),
        ),
        make_check(
            "picture_levels",
            not result.levels,
            round(result.max_luma_area * 100, 2),
            f"luma outside {rules.luma_min_8bit}-{rules.luma_max_8bit} (8-bit; x4 at 10-bit) "
            f"over no {area_pct} (EBU R 103)",
            "grade the luma into range or apply a legaliser",
            found(result.levels, " range"),
        ),
        make_check(
            "picture_gamut",
            not result.gamut,
            round(result.max_rgb_area * 100, 2),
            f"R'G'B' outside {rules.rgb_min_8bit}-{rules.rgb_max_8bit} (8-bit; x4 at 10-bit) "
            f"over no {area_pct} (EBU R 103)",
            "reduce the saturation or apply a gamut legaliser",
            found(result.gamut, " range"),
        ),
        make_check(
            "picture_flash",
            not result.flash,
            flashes,
            f"no more than {rules.flash_max_per_s:g} luminance or saturated-red flashes in any "
            "second over 25 % of the screen (ITU-R BT.1702)",
            "slow or soften the flashing sequence, or cut it",
            found(result.flash),
        ),
    ]
    if rules.pattern:
        checks.append(
            make_check(
                "picture_pattern",
                not result.pattern,
                round(result.max_pattern_area * 100, 1),
                f"no regular pattern of more than {rules.pattern_max_pairs} light-dark pairs of "
                f"stripes (contrast {rules.pattern_delta_cd_m2:g} cd/m2 or more, darker below "
                f"{rules.pattern_dark_cd_m2:g} cd/m2) over more than "
                f"{rules.pattern_area * 100:g} % of the screen for more than "
                f"{rules.pattern_min_s:g} s (ITU-R BT.1702, Ofcom)",
                "reduce the pattern's contrast, size or number of stripes, or shorten it",
                found(result.pattern, " pattern"),
            )
        )
    return checks
