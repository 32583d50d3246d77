"""Picture QC on Y'CbCr planes: black, freeze, EBU R 103 levels and gamut, BT.1702 flashing
and regular patterns.

Feed one decoded picture at a time (code values, as the file carries them)
to :class:`PictureMeter`; :meth:`PictureMeter.result` gives the runs of
frames each rule finds. Every measure is a handful of NumPy operations per
frame, and the ones that are area fractions are taken on a grid: every s-th
pixel of every s-th row. A uniform sample estimates an area without bias,
which is all the black (98 % of pixels), R 103 (1 % of the picture) and
BT.1702 (25 % of the screen) rules ask of it. Black, freeze (mean absolute
difference) and luma out of range use a grid of about 270 rows (every 4th
pixel at 1080); R'G'B' and flashing, which need chroma, a grid of about 135
rows on chroma sites (s a multiple of the chroma subsampling, so each point
has its own Cb and Cr). The luma extremes are taken on every pixel; the
worst R'G'B' value is the grid's.

Display model for flashing: Y'CbCr -> R'G'B' by the file's matrix, R'G'B'
normalised on the narrow range, each through the BT.1886 EOTF with a black
level of 0 and a peak white of ``display_peak_cd_m2`` (200 cd/m2 by default:
L = 200 * V ** 2.4), luminance = 0.2126 R + 0.7152 G + 0.0722 B (BT.709).
A *transition* is a change of at least 20 cd/m2 of one pixel in one
direction (followed over as many frames as it takes), where the darker state
is below 160 cd/m2; the screen makes one when more than 25 % of it is in a
completed transition of that direction. Two opposing transitions are a flash;
more than ``flash_max_per_s`` flashes in any one second fail (ITU-R BT.1702,
Ofcom's rule 2.12: more than three). A saturated-red transition follows the
WCAG 2 definition: linear R/(R+G+B) >= 0.8 on one side, and a change of
320 * max(0, R - G - B) of more than 20, counted the same way.

Regular patterns (BT.1702, Ofcom; Wilkins, Emmett & Harding 2005): stripes of
more than five light-dark pairs, steps of 20 cd/m2 or more with the darker
below 160 cd/m2, over more than 25 % of the screen for more than 0.5 s, on the
same luminance grid (every 4th line of it scanned both ways; see
:func:`_pattern_share` and docs/QC.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from postprod.qc.picture_rules import PictureRules
from postprod.qc.runs import Run, RunFinder

#: Kr, Kb of the Y'CbCr matrices (ITU-R BT.709, BT.601, BT.2020).
_MATRIX_K = {"bt709": (0.2126, 0.0722), "bt601": (0.299, 0.114), "bt2020": (0.2627, 0.0593)}
_GRID_ROWS = 270
_FLASH_ROWS = 135
_PATTERN_CV = 0.15  # the most a pattern's periods vary (standard deviation / mean)
_PATTERN_LINES = 4  # patterns: every 4th line of the grid scanned, each along its length
_LUT_STEPS = 4  # the display model's table: quarter steps of an 8-bit code value


@dataclass(frozen=True, slots=True)
class FrameRun:
    """Frames ``start`` to ``end`` (the first frame after), with what was found there."""

    start: int
    end: int
    detail: str
    value: float


@dataclass(frozen=True, slots=True)
class PictureResult:
    """Every run each rule found, and the worst figures over the programme."""

    frames: int
    black: tuple[FrameRun, ...]  # detail: "head", "inside" or "tail"
    freeze: tuple[FrameRun, ...]
    levels: tuple[FrameRun, ...]  # luma out of range; value: worst code value
    gamut: tuple[FrameRun, ...]  # R'G'B' out of range; value: worst code value
    flash: tuple[FrameRun, ...]  # detail: "luminance" or "red"; value: flashes in a second
    pattern: tuple[FrameRun, ...]  # detail: "stripes"; value: largest share of the screen
    max_pattern_area: float
    max_luma_area: float
    max_rgb_area: float
    max_flashes_per_s: float
    max_red_flashes_per_s: float
    #: per frame, for plots: share of black pixels, share out of R 103 (luma, RGB), share
    #: in a stripe pattern
    black_share: NDArray[np.float32] = field(repr=False)
    luma_out_share: NDArray[np.float32] = field(repr=False)
    rgb_out_share: NDArray[np.float32] = field(repr=False)
    pattern_share: NDArray[np.float32] = field(repr=False)  # in a stripe pattern


@dataclass(slots=True)
class _Transitions:
    """Per-pixel excursions of one quantity, and the screen's transitions they add up to."""

    delta: float
    dark_limit: float
    area: float
    deadband: float = 0.0  # changes smaller than this neither start nor end an excursion
    events: list[tuple[int, int]] = field(default_factory=list)  # (frame, +1 or -1)
    _prev: NDArray[np.float32] | None = None
    _ext: NDArray[np.float32] | None = None
    _dirn: NDArray[np.int8] | None = None
    _done: NDArray[np.bool_] | None = None
    _up: bool = False
    _down: bool = False

    def feed(self, index: int, value: NDArray[np.float32]) -> None:
        if self._prev is None or self._prev.shape != value.shape:
            self._prev, self._ext = value, value
            self._dirn = np.zeros(value.shape, np.int8)
            self._done = np.zeros(value.shape, bool)
            return
        assert self._ext is not None and self._dirn is not None and self._done is not None
        change = value - self._prev
        step = (change > self.deadband).astype(np.int8) - (change < -self.deadband)
        reverse = (step != 0) & (step != self._dirn)
        ext = np.where(reverse, self._prev, self._ext)
        dirn = np.where(reverse, step, self._dirn)
        done = self._done & ~reverse
        amplitude = (value - ext) * dirn
        complete = amplitude >= self.delta
        if self.dark_limit < np.inf:
            complete &= np.minimum(ext, value) < self.dark_limit
        done |= complete
        n = value.size
        up = np.count_nonzero(done & (dirn > 0)) > self.area * n
        down = np.count_nonzero(done & (dirn < 0)) > self.area * n
        if up and not self._up:
            self.events.append((index, 1))
        if down and not self._down:
            self.events.append((index, -1))
        self._up, self._down = bool(up), bool(down)
        self._prev, self._ext, self._dirn, self._done = value, ext, dirn, done


class PictureMeter:
    """Streaming picture QC: feed each picture's planes in order, then ask :meth:`result`."""

    def __init__(self, frame_rate: float, rules: PictureRules | None = None) -> None:
        self.frame_rate = frame_rate
        self.rules = rules or PictureRules()
        self._rows: list[tuple[float, ...]] = []  # per frame: see _COLUMNS
        self._previous: NDArray[Any] | None = None
        self._luminance = _Transitions(
            self.rules.flash_delta_cd_m2,
            self.rules.flash_dark_cd_m2,
            self.rules.flash_area,
            deadband=self.rules.flash_delta_cd_m2 / 20,
        )
        self._red = _Transitions(20.0, np.inf, self.rules.flash_area, deadband=1.0)
        self._lut: NDArray[np.float32] | None = None
        self._pattern: list[float] = []  # per frame: share of the screen in a stripe pattern
        self._pending: NDArray[np.float32] | None = None  # the last odd frame's luminance

    def feed(
        self,
        y: NDArray[Any],
        u: NDArray[Any],
        v: NDArray[Any],
        *,
        bits: int = 8,
        full_range: bool = False,
        matrix: str = "bt709",
    ) -> None:
        """The next picture: its luma and chroma planes (code values, any bit depth)."""
        rules = self.rules
        index = len(self._rows)
        scale, offset = _to_8bit_narrow(bits, full_range)
        top = (1 << bits) - 1
        # the luma grid (~270 rows): black, freeze, luma out of range
        luma_step = _grid_step(y.shape[0], _GRID_ROWS, 1)
        yg = y[::luma_step, ::luma_step]
        black_lo, white = (0, top) if full_range else (16 << (bits - 8), 235 << (bits - 8))
        black_code = black_lo + rules.black_pixel_threshold * (white - black_lo)
        black = float(np.count_nonzero(yg <= black_code)) / yg.size
        grid = yg.astype(np.int16 if bits <= 14 else np.int32)
        previous = self._previous
        mafd = (
            float(np.abs(grid - previous).mean()) / top
            if previous is not None and previous.shape == grid.shape
            else 1.0
        )
        self._previous = grid
        low_code = (rules.luma_min_8bit - offset) / scale
        high_code = (rules.luma_max_8bit - offset) / scale
        luma_out = float(np.count_nonzero((yg < low_code) | (yg > high_code))) / yg.size
        luma_min = float(y.min()) * scale + offset
        luma_max = float(y.max()) * scale + offset
        # the chroma grid (~135 rows, on chroma sites): R'G'B' gamut and flashing
        sub_y, sub_x = max(1, y.shape[0] // u.shape[0]), max(1, y.shape[1] // u.shape[1])
        step = _grid_step(y.shape[0], _FLASH_ROWS, max(sub_y, sub_x))
        yc = y[::step, ::step]
        uc, vc = u[:: step // sub_y, :: step // sub_x], v[:: step // sub_y, :: step // sub_x]
        rows, cols = min(yc.shape[0], uc.shape[0]), min(yc.shape[1], uc.shape[1])
        luma8 = yc[:rows, :cols].astype(np.float32) * np.float32(scale) + np.float32(offset)
        rgb = _rgb8(luma8, uc[:rows, :cols], vc[:rows, :cols], bits, full_range, matrix)
        rgb_out_mask = (rgb < rules.rgb_min_8bit) | (rgb > rules.rgb_max_8bit)
        rgb_out = float(np.count_nonzero(rgb_out_mask.any(axis=0))) / luma8.size
        rgb_min, rgb_max = float(rgb.min()), float(rgb.max())
        linear = self._linear(rgb)
        luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        luminance *= np.float32(rules.display_peak_cd_m2)
        self._luminance.feed(index, luminance)
        self._rows.append((black, mafd, luma_out, luma_min, luma_max, rgb_out, rgb_min, rgb_max))
        if rules.pattern:
            self._feed_pattern(index, luminance)
        if rules.red_flash:
            total = linear.sum(axis=0)
            saturated = linear[0] >= 0.8 * total
            red = np.where(saturated & (total > 0), 320 * (linear[0] - linear[1] - linear[2]), 0)
            self._red.feed(index, np.maximum(red, 0).astype(np.float32))

    def _feed_pattern(self, index: int, luminance: NDArray[np.float32]) -> None:
        """Regular patterns on even frames; an odd frame is measured (one frame late) only
        where a neighbour has a pattern, so a run of three frames or more (the rule asks
        for half a second) keeps its exact first and last frame at half the cost."""
        shares, area = self._pattern, self.rules.pattern_area
        if index % 2:
            shares.append(0.0)
            self._pending = luminance
            return
        shares.append(_pattern_share(luminance, self.rules))
        beside = shares[index] > area or (index >= 2 and shares[index - 2] > area)
        if self._pending is not None and beside:
            shares[index - 1] = _pattern_share(self._pending, self.rules)
        self._pending = None

    def _linear(self, rgb8: NDArray[np.float32]) -> NDArray[np.float32]:
        """BT.1886 (black 0, gamma 2.4) of 8-bit narrow-range R'G'B', as 0..1, by a table."""
        if self._lut is None:
            codes = np.arange(256 * _LUT_STEPS, dtype=np.float64) / _LUT_STEPS
            self._lut = (np.clip((codes - 16) / 219, 0, 1) ** 2.4).astype(np.float32)
        index = np.clip(rgb8 * _LUT_STEPS + 0.5, 0, self._lut.size - 1).astype(np.intp)
        linear: NDArray[np.float32] = self._lut[index]
        return linear

    def result(self) -> PictureResult:
        """The runs each rule finds over every frame fed."""
        rules, rate = self.rules, self.frame_rate
        table = np.array(self._rows, np.float64).reshape(-1, 8)
        frames = table.shape[0]
        black_flags = table[:, 0] >= rules.black_area
        black = [
            FrameRun(run.start, run.end, _where(run, frames), run.length / rate)
            for run in _runs(black_flags, round(rules.black_min_s * rate))
        ]
        if not rules.black_allowed_at_ends:
            black = [FrameRun(r.start, r.end, "inside", r.value) for r in black]
        noise = 10 ** (rules.freeze_noise_db / 20)
        frozen = (table[:, 1] < noise) & ~black_flags
        freeze = [  # a run of frames equal to the one before: the picture held from run.start - 1
            FrameRun(run.start - 1, run.end, "held", (run.length + 1) / rate)
            for run in _runs(frozen, max(1, round(rules.freeze_min_s * rate) - 1))
        ]
        levels = _range_runs(table, 2, 3, 4, rules.luma_min_8bit, rules.luma_max_8bit, rules)
        gamut = _range_runs(table, 5, 6, 7, rules.rgb_min_8bit, rules.rgb_max_8bit, rules)
        limit = 2 * rules.flash_max_per_s
        window = round(rate)
        luminance_runs, luminance_worst = _flash_runs(self._luminance.events, window, limit)
        red_runs, red_worst = _flash_runs(self._red.events, window, limit)
        flash = [FrameRun(s, e, "luminance", n) for s, e, n in luminance_runs]
        flash += [FrameRun(s, e, "red", n) for s, e, n in red_runs]
        last_odd = self._pending is not None and len(self._pattern) >= 2
        if last_odd and self._pending is not None and self._pattern[-2] > rules.pattern_area:
            self._pattern[-1] = _pattern_share(self._pending, rules)
        self._pending = None
        shares = np.zeros(frames)
        shares[: len(self._pattern)] = self._pattern
        pattern_flags = shares > rules.pattern_area
        pattern = [  # "more than" pattern_min_s: one frame over it at least
            FrameRun(run.start, run.end, "stripes", float(shares[run.start : run.end].max()))
            for run in _runs(pattern_flags, int(rules.pattern_min_s * rate) + 1)
        ]
        return PictureResult(
            frames=frames,
            black=tuple(black),
            freeze=tuple(freeze),
            levels=tuple(levels),
            gamut=tuple(gamut),
            flash=tuple(sorted(flash, key=lambda r: r.start)),
            pattern=tuple(pattern),
            max_pattern_area=float(shares.max(initial=0.0)),
            max_luma_area=float(table[:, 2].max(initial=0.0)),
            max_rgb_area=float(table[:, 5].max(initial=0.0)),
            max_flashes_per_s=luminance_worst,
            max_red_flashes_per_s=red_worst,
            black_share=table[:, 0].astype(np.float32),
            luma_out_share=table[:, 2].astype(np.float32),
            rgb_out_share=table[:, 5].astype(np.float32),
            pattern_share=shares.astype(np.float32),
        )


def _grid_step(height: int, rows: int, multiple: int) -> int:
    """The step of a grid of about ``rows`` rows: a multiple of ``multiple``."""
    step = max(1, round(height / rows))
    return step + (-step) % multiple


def _to_8bit_narrow(bits: int, full_range: bool) -> tuple[float, float]:
    """Scale and offset taking a code value to its 8-bit narrow-range equivalent."""
    if full_range:
        return 219 / ((1 << bits) - 1), 16.0
    return 1 / (1 << (bits - 8)), 0.0


def _rgb8(
    luma8: NDArray[np.float32],
    u: NDArray[Any],
    v: NDArray[Any],
    bits: int,
    full_range: bool,
    matrix: str,
) -> NDArray[np.float32]:
    """R'G'B' as 8-bit narrow-range code values, shape (3, rows, cols)."""
    kr, kb = _MATRIX_K.get(matrix, _MATRIX_K["bt709"])
    kg = 1 - kr - kb
    mid = 1 << (bits - 1)
    # chroma as E'Cb, E'Cr times 219 (so added to 8-bit luma code values)
    chroma_scale = (219 / ((1 << bits) - 1)) if full_range else 219 / (224 << (bits - 8))
    cb = (u.astype(np.float32) - mid) * np.float32(chroma_scale)
    cr = (v.astype(np.float32) - mid) * np.float32(chroma_scale)
    rgb = np.empty((3, *luma8.shape), np.float32)
    rgb[0] = luma8 + np.float32(2 * (1 - kr)) * cr
    rgb[1] = (
        luma8 - np.float32(2 * kb * (1 - kb) / kg) * cb - np.float32(2 * kr * (1 - kr) / kg) * cr
    )
    rgb[2] = luma8 + np.float32(2 * (1 - kb)) * cb
    return rgb


def _runs(flags: NDArray[np.bool_], minimum: int) -> list[Run]:
    finder = RunFinder(max(1, minimum))
    finder.feed(flags)
    return finder.finish()


def _where(run: Run, frames: int) -> str:
    if run.start == 0:
        return "head"
    if run.end == frames:
        return "tail"
    return "inside"


def _range_runs(
    table: NDArray[np.float64],
    area_col: int,
    min_col: int,
    max_col: int,
    low: int,
    high: int,
    rules: PictureRules,
) -> list[FrameRun]:
    """Runs of frames with more than the allowed area out of ``low``..``high``; value:
    the worst 8-bit-equivalent code value in the run (the one furthest outside)."""
    flags = table[:, area_col] > rules.out_of_range_area
    found = []
    for run in _runs(flags, 1):
        lowest = float(table[run.start : run.end, min_col].min())
        highest = float(table[run.start : run.end, max_col].max())
        worst = lowest if low - lowest > highest - high else highest
        found.append(FrameRun(run.start, run.end, "below" if worst < low else "above", worst))
    return found


def _flash_runs(
    events: list[tuple[int, int]], window: int, limit: float
) -> tuple[list[tuple[int, int, float]], float]:
    """Stretches where a second holds more than ``limit`` transitions, each with its most
    flashes in a second; and the most flashes in any second of the programme.

    A transition's frame is the first frame of its new state, so a stretch runs from its
    first transition to its last: the frame where the picture has settled.
    """
    if not events:
        return [], 0.0
    frames = np.array([frame for frame, _ in events])
    counts = np.searchsorted(frames, frames + window, side="left") - np.arange(frames.size)
    worst = float(counts.max()) / 2
    runs: list[tuple[int, int, float]] = []
    for i in np.flatnonzero(counts > limit).tolist():
        start, end = int(frames[i]), int(frames[i + counts[i] - 1])
        flashes = float(counts[i]) / 2
        if runs and start <= runs[-1][1]:
            runs[-1] = (runs[-1][0], max(end, runs[-1][1]), max(flashes, runs[-1][2]))
        else:
            runs.append((start, end, flashes))
    return runs, worst


def _pattern_share(luminance: NDArray[np.float32], rules: PictureRules) -> float:
    """The share of the picture covered by a regular striped pattern (BT.1702).

    Stripes of any orientation cross either the rows or the columns of the grid (a
    diagonal both), so the two scans find them all: along each line, the luminance
    against its local mean (a box of 1/6 of the line: one period of the coarsest
    pattern that fits ``max_pairs + 1`` pairs) gives a light or dark state with a
    small hysteresis, and each change of state an edge. A pattern is a run of
    ``2 * (max_pairs + 1) - 1`` edges in one line (the boundaries of more than
    ``max_pairs`` pairs) whose every light-dark step is at least ``delta`` with the
    darker below ``dark``, and whose periods are regular (coefficient of variation
    under 0.15, of at least 4 grid points: noise and natural texture are not). It
    covers its edges' span and one stripe beyond each end. Every 4th line is scanned:
    a uniform sample of the lines estimates the area as the grids do.
    """
    every = _PATTERN_LINES
    rows = _stripe_cover(luminance[::every], rules)[:, ::every]
    columns = _stripe_cover(np.ascontiguousarray(luminance[:, ::every].T), rules).T[::every]
    return float(np.count_nonzero(rows | columns)) / rows.size


def _stripe_cover(lum: NDArray[np.float32], rules: PictureRules) -> NDArray[np.bool_]:
    """Where ``lum`` holds a regular stripe pattern, scanned along its rows."""
    n_rows, n_cols = lum.shape
    cover = np.zeros(lum.shape, bool)
    edges_needed = 2 * (int(rules.pattern_max_pairs) + 1) - 1
    if n_cols < 2 * edges_needed:
        return cover
    # local mean: a box of ~1/6 of the line, by one cumulative sum over the padded lines
    # laid end to end (1-D accumulations are several times faster than along an axis)
    half = max(1, n_cols // 12)
    width = n_cols + 2 * half + 1
    padded = np.concatenate(
        [np.repeat(lum[:, :1], half + 1, axis=1), lum, np.repeat(lum[:, -1:], half, axis=1)],
        axis=1,
    )
    total = np.cumsum(padded.ravel(), dtype=np.float64).reshape(n_rows, width)
    box = (total[:, 2 * half + 1 :] - total[:, : -2 * half - 1]) / (2 * half + 1)
    deviation = lum - box.astype(np.float32)
    dead = np.float32(rules.pattern_delta_cd_m2 / 4)
    state = (deviation > dead).astype(np.int8) - (deviation < -dead).astype(np.int8)
    # carry each state over the dead band that follows it (within its line)
    flat_index = np.arange(lum.size).reshape(n_rows, n_cols)
    carry = np.where(state != 0, flat_index, 0)
    carry[:, 0] = flat_index[:, 0]
    state = state.ravel()[np.maximum.accumulate(carry.ravel())].reshape(n_rows, n_cols)
    edge = (state[:, 1:] != state[:, :-1]) & (state[:, :-1] != 0)
    where = np.flatnonzero(edge)
    row, col = np.divmod(where, n_cols - 1)
    col += 1  # the first pixel of the new stripe
    if row.size < edges_needed + 1:
        return cover
    span = edges_needed - 1  # stripes between the first and the last edge
    n = row.size - span  # windows: edges i .. i + span
    # regular first (cheap, from the edges' places alone): periods edge i to i + 2
    period = col[2:] - col[:-2]
    p_sum = np.zeros(period.size + 1, np.int64)
    p_sq = np.zeros(period.size + 1, np.int64)
    np.cumsum(period, out=p_sum[1:])
    np.cumsum(period * period, out=p_sq[1:])
    k = span - 1  # periods inside a window: k * sum(p^2) - sum(p)^2 = k^2 var
    sums = p_sum[k : k + n] - p_sum[:n]
    spread = k * (p_sq[k : k + n] - p_sq[:n]) - sums * sums
    regular = (spread < (_PATTERN_CV * sums) ** 2) & (sums >= 4 * k)
    candidates = np.flatnonzero(regular & (row[span:] == row[:n]))
    if candidates.size == 0:
        return cover
    # then the contrast of the stripes i .. i + span - 1 of the regular windows only:
    # each stripe's extremes (reduceat over [start, end) pairs), a step's over two stripes
    marks = np.bincount(candidates, minlength=row.size + 1)
    marks -= np.bincount(candidates + span, minlength=row.size + 1)
    needed = np.flatnonzero(np.cumsum(marks[: row.size]) > 0)
    starts = row * n_cols + col
    bounds = np.stack([starts[needed], starts[needed + 1]], axis=1).ravel()
    flat_lum = lum.ravel()
    high = np.full(row.size, np.nan, np.float32)
    low = np.full(row.size, np.nan, np.float32)
    high[needed] = np.maximum.reduceat(flat_lum, bounds)[::2]
    low[needed] = np.minimum.reduceat(flat_lum, bounds)[::2]
    step_high = np.maximum(high[1:], high[:-1])
    step_low = np.minimum(low[1:], low[:-1])
    good = (step_high - step_low >= rules.pattern_delta_cd_m2) & (
        step_low < rules.pattern_dark_cd_m2
    )  # good[i - 1]: the step at edge i, between stripes i - 1 and i (NaN: not good)
    good_sum = np.concatenate([[0], np.cumsum(good, dtype=np.int32)])
    # the steps at edges i + 1 .. i + span - 1 all good: their stripes lie between the
    # window's edges (the stripe after the last may run on into the next line)
    all_good = good_sum[candidates + span - 1] - good_sum[candidates] == span - 1
    found = candidates[all_good]
    if found.size == 0:
        return cover
    stripe = (col[found + span] - col[found]) / span
    first = np.maximum(col[found] - stripe, 0).astype(np.intp)
    last = np.minimum(col[found + span] + stripe, n_cols).astype(np.intp)
    base = row[found] * (n_cols + 1)
    marks = np.bincount(base + first, minlength=n_rows * (n_cols + 1))
    marks -= np.bincount(base + last, minlength=n_rows * (n_cols + 1))
    cover = np.cumsum(marks.reshape(n_rows, n_cols + 1), axis=1)[:, :n_cols] > 0
    return cover
