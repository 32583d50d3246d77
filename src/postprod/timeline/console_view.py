"""The console as plain data, for every front end: each audio track's strip, the buses, the
master, with units in the keys (what ``postprod mixer P show --json`` prints and the web
console draws).

A strip's ``automation`` maps what moves to its breakpoints, named as the mixer commands name
it: the strip's own ``gain_db`` and ``pan``, a send's level ``send.BUS.level_db``, an
insert's parameter ``insert.N.PARAM`` (N from 1)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import opentimelineio as otio

from postprod.effects.console import InsertAutomation, Points, SendState
from postprod.effects.registry import EffectSpec
from postprod.errors import PostprodError
from postprod.timeline.metadata import console_of, strip_of, track_settings_of
from postprod.timeline.model import media_path
from postprod.timeline.slots import Where

MASTER = "master"  # the console's last strip (effects.console's default output)


def _effects(specs: tuple[EffectSpec, ...]) -> list[dict[str, Any]]:
    return [{"effect": spec.name, "params": dict(spec.params)} for spec in specs]


def _automation(
    where: Where,
    own: Mapping[str, Points],
    rides: Iterable[InsertAutomation],
    sends: Iterable[SendState] = (),
) -> dict[str, list[dict[str, Any]]]:
    """Every automated setting of a strip by its readable name, each breakpoint with its
    timecode."""
    named: dict[str, Points] = dict(own)
    named.update(
        {f"send.{send.bus}.level_db": send.automation for send in sends if send.automation}
    )
    for ride in sorted(rides, key=lambda ride: (ride.insert_index, ride.param)):
        named[f"insert.{ride.insert_index + 1}.{ride.param}"] = ride.points
    return {
        name: [
            {"time_s": t, "timecode": where.tc(round(t * where.rate)), "value": v, "curve": c}
            for t, v, c in points
        ]
        for name, points in named.items()
    }


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
                "automation": _automation(
                    where, strip.automation, strip.insert_automation, strip.sends
                ),
                "layout": _layout(track, folder),
                "armed": track_settings_of(track).armed,
                "pan_rear": strip.pan_rear,
            }
        )
    plain = {
        "pan": 0.0,
        "mute": False,
        "solo": False,
        "sends": [],
        "polarity": False,
        "pan_rear": 0.0,
    }
    buses = [
        {
            "name": bus.name,
            "gain_db": bus.gain_db,
            **plain,
            "inserts": _effects(bus.inserts),
            "output": bus.output,
            "automation": _automation(where, bus.automation, bus.insert_automation),
            "layout": None,
            "duck_key": bus.duck_key,
            "duck_depth_db": bus.duck_depth_db,
            "duck_threshold_db": bus.duck_threshold_db,
            "duck_attack_ms": bus.duck_attack_ms,
            "duck_release_ms": bus.duck_release_ms,
        }
        for bus in console.buses
    ]
    master = {
        "name": MASTER,
        "gain_db": console.master_gain_db,
        **plain,
        "inserts": _effects(console.master_inserts),
        "output": None,
        "automation": _automation(
            where, console.master_automation, console.master_insert_automation
        ),
        "layout": None,
    }
    return {"tracks": tracks, "buses": buses, "master": master}
