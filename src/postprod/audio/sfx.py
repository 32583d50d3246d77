"""Sound effects from scratch: parameterised, seeded generators built from :mod:`synth` blocks.

Each generator takes the duration, the sample rate, a NumPy random
generator and its own keyword parameters, and returns a mono signal peaking
at 0.5 (-6 dBFS). The same seed gives the same samples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from postprod.audio.synth import (
    Signal,
    adsr,
    as_block,
    band,
    decay,
    fm,
    noise,
    oscillator,
    place,
    sweep_filter,
    times,
)
from postprod.errors import AudioError

Generator = Callable[..., Signal]


def _normal(x: Signal, peak: float = 0.5) -> Signal:
    top = np.abs(x).max()
    return x * (peak / top) if top > 0 else x


def whoosh(
    seconds: float,
    rate: int,
    rng: np.random.Generator,
    *,
    low_hz: float = 300,
    high_hz: float = 4000,
) -> Signal:
    """Air rushing past: noise through a band-pass that sweeps up then down, swelling."""
    t = times(seconds, rate)
    n = noise("pink", t.size, rng)
    up = sweep_filter(n[: t.size // 2], rate, low_hz, high_hz)
    down = sweep_filter(n[t.size // 2 :], rate, high_hz, low_hz)
    swell = np.sin(np.pi * t / max(seconds, 1e-6)) ** 2
    return _normal(np.concatenate([up, down]) * swell)


def impact(
    seconds: float,
    rate: int,
    rng: np.random.Generator,
    *,
    pitch_hz: float = 70,
    decay_s: float = 0.25,
) -> Signal:
    """A hit: a thump whose pitch falls, and a short noise crack, both dying away."""
    t = times(seconds, rate)
    thump = oscillator("sine", pitch_hz * (1 + 2 * decay(t, 0.03)), t) * decay(t, decay_s)
    crack = band(noise("white", t.size, rng), rate, 1500, None) * decay(t, 0.02)
    return _normal(thump + 0.6 * crack)


def punch(seconds: float, rate: int, rng: np.random.Generator) -> Signal:
    """A punch: a tight, low impact with a slap on top."""
    return impact(seconds, rate, rng, pitch_hz=110, decay_s=0.08)


def explosion(seconds: float, rate: int, rng: np.random.Generator, *, size: float = 1.0) -> Signal:
    """A low boom of brown noise and falling debris crackle."""
    t = times(seconds, rate)
    boom = band(noise("brown", t.size, rng), rate, None, 200) * decay(t, 0.6 * size)
    debris_times = np.sort(rng.uniform(0.1, max(0.2, seconds * 0.8), int(40 * size)))
    grain = band(noise("white", int(0.01 * rate), rng), rate, 2000, None) * np.hanning(
        int(0.01 * rate)
    )
    debris = place([(float(x), grain * rng.uniform(0.2, 1.0)) for x in debris_times], seconds, rate)
    return _normal(boom + 0.3 * debris * decay(t, seconds / 2))


def gunshot(seconds: float, rate: int, rng: np.random.Generator) -> Signal:
    """A gunshot: a very sharp broadband crack, a low thump and a short room tail."""
    t = times(seconds, rate)
    crack = noise("white", t.size, rng) * decay(t, 0.008)
    thump = oscillator("sine", 60.0, t) * decay(t, 0.05)
    tail = band(noise("pink", t.size, rng), rate, 200, 3000) * decay(t, 0.3) * 0.15
    return _normal(crack + 0.8 * thump + tail)


def laser(
    seconds: float,
    rate: int,
    rng: np.random.Generator,
    *,
    start_hz: float = 2500,
    end_hz: float = 300,
) -> Signal:
    """A laser zap: an FM tone diving in pitch."""
    t = times(seconds, rate)
    pitch = np.geomspace(start_hz, end_hz, t.size)
    tone = np.sin(2 * np.pi * np.cumsum(pitch) / rate + 3 * np.sin(2 * np.pi * 40 * t))
    return _normal(tone * adsr(t.size, rate, 0.005, 0.05, 0.6, seconds * 0.4))


def wind(seconds: float, rate: int, rng: np.random.Generator, *, gustiness: float = 0.5) -> Signal:
    """Wind: pink noise through a slowly wandering band-pass, with gusts."""
    t = times(seconds, rate)
    wander = 400 + 300 * np.sin(2 * np.pi * 0.13 * t + rng.uniform(0, 6))
    shaped = sweep_filter(
        noise("pink", t.size, rng), rate, float(wander[0]), float(wander[-1]), q=1.0
    )
    gusts = 1 + gustiness * np.sin(2 * np.pi * 0.21 * t + rng.uniform(0, 6)) ** 2
    return _normal(shaped * gusts)


def rain(
    seconds: float, rate: int, rng: np.random.Generator, *, drops_per_s: float = 300
) -> Signal:
    """Rain: thousands of tiny drops on a bed of soft noise."""
    drop = band(noise("white", int(0.004 * rate), rng), rate, 2000, 9000) * np.hanning(
        int(0.004 * rate)
    )
    at = rng.uniform(0, seconds, int(drops_per_s * seconds))
    drops = place([(float(x), drop * rng.uniform(0.05, 1)) for x in at], seconds, rate)
    bed = band(noise("pink", drops.size, rng), rate, 500, 8000) * 0.05
    return _normal(drops + bed)


def thunder(seconds: float, rate: int, rng: np.random.Generator) -> Signal:
    """Thunder: a rumble of brown noise with a few rolling bursts."""
    t = times(seconds, rate)
    rumble = band(noise("brown", t.size, rng), rate, None, 300)
    rolls = sum(np.exp(-((t - rng.uniform(0, seconds * 0.6)) ** 2) / 0.2) for _ in range(4))
    return _normal(rumble * (0.2 + rolls) * decay(t, seconds / 2))


def fire(
    seconds: float, rate: int, rng: np.random.Generator, *, crackles_per_s: float = 12
) -> Signal:
    """A fire: a soft roar with sharp, random crackles."""
    t = times(seconds, rate)
    roar = band(noise("brown", t.size, rng), rate, 60, 800) * 0.3
    crackle = band(noise("white", int(0.003 * rate), rng), rate, 1500, None) * np.hanning(
        int(0.003 * rate)
    )
    at = rng.uniform(0, seconds, int(crackles_per_s * seconds))
    return _normal(
        roar + place([(float(x), crackle * rng.uniform(0.3, 1)) for x in at], seconds, rate)
    )


SURFACES = {"gravel": (800, 8000, 0.06), "wood": (150, 2500, 0.05), "concrete": (300, 5000, 0.03)}


def footsteps(
    seconds: float,
    rate: int,
    rng: np.random.Generator,
    *,
    pace_hz: float = 2.0,
    surface: str = "gravel",
) -> Signal:
    """Footsteps at ``pace_hz`` steps per second on gravel, wood or concrete (heel then toe)."""
    if surface not in SURFACES:
        raise AudioError(f"unknown surface {surface!r}", fix=f"use one of {', '.join(SURFACES)}")
    low, high, length = SURFACES[surface]
    n = int(length * rate)
    steps = []
    for k in range(int(seconds * pace_hz)):
        hit = band(noise("white", n, rng), rate, low, high) * decay(
            times(length, rate)[:n], length / 4
        )
        at = k / pace_hz + rng.uniform(-0.01, 0.01)
        steps += [(max(0.0, at), hit), (max(0.0, at) + 0.05, hit * 0.5)]
    return _normal(place(steps, seconds, rate))


def door_knock(seconds: float, rate: int, rng: np.random.Generator, *, knocks: int = 3) -> Signal:
    """Knocks on a wooden door."""
    knock = impact(0.15, rate, rng, pitch_hz=180, decay_s=0.04)
    return _normal(place([(0.1 + 0.18 * k, knock) for k in range(knocks)], seconds, rate))


def door_slam(seconds: float, rate: int, rng: np.random.Generator) -> Signal:
    """A door slamming: a heavy impact and a rattle."""
    t = times(seconds, rate)
    rattle = (
        band(noise("white", t.size, rng), rate, 800, 4000)
        * decay(t, 0.15)
        * np.sin(2 * np.pi * 18 * t) ** 2
    )
    return _normal(impact(seconds, rate, rng, pitch_hz=55, decay_s=0.35) + 0.3 * rattle)


def engine(seconds: float, rate: int, rng: np.random.Generator, *, rpm: float = 1800) -> Signal:
    """An engine hum: a firing-rate saw with harmonics and a little roughness."""
    t = times(seconds, rate)
    firing = rpm / 60 * 2
    hum = oscillator("saw", firing * (1 + 0.01 * np.sin(2 * np.pi * 0.7 * t)), t)
    return _normal(
        band(hum, rate, None, 1200) + 0.1 * band(noise("pink", t.size, rng), rate, 50, 400)
    )


def riser(
    seconds: float,
    rate: int,
    rng: np.random.Generator,
    *,
    start_hz: float = 200,
    end_hz: float = 6000,
) -> Signal:
    """A riser: noise and a tone sweeping up, growing louder."""
    t = times(seconds, rate)
    swept = sweep_filter(noise("white", t.size, rng), rate, start_hz, end_hz)
    tone = oscillator("saw", np.geomspace(start_hz / 2, end_hz / 4, t.size), t) * 0.2
    return _normal((swept + tone) * (t / max(seconds, 1e-6)) ** 2)


def beep(
    seconds: float, rate: int, rng: np.random.Generator, *, frequency_hz: float = 1000
) -> Signal:
    """A censor bleep: a pure tone with 5 ms edges."""
    t = times(seconds, rate)
    return _normal(oscillator("sine", frequency_hz, t) * adsr(t.size, rate, 0.005, 0.0, 1.0, 0.005))


def ui_click(seconds: float, rate: int, rng: np.random.Generator) -> Signal:
    """An interface click: a 2 ms high tick."""
    t = times(seconds, rate)
    return _normal(fm(3000, 700, 2.0, t) * decay(t, 0.002))


def heartbeat(seconds: float, rate: int, rng: np.random.Generator, *, bpm: float = 70) -> Signal:
    """A heartbeat: lub-dub thumps at ``bpm``."""
    lub = impact(0.2, rate, rng, pitch_hz=45, decay_s=0.06)
    beats = []
    for k in range(int(seconds * bpm / 60)):
        at = k * 60 / bpm
        beats += [(at, lub), (at + 0.18, lub * 0.7)]
    return _normal(band(place(beats, seconds, rate), rate, None, 400))


def walla(seconds: float, rate: int, rng: np.random.Generator, *, voices: int = 12) -> Signal:
    """Crowd walla: many overlapping speech-like murmurs."""
    t = times(seconds, rate)
    crowd = np.zeros(t.size)
    for _ in range(voices):
        syllables = (
            np.clip(np.sin(2 * np.pi * rng.uniform(2, 4) * t + rng.uniform(0, 6)), 0, None) ** 2
        )
        crowd += (
            band(noise("white", t.size, rng), rate, 250, 3000) * syllables * rng.uniform(0.3, 1)
        )
    return _normal(crowd)


GENERATORS: dict[str, Generator] = {
    "whoosh": whoosh,
    "impact": impact,
    "punch": punch,
    "explosion": explosion,
    "gunshot": gunshot,
    "laser": laser,
    "wind": wind,
    "rain": rain,
    "thunder": thunder,
    "fire": fire,
    "footsteps": footsteps,
    "door-knock": door_knock,
    "door-slam": door_slam,
    "engine": engine,
    "riser": riser,
    "beep": beep,
    "ui-click": ui_click,
    "heartbeat": heartbeat,
    "walla": walla,
}

DEFAULT_SECONDS = {
    "ui-click": 0.05,
    "punch": 0.4,
    "gunshot": 1.0,
    "impact": 1.0,
    "beep": 1.0,
    "laser": 0.6,
}


@dataclass(frozen=True, slots=True)
class Layer:
    """One generator in a recipe: when, how loud, with which parameters."""

    generator: str
    at_s: float = 0.0
    seconds: float | None = None
    gain_db: float = 0.0
    seed: int = 0
    params: dict[str, Any] | None = None


def generate(
    name: str,
    *,
    seconds: float | None = None,
    sample_rate: int = 48000,
    seed: int = 0,
    **params: Any,
) -> NDArray[np.float32]:
    """A generator's sound as a mono ``(1, n)`` block."""
    function = GENERATORS.get(name)
    if function is None:
        raise AudioError(
            f"unknown sound effect {name!r}",
            fix=f"use one of {', '.join(GENERATORS)} (postprod sfx list)",
        )
    length = seconds if seconds is not None else DEFAULT_SECONDS.get(name, 3.0)
    if not 0 < length <= 600:
        raise AudioError(f"duration {length} s is out of range", fix="give 0 to 600 seconds")
    try:
        sound = function(length, sample_rate, np.random.default_rng(seed), **params)
    except TypeError as error:
        raise AudioError(
            f"{name} does not take those parameters ({error})", fix="see postprod sfx list"
        ) from None
    return as_block(sound)


def mix_layers(layers: list[Layer], sample_rate: int = 48000) -> NDArray[np.float32]:
    """A recipe's layers generated and summed at their times and gains."""
    events = []
    end = 0.0
    for layer in layers:
        sound = generate(
            layer.generator,
            seconds=layer.seconds,
            sample_rate=sample_rate,
            seed=layer.seed,
            **(layer.params or {}),
        )
        events.append((layer.at_s, sound[0].astype(np.float64) * 10 ** (layer.gain_db / 20)))
        end = max(end, layer.at_s + sound.shape[1] / sample_rate)
    mixed = place(events, end, sample_rate)
    peak = np.abs(mixed).max()
    return as_block(mixed * (0.9 / peak) if peak > 0.9 else mixed)
