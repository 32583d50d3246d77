"""FCPXML read and written with exact rational time (FCPXML 1.8 to 1.13).

Reading keeps otio-fcpx-xml-adapter's model (lanes as tracks, compound clips as nested
stacks) but replaces its time arithmetic, which truncates 23.976, 29.97 and 59.94 to
23, 29 and 59 and drops sub-frame positions: here every time is ``Fraction`` seconds over the
format's exact ``frameDuration``. It also reads what the adapter crashes on or skips: titles
(postprod titles), images and generators (``<video>`` of an effect), auditions (the active
pick), multicam clips (the active angle's clip, flattened with a warning), transitions
(centred on their cut) and ``media-rep`` sources (FCPXML 1.9+).

Writing is done here with ``xml.etree``: a ``format`` per frame rate with its exact
``frameDuration``, an ``asset`` per media file, the first video track as the primary
storyline, the other tracks as connected clips (video lanes 1.., sound lanes -1..), gaps,
titles, centred transitions, and the timeline's markers (colour as FCP's marker kinds).
An audio-only timeline is a storyline of gaps with the sound connected below.

Parsing refuses documents that declare entities (no expansion, no external entities).
"""

from __future__ import annotations

import bisect
import re
import warnings
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import opentimelineio as otio

from postprod.errors import InterchangeError
from postprod.interchange.aaf_write import exact_rate, frame_rate_of
from postprod.interchange.losses import InterchangeWarning
from postprod.timeline.build import TITLE_KIND

if TYPE_CHECKING:
    from postprod.interchange.formats import Format

_ENTITY = re.compile(r"<!ENTITY", re.IGNORECASE)
_TIMING_TAGS = ("clip", "asset-clip", "ref-clip", "title", "mc-clip")
_COMPOSABLES = ("video", "audio", "ref-clip", "asset-clip", "title", "mc-clip")


def seconds(value: str | None) -> Fraction:
    """An FCPXML time (``"3600s"``, ``"1001/30000s"``, ``"0s"``) as exact seconds (0 if absent)."""
    if not value:
        return Fraction(0)
    text = value.strip()
    if text.endswith("s"):
        text = text[:-1]
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise InterchangeError(
            f"{value!r} is not an FCPXML time", fix="times are N/Ds or Ns"
        ) from None


def fcpxml_time(value: Fraction) -> str:
    """Exact seconds as FCPXML writes them: ``"1001/30000s"`` or ``"5s"``."""
    value = Fraction(value)
    if value.denominator == 1:
        return f"{value.numerator}s"
    return f"{value.numerator}/{value.denominator}s"


def _frames(value: Fraction) -> int | float:
    """A frame count: an int when whole, else the exact float (sub-frame sound)."""
    return int(value) if value.denominator == 1 else float(value)


def safe_root(text: str | bytes) -> ElementTree.Element:
    """The document's root element; a document declaring entities is refused."""
    sample = text if isinstance(text, str) else text.decode("utf-8", "replace")
    if _ENTITY.search(sample):
        raise InterchangeError(
            "the FCPXML declares XML entities, which postprod does not expand",
            fix="export it again from Final Cut Pro",
        )
    return ElementTree.fromstring(text)


def _adapter_class() -> Any:
    from otio_fcpx_xml_adapter.fcpx_xml import FcpxXml

    return FcpxXml


def _exact_reader(text: str) -> Any:
    """The adapter's reader with exact time and the elements it skips or fails on."""
    base = _adapter_class()

    class ExactFcpxXml(base):  # type: ignore[misc, valid-type]
        def __init__(self, xml_string: str) -> None:
            self.fcpx_xml = safe_root(xml_string)
            self.child_parent_map = {c: p for p in self.fcpx_xml.iter() for c in p}
            # resources by id, looked up once each (the adapter searches the document per clip)
            self._resources: dict[tuple[str, str], Any] = {}
            resources = self.fcpx_xml.find("./resources")
            for element in resources if resources is not None else ():
                self._resources.setdefault((element.tag, element.get("id", "")), element)

        def _asset_by_id(self, asset_id: Any) -> Any:
            return self._resources.get(("asset", str(asset_id)))

        def _format_by_id(self, format_id: Any) -> Any:
            return self._resources.get(("format", str(format_id)))

        def _compound_clip_by_id(self, compound_id: Any) -> Any:
            return self._resources.get(("media", str(compound_id)))

        # time ---------------------------------------------------------------------------
        def _frame_duration(self, format_id: str | None) -> Fraction:
            element = self._format_by_id(format_id) if format_id else None
            value = seconds(element.get("frameDuration") if element is not None else None)
            if not value:
                sequence = self.fcpx_xml.find(".//sequence")
                fallback = sequence.get("format") if sequence is not None else None
                if fallback and fallback != format_id:
                    return self._frame_duration(fallback)
                return Fraction(1, 25)
            return value

        def _format_frame_rate(self, format_id: str | None) -> float:
            return float(1 / self._frame_duration(format_id))

        def _number_of_frames(self, time_value: str | None, format_id: str | None) -> Any:
            return _frames(seconds(time_value) / self._frame_duration(format_id))

        def _rational(self, value: str | None, format_id: str | None) -> Any:
            return otio.opentime.RationalTime(
                self._number_of_frames(value, format_id), self._format_frame_rate(format_id)
            )

        def _time_range(self, element: Any, format_id: str | None) -> Any:
            return otio.opentime.TimeRange(
                self._rational(element.get("start", "0s"), format_id),
                self._rational(element.get("duration"), format_id),
            )

        def _create_gap(self, start_frame: Any, number_of_frames: Any, default: Any) -> Any:
            rate = self._format_frame_rate(default)
            return otio.schema.Gap(
                source_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(start_frame, rate),
                    otio.opentime.RationalTime(number_of_frames, rate),
                )
            )

        # elements ---------------------------------------------------------------------
        def _timing_clip(self, clip: Any) -> Any:
            """The clip element whose timing an element follows: itself, or the clip it is
            in; a bare ``<video>`` in a storyline (a still, a generator) times itself."""
            found = clip
            while found is not None and found.tag not in _TIMING_TAGS:
                found = self.child_parent_map.get(found)
                if found is not None and found.tag in ("spine", "sequence"):
                    return clip
            return found if found is not None else clip

        def _format_id_for_clip(self, clip: Any, default_format: Any) -> Any:
            if clip is None or not clip.get("ref") or clip.tag in ("gap", "title", "mc-clip"):
                return default_format
            resource = self._asset_by_id(clip.get("ref"))
            if resource is None:
                media = self._compound_clip_by_id(clip.get("ref"))
                resource = media.find("sequence") if media is not None else None
            if resource is None:
                return default_format
            return resource.get("format", default_format) or default_format

        def _reference_from_id(self, asset_id: Any, default_format: Any) -> Any:
            asset = self._asset_by_id(asset_id)
            if asset is None:
                effect = self._resources.get(("effect", str(asset_id)))
                name = effect.get("name", "") if effect is not None else ""
                return otio.schema.GeneratorReference(
                    name=name, generator_kind="fcpx.effect", parameters={"uid": name}
                )
            source = asset.get("src", "")
            if not source:
                rep = asset.find("./media-rep")
                source = rep.get("src", "") if rep is not None else ""
            if not source:
                return otio.schema.MissingReference(name=asset.get("name", ""))
            fmt = asset.get("format", default_format)
            return otio.schema.ExternalReference(
                target_url=source,
                available_range=otio.opentime.TimeRange(
                    self._rational(asset.get("start"), fmt),
                    self._rational(asset.get("duration"), fmt),
                ),
                metadata={"fcpx": {}},
            )

        def _build_composable(self, element: Any, default_format: Any) -> Any:
            if element.tag == "title":
                return self._title(element, default_format)
            if element.tag == "mc-clip":
                return self._multicam(element, default_format)
            return super()._build_composable(element, default_format)

        def _title(self, element: Any, default_format: Any) -> Any:
            text = "".join(element.find("text").itertext()) if element.find("text") else ""
            text = text or element.get("name", "title")
            source_range = self._time_range(element, default_format)
            clip = otio.schema.Clip(
                name=element.get("name", "title"),
                media_reference=otio.schema.GeneratorReference(
                    name="title",
                    generator_kind=TITLE_KIND,
                    parameters={"text": text, "style": "centre"},
                    available_range=source_range,
                ),
                source_range=source_range,
            )
            for marker in element.findall("./marker"):
                clip.markers.append(self._marker(marker, default_format))
            return clip

        def _multicam(self, element: Any, default_format: Any) -> Any:
            """The active video angle's clip at the mc-clip's start (flattened, warned)."""
            warnings.warn(
                InterchangeWarning(
                    f"multicam clip {element.get('name', '?')!r} flattened to its active angle"
                ),
                stacklevel=2,
            )
            media = self._compound_clip_by_id(element.get("ref"))
            angle_id = None
            for source in element.findall("./mc-source"):
                if source.get("srcEnable", "all") in ("all", "video"):
                    angle_id = source.get("angleID")
                    break
            angles = media.findall("./multicam/mc-angle") if media is not None else []
            angle = next((a for a in angles if a.get("angleID") == angle_id), None)
            angle = angle if angle is not None else (angles[0] if angles else None)
            start = seconds(element.get("start"))
            duration = seconds(element.get("duration"))
            fd = self._frame_duration(default_format)
            rate = float(1 / fd)
            chosen = None
            if angle is not None:
                for item in angle:
                    offset = seconds(item.get("offset"))
                    if item.tag in ("asset-clip", "clip") and offset <= start < offset + seconds(
                        item.get("duration")
                    ):
                        chosen = item
                        break
            if chosen is None:
                return otio.schema.Gap(
                    source_range=otio.opentime.TimeRange(
                        duration=otio.opentime.RationalTime(_frames(duration / fd), rate)
                    )
                )
            inner = seconds(chosen.get("start")) + start - seconds(chosen.get("offset"))
            ref = chosen.get("ref")
            if chosen.tag == "clip":
                video = chosen.find(".//video")
                ref = video.get("ref") if video is not None else None
            return otio.schema.Clip(
                name=element.get("name", ""),
                media_reference=self._reference_from_id(ref, default_format),
                source_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(_frames(inner / fd), rate),
                    otio.opentime.RationalTime(_frames(duration / fd), rate),
                ),
            )

        def _offset_and_lane(self, clip: Any, default_format: Any) -> Any:
            """Where a clip sits on the sequence (exact seconds at the sequence's rate) and
            its lane; a connected clip's offset counts in its parent's own time."""
            clip = self._timing_clip(clip)
            parent = self.child_parent_map.get(clip)
            while parent is not None and parent.tag == "audition":
                parent = self.child_parent_map.get(parent)
            offset = seconds(clip.get("offset"))
            if parent is not None and parent.tag == "spine" and parent.get("lane"):
                lane = parent.get("lane")
                parent = self.child_parent_map.get(parent)
                spine = self.child_parent_map[clip]
                if parent is not None:
                    offset += seconds(spine.get("offset")) - seconds(parent.get("start"))
                    offset += seconds(parent.get("offset"))
            else:
                lane = clip.get("lane", "0")
                if parent is not None and parent.tag != "spine":
                    offset += seconds(parent.get("offset")) - seconds(parent.get("start"))
            fd = self._frame_duration(default_format)
            return otio.opentime.RationalTime(_frames(offset / fd), float(1 / fd)), lane

        def _audio_only(self, element: Any) -> bool:
            if element.tag in ("title", "mc-clip"):
                return False
            if element.get("srcEnable") == "audio":
                return True
            return bool(super()._audio_only(element))

        def _in_inactive_pick(self, element: Any) -> bool:
            """Inside an audition but not its first (active) pick."""
            child, parent = element, self.child_parent_map.get(element)
            while parent is not None:
                if parent.tag == "audition" and parent[0] is not child:
                    return True
                child, parent = parent, self.child_parent_map.get(parent)
            return False

        def _squence_to_stack(self, sequence_element: Any, name: str = "", source_range: Any = None) -> Any:  # fmt: skip
            items = []
            default = sequence_element.get("format")
            for element in sequence_element.iter():
                if element.tag not in _COMPOSABLES or self._in_inactive_pick(element):
                    continue
                timing = self._timing_clip(element)
                if (
                    timing is not element
                    and timing is not None
                    and timing.tag
                    in (
                        "title",
                        "mc-clip",
                    )
                ):
                    continue
                offset, lane = self._offset_and_lane(element, default)
                items.append(
                    {
                        "track": lane,
                        "offset": offset,
                        "composable": self._build_composable(element, default),
                        "audio_only": self._audio_only(element),
                    }
                )
            stack = otio.schema.Stack(name=name, source_range=source_range)
            # picture lanes upwards from the storyline, then sound lanes downwards from it
            lanes = sorted({item["track"] for item in items}, key=lambda lane: (int(lane) < 0, abs(int(lane))))  # fmt: skip
            for lane in lanes:
                ordered = self._sorted_items(lane, items)
                track = otio.schema.Track(name=lane, kind=self._track_type(ordered))
                for item in ordered:
                    lead = item["offset"] - track.duration()
                    if lead.value > 0:
                        track.append(self._create_gap(0, lead.value, default))
                    track.append(item["composable"])
                stack.append(track)
            self._transitions(sequence_element, stack, default)
            self._gap_markers(sequence_element, stack, default)
            return stack

        def _gap_markers(self, sequence_element: Any, stack: Any, default: Any) -> None:
            """Markers on the storyline's gaps: the timeline's own (at their record time)."""
            spine = sequence_element.find("./spine")
            if spine is None:
                return
            fd = self._frame_duration(default)
            for gap in spine.findall("./gap"):
                for element in gap.findall("./marker") + gap.findall("./chapter-marker"):
                    record = seconds(gap.get("offset")) + seconds(element.get("start"))
                    record -= seconds(gap.get("start")) + seconds(sequence_element.get("tcStart"))
                    marker = self._marker(element, default)
                    if element.tag == "chapter-marker":
                        marker.color = otio.schema.MarkerColor.ORANGE
                    marker.marked_range = otio.opentime.TimeRange(
                        otio.opentime.RationalTime(_frames(record / fd), float(1 / fd)),
                        marker.marked_range.duration,
                    )
                    stack.markers.append(marker)

        def _transitions(self, sequence_element: Any, stack: Any, default: Any) -> None:
            """The primary storyline's transitions, centred on their cut as FCP draws them."""
            spine = sequence_element.find("./spine")
            primary = next((t for t in stack if t.name == "0"), None)
            if spine is None or primary is None:
                return
            fd = self._frame_duration(default)
            rate = float(1 / fd)
            # where each item of the storyline starts, in frames, found once (not per cut)
            starts: dict[Fraction, int] = {}
            position = Fraction(0)
            for index, child in enumerate(primary):
                starts.setdefault(position, index)
                position += Fraction(child.duration().value).limit_denominator(10**6)
            end = position
            inserts: list[tuple[int, Any]] = []
            children = list(spine)
            for index, element in enumerate(children):
                if element.tag != "transition":
                    continue
                begin = seconds(element.get("offset"))
                length = seconds(element.get("duration"))
                following = children[index + 1] if index + 1 < len(children) else None
                if following is not None and following.tag != "transition":
                    cut = seconds(following.get("offset"))
                else:
                    cut = begin + length
                cut_frames = cut / fd
                at = starts.get(cut_frames, len(primary) if cut_frames == end else None)
                if at is None:
                    continue
                inserts.append(
                    (
                        at,
                        otio.schema.Transition(
                            name=element.get("name", ""),
                            transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                            in_offset=otio.opentime.RationalTime(_frames((cut - begin) / fd), rate),
                            out_offset=otio.opentime.RationalTime(
                                _frames((begin + length - cut) / fd), rate
                            ),
                        ),
                    )
                )
            for at, transition in sorted(inserts, key=lambda pair: pair[0], reverse=True):
                primary.insert(at, transition)

    return ExactFcpxXml(text)


def read_fcpxml(fmt: Format, source: Path, rate: float | None, options: dict[str, Any]) -> Any:
    """An FCPXML file (or bundle) read with exact time."""
    text = fmt.file_in(source).read_text(encoding="utf-8")
    return _exact_reader(text).to_otio()


# --- writing ---------------------------------------------------------------------------------


def _exact_seconds(time: otio.opentime.RationalTime, rate: Fraction) -> Fraction:
    """A time in exact seconds, its rate read as the exact frame or sample rate."""
    value = Fraction(time.value).limit_denominator(10**6)
    actual = exact_rate(time.rate) if time.rate < 1000 else Fraction(time.rate)
    return value / actual if actual else value / rate


class _Writer:
    """Builds one FCPXML document for a timeline."""

    def __init__(self, timeline: otio.schema.Timeline) -> None:
        self.timeline = timeline
        self.rate = frame_rate_of(timeline)
        self.root = ElementTree.Element("fcpxml", version="1.10")
        self.resources = ElementTree.SubElement(self.root, "resources")
        self.format_id = self._new_id()
        ElementTree.SubElement(
            self.resources,
            "format",
            id=self.format_id,
            name="FFVideoFormatRateUndefined" if not timeline.video_tracks() else "",
            frameDuration=fcpxml_time(1 / self.rate),
        )
        self.assets: dict[str, str] = {}
        self.title_effect: str | None = None

    def _new_id(self) -> str:
        return f"r{len(self.resources) + 1 if hasattr(self, 'resources') else 1}"

    def _s(self, time: otio.opentime.RationalTime) -> Fraction:
        return _exact_seconds(time, self.rate)

    def _asset(self, clip: otio.schema.Clip, audio: bool) -> str:
        reference = clip.media_reference
        url = getattr(reference, "target_url", "") or ""
        key = url or f"missing:{clip.name}"
        if key in self.assets:
            return self.assets[key]
        asset_id = self._new_id()
        available = reference.available_range if reference is not None else None
        start = self._s(available.start_time) if available else Fraction(0)
        duration = (
            self._s(available.duration)
            if available
            else self._s(clip.source_range.end_time_exclusive())
        )
        element = ElementTree.SubElement(
            self.resources,
            "asset",
            id=asset_id,
            name=clip.name or Path(url).stem,
            start=fcpxml_time(start),
            duration=fcpxml_time(duration),
            hasVideo="0" if audio else "1",
            hasAudio="1",
            format=self.format_id,
            audioSources="1",
        )
        if url:
            if "://" not in url and Path(url).is_absolute():
                url = Path(url).as_uri()
            ElementTree.SubElement(element, "media-rep", kind="original-media", src=url)
        self.assets[key] = asset_id
        return asset_id

    def _title_effect(self) -> str:
        if self.title_effect is None:
            self.title_effect = self._new_id()
            ElementTree.SubElement(
                self.resources,
                "effect",
                id=self.title_effect,
                name="Basic Title",
                uid=".../Titles.localized/Bumper:Opener.localized/Basic Title.localized/"
                "Basic Title.moti",
            )
        return self.title_effect

    def _item(
        self, clip: otio.schema.Clip, offset: Fraction, lane: int | None, audio: bool
    ) -> ElementTree.Element:
        start = self._s(clip.source_range.start_time)
        duration = self._s(clip.source_range.duration)
        attributes: dict[str, str] = {
            "name": clip.name or "",
            "offset": fcpxml_time(offset),
            "start": fcpxml_time(start),
            "duration": fcpxml_time(duration),
        }
        if lane is not None:
            attributes["lane"] = str(lane)
        reference = clip.media_reference
        generated = isinstance(reference, otio.schema.GeneratorReference) or "generator" in dict(
            getattr(reference, "metadata", {}).get("postprod", {})
        )
        if generated and not audio:
            element = ElementTree.Element("title", {"ref": self._title_effect(), **attributes})
            parameters = (
                reference.parameters
                if isinstance(reference, otio.schema.GeneratorReference)
                else dict(reference.metadata.get("postprod", {}))
            )
            text = ElementTree.SubElement(element, "text")
            text_style = ElementTree.SubElement(text, "text-style")
            text_style.text = str(parameters.get("text", clip.name))
            return element
        element = ElementTree.Element("asset-clip", {"ref": self._asset(clip, audio), **attributes})
        if audio:
            element.set("srcEnable", "audio")
        return element

    def _gap(self, offset: Fraction, duration: Fraction) -> ElementTree.Element:
        return ElementTree.Element(
            "gap",
            name="Gap",
            offset=fcpxml_time(offset),
            start="0s",
            duration=fcpxml_time(duration),
        )

    def _spine(self, spine: ElementTree.Element, start: Fraction) -> list[tuple[Fraction, Any]]:
        """The primary storyline (the first video track): (record seconds, element) of each."""
        placed: list[tuple[Fraction, Any]] = []
        tracks = self.timeline.video_tracks()
        if not tracks:
            total = self._s(self.timeline.duration())
            gap = self._gap(start, total)
            spine.append(gap)
            return [(start, gap)]
        track = tracks[0]
        transitions: list[tuple[Fraction, Any]] = []  # (cut, transition)
        for item, record in _placed(track, start, self._s):
            if isinstance(item, otio.schema.Transition):
                transitions.append((record, item))
                continue
            if isinstance(item, otio.schema.Clip):
                element = self._item(item, record, None, audio=False)
            else:
                element = self._gap(record, self._s(item.duration()))
            spine.append(element)
            placed.append((record, element))
        # transitions, centred on their cut, before the element they lead into
        for cut, item in reversed(transitions):
            transition = ElementTree.Element(
                "transition",
                name="Cross Dissolve",
                offset=fcpxml_time(cut - self._s(item.in_offset)),
                duration=fcpxml_time(self._s(item.in_offset + item.out_offset)),
            )
            index = bisect.bisect_left([begin for begin, _ in placed], cut)
            spine.insert(index, transition)
        return placed

    def _connect(
        self, placed: list[tuple[Fraction, Any]], spine: Any, record: Fraction, element: Any
    ) -> None:
        """Attach a connected clip to the storyline element under its start (its offset in
        that element's own time)."""
        host = None
        for begin, candidate in placed:
            if begin <= record < begin + seconds(candidate.get("duration")):
                host = (begin, candidate)
                break
        if host is None:
            end = max((b + seconds(c.get("duration")) for b, c in placed), default=record)
            gap = self._gap(end, record - end + seconds(element.get("duration")))
            spine.append(gap)
            placed.append((end, gap))
            host = (end, gap)
        begin, parent = host
        element.set("offset", fcpxml_time(seconds(parent.get("start")) + record - begin))
        parent.append(element)

    def document(self) -> ElementTree.Element:
        start = self._s(self.timeline.global_start_time) if self.timeline.global_start_time else 0
        library = ElementTree.SubElement(self.root, "library")
        event = ElementTree.SubElement(library, "event", name="postprod")
        project = ElementTree.SubElement(event, "project", name=self.timeline.name or "postprod")
        sequence = ElementTree.SubElement(
            project,
            "sequence",
            format=self.format_id,
            duration=fcpxml_time(self._s(self.timeline.duration())),
            tcStart=fcpxml_time(Fraction(start)),
            tcFormat="DF" if self.rate.denominator == 1001 and self.rate > 29 else "NDF",
            audioLayout="stereo",
            audioRate="48k",
        )
        spine = ElementTree.SubElement(sequence, "spine")
        placed = self._spine(spine, Fraction(start))
        lanes = [(t, i) for i, t in enumerate(self.timeline.video_tracks()[1:], start=1)]
        lanes += [(t, -i) for i, t in enumerate(self.timeline.audio_tracks(), start=1)]
        for track, lane in lanes:
            audio = track.kind == otio.schema.TrackKind.Audio
            for clip, record in _placed(track, Fraction(start), self._s):
                if isinstance(clip, otio.schema.Clip):
                    self._connect(placed, spine, record, self._item(clip, record, lane, audio))
        for marker in self.timeline.tracks.markers:
            record = Fraction(start) + self._s(marker.marked_range.start_time)
            element = _marker_element(
                marker, self._s(marker.marked_range.duration) or 1 / self.rate
            )
            host = next(
                ((b, c) for b, c in placed if b <= record < b + seconds(c.get("duration"))),
                placed[-1] if placed else None,
            )
            if host is None:
                continue
            begin, parent = host
            element.set("start", fcpxml_time(seconds(parent.get("start")) + record - begin))
            parent.insert(0, element)
        return self.root


def _placed(
    track: otio.schema.Track,
    start: Fraction,
    to_seconds: Callable[[otio.opentime.RationalTime], Fraction],
) -> Iterator[tuple[Any, Fraction]]:
    """Each item of a track with its record time in seconds (a transition with its cut),
    summed along the track once (``range_in_parent`` per item would walk it each time)."""
    position = start
    for item in track:
        if isinstance(item, otio.schema.Transition):
            yield item, position
            continue
        yield item, position
        position += to_seconds(item.duration())


def _marker_element(marker: otio.schema.Marker, duration: Fraction) -> ElementTree.Element:
    """A marker as FCP's kinds carry its colour: to-do (red), completed (green), chapter
    (orange), standard (any other colour)."""
    colour = str(marker.color).upper()
    attributes: dict[str, str] = {"duration": fcpxml_time(duration), "value": marker.name or ""}
    note = str(marker.metadata.get("postprod", {}).get("note", "") or "")
    if note:
        attributes["note"] = note
    if colour == "ORANGE":
        return ElementTree.Element("chapter-marker", attributes)
    if colour == "RED":
        attributes["completed"] = "0"
    elif colour == "GREEN":
        attributes["completed"] = "1"
    return ElementTree.Element("marker", attributes)


def fcpxml_text(timeline: otio.schema.Timeline) -> str:
    """The timeline as an FCPXML document."""
    root = _Writer(timeline).document()
    ElementTree.indent(root, space="    ")
    body = ElementTree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n' + body + "\n"
