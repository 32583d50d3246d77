"""Wipes through a CMX 3600 EDL, both ways.

The adapter reads a ``Wnnn`` event as an ``SMPTE_Wipe`` transition (which
postprod would draw as a dissolve) and writes every transition as ``D``. On
import, each wipe becomes postprod's wipe (a ``Custom`` transition with
:class:`WipeState`): the pattern from a ``* POSTPROD WIPE:`` comment if
postprod wrote the list, else from the SMPTE wipe number. On export, each of
postprod's wipes is written as ``Wnnn`` (the SMPTE 258M number of its
pattern; 001 where SMPTE has none) followed by that comment, which keeps the
pattern, softness and border for the next import. Events pair with the
video track's transitions in order.
"""

from __future__ import annotations

import re

import opentimelineio as otio

from postprod.errors import EditError
from postprod.timeline.metadata import WipeState, parse_colour, set_wipe, wipe_of

#: SMPTE 258M wipe numbers of postprod's patterns (iris has none of its own here: 001).
WIPE_CODES = {
    "horizontal": 1,
    "vertical": 2,
    "barn-door": 21,
    "diagonal": 41,
    "box": 101,
    "clock": 201,
}
_PATTERN_OF_CODE = {code: pattern for pattern, code in WIPE_CODES.items()}

_TRANSITION_EVENT = re.compile(
    r"^(?P<head>\d{3,4}\s+\S+\s+(?P<kind>\S+)\s+)(?P<type>D|W\d{3})(?P<gap>\s+)(?P<frames>\d{3})"
)
_NOTE = re.compile(r"^\*\s*POSTPROD WIPE:\s*(?P<values>.*)$")
_EVENT = re.compile(r"^\d{3,4}\s")


def wipes_from_edl(timeline: otio.schema.Timeline, text: str) -> None:
    """Turn the adapter's ``SMPTE_Wipe`` transitions into postprod wipes, in place."""
    found = _wipe_events(text)
    wipes = [
        child
        for track in timeline.video_tracks()
        for child in track
        if isinstance(child, otio.schema.Transition) and child.transition_type == "SMPTE_Wipe"
    ]
    for transition, (code, note) in zip(wipes, found, strict=False):
        set_wipe(transition, _state(code, note))


def wipes_to_edl(text: str, timeline: otio.schema.Timeline) -> str:
    """The writer's EDL with each of postprod's wipes written as a ``Wnnn`` event."""
    tracks = timeline.video_tracks()
    transitions = [c for c in tracks[0] if isinstance(c, otio.schema.Transition)] if tracks else []
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    index = 0
    for line in lines:
        match = _TRANSITION_EVENT.match(line)
        if not match or "V" not in match["kind"] or match["type"] != "D":
            out.append(line)
            continue
        wipe = wipe_of(transitions[index]) if index < len(transitions) else None
        index += 1
        if wipe is None:
            out.append(line)
            continue
        code = f"W{WIPE_CODES.get(wipe.pattern, 1):03d}"
        rest = line[match.end() :]
        out.append(f"{match['head']}{code} {match['frames']}{rest}")
        newline = "\r\n" if line.endswith("\r\n") else "\n"
        note = f"pattern={wipe.pattern} softness={wipe.softness:g} border_px={wipe.border_px}"
        if wipe.pattern == "dip":
            note += " colour=#{:02x}{:02x}{:02x}".format(*wipe.colour)
        out.append(f"* POSTPROD WIPE: {note}{newline}")
    return "".join(out)


def _wipe_events(text: str) -> list[tuple[int, dict[str, str]]]:
    """Each video wipe event's SMPTE number and its ``POSTPROD WIPE`` values, in order."""
    found: list[tuple[int, dict[str, str]]] = []
    current: dict[str, str] | None = None
    for line in text.splitlines():
        match = _TRANSITION_EVENT.match(line)
        if match and match["type"].startswith("W") and "V" in match["kind"]:
            current = {}
            found.append((int(match["type"][1:]), current))
            continue
        if _EVENT.match(line):
            current = None
        note = _NOTE.match(line.strip())
        if note and current is not None:
            for pair in note["values"].split():
                key, _, value = pair.partition("=")
                current[key] = value
    return found


def _state(code: int, note: dict[str, str]) -> WipeState:
    try:
        return WipeState(
            note.get("pattern", _PATTERN_OF_CODE.get(code, "horizontal")),
            float(note.get("softness", 0.0)),
            int(note.get("border_px", 0)),
            parse_colour(note.get("colour", "black"), "EDL wipe note"),
        )
    except (ValueError, EditError):
        return WipeState(_PATTERN_OF_CODE.get(code, "horizontal"))
