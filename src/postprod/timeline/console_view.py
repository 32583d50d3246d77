"""The console as plain data, for every front end: each audio track's strip, the buses, the
master, with units in the keys (what ``postprod mixer P show --json`` prints and the web
console draws)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import opentimelineio as otio

from postprod.effects.registry import EffectSpec
from postprod.errors import PostprodError
from postprod.timeline.metadata import console_of, strip_of, track_settings_of
from postprod.timeline.model import media_path
from postprod.timeline.slots import Where

MASTER = "master"  # the console's last strip (effects.console's default output)


def _effects(specs: tuple[EffectSpec, ...]) -> list[dict[str, Any]]:
    return [{"effect": spec.name, "params": dict(spec.params)} for spec in specs]


def _layout(track: otio.schema.Track, folder: Path) -> str | None:
    """The width of a track's sound: the layout the track was made with, else its media's
    (mono, stereo, 5.1; ``mixed``, ``offline``; None when it states none and has no clips)."""
    stated = track_settings_of(track).layout
    if stated is not None:
        return stated
    from postprod.media.audio import audio_info  # PyAV, only to look at the media

    widths: set[str] = set()
    for clip in track.find_clips(shallow_search=True):
        path = media_path(clip, folder)
        if path is None or not isinstance(clip, otio.schema.Clip):
            continue
        try:
            channels = audio_info(path).channels
        except PostprodError:
            widths.add("offline")
            continue
        widths.add({1: "mono", 2: "stereo", 6: "5.1"}.get(channels, f"{channels} channels"))
    if not widths:
        return None
    return widths.pop() if len(widths) == 1 else "mixed"


def console_view(timeline: otio.schema.Timeline, folder: Path) -> dict[str, Any]:
    """The console of ``timeline`` (media paths relative to ``folder``) as plain data."""
    where = Where.of(timeline)
    console = console_of(timeline)
    tracks = []
    for track in timeline.tracks:
        if track.kind != otio.schema.TrackKind.Audio:
            continue
        strip = strip_of(track)
        tracks.append(
            {
                "name": track.name,
                "gain_db": strip.gain_db,
                "pan": strip.pan,
                "mute": strip.mute,
                "solo": strip.solo,
                "inserts": _effects(strip.inserts),
                "sends": [
                    {"bus": s.bus, "level_db": s.level_db, "pre_fader": s.pre_fader}
                    for s in strip.sends
                ],
                "polarity": strip.invert_polarity,
                "output": strip.output,
                "automation": {
                    name: [
                        {
                            "time_s": t,
                            "timecode": where.tc(round(t * where.rate)),
                            "value": v,
                            "curve": c,
                        }
                        for t, v, c in points
                    ]
                    for name, points in strip.automation.items()
                },
                "layout": _layout(track, folder),
            }
        )
    plain = {"pan": 0.0, "mute": False, "solo": False, "sends": [], "polarity": False}
    buses = [
        {
            "name": bus.name,
            "gain_db": bus.gain_db,
            **plain,
            "inserts": _effects(bus.inserts),
            "output": bus.output,
            "automation": {},
            "layout": None,
            "duck_key": bus.duck_key,
            "duck_depth_db": bus.duck_depth_db,
        }
        for bus in console.buses
    ]
    master = {
        "name": MASTER,
        "gain_db": console.master_gain_db,
        **plain,
        "inserts": _effects(console.master_inserts),
        "output": None,
        "automation": {},
        "layout": None,
    }
    return {"tracks": tracks, "buses": buses, "master": master}
