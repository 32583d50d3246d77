"""Picture QC: synthetic 320x180 programmes with one fault each, found at their exact timecodes.

Every programme is 7 s at 25 fps of a slowly moving grey ramp (within EBU R 103,
never still, never flashing); the fault runs from 2 s to 5 s (frames 50-124),
so each finding must read 00:00:02:00 to 00:00:05:00 (10:00:02:00 to 10:00:05:00
where the file has a start timecode). Encoded losslessly (x264 at qp 0), so
the code values the test writes are the ones QC reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest

from media_factory import tone
from postprod.cli import main
from postprod.deliver.picture_qc import measure_picture, picture_checks
from postprod.deliver.presets import find_preset
from postprod.qc.picture import PictureMeter
from postprod.qc.picture_rules import PictureRules

W, H, RATE, FRAMES = 320, 180, 25, 175
FAULT = range(50, 125)

Yuv = tuple[np.ndarray, np.ndarray, np.ndarray]


def ramp(index: int) -> Yuv:
    """The compliant picture: a grey ramp 60-160 moving 3 pixels a frame."""
    x = (np.arange(W) + 3 * index) % W
    y = np.broadcast_to((60 + 100 * x / W).astype(np.uint8), (H, W)).copy()
    chroma = np.full((H // 2, W // 2), 128, np.uint8)
    return y, chroma, chroma.copy()


def flat(y: int, u: int = 128, v: int = 128) -> Yuv:
    return (
        np.full((H, W), y, np.uint8),
        np.full((H // 2, W // 2), u, np.uint8),
        np.full((H // 2, W // 2), v, np.uint8),
    )


def black(index: int) -> Yuv:
    return flat(16)


def frozen(index: int) -> Yuv:
    return ramp(FAULT[0])


def r103_patch(index: int) -> Yuv:
    """Luma 250 (above 246) over 48x24 pixels: 2 % of the frame."""
    y, u, v = ramp(index)
    y[60:84, 100:148] = 250
    return y, u, v


def luminance_flash(index: int) -> Yuv:
    """5 Hz full screen: three frames of white, two of black."""
    return flat(235) if (index - FAULT[0]) % 5 < 3 else flat(16)


def red_flash(index: int) -> Yuv:
    """5 Hz between BT.709 red and the grey of the same luminance (no luminance flash)."""
    return flat(63, 102, 240) if (index - FAULT[0]) % 5 < 3 else flat(131)


def slow_flash(index: int) -> Yuv:
    """2.5 Hz full screen (five frames each way): 2.5 flashes a second, within the rule."""
    return flat(235) if (index - FAULT[0]) % 10 < 5 else flat(16)


def programme(
    path: Path,
    fault: Callable[[int], Yuv] | None,
    *,
    timecode: str | None = None,
    sound: bool = True,
) -> Path:
    """A 7 s programme: the ramp, with ``fault``'s pictures at frames 50-124, and a tone
    (unless ``sound`` is false: the picture measures need none)."""
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=RATE)
        video.width, video.height, video.pix_fmt = W, H, "yuv420p"
        video.options = {"qp": "0", "preset": "ultrafast"}
        if timecode:
            video.metadata["timecode"] = timecode
        audio = out.add_stream("aac", rate=48000) if sound else None
        if audio is not None:
            audio.layout = "stereo"
        for index in range(FRAMES):
            y, u, v = fault(index) if fault is not None and index in FAULT else ramp(index)
            packed = np.concatenate([y.ravel(), u.ravel(), v.ravel()]).reshape(H * 3 // 2, W)
            frame = av.VideoFrame.from_ndarray(packed, format="yuv420p")
            frame.pts = index
            out.mux(video.encode(frame))
        out.mux(video.encode())
        if audio is None:
            return path
        total = FRAMES * 48000 // RATE
        samples = tone(total, 48000, 440.0, channels=2) * np.float32(0.1)
        for start in range(0, total, 1024):
            block = np.ascontiguousarray(samples[:, start : start + 1024])
            chunk = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
            chunk.sample_rate, chunk.pts = 48000, start
            out.mux(audio.encode(chunk))
        out.mux(audio.encode())
    return path


def checks_of(path: Path) -> dict[str, dict]:
    rules = PictureRules()
    checks = picture_checks(measure_picture(path, rules), rules)
    return {c.name: {"passed": c.passed, "findings": c.findings, "value": c.value} for c in checks}


def spans(check: dict) -> list[tuple[str, str, str]]:
    return [(f.start_timecode, f.end_timecode, f.detail) for f in check["findings"]]


def test_the_control_finds_nothing(tmp_path: Path) -> None:
    checks = checks_of(programme(tmp_path / "control.mp4", None, sound=False))
    assert set(checks) == {
        "picture_black",
        "picture_freeze",
        "picture_levels",
        "picture_gamut",
        "picture_flash",
        "picture_pattern",
    }
    for name, check in checks.items():
        assert check["passed"] and not check["findings"], name


@pytest.mark.parametrize(
    ("fault", "failing", "detail", "end"),
    [
        (black, {"picture_black"}, "inside", "00:00:05:00"),
        (frozen, {"picture_freeze"}, "held", "00:00:05:00"),
        (r103_patch, {"picture_levels", "picture_gamut"}, "above range", "00:00:05:00"),
        (luminance_flash, {"picture_flash"}, "luminance", "00:00:05:00"),
        # a flash stretch ends where its last transition lands: red -> grey at frame 123
        # (grey -> ramp at 125 changes no red)
        (red_flash, {"picture_flash"}, "red", "00:00:04:23"),
    ],
)
def test_each_fault_is_found_at_its_timecodes(
    tmp_path: Path, fault: Callable[[int], Yuv], failing: set[str], detail: str, end: str
) -> None:
    checks = checks_of(programme(tmp_path / f"{fault.__name__}.mp4", fault, sound=False))
    assert {name for name, check in checks.items() if not check["passed"]} == failing
    for name in failing:
        assert spans(checks[name]) == [("00:00:02:00", end, detail)], name
    for name in set(checks) - failing:
        assert not checks[name]["findings"], name


def test_findings_carry_the_files_start_timecode(tmp_path: Path) -> None:
    path = programme(tmp_path / "black.mov", black, timecode="10:00:00:00", sound=False)
    checks = checks_of(path)
    assert spans(checks["picture_black"]) == [("10:00:02:00", "10:00:05:00", "inside")]
    assert checks["picture_black"]["value"] == 3.0


def test_black_at_head_and_tail_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "ends.mp4"
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=RATE)
        video.width, video.height, video.pix_fmt = W, H, "yuv420p"
        video.options = {"qp": "0", "preset": "ultrafast"}
        for index in range(FRAMES):
            y, u, v = flat(16) if index < 50 or index >= 125 else ramp(index)
            packed = np.concatenate([y.ravel(), u.ravel(), v.ravel()]).reshape(H * 3 // 2, W)
            frame = av.VideoFrame.from_ndarray(packed, format="yuv420p")
            frame.pts = index
            out.mux(video.encode(frame))
        out.mux(video.encode())
    check = checks_of(path)["picture_black"]
    assert check["passed"]
    assert spans(check) == [
        ("00:00:00:00", "00:00:02:00", "head"),
        ("00:00:05:00", "00:00:07:00", "tail"),
    ]


def test_two_and_a_half_flashes_a_second_pass(tmp_path: Path) -> None:
    checks = checks_of(programme(tmp_path / "slow.mp4", slow_flash, sound=False))
    assert checks["picture_flash"]["passed"]
    assert checks["picture_flash"]["value"] == 2.5


def test_meter_on_10_bit_arrays() -> None:
    """At 10 bits (code values x4) the same picture reads the same: 1000 is 8-bit 250."""
    meter = PictureMeter(25.0)
    for index in range(60):
        y, u, v = r103_patch(index) if index >= 10 else ramp(index)
        y, u, v = (plane.astype(np.uint16) << 2 for plane in (y, u, v))
        meter.feed(y, u, v, bits=10)
    result = meter.result()
    assert [(r.start, r.end) for r in result.levels] == [(10, 60)]
    assert result.levels[0].value == 250
    assert not result.black and not result.freeze and not result.flash


def test_qc_json_has_picture_checks_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = programme(tmp_path / "flash.mov", luminance_flash, timecode="01:00:00:00")
    status = main(
        ["qc", str(path), "--preset", "uk-broadcast", "--json", "--report", str(tmp_path)]
    )
    assert status == 3
    data = json.loads(capsys.readouterr().out)
    checks = {c["name"]: c for c in data["checks"]}
    flash = checks["picture_flash"]
    assert not flash["passed"] and flash["limit"] and "flash" in flash["message"]
    assert flash["findings"][0]["start_timecode"] == "01:00:02:00"
    assert flash["findings"][0]["end_timecode"] == "01:00:05:00"
    assert all(checks[n]["passed"] for n in ("picture_black", "picture_freeze", "picture_levels"))
    assert {"passed", "value", "limit", "message", "findings"} <= flash.keys()
    page = (tmp_path / "flash.uk-broadcast.qc.html").read_text()
    assert "picture_flash" in page and "01:00:02:00" in page


def test_presets_carry_picture_rules() -> None:
    assert find_preset("uk-broadcast").picture == PictureRules()
    assert find_preset("ebu-r128").picture is not None
    assert find_preset("atsc-a85").picture is not None
    assert find_preset("podcast").picture is None


def test_a_wrong_picture_key_is_one_error(tmp_path: Path) -> None:
    from postprod.errors import DeliveryError

    preset = tmp_path / "p.toml"
    preset.write_text(
        'name = "p"\ndescription = "d"\nstandard = "s"\ntrue_peak_max_dbtp = -1.0\n'
        "sample_rate = 48000\nbit_depth = 24\n[picture]\nflash_per_second = 3\n"
    )
    with pytest.raises(DeliveryError, match="unknown picture keys: flash_per_second"):
        find_preset(str(preset))


def test_one_pass_measures_the_sound_as_the_file_reader_does(tmp_path: Path) -> None:
    """With picture rules, one demux feeds picture and sound QC; the sound figures are those
    of the file's sound read on its own."""
    from postprod.deliver.measure import measure_file
    from postprod.deliver.qc import run_qc
    from postprod.media import iter_audio_blocks

    path = programme(tmp_path / "control.mov", None, timecode="10:00:00:00")
    report = run_qc(path, find_preset("uk-broadcast"))
    alone = measure_file(path)
    assert report.picture is not None and report.picture.result.frames == FRAMES
    assert report.loudness.integrated_lufs == pytest.approx(alone.integrated_lufs, abs=0.01)
    assert report.loudness.true_peak_dbtp == pytest.approx(alone.true_peak_dbtp, abs=0.01)
    assert report.stats.samples == sum(block.shape[1] for block in iter_audio_blocks(path))
    assert all(c.passed for c in report.checks if c.name.startswith("picture_"))


def _flashes(pictures: Callable[[int], np.ndarray], frames: int = 75) -> tuple[float, int]:
    """Most flashes in a second, and luminance findings, of luma planes fed at 25 fps."""
    meter = PictureMeter(25.0)
    chroma = np.full((18, 32), 128, np.uint8)
    for index in range(frames):
        meter.feed(pictures(index), chroma, chroma)
    result = meter.result()
    return result.max_flashes_per_s, len([r for r in result.flash if r.detail == "luminance"])


def luma(value: int, share: float = 1.0, rest: int = 16) -> np.ndarray:
    """A 64x36 luma plane: ``value`` over the top ``share`` of it, ``rest`` below."""
    plane = np.full((36, 64), rest, np.uint8)
    plane[: round(36 * share)] = value
    return plane


def test_the_flash_rule_limits() -> None:
    """BT.1702's conditions one by one, at 5 Hz (three frames one way, two the other)."""
    on = [index % 5 < 3 for index in range(75)]
    # full screen black/white: five flashes a second
    assert _flashes(lambda i: luma(235) if on[i] else luma(16)) == (5.0, 1)
    # both states bright (200 and 171 cd/m2): the darker is not below 160 cd/m2
    assert _flashes(lambda i: luma(235) if on[i] else luma(221))[1] == 0
    # 15 against 7 cd/m2 (a dark grey flicker): a change under 20 cd/m2
    assert _flashes(lambda i: luma(90) if on[i] else luma(70))[1] == 0
    # over 22 % of the screen: not more than a quarter; over 33 %: a flash
    assert _flashes(lambda i: luma(235, 8 / 36) if on[i] else luma(16))[1] == 0
    assert _flashes(lambda i: luma(235, 12 / 36) if on[i] else luma(16))[1] == 1
    # each change spread over two frames still completes its transition
    ramp_up = {0: 126, 1: 235, 2: 235, 3: 126, 4: 16}
    assert _flashes(lambda i: luma(ramp_up[i % 5]))[1] == 1
