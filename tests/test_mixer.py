"""The console engine on arrays, with real pedalboard effects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from postprod.audio.automation import Breakpoint, Envelope
from postprod.audio.mixer import ArraySource, Bus, Duck, Mixer, Send, Session, Track
from postprod.audio.pan import BS775_DOWNMIX, downmix_51, pan_gains
from postprod.effects.registry import EffectSpec
from postprod.errors import AudioError


def mix(
    session: Session, samples: int, block: int = 4096, stems: tuple[str, ...] = ()
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    blocks = list(Mixer(session).blocks(samples, block_samples=block, stems=stems))
    master = np.concatenate([b.master for b in blocks], axis=1)
    return master, {name: np.concatenate([b.stems[name] for b in blocks], axis=1) for name in stems}


def impulse(at: int, length: int, level: float = 0.5) -> np.ndarray:
    x = np.zeros((1, length), np.float32)
    x[0, at] = level
    return x


@pytest.mark.parametrize("rate", [44100, 48000, 96000])
def test_an_impulse_lands_on_its_sample_whatever_the_inserts(rate: int) -> None:
    at = rate // 3 + 17
    eq_comp = (
        EffectSpec.of("peak", cutoff_frequency_hz=2000, gain_db=3),
        EffectSpec.of("compressor"),
    )
    lookahead = (EffectSpec.of("limiter", ceiling_db=-1, lookahead_ms=5),)
    plain = Track("dry", ArraySource(impulse(at, rate, 0.25)))
    for inserts in ((), eq_comp, lookahead):
        session = Session(
            rate, (Track("t", ArraySource(impulse(at, rate)), inserts=inserts), plain)
        )
        out, _ = mix(session, rate)
        assert int(np.argmax(np.abs(out[0]))) == at, inserts
        assert np.abs(out[0, at]) > 0.5  # both impulses on the same sample: they add up
    on_master = Session(
        rate, (Track("t", ArraySource(impulse(at, rate))),), master_inserts=lookahead
    )
    out, _ = mix(on_master, rate, block=1000)
    assert int(np.argmax(np.abs(out[0]))) == at


def test_centre_pan_is_minus_3_db_each_side() -> None:
    tone = np.full((1, 4800), 0.5, np.float32)
    out, _ = mix(Session(48000, (Track("t", ArraySource(tone)),)), 4800)
    assert 20 * np.log10(out[0, 100] / 0.5) == pytest.approx(-3.0103, abs=1e-3)
    assert out[0, 100] == pytest.approx(out[1, 100])
    left, right = pan_gains(np.array([-1.0, 1.0]), stereo_source=False)
    assert np.allclose(left, [1, 0], atol=1e-12) and np.allclose(right, [0, 1], atol=1e-12)
    balance_left, balance_right = pan_gains(0.5, stereo_source=True)
    assert (float(balance_left), float(balance_right)) == (0.5, 1.0)


def test_automation_reaches_its_breakpoints() -> None:
    rate = 48000
    ones = np.ones((1, rate * 2), np.float32)
    envelope = Envelope(
        (Breakpoint(0.0, 0.0), Breakpoint(0.5, -20.0, "hold"), Breakpoint(1.0, -6.0))
    )
    track = Track("t", ArraySource(ones), gain_automation=envelope, pan=-1.0)
    out, _ = mix(Session(rate, (track,)), rate * 2, block=1000)
    level_db = 20 * np.log10(out[0])
    assert level_db[0] == pytest.approx(0.0, abs=1e-4)
    assert level_db[rate // 2] == pytest.approx(-20.0, abs=1e-4)
    assert level_db[rate // 4] == pytest.approx(-10.0, abs=1e-3)  # linear in dB half way
    assert level_db[rate // 2 + rate // 4] == pytest.approx(-20.0, abs=1e-4)  # held
    assert level_db[rate] == pytest.approx(-6.0, abs=1e-4)
    assert level_db[-1] == pytest.approx(-6.0, abs=1e-4)


def test_music_ducks_under_dialogue_by_its_depth() -> None:
    rate = 48000
    t = np.arange(rate * 4) / rate
    music = (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)[None]
    speech = np.zeros((1, t.size), np.float32)
    speech[0, rate : 3 * rate] = 0.3 * np.sin(2 * np.pi * 1000 * t[rate : 3 * rate])
    session = Session(
        rate,
        (
            Track("dialogue", ArraySource(speech), output="dx"),
            Track("music", ArraySource(music), output="mx"),
        ),
        buses=(
            Bus("dx"),
            Bus("mx", duck=Duck("dx", depth_db=12, threshold_db=-40, release_ms=100)),
        ),
    )
    _, stems = mix(session, t.size, stems=("mx",))
    ducked = stems["mx"]

    def rms_db(a: int, b: int) -> float:
        return float(10 * np.log10(np.mean(ducked[0, a:b] ** 2)))

    depth = rms_db(int(0.2 * rate), int(0.9 * rate)) - rms_db(int(1.8 * rate), int(2.8 * rate))
    assert depth == pytest.approx(12.0, abs=1.0)
    recovered = rms_db(int(0.2 * rate), int(0.9 * rate)) - rms_db(int(3.6 * rate), int(3.95 * rate))
    assert abs(recovered) < 1.0  # released after the dialogue


def test_stems_null_against_the_mix() -> None:
    rate = 48000
    rng = np.random.default_rng(3)
    tracks = tuple(
        Track(
            f"t{k}",
            ArraySource((0.1 * rng.standard_normal((1 + k % 2, rate))).astype(np.float32)),
            gain_db=-3.0 * k,
            pan=0.3 * (k - 2),
            inserts=(EffectSpec.of("high_shelf", gain_db=2.0),),
            output=("dx", "mx", "fx")[k % 3],
        )
        for k in range(5)
    )
    buses = (
        Bus("dx"),
        Bus("mx", gain_db=-2.0),
        Bus("fx", inserts=(EffectSpec.of("low_shelf", gain_db=-3),)),
    )
    master, stems = mix(Session(rate, tracks, buses), rate, stems=("dx", "mx", "fx"))
    residual = master - (stems["dx"] + stems["mx"] + stems["fx"])
    assert 20 * np.log10(np.abs(residual).max() + 1e-30) < -120


def test_a_reverb_send_rings_on_past_the_source() -> None:
    rate = 48000
    burst = np.zeros((1, rate * 2), np.float32)
    burst[0, :2400] = 0.5 * np.sin(np.arange(2400) * 0.3)
    session = Session(
        rate,
        (Track("t", ArraySource(burst), sends=(Send("verb", level_db=0.0),)),),
        buses=(
            Bus(
                "verb",
                inserts=(EffectSpec.of("reverb", room_size=0.9, wet_level=1.0, dry_level=0.0),),
            ),
        ),
    )
    out, _ = mix(session, rate * 2)
    tail = out[:, rate // 2 : rate]
    assert np.sqrt(np.mean(tail**2)) > 1e-4  # the room is still sounding half a second later


def test_block_size_does_not_change_the_mix() -> None:
    rate = 48000
    rng = np.random.default_rng(9)
    track = Track(
        "t",
        ArraySource((0.2 * rng.standard_normal((2, rate))).astype(np.float32)),
        pan=0.4,
        inserts=(
            EffectSpec.of("peak", cutoff_frequency_hz=500, gain_db=-4),
            EffectSpec.of("highpass"),
        ),
        gain_automation=Envelope((Breakpoint(0.0, -10.0), Breakpoint(1.0, 0.0))),
    )
    small, _ = mix(Session(rate, (track,)), rate, block=1000)
    large, _ = mix(Session(rate, (track,)), rate, block=4096)
    assert np.abs(small - large).max() < 1e-6
    again, _ = mix(Session(rate, (track,)), rate, block=1000)
    assert np.array_equal(small, again)  # deterministic


def test_mute_solo_and_polarity() -> None:
    rate = 8000
    one = np.ones((1, 100), np.float32)
    a = Track("a", ArraySource(one))
    b = Track("b", ArraySource(one * 0.5), invert_polarity=True)
    out, _ = mix(Session(rate, (a, b)), 100)
    assert out[0, 10] == pytest.approx((1 - 0.5) * np.sqrt(0.5))
    out, _ = mix(Session(rate, (a, Track("b", ArraySource(one), solo=True))), 100)
    assert out[0, 10] == pytest.approx(np.sqrt(0.5))
    out, _ = mix(Session(rate, (Track("a", ArraySource(one), mute=True),)), 100)
    assert not out.any()


def test_bad_sessions_name_the_track_and_the_effect() -> None:
    source = ArraySource(np.zeros((1, 10), np.float32))
    with pytest.raises(AudioError, match="unknown effect 'flanger9'") as caught:
        Mixer(Session(48000, (Track("vox", source, inserts=(EffectSpec("flanger9"),)),)))
    assert "track vox" in caught.value.message
    with pytest.raises(AudioError, match="out of range"):
        EffectSpec.of("compressor", ratio=0.2)
    with pytest.raises(AudioError, match="no parameter 'gain'"):
        EffectSpec.of("peak", gain=3)
    with pytest.raises(AudioError, match="does not exist"):
        Mixer(Session(48000, (Track("vox", source, output="dialogue"),)))
    with pytest.raises(AudioError, match="not an earlier bus"):
        Mixer(Session(48000, (), buses=(Bus("mx", duck=Duck("dx")), Bus("dx"))))


def test_bs775_downmix() -> None:
    block = np.eye(6, dtype=np.float32)  # one channel at a time: L R C LFE Ls Rs
    down = downmix_51(block)
    assert np.allclose(down, BS775_DOWNMIX)
    assert down[0, 2] == pytest.approx(10 ** (-3 / 20), abs=1e-3)  # centre at -3 dB
    assert down[:, 3].tolist() == [0.0, 0.0]  # LFE left out


class _Noise:
    channels = 1

    def read(self, start: int, count: int) -> np.ndarray:
        return (
            0.05 * np.random.default_rng([7, max(start, 0)]).standard_normal((1, count))
        ).astype(np.float32)


def _peak_traced_bytes(seconds: int) -> int:
    import tracemalloc

    rate = 48000
    tracks = tuple(
        Track(f"t{k}", _Noise(), inserts=(EffectSpec.of("compressor"),), sends=(Send("verb", -10),))
        for k in range(4)
    )
    session = Session(rate, tracks, buses=(Bus("verb", inserts=(EffectSpec.of("reverb"),)),))
    tracemalloc.start()
    for _ in Mixer(session).blocks(seconds * rate, block_samples=4096):
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_memory_does_not_grow_with_length() -> None:
    short, long = _peak_traced_bytes(2), _peak_traced_bytes(12)
    assert long < 1.5 * short + 1_000_000


def test_file_source_reads_any_span(tmp_path: Path) -> None:
    from media_factory import write_wav
    from postprod.render.sources import FileSource

    ramp = (np.arange(48000) / 48000).astype(np.float32)[None]
    source = FileSource(write_wav(tmp_path / "ramp.wav", ramp, codec="pcm_f32le"), 48000)
    assert np.array_equal(source.read(100, 50), ramp[:, 100:150])
    assert np.array_equal(source.read(150, 50), ramp[:, 150:200])  # carries on
    before = source.read(-10, 20)
    assert not before[:, :10].any() and np.array_equal(before[:, 10:], ramp[:, :10])  # a jump back
    after = source.read(47990, 20)
    assert np.array_equal(after[:, :10], ramp[:, 47990:]) and not after[:, 10:].any()
