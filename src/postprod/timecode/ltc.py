"""Linear timecode (LTC, SMPTE ST 12-1) to and from audio, vectorised with NumPy.

A word is 80 bits sent least significant first: BCD frames, seconds,
minutes and hours with eight 4-bit user-bit groups between them, the
drop-frame flag (bit 10), the colour-frame flag (bit 11), three binary group
flags, a polarity-correction bit that makes every word hold an even number
of zeros (so each word starts on the same edge), and the sync word
``0011 1111 1111 1101`` in bits 64-79. Where the flags sit depends on the
rate, as ST 12-1 says: at 24 and 30 fps bit 27 is the polarity bit and bits
43, 58, 59 are BGF0-2; at 25 fps bit 59 is the polarity bit and bits 27, 58,
43 are BGF0-2. Bits are biphase-mark coded: the level changes at the start
of every bit cell, and once more in the middle of a 1.

Word ``k`` starts at sample ``round(k * sample_rate / word_rate)`` (halves
round up), computed in integers: no float is ever accumulated, and an hour
at 29.97 fps ends on the same sample as one word does.

High rates: at 47.952, 48, 50, 59.94 and 60 fps the words run at half the
frame rate and each counts a frame pair, labelled as at the half rate (the
frames field stops at 23, 24 or 29; 59.94 drop-frame words carry 29.97
drop-frame labels). Decoding at such a rate reports the even frame each word
stands for; a word cannot start on an odd frame. Such a signal is
indistinguishable from LTC at the half rate, so decoding without ``rate``
reports the half rate.

Decoding expects real-world signals: it removes DC, follows the level (a
fade from -30 dB is fine), does not care about polarity, reads tape played
backwards, classifies the intervals between edges against a reference that
follows the speed (0.9x to 1.1x tape speed, and drift), and keeps only words
whose sync word and BCD fields are valid, so noise does not invent timecode.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from postprod.errors import TimecodeError
from postprod.timecode.rate import FrameRate
from postprod.timecode.smpte import (
    Timecode,
    fields_to_frames,
    frames_to_fields,
    frames_to_label,
    invalid_fields,
    to_frames,
)
from postprod.timecode.vector import frames_to_labels

BITS_PER_WORD = 80
SYNC_WORD = (0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1)  # bits 64..79
_SYNC_WEIGHTS = 1 << np.arange(16, dtype=np.int64)
_SYNC_CODE = int(np.dot(SYNC_WORD, _SYNC_WEIGHTS))
_SYNC_CODE_BACKWARDS = int(np.dot(SYNC_WORD[::-1], _SYNC_WEIGHTS))
_USER_BIT_STARTS = (4, 12, 20, 28, 36, 44, 52, 60)
_DROP_FRAME_BIT = 10
_COLOR_FRAME_BIT = 11
#: Edge-to-edge interval classes are decided per chunk of this many intervals.
_CHUNK = 512
#: The lowest sample rate that leaves three samples per half bit cell at 30 fps.
MIN_SAMPLE_RATE = 16000


@dataclass(frozen=True, slots=True)
class FlagBits:
    """Where a rate's polarity-correction bit and binary group flags BGF0-2 sit."""

    polarity: int
    binary_group_flags: tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class DecodedFrame:
    """One decoded word: its label and frame count at ``rate``, where it starts, its flags.

    ``first_sample`` is the sample of the word's first transition in the
    order the audio plays; ``reverse`` says the tape ran backwards (the word
    was read from its sync word back to bit 0).
    """

    timecode: str
    frames: int
    first_sample: int
    rate: FrameRate
    user_bits: int
    drop_frame: bool
    color_frame: bool
    binary_group_flags: int
    reverse: bool


def word_rate(rate: FrameRate | str) -> Fraction:
    """Words per second: the frame rate, or half of it above 30 fps."""
    rate = FrameRate.parse(rate)
    return rate.fps / 2 if rate.nominal > 30 else rate.fps


def flag_bits(rate: FrameRate | str) -> FlagBits:
    """The flag positions of ST 12-1 for ``rate`` (25 fps differs from 24 and 30)."""
    if _word_counting(FrameRate.parse(rate)).nominal == 25:
        return FlagBits(polarity=59, binary_group_flags=(27, 58, 43))
    return FlagBits(polarity=27, binary_group_flags=(43, 58, 59))


def _word_counting(rate: FrameRate) -> FrameRate:
    """The rate whose labels the words carry (29.97 DF for 59.94 DF, and so on)."""
    if rate.nominal <= 30:
        return rate
    return FrameRate(rate.fps / 2, rate.drop_frame)


# -- encoding ---------------------------------------------------------------------------


def encode(
    start: Timecode | str | int,
    rate: FrameRate | str,
    duration_s: float | Fraction | None = None,
    *,
    n_frames: int | None = None,
    sample_rate: int = 48000,
    user_bits: int = 0,
    color_frame: bool = False,
    binary_group_flags: int = 0,
    level_dbfs: float = -10.0,
) -> NDArray[np.float32]:
    """Mono float32 LTC from ``start`` (a label, ``Timecode`` or frame count) for
    ``duration_s`` seconds or ``n_frames`` frames (whole words: the end rounds up).

    ``level_dbfs`` is the peak level. See :func:`encode_blocks` to stream long runs.
    """
    blocks = encode_blocks(
        start,
        rate,
        duration_s,
        n_frames=n_frames,
        sample_rate=sample_rate,
        user_bits=user_bits,
        color_frame=color_frame,
        binary_group_flags=binary_group_flags,
        level_dbfs=level_dbfs,
    )
    return np.concatenate([np.zeros(0, np.float32), *blocks])


def encode_blocks(
    start: Timecode | str | int,
    rate: FrameRate | str,
    duration_s: float | Fraction | None = None,
    *,
    n_frames: int | None = None,
    sample_rate: int = 48000,
    user_bits: int = 0,
    color_frame: bool = False,
    binary_group_flags: int = 0,
    level_dbfs: float = -10.0,
    words_per_block: int = 1024,
) -> Iterator[NDArray[np.float32]]:
    """The same audio as :func:`encode`, as consecutive blocks of whole words.

    Every word holds an even number of ones, so each starts at the same level
    and a block can be drawn without the ones before it. Sample ``n`` shows
    the half bit cell in force at time ``(n + 1/2) / sample_rate``, which puts
    every cell boundary on the rounded sample, as for word starts.
    """
    rate = FrameRate.parse(rate)
    rate.require_smpte()
    first, count_words = _first_and_count(start, rate, duration_s, n_frames)
    _check_encoding(sample_rate, user_bits, binary_group_flags, level_dbfs)
    words_per_s = word_rate(rate)
    counting = _word_counting(rate)
    half_cells_per_s = words_per_s * 2 * BITS_PER_WORD
    numerator, denominator = half_cells_per_s.numerator, half_cells_per_s.denominator
    peak = float(10 ** (level_dbfs / 20))
    taps = max(1, round(40e-6 * sample_rate))
    history: NDArray[np.float64] | None = None  # the last taps - 1 samples, across blocks
    for word in range(0, count_words, max(1, words_per_block)):
        count = min(words_per_block, count_words - word)
        labels = (first + word + np.arange(count, dtype=np.int64)) % counting.frames_per_day
        bits = word_bits(
            labels,
            counting,
            user_bits=user_bits,
            color_frame=color_frame,
            binary_group_flags=binary_group_flags,
        )
        # Biphase mark: a transition at every cell start, and mid-cell for a 1.
        transitions = np.ones((bits.size, 2), np.uint8)
        transitions[:, 1] = bits.ravel()
        levels = np.cumsum(transitions.ravel(), dtype=np.uint32) & 1  # half-cell levels
        begin = word_start(word, rate, sample_rate)
        end = word_start(word + count, rate, sample_rate)
        n = np.arange(begin, end, dtype=np.int64)
        # The half cell containing time (n + 1/2) / sample_rate: ceil(x) - 1 of
        # x = (2n + 1) * cells_per_s / (2 * sample_rate), in integers.
        cell = -((-(2 * n + 1) * numerator) // (2 * denominator * sample_rate)) - 1
        cell -= 2 * BITS_PER_WORD * word
        square = np.where(levels[np.clip(cell, 0, levels.size - 1)] == 1, peak, -peak)
        history = square[:1].repeat(taps - 1) if history is None else history
        extended = np.concatenate([history, square])
        history = extended[extended.size - (taps - 1) :] if taps > 1 else history
        yield _rise_time(extended, taps).astype(np.float32)


def word_start(word: int, rate: FrameRate | str, sample_rate: int) -> int:
    """The first sample of word ``word`` counted from the start of the encoding:
    ``round(word * sample_rate / word_rate)``, halves up, in integers."""
    per_s = word_rate(rate)
    return (2 * word * sample_rate * per_s.denominator + per_s.numerator) // (2 * per_s.numerator)


def _first_and_count(
    start: Timecode | str | int,
    rate: FrameRate,
    duration_s: float | Fraction | None,
    n_frames: int | None,
) -> tuple[int, int]:
    """The first word's count at the word rate, and how many words to encode."""
    if isinstance(start, Timecode) and start.rate != rate:
        raise TimecodeError(
            f"start {start} is at {start.rate}, not at {rate}",
            fix="give the start at the rate you encode at",
        )
    frames = to_frames(start, rate)
    pairs = rate.nominal > 30
    if pairs and frames % 2:
        raise TimecodeError(
            f"LTC at {rate} counts frame pairs and cannot start on the odd frame "
            f"{frames_to_label(frames, rate)}",
            fix="start on an even frame",
        )
    if (duration_s is None) == (n_frames is None):
        raise TimecodeError("give either a duration in seconds or a number of frames")
    if n_frames is not None:
        if n_frames <= 0:
            raise TimecodeError(f"{n_frames} frames is not a positive length")
        words = -(-n_frames // 2) if pairs else n_frames
    else:
        seconds = Fraction(repr(duration_s)) if isinstance(duration_s, float) else duration_s
        if seconds is None or seconds <= 0:
            raise TimecodeError(f"a duration of {duration_s} s is not positive")
        words = -(-Fraction(seconds) * word_rate(rate) // 1)
    return (frames // 2 if pairs else frames), int(words)


def _check_encoding(
    sample_rate: int, user_bits: int, binary_group_flags: int, level_dbfs: float
) -> None:
    if sample_rate < MIN_SAMPLE_RATE:
        raise TimecodeError(
            f"sample rate {sample_rate} Hz is too low for LTC",
            fix=f"use {MIN_SAMPLE_RATE} Hz or more (44100 or 48000 are usual)",
        )
    if not 0 <= user_bits < 1 << 32:
        raise TimecodeError(f"user bits {user_bits:#x} do not fit in 32 bits")
    if not 0 <= binary_group_flags < 8:
        raise TimecodeError(f"binary group flags {binary_group_flags} are not 3 bits (0-7)")
    if not level_dbfs <= 0:
        raise TimecodeError(f"level {level_dbfs} dBFS is above full scale", fix="use 0 or less")


def word_bits(
    labels: NDArray[np.int64],
    rate: FrameRate,
    *,
    user_bits: int = 0,
    color_frame: bool = False,
    binary_group_flags: int = 0,
) -> NDArray[np.uint8]:
    """The 80 bits of the word for each frame count at ``rate`` (30 fps or less), ``(n, 80)``."""
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
    bits[:, _DROP_FRAME_BIT] = rate.drop_frame
    bits[:, _COLOR_FRAME_BIT] = color_frame
    for group, start in enumerate(_USER_BIT_STARTS):
        put((user_bits >> (4 * group)) & 0xF, start, 4)
    flags = flag_bits(rate)
    for index, position in enumerate(flags.binary_group_flags):
        bits[:, position] = (binary_group_flags >> index) & 1
    bits[:, 64:] = SYNC_WORD
    bits[:, flags.polarity] = bits.sum(axis=1, dtype=np.int64) & 1  # even ones, even zeros
    return bits


def _rise_time(extended: NDArray[np.float64], taps: int) -> NDArray[np.float64]:
    """Soften the edges towards ST 12-1's rise time: a causal moving average about 40 us
    long over ``extended``, which starts with the ``taps - 1`` samples before the block."""
    if taps == 1:
        return extended
    result: NDArray[np.float64] = np.convolve(extended, np.full(taps, 1.0 / taps), mode="valid")
    return result


# -- decoding ---------------------------------------------------------------------------


def decode(
    samples: NDArray[np.floating],
    sample_rate: int,
    rate: FrameRate | str | None = None,
    *,
    block_s: float = 20.0,
) -> list[DecodedFrame]:
    """Every valid word in mono ``samples``, with the sample where it starts.

    ``rate`` says how to count; without it, the rate is inferred from the
    largest frame number, the drop-frame flag and the word rate. An empty
    list means no LTC was found.
    """
    return decode_blocks([np.asarray(samples).ravel()], sample_rate, rate, block_s=block_s)


def decode_blocks(
    blocks: Iterable[NDArray[np.floating]],
    sample_rate: int,
    rate: FrameRate | str | None = None,
    *,
    block_s: float = 20.0,
) -> list[DecodedFrame]:
    """:func:`decode` over consecutive mono blocks of any size (a file read in pieces).

    The signal is analysed in windows of ``block_s`` seconds that overlap by
    a quarter second, so memory stays bounded and no word at a window's edge
    is lost or repeated.
    """
    if sample_rate < MIN_SAMPLE_RATE:
        raise TimecodeError(
            f"sample rate {sample_rate} Hz is too low to carry LTC",
            fix=f"record LTC at {MIN_SAMPLE_RATE} Hz or more",
        )
    given = FrameRate.parse(rate) if rate is not None else None
    if given is not None:
        given.require_smpte()
    words: list[NDArray[np.uint8]] = []
    starts: list[NDArray[np.int64]] = []
    backwards: list[NDArray[np.bool_]] = []
    core = max(sample_rate // 10, int(block_s * sample_rate))
    for begin, lo, window in _windows(blocks, core, sample_rate // 4):
        found, at, reverse = _decode_window(window.astype(np.float64), sample_rate)
        at = at + lo
        keep = (at >= begin) & (at < begin + core)
        words.append(found[keep])
        starts.append(at[keep])
        backwards.append(reverse[keep])
    if not sum(len(w) for w in words):
        return []
    all_starts = np.concatenate(starts)
    order = np.argsort(all_starts, kind="stable")
    return _frames(
        np.concatenate(words)[order],
        all_starts[order],
        np.concatenate(backwards)[order],
        sample_rate,
        given,
    )


def _windows(
    blocks: Iterable[NDArray[np.floating]], core: int, margin: int
) -> Iterator[tuple[int, int, NDArray[np.floating]]]:
    """``(begin, lo, window)``: the samples from ``lo = begin - margin`` to
    ``begin + core + margin``, for consecutive ``begin`` a ``core`` apart."""
    pending: list[NDArray[np.floating]] = []
    held = 0  # samples in ``pending``
    offset = 0  # the sample number of pending[0][0]
    begin = 0
    for block in blocks:
        samples = np.asarray(block).ravel()
        if not samples.size:
            continue
        pending.append(samples)
        held += samples.size
        if offset + held < begin + core + margin:
            continue
        buffer = pending[0] if len(pending) == 1 else np.concatenate(pending)
        while offset + buffer.size >= begin + core + margin:
            lo = max(0, begin - margin)
            yield begin, lo, buffer[lo - offset : begin + core + margin - offset]
            begin += core
        drop = max(0, begin - margin) - offset
        buffer, offset = buffer[drop:], offset + drop
        pending, held = [buffer], buffer.size
    if held:
        buffer = pending[0] if len(pending) == 1 else np.concatenate(pending)
        while begin < offset + buffer.size:
            lo = max(0, begin - margin)
            yield begin, lo, buffer[lo - offset :]
            begin += core


def _decode_window(
    x: NDArray[np.float64], sample_rate: int
) -> tuple[NDArray[np.uint8], NDArray[np.int64], NDArray[np.bool_]]:
    """Data bits (``(n, 64)``, bit 0 first), first samples and direction of the words."""
    empty = np.zeros((0, 64), np.uint8), np.zeros(0, np.int64), np.zeros(0, bool)
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
    # Where the signal starts and stops are edges too: a recording that begins or
    # ends on a word boundary keeps that word (read backwards, a word ends on a 0).
    onset = np.flatnonzero(decided[: changes[0]] if changes.size else decided)[:1]
    last = np.flatnonzero(decided)[-1:] + 1
    end = last[last > changes[-1]] if changes.size else last[:0]
    return np.concatenate([onset, changes, end]).astype(np.int64)


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
) -> tuple[NDArray[np.uint8], NDArray[np.int64], NDArray[np.bool_]]:
    """The 64 data bits, first sample and direction of every word with a whole sync word.

    Forwards, the sync word ends a word. Backwards (tape in reverse) it
    arrives mirrored and first, followed by bits 63 down to 0.
    """
    if bits.size < BITS_PER_WORD:
        return np.zeros((0, 64), np.uint8), np.zeros(0, np.int64), np.zeros(0, bool)
    codes = np.lib.stride_tricks.sliding_window_view(bits, 16).astype(np.int64) @ _SYNC_WEIGHTS
    forward = np.flatnonzero(codes == _SYNC_CODE)
    forward = forward[forward >= 64] - 64  # where the word's bit 0 is
    backward = np.flatnonzero(codes == _SYNC_CODE_BACKWARDS)
    backward = backward[backward + BITS_PER_WORD <= bits.size]
    data = np.concatenate(
        [
            bits[forward[:, None] + np.arange(64)],
            bits[backward[:, None] + BITS_PER_WORD - 1 - np.arange(64)],
        ]
    )
    first = np.concatenate([starts[forward], starts[backward]])
    reverse = np.concatenate([np.zeros(forward.size, bool), np.ones(backward.size, bool)])
    return data, first, reverse


def _frames(
    words: NDArray[np.uint8],
    word_starts: NDArray[np.int64],
    reverse: NDArray[np.bool_],
    sample_rate: int,
    given: FrameRate | None,
) -> list[DecodedFrame]:
    def field(start: int, width: int) -> NDArray[np.int64]:
        weights = 1 << np.arange(width, dtype=np.int64)
        value: NDArray[np.int64] = words[:, start : start + width].astype(np.int64) @ weights
        return value

    units = (field(0, 4), field(16, 4), field(32, 4), field(48, 4))
    ff = units[0] + 10 * field(8, 2)
    ss = units[1] + 10 * field(24, 3)
    mm = units[2] + 10 * field(40, 3)
    hh = units[3] + 10 * field(56, 2)
    drop = words[:, _DROP_FRAME_BIT].astype(bool)
    valid = (units[0] < 10) & (units[1] < 10) & (units[2] < 10) & (units[3] < 10)
    valid &= (ff < 30) & (ss < 60) & (mm < 60) & (hh < 24)
    if not valid.any():
        return []
    chosen = given or _infer_rate(ff[valid], drop[valid], word_starts[valid], sample_rate)
    counting = _word_counting(chosen)
    valid &= ~invalid_fields(hh, mm, ss, ff, counting)
    keep = np.flatnonzero(valid)
    if not keep.size:
        return []
    counts = np.asarray(fields_to_frames(hh[keep], mm[keep], ss[keep], ff[keep], counting))
    if chosen.nominal > 30:
        counts = counts * 2
    user = np.zeros(keep.size, np.int64)
    for group, start in enumerate(_USER_BIT_STARTS):
        user |= field(start, 4)[keep] << (4 * group)
    groups = np.zeros(keep.size, np.int64)
    for index, position in enumerate(flag_bits(counting).binary_group_flags):
        groups |= words[keep, position].astype(np.int64) << index
    columns = zip(
        frames_to_labels(counts, chosen),
        counts.tolist(),
        word_starts[keep].tolist(),
        user.tolist(),
        drop[keep].tolist(),
        words[keep, _COLOR_FRAME_BIT].astype(bool).tolist(),
        groups.tolist(),
        reverse[keep].tolist(),
        strict=True,
    )
    return [
        DecodedFrame(str(label), count, at, chosen, ub, df, cf, bgf, back)
        for label, count, at, ub, df, cf, bgf, back in columns
    ]


def _infer_rate(
    ff: NDArray[np.int64], drop: NDArray[np.bool_], starts: NDArray[np.int64], sample_rate: int
) -> FrameRate:
    """The rate from the largest frame number, the DF flag and the measured word rate."""
    largest = int(ff.max())
    nominal = 30 if largest >= 25 else 25 if largest == 24 else 24
    if nominal == 30 and bool(np.mean(drop) > 0.5):
        return FrameRate(Fraction(30000, 1001), True)
    measured = sample_rate / float(np.median(np.diff(starts))) if starts.size > 1 else nominal
    ntsc = nominal * 1000 / 1001
    if nominal in (24, 30) and abs(measured - ntsc) < min(abs(measured - nominal), 0.01):
        return FrameRate(Fraction(nominal * 1000, 1001), False)
    return FrameRate(Fraction(nominal), False)
