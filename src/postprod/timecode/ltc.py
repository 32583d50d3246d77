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
It reads any sample rate from 8 kHz (field recorders, telephone band), every
complete word to the end of a recording, and checks each label against its
neighbours: invalid or out-of-sequence labels are repaired from the words
around them or dropped, and counted (:func:`decode_report`). Writing needs
16 kHz or more. Design and tests: docs/TIMECODE.md.
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
#: Edge-to-edge interval classes are decided per chunk of this many intervals...
_CHUNK = 256
#: ...from a window of this many intervals around the chunk (about eight words).
_WINDOW = 1024
#: The word rates an interval may come from: 30 words/s at 1.1x, 24000/1001 at 0.9x.
_FASTEST_WORDS_PER_S = 33.0
_SLOWEST_WORDS_PER_S = 21.5
#: The lowest sample rate LTC is read at (a telephone-band recorder).
MIN_SAMPLE_RATE = 8000
#: The lowest rate it is written at: three samples per half bit cell at 30 fps. The
#: encoder draws square cells without band-limiting them; below this the aliasing
#: would move edges by a good part of a cell.
MIN_ENCODE_SAMPLE_RATE = 16000
#: Below this rate the decoder interpolates the signal up by a whole factor first.
ANALYSIS_RATE = 44100


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
    was read from its sync word back to bit 0); ``repaired`` says the label
    was taken from the neighbouring words, not from this word's bits.
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
    repaired: bool = False


@dataclass(frozen=True, slots=True)
class LtcDecoding:
    """What a decode found: the frames, and how many labels were mended or thrown away.

    ``repaired``: words whose label was invalid or contradicted both
    neighbours, relabelled from the neighbours that agree across them (their
    frames say ``repaired``). ``invalid``: words dropped because their label
    is impossible (BCD digits above 9, a frame number the rate does not
    have, a dropped drop-frame label). ``inconsistent``: valid labels
    dropped because they follow neither neighbour.
    """

    frames: list[DecodedFrame]
    repaired: int
    invalid: int
    inconsistent: int


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
    if sample_rate < MIN_ENCODE_SAMPLE_RATE:
        raise TimecodeError(
            f"sample rate {sample_rate} Hz is too low for LTC",
            fix=f"use {MIN_ENCODE_SAMPLE_RATE} Hz or more (44100 or 48000 are usual)",
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
    """:func:`decode` over consecutive mono blocks of any size (a file read in pieces)."""
    return decode_report(blocks, sample_rate, rate, block_s=block_s).frames


def decode_report(
    blocks: Iterable[NDArray[np.floating]],
    sample_rate: int,
    rate: FrameRate | str | None = None,
    *,
    block_s: float = 20.0,
) -> LtcDecoding:
    """The frames of :func:`decode_blocks`, with how many labels were repaired or dropped.

    The signal is analysed in windows of ``block_s`` seconds that overlap by
    a quarter second, so memory stays bounded and no word at a window's edge
    is lost or repeated. Labels are then checked against their neighbours
    (see :class:`LtcDecoding`).
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
        return LtcDecoding([], 0, 0, 0)
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
    """Data bits (``(n, 64)``, bit 0 first), first samples and direction of the words.

    Below :data:`ANALYSIS_RATE` the window is first interpolated up by a whole
    factor (band-limited, so the edges keep their places between samples):
    at 8 kHz a half bit cell at 30 fps is under two samples, too few to time.
    """
    empty = np.zeros((0, 64), np.uint8), np.zeros(0, np.int64), np.zeros(0, bool)
    if x.size < 64:
        return empty
    factor = upsampling_factor(sample_rate)
    if factor > 1:
        from scipy.signal import resample_poly

        x = resample_poly(x, factor, 1)
    edges = _edges(x, sample_rate * factor)
    if edges.size <= BITS_PER_WORD:  # a word has an edge at each of its 80 cells, and one after
        return empty
    bits, bit_starts, broken = _bits(np.diff(edges), edges, sample_rate * factor)
    data, first, reverse = _words(bits, bit_starts, broken)
    # A word starts on the first sample at or after its first edge.
    return data, np.ceil(first / factor - 1e-9).astype(np.int64), reverse


def upsampling_factor(sample_rate: int) -> int:
    """The whole factor that brings ``sample_rate`` to :data:`ANALYSIS_RATE` or above."""
    return max(1, -(-ANALYSIS_RATE // sample_rate))


def _edges(x: NDArray[np.float64], sample_rate: int) -> NDArray[np.float64]:
    """Positions of the signal's edges in samples, level- and polarity-independent.

    An edge is where the signal crossed zero, interpolated between the two
    samples around the crossing, so intervals are timed to a fraction of a
    sample (at 8 kHz a half bit cell is under two samples).
    """
    window = max(8, sample_rate // 1000)  # about 1 ms: several bit cells at any LTC rate
    centred = x - _moving_mean(x, 4 * window)  # DC and hum-like offsets out
    envelope = np.sqrt(_moving_mean(centred * centred, 4 * window)) + 1e-12
    normalised = centred / envelope
    # Only where the signal is near its local level (within 14 dB of the loudest in
    # the 50 ms around it): noise before, after and between bursts decides nothing.
    from scipy.ndimage import maximum_filter1d

    step = max(1, window)  # the envelope is smooth over a millisecond: take the max on a grid
    local = maximum_filter1d(envelope[::step], 2 * (sample_rate // (20 * step)) + 3)
    present = envelope > 0.2 * np.repeat(local, step)[: x.size]
    high = (normalised > 0.4) & present  # hysteresis: noise cannot flip the state
    low = (normalised < -0.4) & present
    decided = high | low
    index = np.where(decided, np.arange(x.size), 0)
    np.maximum.accumulate(index, out=index)
    state = high[index] & decided[index]
    changes = np.flatnonzero(np.diff(state.astype(np.int8))) + 1
    # Move each edge back to where the signal actually crossed zero.
    crossings = np.flatnonzero(np.diff(np.signbit(centred).astype(np.int8))) + 1
    at = changes.astype(np.float64)
    if crossings.size:
        nearest = crossings[np.clip(np.searchsorted(crossings, changes, side="right") - 1, 0, None)]
        before, after = centred[nearest - 1], centred[nearest]
        fraction = before / np.where(before == after, 1.0, before - after)
        at = np.where(nearest <= changes, nearest - 1 + np.clip(fraction, 0.0, 1.0), at)
    # Where the signal starts and stops (the recording's ends, and either side of a
    # dropout longer than a bit cell) are edges too: a burst that begins or ends on a
    # word boundary keeps that word (read backwards, a word ends on a 0).
    gap = sample_rate / (_SLOWEST_WORDS_PER_S * BITS_PER_WORD)
    runs = np.flatnonzero(decided)
    if not runs.size:
        return at
    breaks = np.flatnonzero(np.diff(runs) > gap)
    bounds = np.concatenate([runs[:1], runs[breaks + 1], runs[breaks] + 1, runs[-1:] + 1]).astype(
        np.float64
    )
    if at.size:  # a change already at the boundary is its edge
        nearby = np.searchsorted(at, bounds)
        left = np.abs(bounds - at[np.clip(nearby - 1, 0, at.size - 1)])
        right = np.abs(bounds - at[np.clip(nearby, 0, at.size - 1)])
        shortest = sample_rate / (_FASTEST_WORDS_PER_S * 2 * BITS_PER_WORD) * 0.6
        bounds = bounds[np.minimum(left, right) > shortest]
    return np.unique(np.concatenate([at, bounds]))


def _moving_mean(x: NDArray[np.float64], width: int) -> NDArray[np.float64]:
    """The mean of the ``2 * (width // 2) + 1`` samples centred on each sample (fewer at the ends)."""
    half = width // 2
    n = x.size
    padded = np.zeros(n + 2 * half + 1)
    np.cumsum(x, out=padded[half + 1 : half + 1 + n])
    padded[half + 1 + n :] = padded[half + n]
    span = 2 * half + 1
    sums = padded[span:] - padded[:n]
    counts = np.full(n, float(span))
    edge = np.arange(min(half, n))
    counts[edge] = np.minimum(edge + half + 1, n)  # the first samples see fewer before them
    counts[n - 1 - edge] = np.minimum(counts[n - 1 - edge], edge + half + 1)
    result: NDArray[np.float64] = sums / counts
    return result


def _bits(
    intervals: NDArray[np.float64], edges: NDArray[np.float64], sample_rate: int
) -> tuple[NDArray[np.uint8], NDArray[np.float64], NDArray[np.bool_]]:
    """Biphase mark to bits: one long interval is a 0, two short ones are a 1.

    An interval no LTC can have (shorter than a half cell at 33 words/s, or
    longer than a whole cell at 21.5 words/s: noise, a dropout, silence)
    breaks the stream: the bit it gives is marked ``broken`` and no word may
    hold it. The pairing of short intervals starts again after it.
    """
    shortest = sample_rate / (_FASTEST_WORDS_PER_S * 2 * BITS_PER_WORD) * 0.6
    longest = sample_rate / (_SLOWEST_WORDS_PER_S * BITS_PER_WORD) * 1.4
    plausible = (intervals >= shortest) & (intervals <= longest)
    short = plausible & (intervals < _short_threshold(intervals, plausible))
    index = np.arange(short.size)
    run_start = np.where(~short, index + 1, 0)
    np.maximum.accumulate(run_start, out=run_start)
    starts_bit = ~short | ((index - run_start) % 2 == 0)
    chosen = np.flatnonzero(starts_bit)
    return short[chosen].astype(np.uint8), edges[chosen], ~plausible[chosen]


def _short_threshold(
    intervals: NDArray[np.float64], plausible: NDArray[np.bool_]
) -> NDArray[np.float64]:
    """Per interval, the length between a half and a whole bit cell, following the speed.

    The plausible intervals are cut into chunks; each chunk's two clusters
    (half cells and whole cells) are found by a few rounds of 1-D two-means,
    started from the quartiles, over a window of :data:`_WINDOW` intervals
    around it, all chunks at once. The window is clamped inside the signal,
    so the last chunk (a recording's last few words) is judged on as many
    intervals as any other.
    """
    n = intervals.size
    values = intervals[plausible].astype(np.float64)
    m = values.size
    if not m:
        return np.zeros(n)
    chunks = -(-m // _CHUNK)
    width = min(_WINDOW, m)
    starts = np.clip(np.arange(chunks) * _CHUNK - (_WINDOW - _CHUNK) // 2, 0, m - width)
    table = values[starts[:, None] + np.arange(width)]
    low = np.percentile(table, 25, axis=1)[:, None]
    high = np.percentile(table, 90, axis=1)[:, None]
    for _ in range(6):
        split = (low + high) / 2
        is_low = table < split
        low = _nanmean_where(table, is_low, low)
        high = _nanmean_where(table, ~is_low, high)
    threshold = np.where(high > 1.5 * low, (low + high) / 2, 0.75 * high)  # one class only
    per_value = np.repeat(threshold.ravel(), _CHUNK)[:m]
    # Each interval takes the threshold of the nearest plausible interval at or before it.
    before = np.cumsum(plausible) - 1
    result: NDArray[np.float64] = per_value[np.clip(before, 0, m - 1)]
    return result


def _nanmean_where(
    table: NDArray[np.float64], mask: NDArray[np.bool_], fallback: NDArray[np.float64]
) -> NDArray[np.float64]:
    count = mask.sum(axis=1, keepdims=True)
    total = np.where(mask, table, 0.0).sum(axis=1, keepdims=True)
    return np.where(count > 0, total / np.maximum(count, 1), fallback)


def _words(
    bits: NDArray[np.uint8], starts: NDArray[np.float64], broken: NDArray[np.bool_]
) -> tuple[NDArray[np.uint8], NDArray[np.float64], NDArray[np.bool_]]:
    """The 64 data bits, first sample and direction of every whole word with a sync word.

    Forwards, the sync word ends a word. Backwards (tape in reverse) it
    arrives mirrored and first, followed by bits 63 down to 0. A word that
    holds a broken bit (see :func:`_bits`) is not a word.
    """
    if bits.size < BITS_PER_WORD:
        return np.zeros((0, 64), np.uint8), np.zeros(0), np.zeros(0, bool)
    codes = np.lib.stride_tricks.sliding_window_view(bits, 16).astype(np.int64) @ _SYNC_WEIGHTS
    forward = np.flatnonzero(codes == _SYNC_CODE)
    forward = forward[forward >= 64] - 64  # where the word's bit 0 is
    backward = np.flatnonzero(codes == _SYNC_CODE_BACKWARDS)
    backward = backward[backward + BITS_PER_WORD <= bits.size]
    breaks = np.concatenate([[0], np.cumsum(broken)])
    forward = forward[breaks[forward + BITS_PER_WORD] == breaks[forward]]
    backward = backward[breaks[backward + BITS_PER_WORD] == breaks[backward]]
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
) -> LtcDecoding:
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
        return LtcDecoding([], 0, int(words.shape[0]), 0)
    chosen = given or _infer_rate(ff, ss, drop, word_starts, valid, sample_rate)
    counting = _word_counting(chosen)
    valid &= ~invalid_fields(hh, mm, ss, ff, counting)
    invalid = int(np.count_nonzero(~valid))
    counts = np.full(words.shape[0], -1, np.int64)
    counts[valid] = fields_to_frames(hh[valid], mm[valid], ss[valid], ff[valid], counting)
    samples_per_word = sample_rate / float(word_rate(chosen))
    counts, repaired = _follow_neighbours(
        counts, word_starts, reverse, samples_per_word, counting.frames_per_day
    )
    keep = np.flatnonzero(counts >= 0)
    counts = counts[keep]
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
        repaired[keep].tolist(),
        strict=True,
    )
    frames = [
        DecodedFrame(str(label), count, at, chosen, ub, df, cf, bgf, back, fixed)
        for label, count, at, ub, df, cf, bgf, back, fixed in columns
    ]
    repaired_count = int(np.count_nonzero(repaired))
    # Words read but not kept: invalid ones not repaired, and valid ones that contradicted
    # their neighbours.
    not_kept = words.shape[0] - keep.size
    invalid_dropped = invalid - int(np.count_nonzero(repaired & ~valid))
    return LtcDecoding(frames, repaired_count, invalid_dropped, not_kept - invalid_dropped)


def _follow_neighbours(
    counts: NDArray[np.int64],
    starts: NDArray[np.int64],
    reverse: NDArray[np.bool_],
    samples_per_word: float,
    per_day: int,
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Counts that agree with the words around them; ``-1`` where a word is dropped.

    Two words in order agree when their counts differ by what the samples
    between them hold (words played forwards count up, backwards down; the
    tape's speed may be 0.9x to 1.1x) and they run the same way. A word that
    agrees with a word next to it, or with the one after that (across a
    misread word), stands. One that agrees with none (a label misread on a
    dirty signal, or an invalid one, ``-1``) is repaired when the words on
    both sides agree with each other across it, and dropped otherwise. A
    lone word stands: nothing contradicts it.
    """
    n = counts.size
    repaired = np.zeros(n, bool)
    if n < 2:
        return counts, repaired

    def agree(a: NDArray[np.int64], b: NDArray[np.int64]) -> NDArray[np.bool_]:
        direction = np.where(reverse[a], -1, 1)
        expected = (starts[b] - starts[a]) / samples_per_word
        step = (counts[b] - counts[a]) * direction
        step = (step + per_day // 2) % per_day - per_day // 2  # across midnight
        close = np.abs(step - expected) <= 0.5 + 0.12 * np.abs(expected)
        result: NDArray[np.bool_] = (
            close & (reverse[a] == reverse[b]) & (counts[a] >= 0) & (counts[b] >= 0)
        )
        return result

    index = np.arange(n)
    stands = np.zeros(n, bool)
    for distance in (1, 2):  # the next word, or the one after it across a misread one
        pairs = agree(index[:-distance], index[distance:])
        stands[:-distance] |= pairs
        stands[distance:] |= pairs
    # Repair: the words on both sides stand and agree across this one.
    inner = index[1:-1]
    across = np.zeros(n, bool)
    across[1:-1] = agree(inner - 1, inner + 1) & stands[inner - 1] & stands[inner + 1]
    fixable = ~stands & across
    result = np.where(stands, counts, -1)
    at = np.flatnonzero(fixable)
    direction = np.where(reverse[at - 1], -1, 1)
    # The neighbours' own pace (the tape's speed there): samples per count between them.
    across_counts = (counts[at + 1] - counts[at - 1]) * direction % per_day
    pace = (starts[at + 1] - starts[at - 1]) / np.maximum(across_counts, 1)
    offset = np.rint((starts[at] - starts[at - 1]) / pace).astype(np.int64)
    result[at] = (counts[at - 1] + direction * offset) % per_day
    repaired[at] = True
    return result, repaired


def _infer_rate(
    ff: NDArray[np.int64],
    ss: NDArray[np.int64],
    drop: NDArray[np.bool_],
    starts: NDArray[np.int64],
    valid: NDArray[np.bool_],
    sample_rate: int,
) -> FrameRate:
    """The rate from the frame numbers, the DF flag and the measured word rate.

    The frame count is the last frame number seen before one that starts the
    next second (neighbouring words only, so one misread label cannot make
    25 fps look like 30); without such a pair, the largest frame number that
    a neighbouring word follows by one; failing that, the largest at all.
    """
    spacing = np.diff(starts).astype(np.float64)
    typical = float(np.median(spacing)) if spacing.size else 0.0
    adjacent = np.abs(spacing - typical) <= 0.2 * typical
    both = valid[:-1] & valid[1:] & adjacent
    a, b = ff[:-1], ff[1:]
    wraps = np.concatenate(
        [
            a[both & (b == 0) & (ss[1:] == (ss[:-1] + 1) % 60)],  # forwards
            b[both & (a == 0) & (ss[:-1] == (ss[1:] + 1) % 60)],  # backwards
        ]
    )
    followed = np.concatenate([b[both & (b == a + 1)], a[both & (a == b + 1)]])
    if wraps.size:
        largest = int(np.bincount(wraps).argmax())
    elif followed.size:
        largest = int(followed.max())
    else:
        largest = int(ff[valid].max())
    nominal = 30 if largest >= 25 else 25 if largest == 24 else 24
    if nominal == 30 and bool(np.mean(drop[valid]) > 0.5):
        return FrameRate(Fraction(30000, 1001), True)
    # The word rate over the whole run: the spacing of neighbours is whole samples.
    span = float(starts[-1] - starts[0])
    measured = sample_rate * round(span / typical) / span if typical else nominal
    ntsc = nominal * 1000 / 1001
    if nominal in (24, 30) and abs(measured - ntsc) < min(abs(measured - nominal), 0.01):
        return FrameRate(Fraction(nominal * 1000, 1001), False)
    return FrameRate(Fraction(nominal), False)
