"""From a timeline to a render plan: plain data saying what each span of output shows.

The plan is the only thing the renderer reads. It holds integer frames and
samples and file paths, no OTIO objects, so it can be saved as JSON, checked
in a test, or cut into pieces and sent to other machines.

Video: the first video track becomes a run of spans. A span shows one source
(a clip), black (a gap), or a transition from one source to the next: a
dissolve (an OTIO ``SMPTE_Dissolve``; from or to a gap it is a fade from or
to black) or a wipe (a ``Custom`` transition with postprod's wipe settings).
Each video track above it becomes its own run of spans (``overlays``, bottom
to top), laid over the tracks below: there a gap is transparent, and a
transition from or to a gap dissolves from or to the picture below.
A transition of ``in_offset`` + ``out_offset`` frames centred on a cut plays
the outgoing clip past its out point and the incoming one before its in
point, using their handles.

Audio: the clips of the audio tracks (or, when there are none, the sound of
the video clips, cut with the picture) as segments placed at exact samples,
with a short fade each side of a cut between two clips so it does not click,
an equal-power crossfade across every transition, and each clip's own gain.
A clip at a negative speed (reverse) plays its sound backwards, in sync with
its picture; a freeze frame has none.

Range: a plan may carry a :class:`FrameRange` of the programme to render
(``postprod render --range``). The spans and segments stay those of the whole
programme, so a range renders exactly the frames and samples the whole render
has there (transitions half way through, tails of earlier sounds), and one
plan can be cut into ranges for several machines.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

import opentimelineio as otio

from postprod.effects.console import ConsoleState, StripState
from postprod.effects.registry import EffectSpec
from postprod.errors import EditError, PostprodError, ProjectError, RenderError
from postprod.media.probe import probe
from postprod.timeline.build import TITLE_KIND, TITLE_STYLES
from postprod.timeline.metadata import (
    ClipState,
    PictureState,
    clip_state,
    console_of,
    picture_state,
    strip_of,
    wipe_of,
)
from postprod.timeline.model import (
    exact_rate,
    media_path,
    playback_ratio,
    timeline_rate,
    to_frames,
    to_seconds,
)
from postprod.timeline.multicam import flatten, has_multicam
from postprod.timeline.otio_access import items_of
from postprod.video.transform import Transform

#: Fade applied at each side of a hard cut in the sound, in seconds.
CUT_FADE_S = Fraction(5, 1000)

# The plan's string enums. Each list is its Literal's values (get_args); a test keeps them equal
# to the timeline's (``timeline.metadata``, ``timeline.build``), which edits check against.
TransitionKind = Literal["cut", "dissolve", "wipe"]
TRANSITION_KINDS: tuple[TransitionKind, ...] = get_args(TransitionKind)
TransitionPattern = Literal[
    "horizontal",
    "vertical",
    "diagonal",
    "barn-door",
    "box",
    "iris",
    "clock",
    "push-left",
    "push-right",
    "push-up",
    "push-down",
    "slide-left",
    "slide-right",
    "slide-up",
    "slide-down",
    "dip",
]
PATTERNS: tuple[TransitionPattern, ...] = get_args(TransitionPattern)
Fit = Literal["fit", "fill", "stretch"]
FITS: tuple[Fit, ...] = get_args(Fit)
TitleStyle = Literal["card", "lower-third", "centre"]
STYLES: tuple[TitleStyle, ...] = get_args(TitleStyle)
SpeedMode = Literal["varispeed", "stretch"]
SPEED_MODES: tuple[SpeedMode, ...] = get_args(SpeedMode)
FadeCurve = Literal["linear", "equal-power", "logarithmic", "s-curve"]
FADE_CURVES: tuple[FadeCurve, ...] = get_args(FadeCurve)

_Member = TypeVar("_Member", bound=str)


def _one_of(value: object, allowed: tuple[_Member, ...], what: str) -> _Member:
    """``value`` as a member of ``allowed`` (typed), or a refusal naming ``what``."""
    for member in allowed:
        if member == value:
            return member
    raise RenderError(
        f"unknown {what} {value!r} in the render plan", fix=f"use one of {', '.join(allowed)}"
    )


@dataclass(frozen=True, slots=True)
class WipeSettings:
    """A patterned transition: the pattern, a wipe's soft edge (a fraction of the move) and
    border (pixels), a dip's colour."""

    pattern: TransitionPattern = "horizontal"
    softness: float = 0.0
    border_px: int = 0
    colour: tuple[int, int, int] = (0, 0, 0)

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> WipeSettings:
        red, green, blue = (int(v) for v in data.get("colour", (0, 0, 0)))
        return WipeSettings(
            _one_of(data.get("pattern", "horizontal"), PATTERNS, "transition pattern"),
            float(data.get("softness", 0.0)),
            int(data.get("border_px", 0)),
            (red, green, blue),
        )


@dataclass(frozen=True, slots=True)
class Source:
    """Where a span's picture comes from: a file and the source frame at the span's start,
    or a title card (an OTIO ``GeneratorReference`` of kind ``postprod.title``)."""

    path: str
    first_frame: int
    title: str | None = None
    title_style: TitleStyle = "card"  # or keyed over the picture below: "lower-third", "centre"
    offline: bool = False  # the file is missing: a MEDIA OFFLINE slate stands in
    transform: Transform | None = None  # crop, scale, position, opacity (split screens)
    # A time warp: span frame j shows first_frame + sign * floor((lead + j) * |speed|), where
    # first_frame is the clip's first source frame (its last, played backwards, in reverse)
    # and lead the clip frames before this span. 0 is a freeze frame.
    speed: float = 1.0
    lead: int = 0
    blend: bool = False  # slow motion and rate conversion mix the two nearest source frames
    # File frames per programme frame at normal speed: 1, or the file's rate over the
    # timeline's when they differ (frame-rate conversion by nearest frame, or blended).
    rate_ratio: float = 1.0
    fit: Fit = "fit"  # a picture of another shape: "fit" (bars), "fill" (crop), "stretch"

    @property
    def as_recorded(self) -> bool:
        """A file's frames as they are: no title, slate, time warp, rate conversion or
        placement to draw (they may go to the encoder, or be copied, untouched)."""
        return (
            self.title is None
            and not self.offline
            and self.speed == 1.0
            and self.rate_ratio == 1.0
            and self.transform is None
        )


@dataclass(frozen=True, slots=True)
class VideoSpan:
    """``length`` output frames from ``start``: ``a`` (or black), dissolving into ``b`` if set."""

    start: int
    length: int
    a: Source | None
    b: Source | None = None
    transition: TransitionKind = "cut"
    name: str = ""
    wipe: WipeSettings | None = None  # a wipe's (or move's, or dip's) pattern and look


@dataclass(frozen=True, slots=True)
class AudioSegment:
    """``length`` samples of ``path`` from ``source_sample``, placed at output ``start``."""

    path: str
    source_sample: int
    start: int
    length: int
    fade_in: int = 0
    fade_out: int = 0
    fade_curve: FadeCurve = (
        "linear"  # of the fade in: "linear" at cuts, "equal-power" at crossfades
    )
    name: str = ""
    gain_db: float = 0.0  # the clip's own gain
    fade_out_curve: FadeCurve | Literal[""] = ""  # "" : the same as ``fade_curve``
    effects: tuple[EffectSpec, ...] = ()  # the clip's own effects
    # Source seconds per programme second (a LinearTimeWarp). Negative: the source plays
    # backwards, ``source_sample`` is then where that starts from (exclusive): at -1, output
    # sample j of the segment plays source sample ``source_sample - 1 - j``.
    speed: float = 1.0
    speed_mode: SpeedMode = "varispeed"  # or "stretch" (pitch kept)


@dataclass(frozen=True, slots=True)
class TrackPlan:
    """One audio track for the console: its segments and its strip (plain data)."""

    name: str
    segments: tuple[AudioSegment, ...]
    strip: StripState = field(default_factory=StripState)


@dataclass(frozen=True, slots=True)
class OutputFormat:
    """The programme's picture and sound format."""

    width: int = 1280
    height: int = 720
    frame_rate: Fraction = Fraction(25)
    sample_rate: int = 48000
    channels: int = 2


@dataclass(frozen=True, slots=True)
class FrameRange:
    """Programme frames ``start`` .. ``start + frames`` (0 is the timeline's first frame)."""

    start: int
    frames: int


@dataclass(frozen=True, slots=True)
class RenderPlan:
    """Everything the renderer needs, as plain data."""

    output: OutputFormat
    frames: int
    video: tuple[VideoSpan, ...] = ()
    tracks: tuple[TrackPlan, ...] = ()
    overlays: tuple[tuple[VideoSpan, ...], ...] = ()  # video tracks above the first
    console: ConsoleState = field(default_factory=ConsoleState)
    start_timecode_frames: int = 0
    warnings: tuple[str, ...] = field(default=())
    range: FrameRange | None = None  # only these frames of the programme, if set

    @property
    def output_range(self) -> FrameRange:
        """The programme frames an output file holds: the range, or all of them."""
        return self.range or FrameRange(0, self.frames)

    def with_range(self, frame_range: FrameRange | None) -> RenderPlan:
        """This plan limited to ``frame_range`` of the programme (``None``: all of it)."""
        if frame_range is not None:
            _check_range(frame_range, self.frames, "the programme")
        return replace(self, range=frame_range)

    @property
    def audio(self) -> tuple[AudioSegment, ...]:
        """Every audio segment of every track."""
        return tuple(segment for track in self.tracks for segment in track.segments)

    @property
    def samples(self) -> int:
        """The programme's length in samples (exact: frames x sample rate / frame rate)."""
        return round(Fraction(self.frames) / self.output.frame_rate * self.output.sample_rate)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (fractions as "num/den", effects as ``EffectSpec.to_dict()``)."""
        data: dict[str, Any] = _plain(self)
        return data

    @staticmethod
    def from_dict(data: dict[str, Any]) -> RenderPlan:
        """The inverse of :meth:`to_dict` (string enums checked)."""
        output = dict(data["output"])
        output["frame_rate"] = Fraction(output["frame_rate"])

        def source(value: dict[str, Any] | None) -> Source | None:
            if value is None:
                return None
            transform = value.get("transform")
            return Source(
                **{
                    **value,
                    "title_style": _one_of(value.get("title_style", "card"), STYLES, "title style"),
                    "fit": _one_of(value.get("fit", "fit"), FITS, "fit"),
                    "transform": Transform(**transform) if transform is not None else None,
                }
            )

        def spans(values: list[dict[str, Any]]) -> tuple[VideoSpan, ...]:
            return tuple(
                VideoSpan(
                    **{
                        **span,
                        "a": source(span["a"]),
                        "b": source(span["b"]),
                        "transition": _one_of(span["transition"], TRANSITION_KINDS, "transition"),
                        "wipe": WipeSettings.from_dict(span["wipe"]) if span.get("wipe") else None,
                    }
                )
                for span in values
            )

        def segment(value: dict[str, Any]) -> AudioSegment:
            out_curve = value.get("fade_out_curve", "")
            return AudioSegment(
                **{
                    **value,
                    "fade_curve": _one_of(value["fade_curve"], FADE_CURVES, "fade curve"),
                    "fade_out_curve": _one_of(out_curve, FADE_CURVES, "fade curve")
                    if out_curve
                    else "",
                    "effects": tuple(EffectSpec.from_dict(e) for e in value.get("effects", ())),
                    "speed_mode": _one_of(value["speed_mode"], SPEED_MODES, "speed mode"),
                }
            )

        return RenderPlan(
            output=OutputFormat(**output),
            frames=data["frames"],
            video=spans(data["video"]),
            overlays=tuple(spans(track) for track in data.get("overlays", ())),
            tracks=tuple(
                TrackPlan(
                    track["name"],
                    tuple(segment(value) for value in track["segments"]),
                    StripState.from_dict(track.get("strip", {}), f"track {track['name']}"),
                )
                for track in data["tracks"]
            ),
            console=ConsoleState.from_dict(data.get("console", {}), "the plan's console"),
            start_timecode_frames=data["start_timecode_frames"],
            warnings=tuple(data["warnings"]),
            range=FrameRange(**data["range"]) if data.get("range") else None,
        )


def _plain(value: Any) -> Any:
    """``value`` as JSON-ready data: dataclasses as dicts, tuples as lists, fractions as text."""
    if isinstance(value, (EffectSpec, StripState, ConsoleState)):
        return value.to_dict()
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, Fraction):
        return str(value)
    return value


@dataclass(frozen=True, slots=True)
class _Item:
    """A clip or gap of a track in whole frames: where it sits and what it plays."""

    name: str
    start: int
    length: int
    source_first: int
    path: str | None  # None for a gap
    gain_db: float = 0.0
    title: str | None = None
    title_style: TitleStyle = "card"
    sound: ClipState = field(default_factory=ClipState)  # its own fades, effects, speed mode
    speed: float = 1.0  # the clip's LinearTimeWarp (0: a freeze frame)
    picture: PictureState = field(default_factory=PictureState)  # crop, scale, position
    rate_ratio: Fraction = Fraction(1)  # file frames per timeline frame (source_first's unit)
    # a sound clip between frames (AAF, FCPXML, sound editors' EDLs): what its start, end and
    # source start lie past the whole frames above, in seconds (0 for picture)
    start_extra_s: Fraction = Fraction(0)
    end_extra_s: Fraction = Fraction(0)
    first_extra_s: Fraction = Fraction(0)

    @property
    def frames_played(self) -> int:
        """File frames the clip plays through at its speed (whole frames, as its picture)."""
        return math.ceil(self.length * abs(self.speed) * self.rate_ratio)


def plan(
    timeline: otio.schema.Timeline,
    output: OutputFormat,
    *,
    project_folder: Path | None = None,
    frame_range: FrameRange | None = None,
) -> RenderPlan:
    """The render plan of a timeline at ``output``'s format: all of it, or ``frame_range``.

    Multicam cuts are planned as the plain clips they play (``timeline.multicam.flatten``).
    """
    if has_multicam(timeline):
        timeline = timeline.deepcopy()
        flatten(timeline)
    rate = timeline_rate(timeline)
    if rate != output.frame_rate:
        output = OutputFormat(
            output.width, output.height, rate, output.sample_rate, output.channels
        )
    video_tracks = list(timeline.video_tracks())
    audio_tracks = [track for track in timeline.audio_tracks() if len(track)]
    frames = max(
        (
            to_frames(track.duration(), rate, where=track.name)
            if track.kind != otio.schema.TrackKind.Audio
            else math.ceil(_exact_frames(track.duration(), rate))  # its last sample too
            for track in timeline.tracks
        ),
        default=0,
    )
    if frames == 0:
        raise EditError(
            f"timeline {timeline.name!r} has nothing on it", where=timeline.name, fix="add clips"
        )
    media = _MediaFacts()
    video: list[VideoSpan] = []
    overlays: list[tuple[VideoSpan, ...]] = []
    if video_tracks:
        video = _video_spans(video_tracks[0], rate, project_folder, media)
        video = _fill_to(video, frames)
        for track in video_tracks[1:]:
            spans = _video_spans(track, rate, project_folder, media)
            if any(span.a is not None or span.b is not None for span in spans):
                overlays.append(tuple(_fill_to(spans, frames)))
    sound_tracks = audio_tracks or video_tracks[:1]
    tracks = tuple(
        TrackPlan(
            track.name or f"A{index + 1}",
            tuple(
                segment
                for segment in _audio_segments(
                    track, rate, output.sample_rate, project_folder, media
                )
                if audio_tracks or media.sounding(segment.path)  # picture-only: silent
            ),
            strip_of(track) if audio_tracks else StripState(),
        )
        for index, track in enumerate(sound_tracks)
    )
    start_tc = 0
    if timeline.global_start_time is not None:
        start_tc = to_frames(timeline.global_start_time, rate, where="timeline start")
    console = console_of(timeline)
    whole = RenderPlan(output, frames, tuple(video), tracks, tuple(overlays), console, start_tc)
    return whole.with_range(frame_range)


def _check_range(frame_range: FrameRange, frames: int, where: str) -> None:
    if frame_range.frames <= 0 or frame_range.start < 0:
        raise EditError(
            f"range of {frame_range.frames} frames from frame {frame_range.start} is empty",
            where=where,
            fix="give IN-OUT with OUT after IN",
        )
    if frame_range.start + frame_range.frames > frames:
        raise EditError(
            f"range frames {frame_range.start}..{frame_range.start + frame_range.frames} "
            f"run past the programme's end ({frames} frames)",
            where=where,
            fix=f"end the range at frame {frames} or before",
        )


class _MediaFacts:
    """What the plan needs to know of each media file, probed once per plan however many
    clips use it: whether it has sound, and its picture's frame rate. A missing file (it
    renders offline) or one that cannot be read is taken to have sound at the timeline's
    rate, so the render reports it where it plays."""

    def __init__(self) -> None:
        self._probe = functools.cache(_facts)

    def sounding(self, path: str) -> bool:
        return self._probe(path)[0]

    def frame_rate(self, path: str) -> Fraction | None:
        return self._probe(path)[1]


def _facts(path: str) -> tuple[bool, Fraction | None]:
    try:
        if not Path(path).is_file():
            return True, None
        info = probe(path, count_packets=False)
    except PostprodError:
        return True, None
    video = info.video
    rate = Fraction(video.frame_rate) if video is not None and video.frame_rate else None
    return info.audio is not None, rate


def _items(
    track: otio.schema.Track, rate: Fraction, folder: Path | None, media: _MediaFacts
) -> list[_Item | None]:
    """The track's children in order: items, and ``None`` where a transition sits."""
    out: list[_Item | None] = []
    is_video = track.kind == otio.schema.TrackKind.Video
    for index, child in enumerate(track):
        if isinstance(child, otio.schema.Transition):
            out.append(None)
            continue
        where = f"track {track.name or '?'}, item {index} ({child.name or 'unnamed'})"
        placed = track.range_of_child_at_index(index)
        if not is_video:  # sound keeps its samples: whole frames and what lies past them
            sound_item = _sound_item(child, placed, rate, folder)
            if sound_item is not None:
                out.append(sound_item)
                continue
        start = to_frames(placed.start_time, rate, where=where)
        length = to_frames(placed.duration, rate, where=where)
        if isinstance(child, otio.schema.Clip):
            source = child.trimmed_range()
            path = media_path(child, folder)
            reference = child.media_reference
            available = getattr(reference, "available_range", None)
            file_rate = media.frame_rate(str(path)) if path and is_video else None
            ratio = playback_ratio(file_rate, rate)
            # the clip's times count the file's frames (at its rate, or one that plays frame
            # for frame); otherwise the nearest file frame to the clip's first instant
            clip_rate = exact_rate(source.start_time.rate) if file_rate else rate
            if playback_ratio(file_rate, clip_rate) == 1:
                first = to_frames(source.start_time, clip_rate, where=where)
                if available is not None:
                    first -= to_frames(available.start_time, clip_rate, where=where)
            else:
                assert file_rate is not None
                first_s = to_seconds(source.start_time) - (
                    to_seconds(available.start_time) if available is not None else 0
                )
                first = round(first_s * file_rate)
            sound = clip_state(child)
            title, style = _title(reference)
            file = str(path) if path else None
            speed = _speed(child)
            picture = picture_state(child)
            out.append(
                _Item(
                    child.name,
                    start,
                    length,
                    first,
                    file,
                    sound.gain_db,
                    title,
                    style,
                    sound,
                    speed,
                    picture,
                    ratio,
                )
            )
        else:
            out.append(_Item(child.name or "gap", start, length, 0, None))
    return out


def _exact_frames(time: otio.opentime.RationalTime, rate: Fraction) -> Fraction:
    """A time in exact (possibly fractional) frames at ``rate``."""
    return Fraction(time.value) * rate / exact_rate(time.rate)


def _sound_item(
    child: otio.core.Composable,
    placed: otio.opentime.TimeRange,
    rate: Fraction,
    folder: Path | None,
) -> _Item | None:
    """A sound clip or gap that lies between frames, as whole frames plus the seconds past
    them; ``None`` when it sits on whole frames (the usual path handles it)."""
    start = _exact_frames(placed.start_time, rate)
    end = start + _exact_frames(placed.duration, rate)
    first = Fraction(0)
    clip = child if isinstance(child, otio.schema.Clip) else None
    if clip is not None:
        source = clip.trimmed_range()
        available = getattr(clip.media_reference, "available_range", None)
        first = _exact_frames(source.start_time, rate)
        if available is not None:
            first -= _exact_frames(available.start_time, rate)
    if all(value.denominator == 1 for value in (start, end, first)):
        return None
    whole_start, whole_end, whole_first = round(start), round(end), round(first)
    if clip is None:
        return _Item(child.name or "gap", whole_start, whole_end - whole_start, 0, None)
    path = media_path(clip, folder)
    sound = clip_state(clip)
    return _Item(
        clip.name,
        whole_start,
        whole_end - whole_start,
        whole_first,
        str(path) if path else None,
        sound.gain_db,
        sound=sound,
        speed=_speed(clip),
        start_extra_s=(start - whole_start) / rate,
        end_extra_s=(end - whole_end) / rate,
        first_extra_s=(first - whole_first) / rate,
    )


def _speed(clip: otio.schema.Clip) -> float:
    """The product of a clip's time warps: 0.5 slow motion, 2 fast, 0 a freeze frame."""
    speed = 1.0
    for effect in items_of(clip.effects):
        if isinstance(effect, otio.schema.FreezeFrame):
            speed = 0.0
        elif isinstance(effect, otio.schema.LinearTimeWarp):
            speed *= float(effect.time_scalar)
    return speed


def _wipes(track: otio.schema.Track) -> dict[int, WipeSettings]:
    """For each wipe transition's index in the track: its settings."""
    found = {}
    for index, child in enumerate(track):
        if isinstance(child, otio.schema.Transition):
            wipe = wipe_of(child)
            if wipe is not None:
                found[index] = WipeSettings(
                    _one_of(wipe.pattern, PATTERNS, "transition pattern"),
                    wipe.softness,
                    wipe.border_px,
                    wipe.colour,
                )
    return found


def _transitions(track: otio.schema.Track, rate: Fraction) -> dict[int, tuple[int, int]]:
    """For each transition's index in the track: (in_offset, out_offset) in frames."""
    found = {}
    for index, child in enumerate(track):
        if isinstance(child, otio.schema.Transition):
            where = f"track {track.name or '?'}, transition {child.name or index}"
            found[index] = (
                to_frames(child.in_offset, rate, where=where),
                to_frames(child.out_offset, rate, where=where),
            )
    return found


def _video_spans(
    track: otio.schema.Track, rate: Fraction, folder: Path | None, media: _MediaFacts
) -> list[VideoSpan]:
    items = _items(track, rate, folder, media)
    transitions = _transitions(track, rate)
    wipes = _wipes(track)
    spans: list[VideoSpan] = []
    for index, item in enumerate(items):
        if item is None:
            before, after = _neighbour(items, index, -1), _neighbour(items, index, +1)
            in_offset, out_offset = transitions[index]
            cut = after.start
            length = in_offset + out_offset
            a = _source(before, cut - in_offset - before.start)
            b = _source(after, -in_offset)
            kind: TransitionKind = "wipe" if index in wipes else "dissolve"
            name = f"{before.name}>{after.name}"
            spans.append(VideoSpan(cut - in_offset, length, a, b, kind, name, wipes.get(index)))
            continue
        head = transitions.get(index - 1, (0, 0))[1]  # the incoming transition's out_offset
        tail = transitions.get(index + 1, (0, 0))[0]  # the outgoing transition's in_offset
        length = item.length - head - tail
        if length > 0:
            spans.append(VideoSpan(item.start + head, length, _source(item, head), name=item.name))
    spans.sort(key=lambda span: span.start)
    return spans


def _neighbour(items: list[_Item | None], index: int, step: int) -> _Item:
    neighbour = items[index + step] if 0 <= index + step < len(items) else None
    if neighbour is None:
        raise EditError(
            "a transition needs an item on each side",
            where=f"transition at item {index}",
            fix="remove the transition or put a clip or gap beside it",
        )
    return neighbour


def _source(item: _Item, offset: int) -> Source | None:
    placed = Transform(**item.picture.placement())
    transform = None if placed.is_identity else placed
    if item.title is not None:
        return Source(
            "", item.source_first + offset, item.title, item.title_style, transform=transform
        )
    if item.path is None:
        return None
    fit = _one_of(item.picture.fit, FITS, "fit")
    if item.speed == 1.0 and item.rate_ratio == 1:
        return Source(item.path, item.source_first + offset, transform=transform, fit=fit)
    first = item.source_first + (item.frames_played - 1 if item.speed < 0 else 0)
    return Source(
        item.path,
        first,
        transform=transform,
        speed=item.speed,
        lead=offset,
        blend=item.picture.blend_frames,
        rate_ratio=float(item.rate_ratio),
        fit=fit,
    )


def _title(reference: otio.core.MediaReference | None) -> tuple[str | None, TitleStyle]:
    """The text and style of a title generator; ``None`` text for anything else."""
    if (
        isinstance(reference, otio.schema.GeneratorReference)
        and reference.generator_kind == TITLE_KIND
    ):
        parameters = reference.parameters
        style = str(parameters.get("style", "card"))
        if style not in TITLE_STYLES:
            raise ProjectError(
                f"unknown title style {style!r}",
                where=f"title {reference.name or '?'}",
                fix=f"use one of {', '.join(TITLE_STYLES)}",
            )
        return str(parameters.get("text", "")), _one_of(style, STYLES, "title style")
    return None, "card"


def _fill_to(spans: list[VideoSpan], frames: int) -> list[VideoSpan]:
    end = spans[-1].start + spans[-1].length if spans else 0
    if end < frames:
        spans.append(VideoSpan(end, frames - end, None, name="black"))
    return spans


def _is_clip(item: _Item | None) -> bool:
    return item is not None and item.path is not None


def _audio_segments(
    track: otio.schema.Track,
    rate: Fraction,
    sample_rate: int,
    folder: Path | None,
    media: _MediaFacts,
) -> list[AudioSegment]:
    items = _items(track, rate, folder, media)
    transitions = _transitions(track, rate)

    def sample(frames: int) -> int:
        return round(Fraction(frames) / rate * sample_rate)

    cut_fade = round(CUT_FADE_S * sample_rate)

    def fade(
        transition: tuple[int, int] | None, at_cut: bool, own_s: float, own_curve: str
    ) -> tuple[int, FadeCurve]:
        """Samples and curve: a crossfade across a transition, else the clip's own fade,
        else a short fade against a click at a cut."""
        if transition:
            return sample(sum(transition)), "equal-power"
        if own_s > 0:
            return round(own_s * sample_rate), _one_of(own_curve, FADE_CURVES, "fade curve")
        return (cut_fade if at_cut else 0), "linear"

    segments = []
    for index, item in enumerate(items):
        if item is None or item.path is None:
            continue
        incoming = transitions.get(index - 1)
        outgoing = transitions.get(index + 1)
        lead = incoming[0] if incoming else 0  # heard from the start of the incoming transition
        trail = outgoing[1] if outgoing else 0
        start = sample(item.start - lead) + round(item.start_extra_s * sample_rate)
        end = sample(item.start + item.length + trail) + round(item.end_extra_s * sample_rate)
        # A cut between two clips gets a short fade each side so it does not click; a clip
        # after a gap or at the track's ends starts and stops as recorded (a Foley hit keeps
        # its attack).
        cut_in = index > 0 and _is_clip(items[index - 1])
        cut_out = index + 1 < len(items) and _is_clip(items[index + 1])
        sound = item.sound
        fade_in, in_curve = fade(incoming, cut_in, sound.fade_in_s, sound.fade_in_curve)
        fade_out, out_curve = fade(outgoing, cut_out, sound.fade_out_s, sound.fade_out_curve)
        if item.speed == 0:
            continue  # a freeze frame: no sound (the picture holds)
        # Forwards, the source position at the segment's start; backwards, the end of what
        # is read backwards (the end of the clip's last source frame, as its picture's first).
        at = item.source_first + (item.frames_played if item.speed < 0 else 0)
        source_start = (
            round(Fraction(at) / (rate * item.rate_ratio) * sample_rate)
            - round(sample(lead) * item.speed)
            + round(sound.slip_s * sample_rate)
            + round(item.first_extra_s * sample_rate)
        )
        segments.append(
            AudioSegment(
                item.path,
                source_start,
                start,
                end - start,
                fade_in,
                fade_out,
                in_curve,
                item.name,
                item.gain_db,
                out_curve,
                sound.effects,
                item.speed,
                _one_of(sound.speed_mode, SPEED_MODES, "speed mode"),
            )
        )
    return segments
