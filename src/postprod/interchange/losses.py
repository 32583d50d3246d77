"""Nothing lost without a word: what a project holds that an export format cannot carry.

Before a file is written, the timeline is surveyed for each kind of thing postprod keeps
(titles, picture-in-picture, speed, wipes, clip gain, fades, track names, marker colours,
...) and compared with what the target format carries (:data:`CARRIES`); each kind it
cannot carry is one :class:`Loss` (how many, and where the first few are). The export
warns once per kind (:class:`InterchangeWarning`), or, with ``strict``, refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

import opentimelineio as otio

from postprod.timeline.metadata import clip_state, picture_state, wipe_of


class InterchangeWarning(UserWarning):
    """Something of the project an import or export could not carry (one per kind)."""


@dataclass(frozen=True, slots=True)
class Loss:
    """One kind of thing a format cannot carry: how many there are and where (the first few)."""

    kind: str
    count: int
    where: tuple[str, ...]

    def message(self, format_name: str) -> str:
        shown = ", ".join(self.where[:3]) + (", ..." if self.count > 3 else "")
        return f"{format_name} cannot carry {self.count} {self.kind} ({shown})"


#: Every kind the survey knows, as named in warnings and the README's table.
KINDS = (
    "titles",
    "picture-in-picture",
    "speed changes",
    "freeze frames",
    "wipes",
    "transitions",
    "transitions on other tracks",
    "markers",
    "marker colours",
    "track names",
    "clip gain",
    "clip fades",
    "clip effects",
    "track mixer settings",
)

_ALL = frozenset(KINDS)
#: What each format (by :class:`~postprod.interchange.formats.Format` name) carries.
CARRIES: dict[str, frozenset[str]] = {
    "OpenTimelineIO": _ALL,
    "OpenTimelineIO zip": _ALL,
    "CMX 3600 EDL": frozenset(
        {
            "speed changes",
            "freeze frames",
            "wipes",
            "transitions",
            "transitions on other tracks",
            "markers",
            "marker colours",
        }
    ),
    "FCP 7 XML": frozenset(
        {"transitions", "transitions on other tracks", "markers", "track names", "speed changes"}
    ),
    "FCPX XML": frozenset({"titles", "transitions", "markers"}),  # transitions of V1 only
    "FCPX XML bundle": frozenset({"titles", "transitions", "markers"}),
    "AAF": frozenset(
        {
            "transitions",
            "transitions on other tracks",
            "markers",
            "marker colours",
            "track names",
            "clip gain",
            "clip fades",
        }
    ),
}


def _where(track: otio.schema.Track, item: otio.core.Composable) -> str:
    at = item.range_in_parent().start_time if isinstance(item, otio.core.Item) else None
    when = f" at {at.to_seconds():.2f} s" if at is not None else ""
    return f"{track.name or track.kind} {item.name or type(item).__name__}{when}"


#: Where a thing is, worked out only for the few a warning names (``range_in_parent`` walks
#: the track: computing it for every clip would make a survey quadratic).
Place = Callable[[], str]


def survey(timeline: otio.schema.Timeline) -> Iterator[tuple[str, Place]]:
    """(kind, where) for each thing in the timeline that not every format carries."""
    videos = timeline.video_tracks()
    first = videos[0] if videos else None
    for track in timeline.tracks:
        if not isinstance(track, otio.schema.Track):
            continue
        name = str(track.name)
        if track.name and not track.name.isdigit():
            yield "track names", lambda name=name: name  # type: ignore[misc]
        strip = track.metadata.get("postprod", {}).get("strip")
        if strip and (
            strip.get("gain_db") or strip.get("inserts") or strip.get("pan") or strip.get("mute")
        ):
            yield "track mixer settings", lambda name=name: name  # type: ignore[misc]
        for item in track:
            if isinstance(item, otio.schema.Transition):
                kind = "wipes" if wipe_of(item) is not None else "transitions"
                yield kind, partial(_where, track, item)
                if track is not first:
                    yield "transitions on other tracks", partial(_where, track, item)
                continue
            if not isinstance(item, otio.schema.Clip):
                continue
            for kind in _clip_kinds(track, item):
                yield kind, partial(_where, track, item)
    for marker in timeline.tracks.markers:
        label = marker.name or "marker"
        at = marker.marked_range.start_time.to_seconds()
        yield "markers", lambda label=label, at=at: f"{label} at {at:.2f} s"  # type: ignore[misc]
        if marker.color != otio.schema.MarkerColor.RED:
            colour = str(marker.color)
            yield "marker colours", lambda label=label, c=colour: f"{label} ({c})"  # type: ignore[misc]


def _clip_kinds(track: otio.schema.Track, clip: otio.schema.Clip) -> Iterator[str]:
    reference = clip.media_reference
    if isinstance(reference, otio.schema.GeneratorReference) or (
        isinstance(reference, otio.schema.MissingReference)  # a title postprod wrote out
        and "generator" in dict(reference.metadata.get("postprod", {}))
    ):
        yield "titles"
    for effect in clip.effects if len(clip.effects) else ():  # len is cheap, iterating not
        if isinstance(effect, otio.schema.FreezeFrame):
            yield "freeze frames"
        elif isinstance(effect, otio.schema.LinearTimeWarp):
            yield "speed changes"
    if not clip.metadata.get("postprod"):  # nothing of postprod's own: no state to parse
        return
    if track.kind == otio.schema.TrackKind.Video:
        state = picture_state(clip)
        if state.scale != 1.0 or state.x or state.y or state.crop_left or state.crop_right:
            yield "picture-in-picture"
        return
    sound = clip_state(clip)
    if sound.gain_db:
        yield "clip gain"
    if sound.fade_in_s or sound.fade_out_s:
        yield "clip fades"
    if sound.effects:
        yield "clip effects"


def losses(format_name: str, timeline: otio.schema.Timeline) -> list[Loss]:
    """What ``timeline`` holds that the format cannot carry, one :class:`Loss` per kind."""
    carried = CARRIES.get(format_name, _ALL)
    count: dict[str, int] = {}
    shown: dict[str, list[str]] = {}
    for kind, place in survey(timeline):
        if kind in carried:
            continue
        count[kind] = count.get(kind, 0) + 1
        if len(shown.setdefault(kind, [])) < 4:
            shown[kind].append(place())
    return [Loss(kind, count[kind], tuple(shown[kind])) for kind in KINDS if kind in count]
