"""The demo's sound beyond the cameras: a dialogue line and a music bed.

The line is a formant voice in syllables; it is dubbed: the actor's ADR take,
with other timing, is aligned to the production take (the guide) and given a
villain's voice by the ``larger-than-life`` preset; the music is a soft
chord pad on its own bus, ducked under the dialogue. All seeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from postprod.audio.adr import align_take
from postprod.audio.synth import Signal, as_block, voice
from postprod.media.audio_write import write_audio


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


@dataclass(frozen=True, slots=True)
class DemoSounds:
    """The sound files the demo edits in beside the cameras'."""

    dialogue: Path  # the production take of the line: the guide, kept on a muted track
    adr_take: Path  # the actor's ADR take as recorded, with its own timing
    adr: Path  # the take aligned to the guide: what plays
    music: Path

    @property
    def files(self) -> tuple[Path, ...]:
        return (self.dialogue, self.adr_take, self.adr, self.music)


def write_sounds(folder: Path, *, sample_rate: int, line_s: float, music_s: float) -> DemoSounds:
    """Write the line as shot, the ADR take, the take aligned to the guide, and the music."""
    guide, take = villain_line(line_s, sample_rate)
    dialogue = write_audio(folder / "dialogue.wav", as_block(guide), sample_rate)
    adr_take = write_audio(folder / "villain_adr_take.wav", as_block(take), sample_rate)
    aligned = align_take(as_block(guide), as_block(take), sample_rate).audio
    adr = write_audio(folder / "villain_adr.wav", aligned, sample_rate)
    music = write_audio(folder / "music.wav", music_bed(music_s, sample_rate), sample_rate)
    return DemoSounds(dialogue, adr_take, adr, music)
