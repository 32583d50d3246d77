"""AAF for Pro Tools and Media Composer, written with pyaaf2 (the OTIO AAF writer fails on
postprod's projects: it wants Avid mob IDs and transition point lists that only an imported
AAF carries).

The structure is the one Media Composer exports (see the corpus' ``MC_Fades.aaf``): per media
file a MasterMob -> file SourceMob (picture or PCM descriptor, a NetworkLocator to the file)
-> import SourceMob (ImportDescriptor, the same locator, a timecode slot at the file's start
timecode); one CompositionMob with a timecode slot, a picture slot per video track (frame
edit rate) and a mono sound slot per audio channel (the project's sample rate as edit rate,
so sound positions and lengths are exact samples). Dissolves are AAF Transitions (video
dissolve, audio dissolve), a clip's gain an "Audio Gain" OperationGroup with a constant
amplitude, a clip's fades transitions against the filler beside it, timeline markers
DescriptiveMarkers on an event slot. What the file cannot hold is reported by
:mod:`postprod.interchange.losses`, not here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import quote

import opentimelineio as otio

from postprod.atomic import replacing
from postprod.timeline.metadata import (
    TRACK_LAYOUTS,
    clip_gain_db,
    clip_state,
    project_settings_of,
    track_settings_of,
)

VIDEO_DISSOLVE = uuid.UUID("0c3bea40-fc05-11d2-8a29-0050040ef7d2")
AUDIO_DISSOLVE = uuid.UUID("0c3bea41-fc05-11d2-8a29-0050040ef7d2")
AUDIO_GAIN = uuid.UUID("9d2ea894-0968-11d3-8a38-0050040ef7d2")
PARAMETER_LEVEL = uuid.UUID("e4962320-2267-11d3-8a4c-0050040ef7d2")
PARAMETER_AMPLITUDE = uuid.UUID("e4962321-2267-11d3-8a4c-0050040ef7d2")
TIMECODE_SLOT = 1002
LINEAR_INTERPOLATION = uuid.UUID("5b6c85a4-0ede-11d3-80a9-006008143e6f")

#: AAF's own marker colours are RGB 16-bit triples; OTIO's names them.
MARKER_RGB = {
    "RED": (65535, 0, 0),
    "PINK": (65535, 32768, 49152),
    "ORANGE": (65535, 32768, 0),
    "YELLOW": (65535, 65535, 0),
    "GREEN": (0, 65535, 0),
    "CYAN": (0, 65535, 65535),
    "BLUE": (0, 0, 65535),
    "PURPLE": (32768, 0, 65535),
    "MAGENTA": (65535, 0, 65535),
    "BLACK": (0, 0, 0),
    "WHITE": (65535, 65535, 65535),
}


@dataclass(slots=True)
class _Media:
    """One media file's mobs: its master mob and which of its slots hold which channel."""

    master: Any
    picture_slot: int | None = None
    sound_slots: list[int] = field(default_factory=list)


def frame_rate_of(timeline: otio.schema.Timeline) -> Fraction:
    """The picture's edit rate as an exact fraction (29.97 as 30000/1001)."""
    rate = None
    if timeline.global_start_time is not None:
        rate = timeline.global_start_time.rate
    elif timeline.video_tracks():
        rate = timeline.video_tracks()[0].duration().rate
    elif timeline.tracks:
        rate = timeline.tracks[0].duration().rate
    return exact_rate(float(rate or 25.0))


def exact_rate(rate: float) -> Fraction:
    """A frame rate as an exact fraction: the NTSC rates as n*1000/1001, others as given."""
    for nominal in (24, 30, 48, 60, 120):
        ntsc = Fraction(nominal * 1000, 1001)
        if abs(rate - float(ntsc)) < 1e-3:
            return ntsc
    return Fraction(rate).limit_denominator(1001)


def units(time: otio.opentime.RationalTime, rate: Fraction) -> int:
    """``time`` in whole units of ``rate`` (rounded: positions are exact on the grid)."""
    return round(Fraction(time.value) * rate / Fraction(time.rate))


def _generated(clip: otio.schema.Clip) -> bool:
    """A title or other generated clip (AAF holds none: filler, and a warning on export)."""
    reference = clip.media_reference
    if reference is None or isinstance(reference, otio.schema.GeneratorReference):
        return True
    return "generator" in dict(reference.metadata.get("postprod", {}))


def _fades_as_transitions(track: otio.schema.Track, rate: Fraction) -> None:
    """A clip's fades as transitions from and to the gap beside it (an AAF fade is a
    dissolve against filler), in place; a fade with a clip beside it stays unwritten."""
    items = list(track)
    for index in reversed(range(len(items))):
        clip = items[index]
        if not isinstance(clip, otio.schema.Clip) or _generated(clip):
            continue
        state = clip_state(clip)
        length = units(clip.source_range.duration, rate)
        after = items[index + 1] if index + 1 < len(items) else None
        before = items[index - 1] if index > 0 else None
        if state.fade_out_s > 0 and isinstance(after, otio.schema.Gap):
            fade = min(round(Fraction(state.fade_out_s) * rate), length)
            track.insert(
                index + 1,
                otio.schema.Transition(
                    in_offset=otio.opentime.RationalTime(fade, float(rate)),
                    out_offset=otio.opentime.RationalTime(0, float(rate)),
                ),
            )
        if state.fade_in_s > 0 and isinstance(before, otio.schema.Gap):
            fade = min(round(Fraction(state.fade_in_s) * rate), length)
            track.insert(
                index,
                otio.schema.Transition(
                    in_offset=otio.opentime.RationalTime(0, float(rate)),
                    out_offset=otio.opentime.RationalTime(fade, float(rate)),
                ),
            )


def _and_inner(segment: Any) -> list[Any]:
    """A segment and, for an effect (OperationGroup), the clip inside it."""
    inner = list(segment.segments) if segment.__class__.__name__ == "OperationGroup" else []
    return [segment, *inner[:1]]


def _channels(track: otio.schema.Track) -> int:
    layout = track_settings_of(track).layout
    return TRACK_LAYOUTS.get(layout or "mono", 1)


class AAFWriter:
    """Writes one timeline into an open pyaaf2 file (``aaf2.open(path, "w")``)."""

    def __init__(self, aaf: Any, timeline: otio.schema.Timeline) -> None:
        self.aaf = aaf
        self.timeline = timeline
        self.frame_rate = frame_rate_of(timeline)
        self.sample_rate = Fraction(project_settings_of(timeline).sample_rate_hz or 48000)
        self.media: dict[str, _Media] = {}
        self._defs: dict[uuid.UUID, Any] = {}

    # definitions ---------------------------------------------------------------------------

    def _parameter_def(self, auid: uuid.UUID, name: str) -> Any:
        if auid not in self._defs:
            definition = self.aaf.create.ParameterDef(
                auid, name, "", self.aaf.dictionary.lookup_typedef("Rational")
            )
            self.aaf.dictionary.register_def(definition)
            self._defs[auid] = definition
        return self._defs[auid]

    def _operation_def(self, auid: uuid.UUID, name: str, kind: str, inputs: int) -> Any:
        if auid not in self._defs:
            definition = self.aaf.create.OperationDef(auid, name)
            self.aaf.dictionary.register_def(definition)
            definition.media_kind = kind
            definition["DataDefinition"].value = self.aaf.dictionary.lookup_datadef(kind)
            definition["IsTimeWarp"].value = False
            definition["Bypass"].value = 0
            definition["NumberInputs"].value = inputs
            definition["OperationCategory"].value = "OperationCategory_Effect"
            self._defs[auid] = definition
        return self._defs[auid]

    def _interpolation(self) -> Any:
        if LINEAR_INTERPOLATION not in self._defs:
            definition = self.aaf.create.InterpolationDef(
                LINEAR_INTERPOLATION, "LinearInterp", "Linear keyframe interpolation"
            )
            self.aaf.dictionary.register_def(definition)
            self._defs[LINEAR_INTERPOLATION] = definition
        return self._defs[LINEAR_INTERPOLATION]

    # media ------------------------------------------------------------------------------------

    def _locator(self, url: str) -> Any:
        locator = self.aaf.create.NetworkLocator()
        if "://" not in url:
            url = Path(url).as_uri() if Path(url).is_absolute() else quote(url)
        locator["URLString"].value = url
        return locator

    def _media_for(self, clip: otio.schema.Clip) -> _Media:
        reference = clip.media_reference
        url = getattr(reference, "target_url", "") or ""
        key = url or f"missing:{clip.name}"
        found = self.media.get(key)
        if found is None:
            master = self.aaf.create.MasterMob(clip.name or Path(url).stem or "clip")
            self.aaf.content.mobs.append(master)
            found = _Media(master)
            self.media[key] = found
        return found

    def _source_chain(
        self, clip: otio.schema.Clip, kind: str, rate: Fraction, channel: int
    ) -> tuple[Any, Any]:
        """A file SourceMob and import SourceMob for one channel (or the picture) of a file;
        returns the file mob and its slot."""
        reference = clip.media_reference
        url = getattr(reference, "target_url", "") or ""
        available = reference.available_range if reference else None
        start_tc = available.start_time if available is not None else None
        length = (
            units(available.duration, rate)
            if available is not None
            else units(clip.source_range.end_time_exclusive(), rate)
        )
        name = clip.name or Path(url).name
        tape = self.aaf.create.SourceMob(name)
        tape.descriptor = self.aaf.create.ImportDescriptor()
        if url:
            tape.descriptor["Locator"].append(self._locator(url))
        tape_slot = tape.create_empty_slot(rate, media_kind=kind, slot_id=1)
        tape_slot.segment.length = length
        fps = round(float(self.frame_rate))
        drop = self.frame_rate.denominator == 1001
        timecode_slot = tape.create_timecode_slot(self.frame_rate, fps, drop_frame=drop)
        timecode_slot.segment.start = units(start_tc, self.frame_rate) if start_tc else 0
        timecode_slot.segment.length = (
            units(available.duration, self.frame_rate) if available else 0
        )
        timecode_slot["PhysicalTrackNumber"].value = 1
        self.aaf.content.mobs.append(tape)

        source = self.aaf.create.SourceMob(name)
        if kind == "picture":
            descriptor = self.aaf.create.CDCIDescriptor()
            descriptor["ComponentWidth"].value = 8
            descriptor["HorizontalSubsampling"].value = 2
            descriptor["ImageAspectRatio"].value = "16/9"
            descriptor["StoredWidth"].value = 1920
            descriptor["StoredHeight"].value = 1080
            descriptor["FrameLayout"].value = "FullFrame"
            descriptor["VideoLineMap"].value = [42, 0]
            descriptor["SampleRate"].value = rate
        else:
            descriptor = self.aaf.create.PCMDescriptor()
            descriptor["Channels"].value = 1
            descriptor["BlockAlign"].value = 3
            descriptor["SampleRate"].value = rate
            descriptor["AverageBPS"].value = int(rate) * 3
            descriptor["QuantizationBits"].value = 24
            descriptor["AudioSamplingRate"].value = rate
        descriptor["Length"].value = length
        if url:
            descriptor["Locator"].append(self._locator(url))
        source.descriptor = descriptor
        source_slot = source.create_timeline_slot(rate, slot_id=1)
        link = tape.create_source_clip(slot_id=1, start=0, length=length, media_kind=kind)
        source_slot.segment = link
        source_slot["PhysicalTrackNumber"].value = channel
        self.aaf.content.mobs.append(source)
        return source, source_slot

    def _master_slot(self, clip: otio.schema.Clip, kind: str, channel: int) -> tuple[Any, int]:
        """The master mob of the clip's media and the slot id holding ``kind`` (and channel)."""
        media = self._media_for(clip)
        rate = self.frame_rate if kind == "picture" else self.sample_rate
        if kind == "picture" and media.picture_slot is not None:
            return media.master, media.picture_slot
        if kind == "sound" and channel <= len(media.sound_slots):
            return media.master, media.sound_slots[channel - 1]
        source, source_slot = self._source_chain(clip, kind, rate, channel)
        slot = media.master.create_timeline_slot(rate)
        slot.name = media.master.name
        slot["PhysicalTrackNumber"].value = channel
        slot.segment = source.create_source_clip(
            slot_id=source_slot.slot_id,
            start=0,
            length=source_slot.segment.length,
            media_kind=kind,
        )
        if kind == "picture":
            media.picture_slot = slot.slot_id
        else:
            media.sound_slots.append(slot.slot_id)
        return media.master, slot.slot_id

    # composition -------------------------------------------------------------------------

    def write(self) -> None:
        """The composition: timecode, picture, sound (one slot per channel), markers."""
        composition = self.aaf.create.CompositionMob(self.timeline.name or "postprod")
        composition.usage = "Usage_TopLevel"
        self.aaf.content.mobs.append(composition)
        # slot 1002 as Pro Tools writes it: clear of the master mobs' slot ids, which the
        # OTIO reader would otherwise take for the markers' track
        timecode_slot = composition.create_timeline_slot(self.frame_rate, slot_id=TIMECODE_SLOT)
        timecode_slot.name = "TC"
        timecode_slot["PhysicalTrackNumber"].value = 1
        start = self.timeline.global_start_time
        length = units(self.timeline.duration(), self.frame_rate)
        timecode_slot.segment = self.aaf.create.Timecode(
            round(float(self.frame_rate)),
            drop=self.frame_rate.denominator == 1001,
            length=length,
        )
        timecode_slot.segment.start = units(start, self.frame_rate) if start else 0
        for number, track in enumerate(self.timeline.video_tracks(), start=1):
            self._track_slot(composition, track, "picture", self.frame_rate, 1, number)
        number = 0
        for track in self.timeline.audio_tracks():
            _fades_as_transitions(track, self.sample_rate)
            for channel in range(1, _channels(track) + 1):
                number += 1
                self._track_slot(composition, track, "sound", self.sample_rate, channel, number)
        self._markers(composition, [timecode_slot.slot_id])

    def _track_slot(
        self,
        composition: Any,
        track: otio.schema.Track,
        kind: str,
        rate: Fraction,
        channel: int,
        number: int,
    ) -> Any:
        slot = composition.create_timeline_slot(rate)
        slot.name = track.name if channel == 1 else f"{track.name} {channel}"
        slot["PhysicalTrackNumber"].value = number
        sequence = self.aaf.create.Sequence(media_kind=kind)
        sequence["Components"].value = []
        items = list(track)
        total = 0
        for index, item in enumerate(items):
            components = self._components(items, index, kind, rate, channel)
            if components and not isinstance(item, otio.schema.Transition):
                self._overlap(items, index, components, rate)
            for component in components:
                sequence.components.append(component)
        # a sequence's length: the sum of its segments less its transitions
        for component in sequence.components:
            if component.__class__.__name__ == "Transition":
                total -= component.length
            else:
                total += component.length
        sequence.length = total
        slot.segment = sequence
        return slot

    @staticmethod
    def _overlap(
        items: list[otio.core.Composable], index: int, components: list[Any], rate: Fraction
    ) -> None:
        """Lengthen the segment beside a transition by the transition's reach (AAF's
        segments hold the overlap; OTIO's clips end at the cut and the transition uses
        handles): the one after by ``in_offset`` (starting earlier), the one before by
        ``out_offset``."""
        segments = [c for c in components if c.__class__.__name__ != "Transition"]
        if not segments:
            return
        before = items[index - 1] if index > 0 else None
        after = items[index + 1] if index + 1 < len(items) else None
        if isinstance(before, otio.schema.Transition):
            reach = units(before.in_offset, rate)
            for segment in _and_inner(segments[0]):
                if segment.__class__.__name__ == "SourceClip":
                    segment.start = segment.start - reach
                segment.length = segment.length + reach
        if isinstance(after, otio.schema.Transition):
            reach = units(after.out_offset, rate)
            for segment in _and_inner(segments[-1]):
                segment.length = segment.length + reach

    def _components(
        self,
        items: list[otio.core.Composable],
        index: int,
        kind: str,
        rate: Fraction,
        channel: int,
    ) -> list[Any]:
        item = items[index]
        if isinstance(item, otio.schema.Transition):
            length = units(item.in_offset + item.out_offset, rate)
            return [self._transition(kind, length, units(item.in_offset, rate))]
        if isinstance(item, otio.schema.Gap) or not isinstance(item, otio.schema.Clip):
            duration = item.duration() if isinstance(item, otio.core.Item) else None
            length = units(duration, rate) if duration is not None else 0
            return [self.aaf.create.Filler(kind, length)] if length else []
        if _generated(item):
            return [self.aaf.create.Filler(kind, units(item.duration(), rate))]
        return self._clip(items, index, item, kind, rate, channel)

    def _clip(
        self,
        items: list[otio.core.Composable],
        index: int,
        clip: otio.schema.Clip,
        kind: str,
        rate: Fraction,
        channel: int,
    ) -> list[Any]:
        master, slot_id = self._master_slot(clip, kind, channel)
        available = clip.media_reference.available_range
        base = available.start_time if available is not None else clip.source_range.start_time
        start = units(clip.source_range.start_time - base, rate)
        length = units(clip.source_range.duration, rate)
        source_clip = master.create_source_clip(
            slot_id=slot_id, start=start, length=length, media_kind=kind
        )
        out: list[Any] = [source_clip]
        if kind != "sound":
            return out
        gain_db = clip_gain_db(clip)
        if gain_db:
            out = [self._gain(source_clip, gain_db)]
        return out

    def _gain(self, source_clip: Any, gain_db: float) -> Any:
        """A clip inside an "Audio Gain" OperationGroup with a constant amplitude (linear)."""
        operation = self._operation_def(AUDIO_GAIN, "Audio Gain", "sound", 1)
        group = self.aaf.create.OperationGroup(operation, source_clip.length)
        group.media_kind = "sound"
        group.segments.append(source_clip)
        amplitude = self.aaf.create.ConstantValue()
        amplitude.parameterdef = self._parameter_def(PARAMETER_AMPLITUDE, "Amplitude")
        amplitude.value = Fraction(10 ** (gain_db / 20)).limit_denominator(1_000_000)
        group.parameters.append(amplitude)
        return group

    def _transition(self, kind: str, length: int, cut_point: int) -> Any:
        """A dissolve (video) or audio dissolve of ``length`` units, cut at ``cut_point``."""
        auid, name = (
            (VIDEO_DISSOLVE, "Video Dissolve")
            if kind == "picture"
            else (AUDIO_DISSOLVE, "Audio Dissolve")
        )
        operation = self._operation_def(auid, name, kind, 2)
        group = self.aaf.create.OperationGroup(operation, length)
        group.media_kind = kind
        level = self.aaf.create.VaryingValue()
        level.parameterdef = self._parameter_def(PARAMETER_LEVEL, "Level")
        level["Interpolation"].value = self._interpolation()
        for time, value in ((0, 0), (1, 1)):
            point = self.aaf.create.ControlPoint()
            point["EditHint"].value = "Proportional"
            point.time = Fraction(time)
            point.value = Fraction(value)
            level["PointList"].append(point)
        group.parameters.append(level)
        transition = self.aaf.create.Transition(kind, length)
        transition["OperationGroup"].value = group
        transition["CutPoint"].value = cut_point
        return transition

    def _markers(self, composition: Any, described: list[int]) -> None:
        """The timeline's markers as DescriptiveMarkers on an event slot describing the
        timecode slot (Media Composer's markers on TC1: the timeline's own, not a clip's)."""
        import aaf2.misc

        markers = list(self.timeline.tracks.markers)
        if not markers:
            return
        slot = self.aaf.create.EventMobSlot()
        slot["EditRate"].value = self.frame_rate
        slot["SlotID"].value = TIMECODE_SLOT + 1
        slot["PhysicalTrackNumber"].value = 1
        sequence = self.aaf.create.Sequence(media_kind="DescriptiveMetadata")
        sequence["Components"].value = []
        for marker in markers:
            event = self.aaf.create.DescriptiveMarker()
            event.media_kind = "DescriptiveMetadata"
            event["Position"].value = units(marker.marked_range.start_time, self.frame_rate)
            event["Length"].value = units(marker.marked_range.duration, self.frame_rate)
            event["Comment"].value = marker.name or ""
            event["CommentMarkerUser"].value = "postprod"
            red, green, blue = MARKER_RGB.get(str(marker.color).upper(), MARKER_RGB["RED"])
            event["CommentMarkerColor"].value = {"red": red, "green": green, "blue": blue}
            event["DescribedSlots"].value = set(described)
            colour = aaf2.misc.TaggedValueHelper(event["CommentMarkerAttributeList"])
            colour["_ATN_CRM_COLOR"] = str(marker.color).capitalize()
            sequence.components.append(event)
        slot.segment = sequence
        composition.slots.append(slot)


def write_aaf(
    fmt: object, timeline: otio.schema.Timeline, target: Path, options: dict[str, Any]
) -> None:
    """The timeline as an AAF file, atomically (the ``Format`` write hook for ``.aaf``)."""
    import aaf2

    with replacing(target) as temporary, aaf2.open(str(temporary), "w") as aaf:
        AAFWriter(aaf, timeline.deepcopy()).write()
