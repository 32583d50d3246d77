"""Smart render: the runs of a programme that can be their source's packets, copied.

A run qualifies where the first video track shows one source as it is (a cut:
no transition, title, placement, time warp or rate conversion), nothing on an
upper track covers it, the source's stream has the output's codec, size,
pixel format, rate and colour (limited-range BT.709), and the run holds whole
GOPs that stand alone, or the head of one (the packets from its keyframe, in
decode order, that show exactly its first frames before the cut). Everything
else (transitions, titles, the frames from a cut to the next keyframe, the
last few frames before a cut that hang on a later picture) is encoded as
usual, in pieces between the copies; the copied frames decode exactly as the
source's do.
"""

from __future__ import annotations

from dataclasses import dataclass

from postprod.media.packets import PacketSources, StreamLayout
from postprod.media.writer import VideoSpec
from postprod.planner.plan import RenderPlan, VideoSpan

#: The codec name a stream has when an encoder of ours wrote it.
_CODEC_OF_ENCODER = {"libx264": "h264", "libx265": "hevc", "prores_ks": "prores"}
#: The sample entry of each prores_ks profile (a copy must be the profile the file says).
_PRORES_TAGS = {"0": "apco", "1": "apcs", "2": "apcn", "3": "apch", "4": "ap4h", "5": "ap4x"}


@dataclass(frozen=True, slots=True)
class Copy:
    """Programme frames ``start`` .. ``start + frames`` copied from ``path``'s packets,
    from its frame ``source_first`` (whole GOPs)."""

    start: int
    frames: int
    path: str
    source_first: int
    reorder_frames: int  # the source's B-frame delay


def copies(plan: RenderPlan, spec: VideoSpec, sources: PacketSources) -> list[Copy]:
    """Every run of the plan's output range that smart render copies from ``sources``, in
    programme order."""
    codec = _CODEC_OF_ENCODER.get(spec.codec)
    if codec is None:
        return []
    window = plan.output_range
    found: list[Copy] = []
    for span in plan.video:
        source = span.a
        if span.transition != "cut" or source is None or not source.as_recorded:
            continue
        lo = max(span.start, window.start)
        hi = min(span.start + span.length, window.start + window.frames)
        if lo >= hi:
            continue
        layout = sources.layout(source.path)
        if layout is None or not _matches(layout, codec, spec):
            continue
        for start, end in _uncovered(plan, lo, hi):
            first = source.first_frame + start - span.start
            for gop_first, frames in layout.copyable(first, end - start):
                programme = span.start + gop_first - source.first_frame
                found.append(Copy(programme, frames, source.path, gop_first, layout.reorder_frames))
    return sorted(found, key=lambda copy: copy.start)


def _matches(layout: StreamLayout, codec: str, spec: VideoSpec) -> bool:
    return (
        layout.codec == codec
        and (layout.width, layout.height) == (spec.width, spec.height)
        and layout.pixel_format == spec.pixel_format
        and layout.frame_rate == spec.frame_rate
        and layout.limited_bt709
        and (
            codec != "prores"
            or layout.codec_tag == _PRORES_TAGS.get(spec.options.get("profile", "2"))
        )
    )


def _uncovered(plan: RenderPlan, lo: int, hi: int) -> list[tuple[int, int]]:
    """The parts of frames ``lo`` .. ``hi`` that no upper track shows anything over."""
    covered = sorted(
        (max(lo, span.start), min(hi, span.start + span.length))
        for track in plan.overlays
        for span in track
        if _shows(span) and span.start < hi and lo < span.start + span.length
    )
    parts, at = [], lo
    for start, end in covered:
        if start > at:
            parts.append((at, start))
        at = max(at, end)
    if at < hi:
        parts.append((at, hi))
    return parts


def _shows(span: VideoSpan) -> bool:
    return span.a is not None or span.b is not None
