"""Regular patterns (ITU-R BT.1702, Ofcom): synthetic 320x180 programmes, found at their timecodes.

A programme is 4 s at 25 fps of the moving grey ramp of ``test_picture_qc``, with
stripes from 2 s (frame 50) for the given number of frames, encoded losslessly.
The stripes are vertical, luma 16/235 (0 and 200 cd/m2 on the BT.1886 display
model) unless a test says otherwise, and drift 2 pixels a frame (moving
patterns count as well as still ones).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest

from postprod.cli import main
from postprod.deliver.picture_qc import measure_picture, picture_checks
from postprod.qc.picture import PictureMeter
from postprod.qc.picture_rules import PictureRules

W, H, RATE, FRAMES, START = 320, 180, 25, 100, 50

Plane = np.ndarray


def ramp(index: int) -> Plane:
    """The compliant picture: a grey ramp 60-160 moving 3 pixels a frame."""
    x = (np.arange(W) + 3 * index) % W
    return np.broadcast_to((60 + 100 * x / W).astype(np.uint8), (H, W)).copy()


def stripes(
    index: int,
    pairs: float,
    *,
    share: float = 1.0,
    light: int = 235,
    dark: int = 16,
    horizontal: bool = False,
) -> Plane:
    """``pairs`` light-dark pairs of stripes across a centred box of ``share`` of the
    picture (the same proportions as the picture), over the ramp."""
    y = ramp(index)
    side = np.sqrt(share)
    rows, cols = round(H * side), round(W * side)
    top, left = (H - rows) // 2, (W - cols) // 2
    along = np.arange(rows if horizontal else cols)
    phase = ((along + 2 * index) * pairs / along.size) % 1 < 0.5
    line = np.where(phase, light, dark).astype(np.uint8)
    box = np.broadcast_to(line[:, None] if horizontal else line[None, :], (rows, cols))
    y[top : top + rows, left : left + cols] = box
    return y


def programme(path: Path, picture: Callable[[int], Plane], frames: int) -> Path:
    """The ramp, with ``picture(index)`` at frames ``START`` to ``START + frames``."""
    chroma = np.full((H // 2, W // 2), 128, np.uint8)
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=RATE)
        video.width, video.height, video.pix_fmt = W, H, "yuv420p"
        video.options = {"qp": "0", "preset": "ultrafast"}
        for index in range(FRAMES):
            y = picture(index) if START <= index < START + frames else ramp(index)
            packed = np.concatenate([y.ravel(), chroma.ravel(), chroma.ravel()])
            frame = av.VideoFrame.from_ndarray(packed.reshape(H * 3 // 2, W), format="yuv420p")
            frame.pts = index
            out.mux(video.encode(frame))
        out.mux(video.encode())
    return path


def pattern_check(path: Path) -> tuple[dict[str, bool], list[tuple[str, str, str]], float]:
    """Every check's pass, the pattern findings, and the pattern's largest share (%)."""
    rules = PictureRules()
    checks = {c.name: c for c in picture_checks(measure_picture(path, rules), rules)}
    check = checks["picture_pattern"]
    spans = [(f.start_timecode, f.end_timecode, f.detail) for f in check.findings]
    assert isinstance(check.value, float)
    return {name: c.passed for name, c in checks.items()}, spans, check.value


def test_eight_pairs_for_a_second_are_found_at_their_timecodes(tmp_path: Path) -> None:
    path = programme(tmp_path / "stripes.mp4", lambda i: stripes(i, 8), 25)
    passed, spans, share = pattern_check(path)
    assert spans == [("00:00:02:00", "00:00:03:00", "stripes pattern")]
    assert not passed["picture_pattern"] and share > 80
    # the stripes are steady: nothing else fails (the flash rule is about time, not space)
    assert all(ok for name, ok in passed.items() if name != "picture_pattern")


def test_horizontal_stripes_over_a_third_are_found(tmp_path: Path) -> None:
    path = programme(
        tmp_path / "third.mp4", lambda i: stripes(i, 8, share=0.36, horizontal=True), 25
    )
    assert pattern_check(path)[1] == [("00:00:02:00", "00:00:03:00", "stripes pattern")]


def test_what_the_rule_allows_passes(tmp_path: Path) -> None:
    """15 % of the screen, four pairs, a 20 -> 15 cd/m2 step (luma 90/70: 15 and 7 cd/m2),
    and 0.32 s of the pattern: each within the rule."""
    allowed = {
        "small": (lambda i: stripes(i, 8, share=0.15), 25),
        "four_pairs": (lambda i: stripes(i, 4), 25),
        "low_contrast": (lambda i: stripes(i, 8, light=90, dark=70), 25),
        "short": (lambda i: stripes(i, 8), 8),
    }
    for name, (picture, frames) in allowed.items():
        passed, spans, share = pattern_check(programme(tmp_path / f"{name}.mp4", picture, frames))
        assert passed["picture_pattern"] and not spans, name
        if name == "small":
            assert 10 < share < 20  # seen, but not over a quarter of the screen


def _meter_patterns(pictures: Callable[[int], Plane], frames: int = 40) -> tuple[int, float]:
    """Pattern findings and the largest share of luma planes fed at 25 fps."""
    meter = PictureMeter(25.0)
    chroma = np.full((H // 2, W // 2), 128, np.uint8)
    for index in range(frames):
        meter.feed(pictures(index), chroma, chroma)
    result = meter.result()
    return len(result.pattern), result.max_pattern_area


def test_texture_and_gradients_are_not_patterns() -> None:
    rng = np.random.default_rng(7)
    noise = rng.integers(16, 236, (H, W), dtype=np.uint8)
    blocks = np.kron(rng.integers(16, 236, (H // 4, W // 4)), np.ones((4, 4))).astype(np.uint8)
    gradient = np.broadcast_to(np.linspace(16, 235, H)[:, None], (H, W)).astype(np.uint8)
    for name, plane in {"noise": noise, "blocks": blocks, "gradient": gradient}.items():
        found, share = _meter_patterns(lambda i, p=plane: np.roll(p, i, axis=1))
        assert found == 0 and share < 0.25, name


def test_a_pattern_of_six_pairs_is_one_and_odd_frames_keep_exact_ends() -> None:
    """Six pairs (the fewest the rule forbids) from frame 11 to frame 27 (odd first and
    last frames: the meter measures odd frames only beside a pattern)."""
    found = PictureMeter(25.0)
    chroma = np.full((H // 2, W // 2), 128, np.uint8)
    for index in range(40):
        found.feed(stripes(index, 6) if 11 <= index < 28 else ramp(index), chroma, chroma)
    result = found.result()
    assert [(r.start, r.end) for r in result.pattern] == [(11, 28)]
    share = result.pattern_share  # the series the HTML report plots
    assert share.size == 40 and (share[11:28] > 0.8).all()
    assert not share[:11].any() and not share[28:].any()


def test_diagonal_stripes_and_a_checkerboard_are_patterns() -> None:
    yy, xx = np.mgrid[0:H, 0:W]
    diagonal = np.where(((xx + 0.6 * yy) / 36) % 1 < 0.5, 235, 16).astype(np.uint8)
    checker = np.where((xx // 20 + yy // 20) % 2 == 0, 235, 16).astype(np.uint8)
    for name, plane in {"diagonal": diagonal, "checker": checker}.items():
        found, share = _meter_patterns(lambda i, p=plane: np.roll(p, 2 * i, axis=1))
        assert found == 1 and share > 0.8, name


def test_qc_json_reports_the_pattern_check_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``qc --preset uk-broadcast --json``: stripes from 2 s to 5 s of a file starting at
    01:00:00:00 fail ``picture_pattern`` there, with every field a check carries."""
    from test_picture_qc import programme as programme_with_sound

    chroma = np.full((H // 2, W // 2), 128, np.uint8)
    path = programme_with_sound(
        tmp_path / "stripes.mov",
        lambda i: (stripes(i, 8), chroma, chroma.copy()),
        timecode="01:00:00:00",
    )
    status = main(
        ["qc", str(path), "--preset", "uk-broadcast", "--json", "--report", str(tmp_path)]
    )
    assert status == 3
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    pattern = checks["picture_pattern"]
    assert {"passed", "value", "limit", "message", "findings"} <= pattern.keys()
    assert not pattern["passed"] and "pattern" in pattern["message"]
    assert "5 light-dark pairs" in pattern["limit"]
    assert [(f["start_timecode"], f["end_timecode"]) for f in pattern["findings"]] == [
        ("01:00:02:00", "01:00:05:00")
    ]
    assert checks["picture_flash"]["passed"]
    page = (tmp_path / "stripes.uk-broadcast.qc.html").read_text()
    assert "picture_pattern" in page and "01:00:02:00" in page
