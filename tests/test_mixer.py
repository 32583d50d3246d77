"""The console engine on arrays, with real pedalboard effects."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postprod.audio.automation import Breakpoint, Envelope
from postprod.audio.mixer import ArraySource, Mixer, Session, Track
from postprod.audio.pan import BS775_DOWNMIX, downmix_51, pan_gains
from postprod.effects.console import (
    BusState,
    ConsoleState,
    InsertAutomation,
    Points,
    SendState,
    StripState,
)
from postprod.effects.registry import EffectSpec
from postprod.errors import AudioError


def mix(
    session: Session, samples: int, block: int = 4096, stems: tuple[str, ...] = ()
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    blocks = list(Mixer(session).blocks(samples, block_samples=block, stems=stems))
    master = np.concatenate([b.master for b in blocks], axis=1)
    return master, {name: np.concatenate([b.stems[name] for b in blocks], axis=1) for name in stems}


def moves(**params: Points) -> MappingProxyType[str, Points]:
    """A strip's (or bus's) automation: breakpoints per parameter."""
    return MappingProxyType(params)


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
            rate, (Track("t", ArraySource(impulse(at, rate)), StripState(inserts=inserts)), plain)
        )
        out, _ = mix(session, rate)
        assert int(np.argmax(np.abs(out[0]))) == at, inserts
        assert np.abs(out[0, at]) > 0.5  # both impulses on the same sample: they add up
    on_master = Session(
        rate, (Track("t", ArraySource(impulse(at, rate))),), ConsoleState(master_inserts=lookahead)
    )
    out, _ = mix(on_master, rate, block=1000)
    assert int(np.argmax(np.abs(out[0]))) == at


@pytest.mark.parametrize("block", [1000, 4096])
def test_bus_latency_is_compensated_on_every_path(block: int) -> None:
    """A look-ahead limiter on the dialogue bus, a pitch shifter (0 semitones) on a nested
    effects bus, a dry track straight to the master and a ducked music bus: every impulse
    lands on its own sample in the mix and in the stems, and the stems still sum to it."""
    rate, at = 48000, 20_000
    lookahead = (EffectSpec.of("limiter", ceiling_db=-1, lookahead_ms=5),)
    shifter = (EffectSpec.of("pitch_shift", semitones=0),)
    session = Session(
        rate,
        (
            Track("dx", ArraySource(impulse(at, rate * 3)), StripState(output="DX")),
            Track("fx", ArraySource(impulse(at + 1000, rate * 3, 0.4)), StripState(output="FX")),
            Track("dry", ArraySource(impulse(at + 2000, rate * 3, 0.3))),
            Track("mx", ArraySource(impulse(at + 3000, rate * 3, 0.2)), StripState(output="MX")),
        ),
        ConsoleState(
            buses=(
                BusState("DX", inserts=lookahead),
                BusState("FX", inserts=shifter, output="EFFECTS"),
                BusState("EFFECTS", inserts=lookahead),
                BusState("MX", duck_key="DX", duck_depth_db=6),
            )
        ),
    )
    out, stems = mix(session, rate * 3, block=block, stems=("DX", "EFFECTS", "MX"))
    assert out.shape[1] == rate * 3
    peaks = sorted(np.argsort(np.abs(out[0]))[-4:].tolist())
    assert peaks == [at, at + 1000, at + 2000, at + 3000]
    assert int(np.argmax(np.abs(stems["DX"][0]))) == at
    assert int(np.argmax(np.abs(stems["EFFECTS"][0]))) == at + 1000
    assert int(np.argmax(np.abs(stems["MX"][0]))) == at + 3000
    dry = np.zeros_like(out)
    dry[:, at + 2000] = out[:, at + 2000]
    residual = out - stems["DX"] - stems["EFFECTS"] - stems["MX"] - dry
    assert np.abs(residual).max() < 1e-6


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
    ride = ((0.0, 0.0, "linear"), (0.5, -20.0, "hold"), (1.0, -6.0, "linear"))
    track = Track("t", ArraySource(ones), StripState(pan=-1.0, automation=moves(gain_db=ride)))
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
            Track("dialogue", ArraySource(speech), StripState(output="dx")),
            Track("music", ArraySource(music), StripState(output="mx")),
        ),
        ConsoleState(
            buses=(
                BusState("dx"),
                BusState(
                    "mx",
                    duck_key="dx",
                    duck_depth_db=12,
                    duck_threshold_db=-40,
                    duck_release_ms=100,
                ),
            )
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
            StripState(
                gain_db=-3.0 * k,
                pan=0.3 * (k - 2),
                inserts=(EffectSpec.of("high_shelf", gain_db=2.0),),
                output=("dx", "mx", "fx")[k % 3],
            ),
        )
        for k in range(5)
    )
    buses = (
        BusState("dx"),
        BusState("mx", gain_db=-2.0),
        BusState("fx", inserts=(EffectSpec.of("low_shelf", gain_db=-3),)),
    )
    master, stems = mix(Session(rate, tracks, ConsoleState(buses)), rate, stems=("dx", "mx", "fx"))
    residual = master - (stems["dx"] + stems["mx"] + stems["fx"])
    assert 20 * np.log10(np.abs(residual).max() + 1e-30) < -120


def test_a_reverb_send_rings_on_past_the_source() -> None:
    rate = 48000
    burst = np.zeros((1, rate * 2), np.float32)
    burst[0, :2400] = 0.5 * np.sin(np.arange(2400) * 0.3)
    session = Session(
        rate,
        (Track("t", ArraySource(burst), StripState(sends=(SendState("verb", level_db=0.0),))),),
        ConsoleState(
            buses=(
                BusState(
                    "verb",
                    inserts=(EffectSpec.of("reverb", room_size=0.9, wet_level=1.0, dry_level=0.0),),
                ),
            )
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
        StripState(
            pan=0.4,
            inserts=(
                EffectSpec.of("peak", cutoff_frequency_hz=500, gain_db=-4),
                EffectSpec.of("highpass"),
            ),
            automation=moves(gain_db=((0.0, -10.0, "linear"), (1.0, 0.0, "linear"))),
        ),
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
    b = Track("b", ArraySource(one * 0.5), StripState(invert_polarity=True))
    out, _ = mix(Session(rate, (a, b)), 100)
    assert out[0, 10] == pytest.approx((1 - 0.5) * np.sqrt(0.5))
    out, _ = mix(Session(rate, (a, Track("b", ArraySource(one), StripState(solo=True)))), 100)
    assert out[0, 10] == pytest.approx(np.sqrt(0.5))
    out, _ = mix(Session(rate, (Track("a", ArraySource(one), StripState(mute=True)),)), 100)
    assert not out.any()


def test_bad_sessions_name_the_track_and_the_effect() -> None:
    source = ArraySource(np.zeros((1, 10), np.float32))
    with pytest.raises(AudioError, match="unknown effect 'flanger9'") as caught:
        Mixer(
            Session(48000, (Track("vox", source, StripState(inserts=(EffectSpec("flanger9"),))),))
        )
    assert "track vox" in caught.value.message
    with pytest.raises(AudioError, match="out of range"):
        EffectSpec.of("compressor", ratio=0.2)
    with pytest.raises(AudioError, match="no parameter 'gain'"):
        EffectSpec.of("peak", gain=3)
    with pytest.raises(AudioError, match="does not exist"):
        Mixer(Session(48000, (Track("vox", source, StripState(output="dialogue")),)))
    with pytest.raises(AudioError, match="not an earlier bus"):
        Mixer(Session(48000, (), ConsoleState((BusState("mx", duck_key="dx"), BusState("dx")))))


def test_bs775_downmix() -> None:
    block = np.eye(6, dtype=np.float32)  # one channel at a time: L R C LFE Ls Rs
    down = downmix_51(block)
    assert np.allclose(down, BS775_DOWNMIX)
    assert down[0, 2] == pytest.approx(10 ** (-3 / 20), abs=1e-3)  # centre at -3 dB
    assert down[:, 3].tolist() == [0.0, 0.0]  # LFE left out


class _Tone:
    """A generated source: a sine computed for any span, so nothing is held in memory."""

    channels = 1

    def __init__(self, hz: float, rate: int) -> None:
        self.hz, self.rate = hz, rate

    def read(self, start: int, count: int) -> np.ndarray:
        n = np.arange(start, start + count) % self.rate  # whole cycles per second: exact
        return (0.05 * np.sin(2 * np.pi * self.hz * n / self.rate)).astype(np.float32)[None]


def _peak_traced_bytes(seconds: int) -> int:
    import tracemalloc

    rate = 16000
    tracks = tuple(
        Track(
            f"t{k}",
            _Tone(110.0 * (k + 1), rate),
            StripState(
                pan=k / 4 - 1,
                inserts=(EffectSpec.of("gain", gain_db=-1),),
                sends=(SendState("verb", -10),),
            ),
        )
        for k in range(8)
    )
    verb = BusState("verb", inserts=(EffectSpec.of("reverb"),))
    session = Session(rate, tracks, ConsoleState((verb,)))
    tracemalloc.start()
    for _ in Mixer(session).blocks(seconds * rate, block_samples=4096, stems=("verb",)):
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_memory_does_not_grow_with_length() -> None:
    """8 generated tracks, 1 minute against 10 minutes: the same peak of traced allocations."""
    one, ten = _peak_traced_bytes(60), _peak_traced_bytes(600)
    assert ten < 1.2 * one + 200_000


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


# --- fades and crossfades -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("curve", "formula"),
    [
        ("linear", lambda x: x),
        ("equal-power", lambda x: np.sin(x * np.pi / 2)),
        ("logarithmic", lambda x: 10 ** (60 * (x - 1) / 20)),
        ("s-curve", lambda x: (1 - np.cos(x * np.pi)) / 2),
    ],
)
def test_fade_curves_hit_their_formulas(curve: str, formula: object) -> None:
    from postprod.audio.fades import fade_gain, fade_in, fade_out

    f = formula  # type: ignore[assignment]
    for x in (0.25, 0.5, 0.75):
        assert float(fade_gain(x, curve)) == pytest.approx(f(x), abs=1e-12)  # type: ignore[operator]
    n = 1000
    ones = np.ones((2, n), np.float32)
    faded = fade_in(ones, n, curve)
    for i in (249, 499, 749):  # sample i sits at x = (i + 0.5) / n
        assert faded[1, i] == pytest.approx(f((i + 0.5) / n), abs=1e-6)  # type: ignore[operator]
    assert np.allclose(fade_out(ones, n, curve)[:, ::-1], faded)


def test_crossfades_keep_power_or_amplitude() -> None:
    from postprod.audio.fades import crossfade

    ones = np.ones((1, 400), np.float32)
    assert float(crossfade(ones, ones, "linear")[0, 200]) == pytest.approx(1.0, abs=1e-6)
    out_gain = crossfade(ones, np.zeros_like(ones))
    in_gain = crossfade(np.zeros_like(ones), ones)
    assert np.allclose(out_gain**2 + in_gain**2, 1.0, atol=1e-6)  # equal power throughout
    assert float(in_gain[0, 199]) == pytest.approx(np.sin(0.49875 * np.pi / 2), abs=1e-6)
    with pytest.raises(AudioError, match="one shape"):
        crossfade(ones, ones[:, :10])


# --- latency a plug-in does not report -------------------------------------------------------


def test_unreported_latency_is_measured_and_taken_out() -> None:
    import pedalboard

    from postprod.audio.effects import Compensated, measure_latency_samples

    rate = 48000
    # A pure 10 ms delay stands in for a plug-in that delays without saying so.
    board = pedalboard.Pedalboard([pedalboard.Delay(delay_seconds=0.01, feedback=0.0, mix=1.0)])
    x = impulse(0, 2000, 1.0)
    delayed = int(np.argmax(board.process(x, rate, reset=True)[0]))
    assert delayed == pytest.approx(480, abs=1)
    measured = measure_latency_samples(board, rate, channels=1)
    assert measured == delayed
    stage = Compensated(board, measured)
    x = impulse(5000, rate)
    out = np.concatenate(
        [stage.process(x[:, s : s + 1000], rate) for s in range(0, rate, 1000)], axis=1
    )
    assert out.shape[1] == rate - measured  # held back, like any plug-in with latency
    assert int(np.argmax(np.abs(out[0]))) == 5000


# --- effect parameter automation ---------------------------------------------------------------


def _gain_ride(block: int) -> np.ndarray:
    rate = 48000
    ride = InsertAutomation(0, "gain_db", ((0.0, 0.0, "linear"), (1.0, -20.0, "linear")))
    track = Track(
        "t",
        ArraySource(np.ones((1, rate), np.float32)),
        StripState(pan=-1.0, inserts=(EffectSpec.of("gain"),), insert_automation=(ride,)),
    )
    out, _ = mix(Session(rate, (track,)), rate, block=block)
    return out[0]


def test_effect_parameters_move_every_10_ms_on_a_fixed_grid() -> None:
    out = _gain_ride(1000)
    level_db = 20 * np.log10(out)
    steps = level_db.reshape(-1, 480)  # 10 ms sub-blocks from sample 0
    expected = -20.0 * np.arange(100) * 480 / 48000  # the envelope at each sub-block's start
    assert np.allclose(steps[:, 0], expected, atol=1e-3)
    # pedalboard's Gain glides a little after a change; each 10 ms step stays near its value.
    assert np.abs(steps - expected[:, None]).max() < 0.05
    assert np.array_equal(out, _gain_ride(4096))  # independent of the block size


def test_bad_effect_automation_names_track_and_effect() -> None:
    source = ArraySource(np.zeros((1, 10), np.float32))
    points = ((0.0, -10.0, "linear"), (1.0, 100.0, "linear"))
    for ride, message in (
        (InsertAutomation(0, "threshold_db", points), "out of range"),
        (InsertAutomation(0, "colour", points), "cannot be automated"),
        (InsertAutomation(3, "threshold_db", points), "has 1 inserts"),
    ):
        strip = StripState(inserts=(EffectSpec.of("compressor"),), insert_automation=(ride,))
        track = Track("vox", source, strip)
        with pytest.raises(AudioError, match=message) as caught:
            Mixer(Session(48000, (track,)))
        assert "track vox" in caught.value.where


# --- 5.1 --------------------------------------------------------------------------------------


def test_a_51_mix_places_sources_and_downmixes() -> None:
    rate = 48000
    one = np.full((1, 100), 0.5, np.float32)
    six = np.tile(np.arange(1, 7, dtype=np.float32)[:, None] / 10, (1, 100))
    tracks = (
        Track("dialogue", ArraySource(one)),  # centre pan: the centre speaker alone
        Track("left", ArraySource(one), StripState(pan=-1.0)),
        Track("behind", ArraySource(one), StripState(pan=0.0, pan_rear=1.0, output="fx")),
        Track("bed", ArraySource(six), StripState(output="fx")),
    )
    session = Session(rate, tracks, ConsoleState((BusState("fx"),)), layout="5.1")
    out, stems = mix(session, 100, stems=("fx",))
    assert out.shape == (6, 100)
    r = np.sqrt(0.5) * 0.5
    expected = [0.5 + 0.1, 0.2, 0.5 + 0.3, 0.4, r + 0.5, r + 0.6]  # L R C LFE Ls Rs
    assert np.allclose(out[:, 50], expected, atol=1e-6)
    assert np.allclose(stems["fx"][:, 50], [0.1, 0.2, 0.3, 0.4, r + 0.5, r + 0.6], atol=1e-6)
    lo, ro = downmix_51(out)[:, 50]
    c = np.sqrt(0.5)
    assert lo == pytest.approx(expected[0] + c * expected[2] + c * expected[4], abs=1e-6)
    assert ro == pytest.approx(expected[1] + c * expected[2] + c * expected[5], abs=1e-6)
    stereo, _ = mix(Session(rate, (Track("bed", ArraySource(six)),)), 100)
    assert np.allclose(stereo[:, 50], downmix_51(six)[:, 50], atol=1e-6)  # 5.1 into stereo


# --- tails --------------------------------------------------------------------------------------


def test_the_tail_rings_out_past_the_end_and_stops_at_silence() -> None:
    rate = 48000
    burst = np.zeros((1, rate), np.float32)
    burst[0, :2400] = 0.5 * np.sin(np.arange(2400) * 0.3)
    session = Session(
        rate,
        (Track("t", ArraySource(burst), StripState(sends=(SendState("echo"),))),),
        ConsoleState(
            (
                BusState(
                    "echo", inserts=(EffectSpec.of("delay", delay_s=0.3, feedback=0.5, mix=1.0),)
                ),
            )
        ),
    )
    blocks = list(Mixer(session).blocks(rate // 2, block_samples=4800, tail=True, max_tail_s=10))
    out = np.concatenate([b.master for b in blocks], axis=1)
    assert out.shape[1] > rate  # echoes carried on well after the half second asked for
    assert out.shape[1] < 10 * rate  # and stopped once they died away
    assert np.abs(out[:, rate // 2 :]).max() > 0.05
    assert np.abs(blocks[-1].master).max() < 1e-6
    # Sources stop at the end: the second half of the burst array is never read (it is silent
    # anyway), and the same session without a tail is cut at exactly the length asked for.
    plain = np.concatenate([b.master for b in Mixer(session).blocks(rate // 2)], axis=1)
    assert plain.shape[1] == rate // 2 and np.array_equal(plain, out[:, : rate // 2])


# --- the description as data --------------------------------------------------------------------


def test_the_settings_a_session_runs_round_trip_through_json_and_mix_the_same() -> None:
    """The engine runs the project's own settings (``effects.console``): everything it can
    do, sends and insert automation, ducking times, bus and master rides included, goes
    through their ``to_dict``/``from_dict`` and mixes sample for sample the same."""
    import json

    from postprod.errors import ProjectError

    rate = 48000
    rng = np.random.default_rng(5)
    sources = {
        "dx": ArraySource((0.1 * rng.standard_normal((1, rate))).astype(np.float32)),
        "mx": ArraySource((0.1 * rng.standard_normal((2, rate))).astype(np.float32)),
    }
    strips = {
        "dx": StripState(
            gain_db=-2,
            pan=-0.2,
            inserts=(EffectSpec.of("highpass", cutoff_frequency_hz=100),),
            sends=(SendState("verb", -12, automation=((0.0, -12.0, "linear"), (0.5, -3, "hold"))),),
            output="dialogue",
            automation=moves(gain_db=((0.0, -2.0, "linear"), (0.5, 0.0, "s-curve"))),
            pan_rear=0.25,
        ),
        "mx": StripState(
            output="music",
            inserts=(EffectSpec.of("peak"),),
            insert_automation=(InsertAutomation(0, "gain_db", ((0.0, -6.0, "linear"),)),),
        ),
    }
    console = ConsoleState(
        (
            BusState("dialogue"),
            BusState(
                "music", duck_key="dialogue", duck_depth_db=8, duck_attack_ms=5, duck_release_ms=50
            ),
            BusState(
                "verb",
                inserts=(EffectSpec.of("reverb"),),
                automation=moves(gain_db=((0.2, 0.0, "linear"), (0.8, -12.0, "exponential"))),
            ),
        ),
        master_gain_db=-1.0,
        master_inserts=(EffectSpec.of("gain"), EffectSpec.of("limiter")),
        master_automation=moves(gain_db=((0.0, -6.0, "linear"), (0.3, 0.0, "linear"))),
        master_insert_automation=(InsertAutomation(0, "gain_db", ((0.5, 0.0, "hold"),)),),
    )

    def again(state: StripState | ConsoleState) -> object:
        data = json.loads(json.dumps(state.to_dict()))
        return type(state).from_dict(data, "test")

    assert {name: again(strip) for name, strip in strips.items()} == strips
    assert again(console) == console
    session = Session(
        rate, tuple(Track(n, sources[n], strip) for n, strip in strips.items()), console
    )
    copied = Session(
        rate,
        tuple(Track(n, sources[n], again(strip)) for n, strip in strips.items()),  # type: ignore[arg-type]
        again(console),  # type: ignore[arg-type]
    )
    first, _ = mix(session, rate)
    second, _ = mix(copied, rate)
    assert np.array_equal(first, second) and np.abs(first).max() > 0.01
    # what a strip or bus leaves at its default is not written: older project files keep
    # exactly the dict they had
    assert set(StripState().to_dict()) == {
        "gain_db", "pan", "mute", "solo", "invert_polarity", "inserts", "sends", "output",
        "automation",
    }  # fmt: skip
    assert set(BusState("b").to_dict()) == {
        "name", "gain_db", "inserts", "output", "duck_key", "duck_depth_db",
    }  # fmt: skip
    assert ConsoleState().to_dict() == {"buses": [], "master": {"gain_db": 0.0, "inserts": []}}
    assert SendState("b").to_dict() == {"bus": "b", "level_db": 0.0, "pre_fader": False}
    for bad, message in (
        ({"automation": {"gain_db": [[0.0, 0.0, "wobbly"]]}}, "unknown automation curve"),
        ({"automation": {"pan": [[1.0, 0.0, "linear"], [0.5, 0.0, "linear"]]}}, "time order"),
        ({"pan_rear": 2.0}, "pan_rear 2.0 is outside"),
        ({"insert_automation": [{"param": "gain_db", "points": []}]}, "insert_index"),
    ):
        with pytest.raises(ProjectError, match=message):
            StripState.from_dict(bad, "track A1")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 5000),
            st.floats(-60, 12, allow_nan=False),
            st.sampled_from(["linear", "hold", "s-curve", "exponential"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_an_envelope_is_exactly_its_value_at_every_breakpoint(
    steps: list[tuple[int, float, str]],
) -> None:
    position = 0
    points = []
    for gap, value, curve in steps:
        position += gap
        points.append(Breakpoint.at_sample(position, value, curve))
    envelope = Envelope(tuple(points))
    values = envelope.values(0, position + 10, 48000)
    for point in points:
        assert values[point.sample] == pytest.approx(point.value, abs=1e-9)
    low, high = envelope.value_range()
    assert values.min() >= low - 1e-9 and values.max() <= high + 1e-9  # no overshoot


def test_a_reverb_tail_ends_on_its_noise_floor_before_the_limit() -> None:
    rate = 48000
    burst = np.zeros((1, rate // 2), np.float32)
    burst[0, :2400] = 0.5 * np.sin(np.arange(2400) * 0.3)
    verb = EffectSpec.of("reverb", room_size=0.5, wet_level=1.0, dry_level=0.0)
    session = Session(rate, (Track("t", ArraySource(burst), StripState(inserts=(verb,))),))
    blocks = list(Mixer(session).blocks(rate // 2, block_samples=8192, tail=True, max_tail_s=20))
    out = np.concatenate([b.master for b in blocks], axis=1)
    assert rate < out.shape[1] < 12 * rate  # rang on, then stopped long before 20 s
    assert 20 * np.log10(np.abs(blocks[-1].master).max() + 1e-30) < -90
