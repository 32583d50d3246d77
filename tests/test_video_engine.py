"""The picture engine on arrays: wipes and dissolves."""

from __future__ import annotations

import numpy as np
import pytest

from postprod.errors import RenderError
from postprod.video.compose import black, dissolve
from postprod.video.wipes import PATTERNS, arrival, wipe, wipe_mask

W, H = 64, 36


@pytest.mark.parametrize("pattern", PATTERNS)
def test_every_wipe_goes_from_a_to_b_monotonically(pattern: str) -> None:
    times = arrival(pattern, W, H)
    a, b = black(W, H, (200, 0, 0)), black(W, H, (0, 0, 200))
    assert np.array_equal(wipe(a, b, times, 0.0), a)
    assert np.array_equal(wipe(a, b, times, 1.0, softness=0.2), b)
    shown = [float(wipe_mask(times, p, 0.1).mean()) for p in np.linspace(0, 1, 11)]
    assert shown == sorted(shown) and shown[0] == 0.0 and shown[-1] == 1.0


def test_horizontal_wipe_at_half_shows_each_source_on_its_side() -> None:
    a, b = black(W, H, (255, 255, 255)), black(W, H, (0, 0, 0))
    half = wipe(a, b, arrival("horizontal", W, H), 0.5)
    assert (half[:, : W // 2 - 1] == 0).all() and (half[:, W // 2 + 1 :] == 255).all()


def test_iris_opens_from_the_centre() -> None:
    mask = wipe_mask(arrival("iris", W, H), 0.3)
    assert mask[H // 2, W // 2] == 1.0 and mask[0, 0] == 0.0


def test_dissolve_midpoint_is_the_mean() -> None:
    a, b = black(W, H, (10, 100, 250)), black(W, H, (30, 0, 50))
    assert dissolve(a, b, 0.5)[0, 0].tolist() == [20, 50, 150]


def test_unknown_pattern() -> None:
    with pytest.raises(RenderError, match="unknown wipe pattern"):
        arrival("star", W, H)
