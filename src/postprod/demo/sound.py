"""The demo's sound beyond the cameras: a dialogue line, a music bed, and the mix that holds them.

The line is a formant voice in syllables; it is dubbed: the actor's ADR take,
with other timing, is aligned to the production take (the guide) and given a
villain's voice by the ``larger-than-life`` preset; the music is a soft
chord pad on its own bus, ducked under the dialogue. All seeded.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
from numpy.typing import NDArray

from postprod.audio.adr import align_take
from postprod.audio.synth import Signal, as_block, voice
from postprod.effects.presets import find_effect_preset
from postprod.media.audio_write import write_audio
from postprod.timeline.metadata import BusState, ConsoleState, StripState, set_console, set_strip
from postprod.timeline.model import media_clip, rational_time


def villain_line(seconds: float, sample_rate: int) -> tuple[Signal, Signal]:
    """The line as shot (the guide) and as the actor re-recorded it in ADR, with other timing.

    Syllables of a formant voice; in the ADR take the actor comes in 120 ms
    late, and draws some syllables out and hurries others.
    """
    rng = np.random.default_rng(7)
    count = max(2, int((seconds - 0.3) / 0.4))
    lengths = rng.uniform(0.16, 0.26, count)
    starts = 0.1 + np.arange(count) * (seconds - 0.3) / count
    vowels = "aoeiu"
    guide = [
        (float(s), float(d), vowels[k % 5])
        for k, (s, d) in enumerate(zip(starts, lengths, strict=True))
    ]
    late = 0.12 + np.cumsum(rng.uniform(-0.03, 0.04, count))
    take = [
        (s + float(dt), d * float(f), v)
        for (s, d, v), dt, f in zip(guide, late, rng.uniform(0.85, 1.2, count), strict=True)
    ]
    production = voice(guide, seconds, sample_rate, f0_hz=110.0, rng=np.random.default_rng(8))
    adr = voice(take, seconds + 0.3, sample_rate, f0_hz=104.0, rng=np.random.default_rng(9))
    return production * 0.5, adr * 0.5


def music_bed(seconds: float, sample_rate: int) -> NDArray[np.float32]:
    """Stereo chord pad (A minor, then F major) at about -26 dBFS."""
    n = int(seconds * sample_rate)
    t = np.arange(n) / sample_rate
    first = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 261.63, 329.63))
    second = sum(np.sin(2 * np.pi * f * t) for f in (174.61, 220.0, 261.63))
    pad = np.where((t // 2) % 2 == 0, first, second) * (
        0.5 + 0.5 * np.sin(2 * np.pi * 0.25 * t) ** 2
    )
    level = 10 ** (-26 / 20) / 3
    return np.stack([pad * level, pad * level * 0.95]).astype(np.float32)


def add_sound(
    timeline: otio.schema.Timeline,
    folder: Path,
    *,
    rate: Fraction,
    sample_rate: int,
    line_at_frame: int,
    line_frames: int,
) -> tuple[Path, ...]:
    """Add camera sound, the dialogue line (dubbed: the ADR take aligned to the production
    take, which stays on a muted track) and the music as audio tracks with their mix."""
    total_frames = round(timeline.duration().to_seconds() * float(rate))
    guide, take = villain_line(line_frames / float(rate), sample_rate)
    dialogue = write_audio(folder / "dialogue.wav", as_block(guide), sample_rate)
    adr_take = write_audio(folder / "villain_adr_take.wav", as_block(take), sample_rate)
    aligned = align_take(as_block(guide), as_block(take), sample_rate).audio
    adr = write_audio(folder / "villain_adr.wav", aligned, sample_rate)
    music = write_audio(
        folder / "music.wav", music_bed(total_frames / float(rate) + 1, sample_rate), sample_rate
    )
    camera = timeline.video_tracks()[0].deepcopy()
    camera.name, camera.kind = "camera sound", otio.schema.TrackKind.Audio
    line = _line_track("dialogue", dialogue, "villain line", rate, line_at_frame, line_frames)
    dubbed = _line_track("ADR", adr, "villain line (ADR)", rate, line_at_frame, line_frames)
    bed = otio.schema.Track("music", kind=otio.schema.TrackKind.Audio)
    bed.append(
        media_clip(
            Path(music.name),
            name="music bed",
            rate=rate,
            available_frames=total_frames + int(rate),
            duration=total_frames,
        )
    )
    timeline.tracks.extend([camera, line, dubbed, bed])
    set_strip(camera, StripState(gain_db=-4.0))
    set_strip(line, StripState(mute=True, output="VO"))  # the production take: the guide, kept
    set_strip(dubbed, StripState(inserts=find_effect_preset("larger-than-life").chain, output="VO"))
    set_strip(bed, StripState(output="MX"))
    set_console(
        timeline,
        ConsoleState(buses=(BusState("VO"), BusState("MX", duck_key="VO", duck_depth_db=10.0))),
    )
    return dialogue, adr_take, adr, music


def _line_track(
    name: str, media: Path, clip_name: str, rate: Fraction, at_frame: int, frames: int
) -> otio.schema.Track:
    track = otio.schema.Track(name, kind=otio.schema.TrackKind.Audio)
    gap = otio.opentime.TimeRange(rational_time(0, rate), rational_time(at_frame, rate))
    track.append(otio.schema.Gap(source_range=gap))
    track.append(media_clip(Path(media.name), name=clip_name, rate=rate, available_frames=frames))
    return track
