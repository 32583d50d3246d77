"""Output presets: each writes the codec, pixel format and sound it promises, decoded back."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from postprod.cli import main
from postprod.demo.production import run_demo
from postprod.media import read_audio
from postprod.media.bwf import read_bext
from postprod.planner.plan import OutputFormat, plan
from postprod.project import load_project
from postprod.render.engine import frames_at
from test_render import SMALL

RANGE = "30-50"  # 20 frames across the cut into B and the start of the dissolve
FIRST_TC = 90_000 + 30  # 01:00:00:00 at 25 fps, plus the range's start


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_demo(tmp_path_factory.mktemp("demo"), settings=SMALL).project


def _streams(path: Path) -> tuple[str, str, str | None, int, str, str]:
    with av.open(str(path)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        frames = sum(1 for _ in container.decode(video=0))
        return (
            video.codec_context.name,
            video.codec_context.pix_fmt,
            video.metadata.get("timecode"),
            frames,
            audio.codec_context.name,
            video.codec_tag,
        )


@pytest.mark.parametrize(
    ("preset", "suffix", "codec", "pixels", "sound", "tag"),
    [
        ("h264", ".mp4", "h264", "yuv420p", "aac", "avc1"),
        ("h265", ".mp4", "hevc", "yuv420p", "aac", "hvc1"),
        ("prores", ".mov", "prores", "yuv422p10le", "pcm_s24le", "apch"),  # apch: 422 HQ
        ("dnxhr", ".mov", "dnxhd", "yuv422p", "pcm_s24le", "AVdh"),
    ],
)
def test_each_preset_writes_what_it_promises(
    project: Path,
    tmp_path: Path,
    preset: str,
    suffix: str,
    codec: str,
    pixels: str,
    sound: str,
    tag: str,
) -> None:
    out = tmp_path / f"out{suffix}"
    assert main(["render", str(project), "-o", str(out), "--preset", preset, "--range", RANGE]) == 0
    assert _streams(out) == (codec, pixels, "01:00:01:05", 20, sound, tag)
    audio, rate = read_audio(out)
    assert rate == 48000 and abs(audio.shape[1] - 20 * 1920) <= (2048 if sound == "aac" else 0)


def test_png_sequence_is_lossless_and_numbered_by_timecode(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "frames"
    assert main(["render", str(project), "-o", str(out), "--preset", "png", "--range", RANGE]) == 0
    images = sorted(out.glob("frames_*.png"))
    assert [p.name for p in images] == [f"frames_{FIRST_TC + k:07d}.png" for k in range(20)]
    timeline = load_project(project)
    planned = plan(timeline, OutputFormat(320, 180, Fraction(25)), project_folder=project.parent)
    composed = list(frames_at(planned, list(range(30, 50))))
    for image, frame in zip(images, composed, strict=True):
        assert np.array_equal(np.asarray(Image.open(image).convert("RGB")), frame)
    sound, _ = read_audio(out / "frames.wav")
    assert sound.shape[1] == 20 * 1920
    bext = read_bext(out / "frames.wav")
    assert bext is not None and bext.time_reference_samples == FIRST_TC * 1920
    assert not list(tmp_path.glob(".*"))  # the temporary folder is gone
    # rendering again replaces the folder whole
    assert main(["render", str(project), "-o", str(out), "--preset", "png", "--range", "0-5"]) == 0
    assert len(list(out.glob("*.png"))) == 5


def test_proxy_is_half_size_h264(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "proxy.mp4"
    assert main(["render", str(project), "-o", str(out), "--proxy", "--range", RANGE]) == 0
    with av.open(str(out)) as container:
        video = container.streams.video[0]
        assert (video.codec_context.name, video.width, video.height) == ("h264", 160, 90)
        assert sum(1 for _ in container.decode(video=0)) == 20


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--preset", "png", "-o", "{tmp}/a.mp4"], "folder of images"),
        (["--preset", "prores", "-o", "{tmp}/a.mp4"], "writes .mov"),
        (["--preset", "av1", "-o", "{tmp}/a.mp4"], "unknown output preset"),
        (["--proxy", "--preset", "h265", "-o", "{tmp}/a.mp4"], "not both"),
    ],
)
def test_a_wrong_preset_or_name_is_one_line(
    project: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    message: str,
) -> None:
    given = [a.replace("{tmp}", str(tmp_path)) for a in arguments]
    assert main(["render", str(project), *given]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 1 and message in errors[0]
    assert not list(tmp_path.iterdir())
