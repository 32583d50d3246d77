"""Linear timecode (LTC, SMPTE ST 12-1) to and from audio, vectorised with NumPy.

A word is 80 bits sent least significant first: BCD frames, seconds,
minutes and hours with eight 4-bit user-bit groups between them, the
drop-frame flag (bit 10), the colour-frame flag (bit 11), the binary group
flags, a polarity-correction bit that makes every word hold an even number
of ones (so each word starts on the same edge), and the sync word
``0011 1111 1111 1101`` in bits 64-79. Bits are biphase-mark coded: the level
changes at the start of every bit cell, and once more in the middle of a 1.

At 47.952, 48, 50, 59.94 and 60 fps the words run at half the frame rate and
count frame pairs (ST 12-1's rule for high rates: the frames field stops at
29); decoding at such a rate reports the even frame each word stands for.

Decoding expects real-world signals: it removes DC, follows the level
(a fade from -30 dB is fine), does not care about polarity, classifies the
intervals between edges against a reference that follows the speed (0.9x to
1.1x tape speed, and drift), and keeps only words whose sync word and BCD
fields are valid, so noise does not invent timecode.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from postprod.timecode.rate import FrameRate
from postprod.timecode.smpte import fields_to_frames, frames_to_fields
from postprod.timecode.vector import frames_to_labels

BITS_PER_WORD = 80
SYNC_WORD = (0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1)  # bits 64..79
_SYNC_CODE = int(sum(bit << k for k, bit in enumerate(SYNC_WORD)))
_USER_BIT_STARTS = (4, 12, 20, 28, 36, 44, 52, 60)
#: Edge-to-edge interval classes are decided per chunk of this many intervals.
_CHUNK = 512


@dataclass(frozen=True, slots=True)
class LtcFrame:
    """One decoded word: its label, frame count, first sample and flags."""

    timecode: str
    frames: int
    sample: int
    user_bits: int
    drop_frame: bool


def word_rate(rate: FrameRate) -> Fraction:
    """Words per second: the frame rate, or half of it above 30 fps."""
    return rate.fps / 2 if rate.nominal > 30 else rate.fps


def _word_counting(rate: FrameRate) -> FrameRate:
    """The rate whose labels the words carry (29.97 DF for 59.94 DF, and so on)."""
    if rate.nominal <= 30:
        return rate
    return FrameRate(rate.fps / 2, rate.drop_frame)


def encode(
    start_frames: int,
    rate: FrameRate | str,
    duration_s: float | Fraction,
    *,
    sample_rate: int = 48000,
    user_bits: int = 0,
    level: float = 0.5,
) -> NDArray[np.float32]:
    """Mono LTC audio for ``duration_s`` from frame ``start_frames``; word k starts at
    sample ``ceil(k * sample_rate / word_rate)``, exactly. See :func:`encode_blocks`."""
    blocks = encode_blocks(
        start_frames, rate, duration_s, sample_rate=sample_rate, user_bits=user_bits, level=level
    )
    return np.concatenate(list(blocks))


def encode_blocks(
    start_frames: int,
    rate: FrameRate | str,
    duration_s: float | Fraction,
    *,
    sample_rate: int = 48000,
    user_bits: int = 0,
    level: float = 0.5,
    words_per_block: int = 1024,
) -> Iterator[NDArray[np.float32]]:
    """The same audio as :func:`encode`, as consecutive blocks of whole words.

    Every word holds an even number of ones, so each starts at the same level
    and a block can be drawn without the ones before it.
    """
    rate = FrameRate.parse(rate)
    rate.require_smpte()
    words_per_s = word_rate(rate)
    counting = _word_counting(rate)
    n_words = -(-Fraction(duration_s) * words_per_s // 1)
    first = start_frames // 2 if rate.nominal > 30 else start_frames
    half_cells_per_s = words_per_s * 2 * BITS_PER_WORD
    numerator, denominator = half_cells_per_s.numerator, half_cells_per_s.denominator
    taps = max(1, round(40e-6 * sample_rate))
    history: NDArray[np.float64] | None = None  # the last taps - 1 samples, across blocks
    for word in range(0, n_words, words_per_block):
        count = min(words_per_block, n_words - word)
        labels = (first + word + np.arange(count, dtype=np.int64)) % counting.frames_per_day
        bits = word_bits(labels, counting, user_bits=user_bits)
        # Biphase mark: a transition at every cell start, and mid-cell for a 1.
        transitions = np.ones((bits.size, 2), np.uint8)
        transitions[:, 1] = bits.ravel()
        levels = np.cumsum(transitions.ravel(), dtype=np.uint32) & 1  # half-cell levels
        begin = _word_start(word, words_per_s, sample_rate)
        end = _word_start(word + count, words_per_s, sample_rate)
        cell = np.arange(begin, end, dtype=np.int64) * numerator // (denominator * sample_rate)
        cell -= 2 * BITS_PER_WORD * word
        square = np.where(levels[np.minimum(cell, levels.size - 1)] == 1, level, -level)
        history = square[:1].repeat(taps - 1) if history is None else history
        extended = np.concatenate([history, square])
        history = extended[extended.size - (taps - 1) :] if taps > 1 else history
        yield _rise_time(extended, taps).astype(np.float32)


def _word_start(word: int, words_per_s: Fraction, sample_rate: int) -> int:
    """The first sample of word ``word``: ``ceil(word * sample_rate / words_per_s)``."""
    return -(-word * sample_rate * words_per_s.denominator // words_per_s.numerator)


def word_bits(
    labels: NDArray[np.int64], rate: FrameRate, *, user_bits: int = 0
) -> NDArray[np.uint8]:
    """The 80 bits of the word for each frame count, ``(n, 80)``."""
    hh, mm, ss, ff = frames_to_fields(labels, rate)
    bits = np.zeros((labels.size, BITS_PER_WORD), np.uint8)

    def put(value: NDArray[np.int64] | int, start: int, width: int) -> None:
        shifts = np.arange(width)
        bits[:, start : start + width] = (np.asarray(value)[..., None] >> shifts) & 1

    put(ff % 10, 0, 4)
    put(ff // 10, 8, 2)
    put(ss % 10, 16, 4)
    put(ss // 10, 24, 3)
    put(mm % 10, 32, 4)
    put(mm // 10, 40, 3)
    put(hh % 10, 48, 4)
    put(hh // 10, 56, 2)
    bits[:, 10] = 1 if rate.drop_frame else 0
    for group, start in enumerate(_USER_BIT_STARTS):
        put((user_bits >> (4 * group)) & 0xF, start, 4)
    bits[:, 64:] = SYNC_WORD
    polarity_bit = 59 if rate.nominal == 25 else 27
    bits[:, polarity_bit] = bits.sum(axis=1, dtype=np.int64) & 1  # an even number of ones
    return bits


def _rise_time(extended: NDArray[np.float64], taps: int) -> NDArray[np.float64]:
    """Soften the edges to about the 40 us rise time of ST 12-1: a causal ``taps``-long
    average over ``extended``, which starts with the ``taps - 1`` samples before the block."""
    if taps == 1:
        return extended
    result: NDArray[np.float64] = np.convolve(extended, np.full(taps, 1.0 / taps), mode="valid")
    return result


def decode(
    samples: NDArray[np.floating],
    sample_rate: int,
    rate: FrameRate | str | None = None,
    *,
    block_s: float = 20.0,
) -> list[LtcFrame]:
    """Every valid word in mono ``samples``, with the sample where it starts.

    ``rate`` says how to count; without it, the rate is inferred from the
    frame numbers, the drop-frame flag and the word rate. Long recordings are
    read in blocks of ``block_s`` seconds that overlap by a quarter second, so
    memory stays bounded and no word at a block's edge is lost or repeated.
    """
    x = np.asarray(samples).ravel()
    core = max(1, int(block_s * sample_rate))
    margin = sample_rate // 4
    words: list[NDArray[np.uint8]] = []
    starts: list[NDArray[np.int64]] = []
    for begin in range(0, x.size, core):
        lo = max(0, begin - margin)
        block = x[lo : begin + core + margin].astype(np.float64)
        found, at = _decode_block(block, sample_rate)
        at = at + lo
        keep = (at >= begin) & (at < begin + core)
        words.append(found[keep])
        starts.append(at[keep])
    if not words or not sum(len(w) for w in words):
        return []
    return _frames(np.concatenate(words), np.concatenate(starts), sample_rate, rate)


def _decode_block(
    x: NDArray[np.float64], sample_rate: int
) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    """Data bits and first samples of the words in one block."""
    empty = np.zeros((0, 64), np.uint8), np.zeros(0, np.int64)
    if x.size < 64:
        return empty
    edges = _edges(x, sample_rate)
    if edges.size < 2 * BITS_PER_WORD:
        return empty
    bits, bit_starts = _bits(np.diff(edges), edges)
    return _words(bits, bit_starts)


def _edges(x: NDArray[np.float64], sample_rate: int) -> NDArray[np.int64]:
    """Sample positions of the signal's edges, level- and polarity-independent."""
    window = max(8, sample_rate // 1000)  # about 1 ms: several bit cells at any LTC rate
    centred = x - _moving_mean(x, 4 * window)  # DC and hum-like offsets out
    envelope = np.sqrt(_moving_mean(centred * centred, 4 * window)) + 1e-12
    normalised = centred / envelope
    high, low = normalised > 0.4, normalised < -0.4  # hysteresis: noise cannot flip the state
    decided = high | low
    index = np.where(decided, np.arange(x.size), 0)
    np.maximum.accumulate(index, out=index)
    state = high[index] & decided[index]
    changes = np.flatnonzero(np.diff(state.astype(np.int8))) + 1
    # Move each edge back to where the signal actually crossed zero.
    crossings = np.flatnonzero(np.diff(np.signbit(centred).astype(np.int8))) + 1
    if crossings.size:
        nearest = crossings[np.clip(np.searchsorted(crossings, changes, side="right") - 1, 0, None)]
        changes = np.where(nearest <= changes, nearest, changes)
    # Where the signal starts is an edge too: a recording that begins on a word keeps it.
    onset = np.flatnonzero(decided[: changes[0]] if changes.size else decided)[:1]
    return np.concatenate([onset, changes]).astype(np.int64)


def _moving_mean(x: NDArray[np.float64], width: int) -> NDArray[np.float64]:
    padded = np.concatenate([[0.0], np.cumsum(x)])
    half = width // 2
    lo = np.clip(np.arange(x.size) - half, 0, x.size)
    hi = np.clip(np.arange(x.size) + half + 1, 0, x.size)
    result: NDArray[np.float64] = (padded[hi] - padded[lo]) / (hi - lo)
    return result


def _bits(
    intervals: NDArray[np.int64], edges: NDArray[np.int64]
) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    """Biphase mark to bits: one long interval is a 0, two short ones are a 1."""
    short = intervals < _short_threshold(intervals)
    index = np.arange(short.size)
    run_start = np.where(~short, index + 1, 0)
    np.maximum.accumulate(run_start, out=run_start)
    starts_bit = ~short | ((index - run_start) % 2 == 0)
    chosen = np.flatnonzero(starts_bit)
    return (short[chosen]).astype(np.uint8), edges[chosen]


def _short_threshold(intervals: NDArray[np.int64]) -> NDArray[np.float64]:
    """Per interval, the length between a half and a whole bit cell, following the speed.

    The intervals are cut into chunks; in each, two clusters (half cells and
    whole cells) are found by a few rounds of 1-D two-means started from the
    chunk's quartiles, all chunks at once.
    """
    n = intervals.size
    chunks = -(-n // _CHUNK)
    padded = np.full(chunks * _CHUNK, np.nan)
    padded[:n] = intervals
    table = padded.reshape(chunks, _CHUNK)
    low = np.nanpercentile(table, 25, axis=1)[:, None]
    high = np.nanpercentile(table, 90, axis=1)[:, None]
    for _ in range(6):
        split = (low + high) / 2
        is_low = table < split
        low = _nanmean_where(table, is_low, low)
        high = _nanmean_where(table, ~is_low & ~np.isnan(table), high)
    threshold = np.where(high > 1.5 * low, (low + high) / 2, 0.75 * high)  # one class only
    return np.repeat(threshold.ravel(), _CHUNK)[:n]


def _nanmean_where(
    table: NDArray[np.float64], mask: NDArray[np.bool_], fallback: NDArray[np.float64]
) -> NDArray[np.float64]:
    count = mask.sum(axis=1, keepdims=True)
    total = np.where(mask, table, 0.0).sum(axis=1, keepdims=True)
    return np.where(count > 0, total / np.maximum(count, 1), fallback)


def _words(
    bits: NDArray[np.uint8], starts: NDArray[np.int64]
) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    """The 64 data bits and the first sample of every word that ends in a sync word."""
    if bits.size < BITS_PER_WORD:
        return np.zeros((0, 64), np.uint8), np.zeros(0, np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(bits, 16)
    codes = windows.astype(np.int64) @ (1 << np.arange(16, dtype=np.int64))
    sync_at = np.flatnonzero(codes == _SYNC_CODE)
    sync_at = sync_at[sync_at >= 64]
    data = bits[sync_at[:, None] - 64 + np.arange(64)]
    return data, starts[sync_at - 64]


def _frames(
    words: NDArray[np.uint8],
    word_starts: NDArray[np.int64],
    sample_rate: int,
    rate: FrameRate | str | None,
) -> list[LtcFrame]:
    def field(start: int, width: int) -> NDArray[np.int64]:
        weights = 1 << np.arange(width, dtype=np.int64)
        value: NDArray[np.int64] = words[:, start : start + width].astype(np.int64) @ weights
        return value

    ff = field(0, 4) + 10 * field(8, 2)
    ss = field(16, 4) + 10 * field(24, 3)
    mm = field(32, 4) + 10 * field(40, 3)
    hh = field(48, 4) + 10 * field(56, 2)
    drop = words[:, 10].astype(bool)
    user = np.zeros(len(words), np.int64)
    for group, start in enumerate(_USER_BIT_STARTS):
        user |= field(start, 4) << (4 * group)
    valid = (field(0, 4) < 10) & (field(16, 4) < 10) & (field(32, 4) < 10) & (field(48, 4) < 10)
    valid &= (ff < 30) & (ss < 60) & (mm < 60) & (hh < 24)
    if not valid.any():
        return []
    chosen = _rate(ff[valid], drop[valid], word_starts[valid], sample_rate, rate)
    counting = _word_counting(chosen)
    valid &= ff < counting.nominal
    if counting.drop_frame:
        valid &= ~((ss == 0) & (mm % 10 != 0) & (ff < counting.dropped_per_minute))
    keep = np.flatnonzero(valid)
    counts = np.asarray(fields_to_frames(hh[keep], mm[keep], ss[keep], ff[keep], counting))
    if chosen.nominal > 30:
        counts = counts * 2
    labels = frames_to_labels(counts, chosen)
    return [
        LtcFrame(str(label), int(count), int(start), int(bits), bool(flag))
        for label, count, start, bits, flag in zip(
            labels, counts, word_starts[keep], user[keep], drop[keep], strict=True
        )
    ]


def _rate(
    ff: NDArray[np.int64],
    drop: NDArray[np.bool_],
    starts: NDArray[np.int64],
    sample_rate: int,
    given: FrameRate | str | None,
) -> FrameRate:
    if given is not None:
        rate = FrameRate.parse(given)
        rate.require_smpte()
        return rate
    nominal = 30 if ff.max() >= 25 else 25 if ff.max() == 24 else 24
    measured = sample_rate / float(np.median(np.diff(starts))) if starts.size > 1 else nominal
    if nominal == 30 and bool(np.mean(drop) > 0.5):
        return FrameRate.parse("29.97df")
    ntsc = nominal * 1000 / 1001
    if (
        nominal in (24, 30)
        and abs(measured - ntsc) < abs(measured - nominal)
        and abs(measured - ntsc) < 0.01
    ):
        return FrameRate(Fraction(nominal * 1000, 1001), False)
    return FrameRate(Fraction(nominal), False)
