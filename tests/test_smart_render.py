"""Smart render: whole GOPs of a source copied, the rest encoded. The output is decoded and
compared with the source (copied frames exactly) and with a full re-encode (the same pictures
everywhere); copied packets are counted byte for byte."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postprod.cli import main
from postprod.media.packets import PacketSources, StreamLayout
from postprod.media.video import VideoReader
from postprod.planner.plan import FrameRange, OutputFormat, plan
from postprod.project import save_project
from postprod.render.engine import render
from postprod.render.presets import PRESETS
from postprod.timeline.build import title_clip
from postprod.timeline.model import media_clip
from postprod.video import patterns
from postprod.video.patterns import read_barcode

W, H = 320, 180
FPS = Fraction(25)
GOP = 25


def camera(
    path: Path,
    *,
    frames: int = 150,
    size: tuple[int, int] = (W, H),
    codec: str = "libx264",
    options: dict[str, str] | None = None,
) -> Path:
    """Numbered cards in closed GOPs of 25 frames (a camera's long-GOP H.264), or ProRes 422
    HQ; ``options`` go over the encoder's settings."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=FPS)
        stream.width, stream.height = size
        if codec == "libx265":
            stream.pix_fmt = "yuv420p"
            params = f"log-level=error:keyint={GOP}:min-keyint={GOP}:scenecut=0:open-gop=0"
            stream.options = {
                "crf": "26",
                "preset": "fast",
                "x265-params": params,
                **(options or {}),
            }
            stream.codec_context.codec_tag = "hvc1"
        elif codec == "libx264":
            stream.pix_fmt = "yuv420p"
            stream.options = {
                "crf": "23",
                "preset": "veryfast",
                "x264-params": f"keyint={GOP}:min-keyint={GOP}:scenecut=0",
                **(options or {}),
            }
        else:
            stream.pix_fmt, stream.options = "yuv422p10le", {"profile": "3", **(options or {})}
        context = stream.codec_context
        context.colorspace = context.color_primaries = context.color_trc = 1
        context.color_range = 1
        for index in range(frames):
            card = patterns.test_card(size[0], size[1], index, (40, 70, 160))
            frame = av.VideoFrame.from_ndarray(card, format="rgb24").reformat(
                format=stream.pix_fmt,
                src_colorspace="ITU709",
                dst_colorspace="ITU709",
                src_color_range="JPEG",
                dst_color_range="MPEG",
            )
            frame.pts = index
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


def decoded(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def packets(path: Path) -> list[tuple[bytes, bool]]:
    """Each video packet's bytes, and whether it is a keyframe."""
    with av.open(str(path)) as container:
        return [(bytes(p), bool(p.is_keyframe)) for p in container.demux(video=0) if p.size]


def cuts(source: Path, pieces: list[tuple[int, int]]) -> otio.schema.Timeline:
    timeline = otio.schema.Timeline("cuts")
    track = otio.schema.Track("V1", kind=otio.schema.TrackKind.Video)
    for first, frames in pieces:
        track.append(
            media_clip(
                source,
                name=f"{source.stem} {first}",
                rate=FPS,
                available_frames=150,
                source_start=first,
                duration=frames,
            )
        )
    timeline.tracks.append(track)
    return timeline


# Three cuts: source 10..70 (whole GOPs: 25..50; the head of 50..75 up to 70), source 30..130
# (50..125; the head of 125..150 up to 130), source 0..150 (all six GOPs). A head copies as
# far as its packets show exactly its first frames: up to 3 frames short (x264's B-frames).
PIECES = [(10, 60), (30, 100), (0, 150)]
WHOLE_GOPS, HEADS = 25 + 75 + 150, 20 + 5
B_FRAMES = 3


def copied_between(
    result: object, whole: int, heads: int, cuts: int, b_frames: int = B_FRAMES
) -> bool:
    copied = result.frames_copied  # type: ignore[attr-defined]
    return bool(whole + heads - b_frames * cuts <= copied <= whole + heads)


SOURCE_FRAMES = [f for first, n in PIECES for f in range(first, first + n)]


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("smart")
    source = camera(folder / "cam.mp4")
    planned = plan(cuts(source, PIECES), OutputFormat(W, H, FPS))
    smart = render(planned, folder / "smart.mp4", smart=True)
    full = render(planned, folder / "full.mp4")
    return {"source": source, "smart": smart, "full": full}


def test_whole_gops_are_copied_and_counted(renders: dict[str, object]) -> None:
    smart, full = renders["smart"], renders["full"]
    assert copied_between(smart, WHOLE_GOPS, HEADS, 2) and full.frames_copied == 0  # type: ignore[attr-defined]
    source = packets(renders["source"])  # type: ignore[arg-type]
    others = {data for data, key in source if not key}
    keys = [data for data, key in source if key]
    # every copied packet is the source's, byte for byte (a GOP's first one after its
    # parameter sets, which travel in-band)
    out = packets(smart.path)  # type: ignore[attr-defined]
    copied = [
        data
        for data, key in out
        if (any(data.endswith(k) for k in keys) if key else data in others)
    ]
    assert len(copied) == smart.frames_copied  # type: ignore[attr-defined]
    assert sum(key for _, key in out) >= len(PIECES) + 6  # encoded pieces start GOPs too
    encoded = packets(full.path)  # type: ignore[attr-defined]
    assert not any(data in others for data, _ in encoded)


def test_the_copied_frames_decode_exactly_as_the_source_and_the_rest_as_a_full_encode(
    renders: dict[str, object],
) -> None:
    smart = decoded(renders["smart"].path)  # type: ignore[attr-defined]
    full = decoded(renders["full"].path)  # type: ignore[attr-defined]
    source = decoded(renders["source"])  # type: ignore[arg-type]
    assert len(smart) == len(full) == len(SOURCE_FRAMES)
    assert [read_barcode(f) for f in smart] == SOURCE_FRAMES  # every frame, joins included
    exact = [np.array_equal(s, source[k]) for s, k in zip(smart, SOURCE_FRAMES, strict=True)]
    assert sum(exact) >= renders["smart"].frames_copied  # type: ignore[attr-defined]
    for a, b in zip(smart, full, strict=True):  # and the same pictures as a full re-encode
        mse = np.mean((a.astype(float) - b.astype(float)) ** 2)
        assert 10 * np.log10(255**2 / max(mse, 1e-9)) > 35


def test_the_file_says_its_parameter_sets_are_in_band(renders: dict[str, object]) -> None:
    with av.open(str(renders["smart"].path)) as container:  # type: ignore[attr-defined]
        assert container.streams.video[0].codec_context.codec_tag == "avc3"
        assert container.streams.video[0].frames == len(SOURCE_FRAMES)
    with VideoReader(renders["smart"].path) as reader:  # type: ignore[attr-defined]
        for index in (300, 40, 71, 5, 200, 129):  # seeks land on the right frame
            assert read_barcode(next(reader.frames(index, 1))) == SOURCE_FRAMES[index]


def test_transitions_titles_and_upper_tracks_are_encoded(tmp_path: Path) -> None:
    source = camera(tmp_path / "cam.mp4")
    timeline = cuts(source, [(0, 75), (75, 75)])
    track = timeline.tracks[0]
    dissolve = otio.schema.Transition(
        in_offset=otio.opentime.RationalTime(10, 25), out_offset=otio.opentime.RationalTime(10, 25)
    )
    track.insert(1, dissolve)  # frames 65..85 dissolve: GOPs 50..75 and 75..100 are not whole
    upper = otio.schema.Track("V2", kind=otio.schema.TrackKind.Video)
    upper.append(
        otio.schema.Gap(
            source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(110, 25))
        )
    )
    upper.append(title_clip("over", 10, FPS, style="lower-third"))  # 110..120 covered
    timeline.tracks.append(upper)
    planned = plan(timeline, OutputFormat(W, H, FPS))
    result = render(planned, tmp_path / "out.mp4", smart=True)
    # copied: 0..50 and the head of 50..75 up to the dissolve at 65; the head of 100..125 up
    # to the title at 110; 125..150 after it. Encoded: the dissolve, 85..100, the title.
    assert copied_between(result, 50 + 25, 15 + 10, 2)
    frames = decoded(result.path)
    assert [read_barcode(f) for f in frames[:60]] == list(range(60))
    assert [read_barcode(f) for f in frames[125:]] == list(range(125, 150))


def test_a_source_of_another_size_or_a_range_render(tmp_path: Path) -> None:
    small = camera(tmp_path / "small.mp4", size=(160, 90))
    planned = plan(cuts(small, [(0, 150)]), OutputFormat(W, H, FPS))
    assert render(planned, tmp_path / "big.mp4", smart=True).frames_copied == 0
    source = camera(tmp_path / "cam.mp4")
    ranged = plan(cuts(source, [(0, 150)]), OutputFormat(W, H, FPS)).with_range(FrameRange(10, 80))
    result = render(ranged, tmp_path / "range.mp4", smart=True)
    assert copied_between(result, 50, 15, 1)  # 25..75, and 75..90 of the range 10..90
    assert [read_barcode(f) for f in decoded(result.path)] == list(range(10, 90))


@pytest.mark.parametrize(
    "x264",
    [
        {"profile": "baseline"},  # no B-frames: no reorder delay
        {"profile": "main", "x264-params": "keyint=30:min-keyint=30:scenecut=0:bframes=5"},
    ],
)
def test_sources_of_other_profiles_and_b_frame_depths_join_cleanly(
    tmp_path: Path, x264: dict[str, str]
) -> None:
    source = camera(tmp_path / "cam.mp4", options=x264)
    pieces = [(7, 60), (33, 80), (0, 150), (61, 40)]
    result = render(
        plan(cuts(source, pieces), OutputFormat(W, H, FPS)), tmp_path / "o.mp4", smart=True
    )
    assert result.frames_copied > 150
    expected = [f for first, n in pieces for f in range(first, first + n)]
    assert [read_barcode(f) for f in decoded(result.path)] == expected


def test_hevc_copies_closed_gops_and_not_open_ones(tmp_path: Path) -> None:
    closed = camera(tmp_path / "closed.mp4", codec="libx265")
    pieces = [(10, 60), (30, 100)]
    result = render(
        plan(cuts(closed, pieces), OutputFormat(W, H, FPS)),
        tmp_path / "out.mp4",
        preset=PRESETS["h265"],
        smart=True,
    )
    assert copied_between(result, 25 + 75, 20 + 5, 2, b_frames=4)  # x265: 4 B-frames
    expected = [f for first, n in pieces for f in range(first, first + n)]
    frames, source = decoded(result.path), decoded(closed)
    assert [read_barcode(f) for f in frames] == expected
    exact = sum(np.array_equal(f, source[k]) for f, k in zip(frames, expected, strict=True))
    assert exact >= result.frames_copied
    with av.open(str(result.path)) as container:
        assert container.streams.video[0].codec_context.codec_tag == "hev1"
    # x265's default open GOPs: only the first keyframe is an IDR picture, so a cut that
    # starts later copies nothing
    params = f"log-level=error:keyint={GOP}:min-keyint={GOP}:scenecut=0:open-gop=1"
    opened = camera(tmp_path / "open.mp4", codec="libx265", options={"x265-params": params})
    planned = plan(cuts(opened, [(10, 100)]), OutputFormat(W, H, FPS))
    assert (
        render(planned, tmp_path / "o.mp4", preset=PRESETS["h265"], smart=True).frames_copied == 0
    )


def test_prores_copies_any_frame_range(tmp_path: Path) -> None:
    source = camera(tmp_path / "cam.mov", frames=40, codec="prores_ks")
    sources = PacketSources()
    layout = sources.layout(str(source))
    sources.close()
    assert layout is not None and layout.gop_starts == tuple(range(40))
    planned = plan(cuts(source, [(3, 17), (20, 11)]), OutputFormat(W, H, FPS))
    result = render(planned, tmp_path / "out.mov", preset=PRESETS["prores"], smart=True)
    assert result.frames_copied == 28
    out, original = decoded(result.path), decoded(source)
    expected = [*range(3, 20), *range(20, 31)]
    assert all(np.array_equal(a, original[k]) for a, k in zip(out, expected, strict=True))
    lt = camera(tmp_path / "lt.mov", frames=40, codec="prores_ks", options={"profile": "1"})
    planned = plan(cuts(lt, [(3, 17)]), OutputFormat(W, H, FPS))
    result = render(planned, tmp_path / "hq.mov", preset=PRESETS["prores"], smart=True)
    assert result.frames_copied == 0  # ProRes 422 LT is not copied into a 422 HQ file


def test_the_command_reports_what_it_copied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = camera(tmp_path / "cam.mp4")
    project = tmp_path / "p.otio"
    save_project(cuts(source, [(0, 150)]), project)
    assert main(["render", str(project), "-o", str(tmp_path / "o.mp4"), "--smart"]) == 0
    assert "150 of 150 frames copied" in capsys.readouterr().out.replace("\n", " ")


def test_the_head_of_a_gop_copies_as_far_as_its_packets_show_whole_frames() -> None:
    # one GOP of ten frames, B-pyramid decode order: I0 P4 B2 b1 b3 P8 B6 b5 b7 P9
    layout = StreamLayout(
        "h264", W, H, "yuv420p", FPS, True, 10, (0,), 2, (0, 4, 2, 1, 3, 8, 6, 5, 7, 9)
    )
    assert layout.copyable(0, 10) == [(0, 10)]  # the whole GOP
    assert layout.copyable(0, 6) == [(0, 5)]  # I0 P4 B2 b1 b3 show 0..4; 5 needs P8
    assert layout.copyable(0, 3) == [(0, 1)]  # B2 and b1 need P4, which shows at 4
    assert layout.copyable(1, 9) == []  # no keyframe at 1: encoded


@st.composite
def _gops(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """A stream of closed GOPs in decode order: each an I frame, then mini-GOPs of a P frame
    followed by the B frames before it (any order among them), as x264 writes them."""
    order: list[int] = []
    starts: list[int] = []
    frame = 0
    for _ in range(draw(st.integers(1, 4))):
        starts.append(frame)
        order.append(frame)
        frame += 1
        for _ in range(draw(st.integers(0, 5))):
            b_frames = draw(st.integers(0, 3))
            order.append(frame + b_frames)  # the P frame first
            order.extend(draw(st.permutations(list(range(frame, frame + b_frames)))))
            frame += b_frames + 1
    return tuple(order), tuple(starts), frame


@given(_gops(), st.data())
@settings(max_examples=200, deadline=None)
def test_copied_runs_are_decodable_prefixes_inside_the_range(
    stream: tuple[tuple[int, ...], tuple[int, ...], int], data: st.DataObject
) -> None:
    order, starts, frames = stream
    first = data.draw(st.integers(0, frames - 1))
    count = data.draw(st.integers(1, frames - first))
    layout = StreamLayout("h264", W, H, "yuv420p", FPS, True, frames, starts, 3, order)
    for start, length in layout.copyable(first, count):
        assert start in starts and first <= start and start + length <= first + count
        # the packets from the run's keyframe, in decode order, up to its last frame, show
        # exactly the run's frames: they decode from themselves and show nothing else
        at = order.index(start)
        taken = order[at : at + length]
        assert sorted(taken) == list(range(start, start + length))
    whole = [
        (s, e)
        for s, e in zip(starts, (*starts[1:], frames), strict=True)
        if first <= s and e <= first + count
    ]
    copied = {f for s, n in layout.copyable(first, count) for f in range(s, s + n)}
    assert all(f in copied for s, e in whole for f in range(s, e))  # whole GOPs always copy
