"""The vectorised path agrees with the scalar one and reports bad labels by index."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from postprod.errors import TimecodeError
from postprod.timecode import FrameRate, frames_to_label, frames_to_labels, labels_to_frames

RATES = [
    FrameRate.parse(r) for r in ("23.976", "25", "29.97", "29.97ndf", "30", "50", "59.94", "60")
]


@pytest.mark.parametrize("rate", RATES, ids=str)
def test_a_whole_day_round_trips(rate: FrameRate) -> None:
    frames = np.arange(0, rate.frames_per_day, 7, dtype=np.int64)
    labels = frames_to_labels(frames, rate)
    assert labels.dtype == np.dtype("<U11")
    assert np.array_equal(labels_to_frames(labels, rate), frames)


@given(
    rate=st.sampled_from(RATES),
    frames=arrays(np.int64, st.integers(0, 50), elements=st.integers(0, 10**8)),
)
def test_vector_equals_scalar(rate: FrameRate, frames: np.ndarray) -> None:
    labels = frames_to_labels(frames, rate)
    assert [str(x) for x in labels] == [frames_to_label(int(n), rate) for n in frames]


def test_shapes_are_kept() -> None:
    frames = np.arange(12).reshape(3, 4)
    labels = frames_to_labels(frames, "25")
    assert labels.shape == (3, 4)
    assert labels_to_frames(labels, "25").shape == (3, 4)


def test_non_canonical_spellings_still_parse() -> None:
    assert labels_to_frames(["1:00:00:00", "01:00:00:01", " 01:00:00:02 "], "25").tolist() == [
        90_000,
        90_001,
        90_002,
    ]


def test_the_first_bad_label_is_named() -> None:
    with pytest.raises(TimecodeError, match="00:01:00;00"):
        labels_to_frames(["00:00:59;29", "00:01:00;00", "00:01:00;01"], "29.97")
    with pytest.raises(TimecodeError, match="label 1"):
        labels_to_frames(["00:00:00:00", "garbage"], "25")


def test_bad_arrays_are_refused() -> None:
    with pytest.raises(TimecodeError, match="negative"):
        frames_to_labels(np.array([0, -3]), "25")
    with pytest.raises(TimecodeError, match="integers"):
        frames_to_labels(np.array([0.5]), "25")
    with pytest.raises(TimecodeError, match="strings"):
        labels_to_frames(np.array([1, 2]), "25")


def test_empty_arrays() -> None:
    assert frames_to_labels(np.array([], dtype=np.int64), "25").shape == (0,)
    assert labels_to_frames(np.array([], dtype="<U11"), "25").shape == (0,)


def test_labels_longer_than_eleven_characters_are_not_truncated() -> None:
    labels = np.array(["01:00:00:00", "01:00:00:00x"])
    with pytest.raises(TimecodeError):
        labels_to_frames(labels, "25")


def test_byte_string_labels_and_short_spellings_read_like_text() -> None:
    assert labels_to_frames(np.array([b"01:00:00:00", b"1:00:00:01"]), "25").tolist() == [
        90_000,
        90_001,
    ]
