"""postprod's settings in the project: the one module that reads and writes ``metadata["postprod"]``.

OTIO has no schema for a mixer, so a track's strip (gain, pan, inserts,
sends, automation) lives under the track's ``metadata["postprod"]["strip"]``
and the buses and master under the timeline's
``metadata["postprod"]["console"]``, each with a schema ``version``. They are
parsed here into typed, validated objects and written back; nothing else
touches the raw dictionaries. A timeline without any of it mixes at unity
gain and centre pan, so projects from other tools mix as they are. The
project's picture size and sample rate sit under the timeline's ``"project"``
section, a track's channel layout and lock under its ``"track"`` section.

Version history: 1 (the first).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import opentimelineio as otio

from postprod.effects.console import BusState as BusState
from postprod.effects.console import ConsoleState as ConsoleState
from postprod.effects.console import SendState as SendState
from postprod.effects.console import StripState as StripState
from postprod.effects.console import parse_specs
from postprod.effects.registry import EffectSpec
from postprod.errors import EditError, ProjectError
from postprod.timeline.otio_access import plain

SCHEMA_VERSION = 1
KEY = "postprod"


# The console's settings are defined once, in the effects layer (below both this module and
# the audio engine); they are stored and parsed here, under the same names.
_specs = parse_specs


def _payload(item: otio.core.SerializableObject, where: str) -> dict[str, Any]:
    raw = item.metadata.get(KEY)
    if raw is None:
        return {}
    data = plain(raw)
    if not isinstance(data, dict):
        raise ProjectError(
            f"postprod settings that are not a table: {data!r}"[:200],
            where=where,
            fix="restore the project from its .history folder",
        )
    version = data.get("version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise ProjectError(
            f"postprod settings of version {version} are newer than this postprod understands",
            where=where,
            fix="update postprod",
        )
    return data


def _store(
    item: otio.core.SerializableObject, where: str, section: str, value: dict[str, Any]
) -> None:
    """Write one section of an item's postprod settings, keeping the others."""
    data = _payload(item, where)
    data |= {"version": SCHEMA_VERSION, section: value}
    item.metadata[KEY] = data


def strip_of(track: otio.schema.Track) -> StripState:
    """A track's strip (unity gain, centre pan when the project says nothing)."""
    where = f"track {track.name or '?'}"
    return StripState.from_dict(dict(_payload(track, where).get("strip", {})), where)


def set_strip(track: otio.schema.Track, strip: StripState) -> None:
    """Store a track's strip in the project."""
    _store(track, f"track {track.name}", "strip", strip.to_dict())


def console_of(timeline: otio.schema.Timeline) -> ConsoleState:
    """The timeline's buses and master (none, unity master, when the project says nothing)."""
    where = f"timeline {timeline.name or '?'}"
    return ConsoleState.from_dict(dict(_payload(timeline, where).get("console", {})), where)


def set_console(timeline: otio.schema.Timeline, console: ConsoleState) -> None:
    """Store the timeline's buses and master in the project."""
    _store(timeline, f"timeline {timeline.name}", "console", console.to_dict())


#: The patterns a ``Custom`` transition may draw: SMPTE-style wipes (masks), pushes and
#: slides (the direction the incoming picture moves), and a dip through a flat colour.
WIPE_PATTERNS = ("horizontal", "vertical", "diagonal", "barn-door", "box", "iris", "clock")
MOVE_PATTERNS = tuple(
    f"{kind}-{direction}"
    for kind in ("push", "slide")
    for direction in ("left", "right", "up", "down")
)
TRANSITION_PATTERNS = (*WIPE_PATTERNS, *MOVE_PATTERNS, "dip")


@dataclass(frozen=True, slots=True)
class WipeState:
    """A transition other than a dissolve, on an OTIO ``Custom`` transition (OTIO has no
    schema for them): a wipe pattern, a push or slide, or a dip to ``colour``."""

    pattern: str = "horizontal"
    softness: float = 0.0  # wipes: the soft edge, a fraction of the move
    border_px: int = 0  # wipes: a white border on the edge
    colour: tuple[int, int, int] = (0, 0, 0)  # a dip's colour

    def to_dict(self) -> dict[str, Any]:
        return {
            "pattern": self.pattern,
            "softness": self.softness,
            "border_px": self.border_px,
            "colour": list(self.colour),
        }


def parse_colour(text: str, where: str) -> tuple[int, int, int]:
    """``black``, ``white``, ``grey`` or ``#RRGGBB`` as an RGB triple."""
    named = {"black": "#000000", "white": "#ffffff", "grey": "#808080", "gray": "#808080"}
    value = named.get(text.strip().lower(), text.strip())
    if len(value) == 7 and value.startswith("#"):
        try:
            return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))
        except ValueError:
            pass
    raise EditError(
        f"colour {text!r} is not one I know", where=where, fix="give black, white, grey or #RRGGBB"
    )


def wipe_of(transition: otio.schema.Transition) -> WipeState | None:
    """The wipe, move or dip a transition draws, or ``None`` for a dissolve."""
    where = f"transition {transition.name or '?'}"
    data = _payload(transition, where).get("wipe")
    if data is None:
        return None
    try:
        red, green, blue = (int(v) for v in data.get("colour", (0, 0, 0)))
        wipe = WipeState(
            str(data.get("pattern", "horizontal")),
            float(data.get("softness", 0.0)),
            int(data.get("border_px", 0)),
            (red, green, blue),
        )
    except (TypeError, ValueError) as error:
        raise ProjectError(f"the wipe settings are not valid ({error})", where=where) from None
    if not 0 <= wipe.softness <= 1 or wipe.border_px < 0:
        raise ProjectError("wipe softness must be 0..1 and the border not negative", where=where)
    if wipe.pattern not in TRANSITION_PATTERNS:
        raise ProjectError(
            f"unknown transition pattern {wipe.pattern!r}",
            where=where,
            fix=f"use one of {', '.join(TRANSITION_PATTERNS)}",
        )
    if not all(0 <= v <= 255 for v in wipe.colour):
        raise ProjectError("a dip colour's values must be 0..255", where=where)
    return wipe


def set_wipe(transition: otio.schema.Transition, wipe: WipeState) -> None:
    """Make a transition a wipe (an OTIO ``Custom`` transition with postprod's settings)."""
    transition.transition_type = otio.schema.TransitionTypes.Custom
    _store(transition, f"transition {transition.name}", "wipe", wipe.to_dict())


#: How a clip's ``LinearTimeWarp`` sounds: tape-style (pitch follows) or time-stretched.
SPEED_MODES = ("varispeed", "stretch")
#: The fade curves a clip may use (``postprod.audio.fades``).
CLIP_FADE_CURVES = ("linear", "equal-power", "logarithmic", "s-curve")


@dataclass(frozen=True, slots=True)
class ClipState:
    """A clip's own sound: gain, fades with their curves, effects, and how a speed change sounds."""

    gain_db: float = 0.0
    fade_in_s: float = 0.0
    fade_out_s: float = 0.0
    fade_in_curve: str = "equal-power"
    fade_out_curve: str = "equal-power"
    effects: tuple[EffectSpec, ...] = ()
    speed_mode: str = "varispeed"
    slip_s: float = 0.0  # the sound starts this much later in its source: sub-frame sync

    def to_dict(self) -> dict[str, Any]:
        return {
            "gain_db": self.gain_db,
            "fade_in_s": self.fade_in_s,
            "fade_out_s": self.fade_out_s,
            "fade_in_curve": self.fade_in_curve,
            "fade_out_curve": self.fade_out_curve,
            "effects": [spec.to_dict() for spec in self.effects],
            "speed_mode": self.speed_mode,
            "slip_s": self.slip_s,
        }

    @staticmethod
    def from_dict(data: dict[str, Any], where: str) -> ClipState:
        try:
            state = ClipState(
                float(data.get("gain_db", 0.0)),
                float(data.get("fade_in_s", 0.0)),
                float(data.get("fade_out_s", 0.0)),
                str(data.get("fade_in_curve", "equal-power")),
                str(data.get("fade_out_curve", "equal-power")),
                _specs(list(data.get("effects", [])), where),
                str(data.get("speed_mode", "varispeed")),
                float(data.get("slip_s", 0.0)),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ProjectError(f"the clip settings are not valid ({error})", where=where) from None
        if state.fade_in_s < 0 or state.fade_out_s < 0:
            raise ProjectError("a clip fade cannot be negative", where=where, fix="give 0 or more")
        for curve in (state.fade_in_curve, state.fade_out_curve):
            if curve not in CLIP_FADE_CURVES:
                raise ProjectError(
                    f"unknown fade curve {curve!r}",
                    where=where,
                    fix=f"use one of {', '.join(CLIP_FADE_CURVES)}",
                )
        if state.speed_mode not in SPEED_MODES:
            raise ProjectError(
                f"unknown speed mode {state.speed_mode!r}",
                where=where,
                fix=f"use one of {', '.join(SPEED_MODES)}",
            )
        return state


def clip_state(clip: otio.schema.Clip) -> ClipState:
    """A clip's own sound settings (unity, no fades, no effects when the project says nothing)."""
    where = f"clip {clip.name or '?'}"
    return ClipState.from_dict(dict(_payload(clip, where).get("clip", {})), where)


def set_clip_state(clip: otio.schema.Clip, state: ClipState) -> None:
    """Store a clip's own sound settings in the project."""
    _store(clip, f"clip {clip.name}", "clip", state.to_dict())


def link_of(clip: otio.core.Item) -> str | None:
    """The sync group a clip belongs to (picture and its sound), or ``None``.

    Clips of one group that share record frames move, trim and delete together
    (``postprod.operations.linking``); the id is only a name, shared by the group.
    """
    data = _payload(clip, f"clip {clip.name or '?'}").get("link")
    if data is None:
        return None
    link = data.get("id") if hasattr(data, "get") else None
    if not isinstance(link, str) or not link:
        raise ProjectError("the clip's link is not valid", where=f"clip {clip.name or '?'}")
    return link


def set_link(clip: otio.core.Item, link: str | None) -> None:
    """Put a clip in sync group ``link`` (``None``: take it out of its group)."""
    where = f"clip {clip.name}"
    if link is not None:
        _store(clip, where, "link", {"id": link})
        return
    data = _payload(clip, where)
    if "link" in data:
        del data["link"]
        item_data = {key: value for key, value in data.items() if key != "version"}
        if item_data:
            clip.metadata[KEY] = data
        else:
            del clip.metadata[KEY]


#: How a picture of another shape than the frame's is conformed (``media.video.FITS``).
PICTURE_FITS = ("fit", "fill", "stretch")


@dataclass(frozen=True, slots=True)
class PictureState:
    """A clip's picture on the frame (split screens, picture-in-picture): crop, scale,
    position and opacity. Crops are fractions of each side of the source; ``x`` and ``y``
    move the picture's centre by fractions of the frame (+x right, +y down)."""

    scale: float = 1.0
    x: float = 0.0
    y: float = 0.0
    crop_left: float = 0.0
    crop_right: float = 0.0
    crop_top: float = 0.0
    crop_bottom: float = 0.0
    opacity: float = 1.0
    # in slow motion and frame-rate conversion, mix the two nearest source frames
    blend_frames: bool = False
    fit: str = "fit"  # a picture of another shape: "fit" (bars), "fill" (crop) or "stretch"

    def to_dict(self) -> dict[str, Any]:
        return {**self.placement(), "blend_frames": self.blend_frames, "fit": self.fit}

    def placement(self) -> dict[str, float]:
        """Crop, scale, position and opacity: what the compositor needs, as plain numbers."""
        return {
            name: float(getattr(self, name))
            for name in self.__dataclass_fields__
            if name not in ("blend_frames", "fit")
        }

    @staticmethod
    def from_dict(data: dict[str, Any], where: str) -> PictureState:
        try:
            values = {
                key: float(value)
                for key, value in data.items()
                if key not in ("blend_frames", "fit")
            }
            state = PictureState(
                **values,
                blend_frames=bool(data.get("blend_frames", False)),
                fit=str(data.get("fit", "fit")),
            )
        except (TypeError, ValueError) as error:
            raise ProjectError(
                f"the picture settings are not valid ({error})", where=where
            ) from None
        state.check(where)
        return state

    def check(self, where: str) -> None:
        """Refuse a scale, crop, opacity or fit no picture can have."""
        if self.fit not in PICTURE_FITS:
            raise ProjectError(
                f"unknown fit {self.fit!r}",
                where=where,
                fix=f"use one of {', '.join(PICTURE_FITS)}",
            )
        crops = (self.crop_left, self.crop_right, self.crop_top, self.crop_bottom)
        if self.scale <= 0 or not 0.0 <= self.opacity <= 1.0:
            raise ProjectError(
                f"scale {self.scale} or opacity {self.opacity} is out of range",
                where=where,
                fix="scale above 0, opacity from 0 to 1",
            )
        if (
            min(crops) < 0
            or self.crop_left + self.crop_right >= 1
            or self.crop_top + self.crop_bottom >= 1
        ):
            raise ProjectError(
                "the crops leave nothing of the picture",
                where=where,
                fix="crop fractions from 0, each pair (left+right, top+bottom) below 1",
            )


#: Ready layouts: a split screen is two tracks, one ``left`` and one ``right`` (or ``top``
#: and ``bottom``); a 2x2 quad is four tracks ``quad-1`` .. ``quad-4``; ``pip`` is a corner.
PICTURE_LAYOUTS: dict[str, PictureState] = {
    "full": PictureState(),
    "left": PictureState(x=-0.25, crop_left=0.25, crop_right=0.25),
    "right": PictureState(x=0.25, crop_left=0.25, crop_right=0.25),
    "top": PictureState(y=-0.25, crop_top=0.25, crop_bottom=0.25),
    "bottom": PictureState(y=0.25, crop_top=0.25, crop_bottom=0.25),
    "quad-1": PictureState(scale=0.5, x=-0.25, y=-0.25),
    "quad-2": PictureState(scale=0.5, x=0.25, y=-0.25),
    "quad-3": PictureState(scale=0.5, x=-0.25, y=0.25),
    "quad-4": PictureState(scale=0.5, x=0.25, y=0.25),
    "pip": PictureState(scale=0.3, x=0.3, y=0.3),
}


def picture_state(clip: otio.schema.Clip) -> PictureState:
    """A clip's picture placement (the whole frame when the project says nothing)."""
    where = f"clip {clip.name or '?'}"
    return PictureState.from_dict(dict(_payload(clip, where).get("picture", {})), where)


def set_picture_state(clip: otio.schema.Clip, state: PictureState) -> None:
    """Store a clip's picture placement in the project."""
    where = f"clip {clip.name}"
    state.check(where)
    _store(clip, where, "picture", state.to_dict())


def clip_gain_db(clip: otio.schema.Clip) -> float:
    """A clip's gain in dB (0 when the project says nothing)."""
    return clip_state(clip).gain_db


def set_clip_gain(clip: otio.schema.Clip, gain_db: float) -> None:
    """Store a clip's gain (dB) in the project."""
    set_clip_state(clip, replace(clip_state(clip), gain_db=float(gain_db)))


#: Sample rates a project may run at (Hz).
SAMPLE_RATES_HZ = (44100, 48000, 88200, 96000)
#: Channel layouts an audio track may carry, with their channel counts.
TRACK_LAYOUTS = {"mono": 1, "stereo": 2, "5.1": 6}


@dataclass(frozen=True, slots=True)
class ProjectSettings:
    """The programme's picture size and sample rate, what a render or mix makes unless told
    otherwise. ``None`` is "not stated": the render takes the first clip's size and 48 kHz,
    as it does for a project made by another tool."""

    width_px: int | None = None
    height_px: int | None = None
    sample_rate_hz: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "width_px": self.width_px,
            "height_px": self.height_px,
            "sample_rate_hz": self.sample_rate_hz,
        }

    @property
    def size_px(self) -> tuple[int, int] | None:
        """(width, height), or ``None`` when the project does not say."""
        if self.width_px is None or self.height_px is None:
            return None
        return self.width_px, self.height_px

    @staticmethod
    def from_dict(data: dict[str, Any], where: str) -> ProjectSettings:
        try:
            values = {
                key: None if data.get(key) is None else int(data[key])
                for key in ("width_px", "height_px", "sample_rate_hz")
            }
        except (TypeError, ValueError) as error:
            raise ProjectError(
                f"the project settings are not valid ({error})", where=where
            ) from None
        settings = ProjectSettings(**values)
        settings.check(where)
        return settings

    def check(self, where: str) -> None:
        """Refuse a size that is not two even numbers of pixels, or a sample rate we do not run at."""
        if (self.width_px is None) != (self.height_px is None):
            raise ProjectError(
                "a picture size needs both width and height", where=where, fix="give WIDTHxHEIGHT"
            )
        size = self.size_px
        if size is not None and not all(0 < side <= 16384 and side % 2 == 0 for side in size):
            raise ProjectError(
                f"picture size {size[0]}x{size[1]} is not even pixels from 2 to 16384",
                where=where,
                fix="for example 1920x1080",
            )
        if self.sample_rate_hz is not None and self.sample_rate_hz not in SAMPLE_RATES_HZ:
            raise ProjectError(
                f"sample rate {self.sample_rate_hz} Hz is not one a project runs at",
                where=where,
                fix=f"use one of {', '.join(map(str, SAMPLE_RATES_HZ))}",
            )


def project_settings_of(timeline: otio.schema.Timeline) -> ProjectSettings:
    """The timeline's picture size and sample rate (nothing stated when the project says nothing)."""
    where = f"timeline {timeline.name or '?'}"
    return ProjectSettings.from_dict(dict(_payload(timeline, where).get("project", {})), where)


def set_project_settings(timeline: otio.schema.Timeline, settings: ProjectSettings) -> None:
    """Store the timeline's picture size and sample rate in the project."""
    where = f"timeline {timeline.name}"
    settings.check(where)
    _store(timeline, where, "project", settings.to_dict())


@dataclass(frozen=True, slots=True)
class TrackSettings:
    """A track's own settings: an audio track's channel layout (``None``: not stated, its
    media decide), whether it is locked against edits, and whether it is armed to record
    (the console's R button; written only when armed, so older files read the same)."""

    layout: str | None = None
    locked: bool = False
    armed: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"layout": self.layout, "locked": self.locked}
        if self.armed:
            data["armed"] = True
        return data

    @staticmethod
    def from_dict(data: dict[str, Any], where: str) -> TrackSettings:
        layout = data.get("layout")
        settings = TrackSettings(
            None if layout is None else str(layout),
            bool(data.get("locked", False)),
            bool(data.get("armed", False)),
        )
        settings.check(where)
        return settings

    def check(self, where: str) -> None:
        """Refuse a channel layout we do not know."""
        if self.layout is not None and self.layout not in TRACK_LAYOUTS:
            raise ProjectError(
                f"unknown channel layout {self.layout!r}",
                where=where,
                fix=f"use one of {', '.join(TRACK_LAYOUTS)}",
            )


def track_settings_of(track: otio.schema.Track) -> TrackSettings:
    """A track's layout and lock (unstated, unlocked when the project says nothing)."""
    where = f"track {track.name or '?'}"
    return TrackSettings.from_dict(dict(_payload(track, where).get("track", {})), where)


def set_track_settings(track: otio.schema.Track, settings: TrackSettings) -> None:
    """Store a track's layout and lock in the project."""
    where = f"track {track.name}"
    settings.check(where)
    _store(track, where, "track", settings.to_dict())
