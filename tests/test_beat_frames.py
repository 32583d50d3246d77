"""Beats as record frames, and the montage's choice of cuts: the rules of workflows/beats.py."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postprod.audio.rhythm.analysis import Rhythm, TempoPoint
from postprod.errors import AudioError, EditError
from postprod.workflows.beats import (
    by_energy,
    chosen,
    parse_bpm_range,
    snapped,
    to_record_frames,
)

RATES = st.sampled_from([Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(50)])


@given(
    st.floats(min_value=0, max_value=7200, allow_nan=False, allow_infinity=False),
    RATES,
    st.integers(0, 10**6),
)
def test_before_is_the_frame_at_or_before_and_nearest_is_nearest(
    t: float, rate: Fraction, offset: int
) -> None:
    exact = Fraction(t).limit_denominator(10**7) * rate
    (before,) = to_record_frames([t], rate, offset=offset, rule="before")
    (nearest,) = to_record_frames([t], rate, offset=offset, rule="nearest")
    assert before - offset <= exact < before - offset + 1
    assert abs(nearest - offset - exact) <= Fraction(1, 2)
    assert nearest - before in (0, 1)


def _rhythm(beats: list[float], energy: list[float]) -> Rhythm:
    return Rhythm(tuple(beats), tuple(beats[::4]), 4, (TempoPoint(0.0, 120.0),),
                  energy=tuple(energy), onsets_s=(0.51, 1.2, 2.04))  # fmt: skip


def test_every_and_unit_pick_beats_or_bars() -> None:
    rhythm = _rhythm([0.5 * k for k in range(16)], [1.0] * 16)
    assert chosen(rhythm, 2, "beat") == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    assert chosen(rhythm, 1, "bar") == chosen(rhythm, 1, "downbeat") == [0.0, 2.0, 4.0, 6.0]
    with pytest.raises(EditError):
        chosen(rhythm, 1, "quaver")


def test_energy_thins_the_cuts_where_the_music_is_quiet() -> None:
    beats = [0.5 * k for k in range(16)]
    energy = [1.0] * 4 + [0.5] * 4 + [0.1] * 8  # loud, middling, quiet
    assert by_energy(_rhythm(beats, energy), beats, 1) == [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]


def test_snapping_prefers_an_onset_within_70_ms() -> None:
    assert snapped([0.5, 1.0, 2.0], (0.51, 1.2, 2.04)) == [0.51, 1.0, 2.04]


@pytest.mark.parametrize("text", ["160-80", "80", "a-b", "10-30", "100-120", "200-500"])
def test_a_tempo_range_must_be_sensible(text: str) -> None:
    with pytest.raises(AudioError):
        parse_bpm_range(text)


def test_a_tempo_range_parses() -> None:
    assert parse_bpm_range("80-160") == (80.0, 160.0)
    assert parse_bpm_range(None) is None
    assert math.isclose(parse_bpm_range("60.5-121")[1], 121.0)  # type: ignore[index]
