"""SMPTE ST 12-1 timecode: known values, impossible labels, the OTIO peer check, properties."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import opentimelineio as otio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from postprod.errors import TimecodeError
from postprod.timecode import (
    SMPTE_RATES,
    FrameRate,
    Timecode,
    feet_to_frames,
    frames_to_feet,
    frames_to_label,
    frames_to_labels,
    frames_to_seconds,
    label_to_frames,
    labels_to_frames,
    seconds_to_frames,
)

ALL_RATES = [
    FrameRate(fps, drop)
    for fps in SMPTE_RATES
    for drop in (
        (False, True) if fps in (Fraction(30000, 1001), Fraction(60000, 1001)) else (False,)
    )
]
rates = st.sampled_from(ALL_RATES)


# -- rates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fps", "drop"),
    [
        ("29.97", Fraction(30000, 1001), True),
        ("29.97df", Fraction(30000, 1001), True),
        ("29.97ndf", Fraction(30000, 1001), False),
        ("30000/1001", Fraction(30000, 1001), True),
        ("23.976", Fraction(24000, 1001), False),
        ("23.98", Fraction(24000, 1001), False),
        ("47.952", Fraction(48000, 1001), False),
        ("59.94", Fraction(60000, 1001), True),
        ("59.94NDF", Fraction(60000, 1001), False),
        ("25", Fraction(25), False),
        ("24", Fraction(24), False),
        ("60", Fraction(60), False),
    ],
)
def test_rate_spellings_mean_exact_rates(text: str, fps: Fraction, drop: bool) -> None:
    rate = FrameRate.parse(text)
    assert rate.fps == fps
    assert rate.drop_frame is drop


@pytest.mark.parametrize("text", ["abc", "25df", "30df", "", "-25", "0"])
def test_impossible_rates_are_refused(text: str) -> None:
    with pytest.raises(TimecodeError):
        FrameRate.parse(text)


def test_timecode_needs_a_smpte_rate() -> None:
    with pytest.raises(TimecodeError, match="not defined at 12 fps"):
        frames_to_label(10, FrameRate(Fraction(12)))


def test_a_day_of_drop_frame_is_shorter() -> None:
    assert FrameRate.parse("29.97df").frames_per_day == 2_589_408
    assert FrameRate.parse("29.97ndf").frames_per_day == 2_592_000
    assert FrameRate.parse("59.94df").frames_per_day == 5_178_816


# -- known labels -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "frames", "label"),
    [
        ("25", 90_000, "01:00:00:00"),
        ("24", 86_400, "01:00:00:00"),
        ("23.976", 86_400, "01:00:00:00"),
        ("30", 1800, "00:01:00:00"),
        ("29.97ndf", 1800, "00:01:00:00"),
        ("29.97", 1799, "00:00:59;29"),
        ("29.97", 1800, "00:01:00;02"),
        ("29.97", 17_982, "00:10:00;00"),
        ("29.97", 17_981, "00:09:59;29"),
        ("29.97", 107_892, "01:00:00;00"),
        ("29.97", 2_589_407, "23:59:59;29"),
        ("59.94", 3600, "00:01:00;04"),
        ("59.94", 35_964, "00:10:00;00"),
        ("50", 179_999, "00:59:59:49"),
        ("48", 48, "00:00:01:00"),
    ],
)
def test_known_labels(rate: str, frames: int, label: str) -> None:
    assert frames_to_label(frames, rate) == label
    assert label_to_frames(label, rate) == frames


def test_labels_wrap_after_24_hours() -> None:
    rate = FrameRate.parse("29.97")
    assert frames_to_label(rate.frames_per_day, rate) == "00:00:00;00"
    assert frames_to_label(rate.frames_per_day + 1800, rate) == "00:01:00;02"


@pytest.mark.parametrize(
    ("label", "rate", "reason"),
    [
        ("00:01:00;00", "29.97", "drop-frame skips frames 00-01"),
        ("00:01:00;01", "29.97", "drop-frame skips frames 00-01"),
        ("00:02:00;03", "59.94", "drop-frame skips frames 00-03"),
        ("00:00:00:25", "25", "frames field runs 00-24"),
        ("00:00:00:30", "29.97", "frames field runs 00-29"),
        ("24:00:00:00", "25", "hours run 00-23"),
        ("00:60:00:00", "25", "minutes and seconds"),
        ("00:00:10;00", "25", "is drop-frame"),
        ("00:00:10;00", "29.97ndf", "29.97df"),
        ("1 hour", "25", "not a label"),
        ("01:00:00", "25", "not a label"),
    ],
)
def test_impossible_labels_say_why(label: str, rate: str, reason: str) -> None:
    with pytest.raises(TimecodeError, match=reason):
        label_to_frames(label, rate)


def test_a_drop_frame_minute_divisible_by_ten_keeps_its_first_labels() -> None:
    assert label_to_frames("00:10:00;00", "29.97") == 17_982
    assert label_to_frames("00:10:00;01", "29.97") == 17_983


def test_colon_labels_at_a_drop_frame_rate_count_drop_frame() -> None:
    # The rate decides the counting; editors often write DF labels with colons.
    assert label_to_frames("00:01:00:02", "29.97") == 1800


def test_negative_and_fractional_counts_are_refused() -> None:
    with pytest.raises(TimecodeError, match="negative"):
        frames_to_label(-1, "25")
    with pytest.raises(TimecodeError, match="whole number"):
        frames_to_label(1.5, "25")  # type: ignore[arg-type]


# -- the peer check: OpenTimelineIO's to_timecode / from_timecode ------------------------


@pytest.mark.parametrize("rate", ALL_RATES, ids=str)
def test_agrees_with_opentimelineio(rate: FrameRate) -> None:
    fps = float(rate.fps)
    # OTIO wraps near 24 hours of real time, SMPTE after 23:59:59:FF (see below):
    # compare the first 23 hours.
    limit = label_to_frames("23:00:00:00", rate)
    frames = np.random.default_rng(1234).integers(0, limit, 4000)
    frames[:4] = (0, 1, limit - 1, min(1800, limit - 1))
    ours = frames_to_labels(frames, rate)
    theirs = [
        otio.opentime.RationalTime(int(n), fps).to_timecode(fps, rate.drop_frame) for n in frames
    ]
    assert list(ours) == theirs
    back = [int(otio.opentime.from_timecode(label, fps).value) for label in ours]
    assert labels_to_frames(ours, rate).tolist() == back == frames.tolist()


def test_where_we_differ_from_opentimelineio_on_purpose() -> None:
    # OTIO wraps 29.97 non-drop at 2,589,408 frames (24 h of real time); the last
    # label of a SMPTE non-drop day is 23:59:59:29, frame 2,591,999.
    rate = FrameRate.parse("29.97ndf")
    assert frames_to_label(2_591_999, rate) == "23:59:59:29"
    assert (
        otio.opentime.RationalTime(2_591_999, float(rate.fps)).to_timecode(float(rate.fps), False)
        != "23:59:59:29"
    )


# -- properties -------------------------------------------------------------------------


@given(rate=rates, data=st.data())
def test_frames_label_frames_is_identity(rate: FrameRate, data: st.DataObject) -> None:
    n = data.draw(st.integers(0, rate.frames_per_day - 1))
    label = frames_to_label(n, rate)
    assert label_to_frames(label, rate) == n
    assert frames_to_labels(np.array([n]), rate)[0] == label


@given(
    rate=rates, hh=st.integers(0, 23), mm=st.integers(0, 59), ss=st.integers(0, 59), data=st.data()
)
def test_every_existing_label_round_trips(
    rate: FrameRate, hh: int, mm: int, ss: int, data: st.DataObject
) -> None:
    ff = data.draw(st.integers(0, rate.nominal - 1))
    sep = ";" if rate.drop_frame else ":"
    label = f"{hh:02d}:{mm:02d}:{ss:02d}{sep}{ff:02d}"
    dropped = rate.drop_frame and ss == 0 and mm % 10 != 0 and ff < rate.dropped_per_minute
    if dropped:
        with pytest.raises(TimecodeError):
            label_to_frames(label, rate)
    else:
        assert frames_to_label(label_to_frames(label, rate), rate) == label


@given(rate=rates, data=st.data())
def test_consecutive_frames_have_increasing_labels(rate: FrameRate, data: st.DataObject) -> None:
    n = data.draw(st.integers(0, rate.frames_per_day - 2))
    assert frames_to_label(n, rate) < frames_to_label(n + 1, rate)  # labels sort as text


@given(rate=rates, a=st.integers(0, 10**6), b=st.integers(0, 10**6))
def test_timecode_arithmetic(rate: FrameRate, a: int, b: int) -> None:
    ta, tb = Timecode(a, rate), Timecode(b, rate)
    assert (ta + tb).frames == a + b
    assert (ta + b) == (b + ta) == Timecode(a + b, rate)
    assert ((ta + tb) - tb) == ta
    assert (ta < tb) == (a < b) and (ta <= tb) == (a <= b)
    assert (ta > tb) == (a > b) and (ta >= tb) == (a >= b)
    if b > a:
        with pytest.raises(TimecodeError, match="before 00:00:00:00"):
            ta - tb


@given(rate=rates, n=st.integers(0, 10**7))
def test_seconds_and_frames_are_exact(rate: FrameRate, n: int) -> None:
    seconds = frames_to_seconds(n, rate)
    assert isinstance(seconds, Fraction)
    assert seconds_to_frames(seconds, rate, "exact") == n
    assert Timecode.from_seconds(seconds, rate).frames == n


def test_seconds_rounding() -> None:
    rate = FrameRate.parse("29.97")
    one_second = Fraction(1)
    assert seconds_to_frames(one_second, rate, "floor") == 29
    assert seconds_to_frames(one_second, rate, "ceil") == 30
    assert seconds_to_frames(one_second, rate, "nearest") == 30
    with pytest.raises(TimecodeError, match="not a whole number"):
        seconds_to_frames(one_second, rate, "exact")
    assert seconds_to_frames(0.04, "25") == 1  # floats are read as their decimal text


def test_mixing_rates_is_refused() -> None:
    with pytest.raises(TimecodeError, match="cannot combine"):
        Timecode(10, FrameRate.parse("25")) + Timecode(10, FrameRate.parse("24"))


def test_timecode_value() -> None:
    tc = Timecode.parse("01:00:00;00", "29.97")
    assert tc.frames == 107_892
    assert str(tc) == "01:00:00;00"
    assert tc.fields == (1, 0, 0, 0)
    assert tc.seconds == Fraction(107_892 * 1001, 30_000)
    assert str(tc + 2) == "01:00:00;02"


# -- film footage -----------------------------------------------------------------------


def test_feet_and_frames() -> None:
    assert frames_to_feet(1440) == "90+00"  # one minute at 24 fps is 90 feet of 35 mm
    assert frames_to_feet(17) == "1+01"
    assert feet_to_frames("90+00") == 1440
    assert Timecode.parse("00:01:00:00", "24").feet == "90+00"
    with pytest.raises(TimecodeError, match="feet\\+frames"):
        feet_to_frames("10+16")


@given(n=st.integers(0, 10**8))
def test_feet_round_trip(n: int) -> None:
    assert feet_to_frames(frames_to_feet(n)) == n
