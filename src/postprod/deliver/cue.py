"""CD cue sheets: one track per track marker, times in MM:SS:FF at 75 frames per second
(Red Book).

A project's markers mean many things (spotting notes, review notes, chapters); only
the ones meant as CD tracks start a track: a marker of the preset's track colour
(purple unless the preset says), or one whose name starts with ``#`` (REAPER's
convention for CD track markers; the ``#`` is not part of the title).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from postprod.timeline.model import MarkerAt

CD_FRAMES_PER_SECOND = 75


def cd_time(seconds: Fraction) -> str:
    """``MM:SS:FF`` with FF in 1/75 s (rounded down: a track never starts early)."""
    frames = int(seconds * CD_FRAMES_PER_SECOND)
    minutes, rest = divmod(frames, 60 * CD_FRAMES_PER_SECOND)
    secs, ff = divmod(rest, CD_FRAMES_PER_SECOND)
    return f"{minutes:02d}:{secs:02d}:{ff:02d}"


def cue_sheet(
    wav_name: str, title: str, tracks: list[tuple[Fraction, str]], *, pregap_s: int = 2
) -> str:
    """A cue sheet for one WAV: track 1 at 0 (with the Red Book pregap), then one per mark.

    ``tracks`` are (start in seconds, title); a mark at 0 names track 1.
    """
    starts = [(Fraction(0), title)] + [(t, name) for t, name in tracks if t > 0]
    if tracks and tracks[0][0] == 0:
        starts[0] = (Fraction(0), tracks[0][1])
    lines = [f'TITLE "{_quoted(title)}"', f'FILE "{_quoted(wav_name)}" WAVE']
    for number, (start, name) in enumerate(starts, start=1):
        lines.append(f"  TRACK {number:02d} AUDIO")
        lines.append(f'    TITLE "{_quoted(name)}"')
        if number == 1 and pregap_s:
            lines.append(f"    PREGAP {cd_time(Fraction(pregap_s))}")
        lines.append(f"    INDEX 01 {cd_time(start)}")
    return "\n".join(lines) + "\n"


def track_marks(
    marks: Sequence[MarkerAt], rate: Fraction, colour: str = "PURPLE"
) -> list[tuple[Fraction, str]]:
    """The markers meant as CD tracks, as (start in seconds, title)."""
    found = []
    for mark in marks:
        hashed = mark.name.startswith("#")
        if hashed or mark.colour.upper() == colour.upper():
            title = mark.name[1:].strip() if hashed else mark.name
            found.append((Fraction(mark.frame) / rate, title))
    return found


def _quoted(text: str) -> str:
    return text.replace('"', "'")
