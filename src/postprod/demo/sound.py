"""The demo's sound beyond the cameras: a dialogue line, a music bed, and the mix that holds them.

The line is speech-like (band-limited noise shaped into syllables), given a
villain's voice by the ``larger-than-life`` preset; the music is a soft
chord pad on its own bus, ducked under the dialogue. All seeded.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
from numpy.typing import NDArray
from scipy import signal

from postprod.effects.presets import find_effect_preset
from postprod.media.audio_write import write_audio
from postprod.timeline.metadata import BusState, ConsoleState, StripState, set_console, set_strip
from postprod.timeline.model import media_clip, rational_time


def speech_like(seconds: float, sample_rate: int, *, seed: int = 7) -> NDArray[np.float32]:
    """Mono 'speech': 300-3400 Hz noise in syllables of about 180 ms, peaking near -12 dBFS."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sample_rate)
    sos = signal.butter(4, [300, 3400], btype="bandpass", fs=sample_rate, output="sos")
    noise = signal.sosfilt(sos, rng.standard_normal(n))
    t = np.arange(n) / sample_rate
    syllables = np.clip(np.sin(2 * np.pi * 2.8 * t + rng.uniform(0, 1)), 0, None) ** 2
    voiced = noise * syllables * (0.6 + 0.4 * np.sin(2 * np.pi * 140 * t))
    fade = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.02)
    line = voiced * fade
    result: NDArray[np.float32] = (0.25 * line / np.abs(line).max()).astype(np.float32)[None]
    return result


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
) -> tuple[Path, Path]:
    """Add camera sound, the dialogue line and the music as audio tracks with their mix."""
    total_frames = round(timeline.duration().to_seconds() * float(rate))
    dialogue = write_audio(
        folder / "dialogue.wav", speech_like(line_frames / float(rate), sample_rate), sample_rate
    )
    music = write_audio(
        folder / "music.wav", music_bed(total_frames / float(rate) + 1, sample_rate), sample_rate
    )
    camera = timeline.video_tracks()[0].deepcopy()
    camera.name, camera.kind = "camera sound", otio.schema.TrackKind.Audio
    line = otio.schema.Track("dialogue", kind=otio.schema.TrackKind.Audio)
    line.append(
        otio.schema.Gap(
            source_range=otio.opentime.TimeRange(
                rational_time(0, rate), rational_time(line_at_frame, rate)
            )
        )
    )
    line.append(
        media_clip(
            Path(dialogue.name), name="villain line", rate=rate, available_frames=line_frames
        )
    )
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
    timeline.tracks.extend([camera, line, bed])
    set_strip(camera, StripState(gain_db=-4.0))
    set_strip(line, StripState(inserts=find_effect_preset("larger-than-life").chain, output="VO"))
    set_strip(bed, StripState(output="MX"))
    set_console(
        timeline,
        ConsoleState(buses=(BusState("VO"), BusState("MX", duck_key="VO", duck_depth_db=10.0))),
    )
    return dialogue, music
