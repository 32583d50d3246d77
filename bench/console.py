"""Console (preview and meters): how soon a range plays, how fast proxies and meters run.

Builds the demo project (640x360, 25 fps, 12.5 s; no render) in a temporary
folder and measures, in this process:

- preview, cold: from the request (plan the range, name its segments) to the
  first segment written (50 frames, 320x180 H.264 + AAC, fragmented MP4), for a
  10 s range at the start and one at 2 s (its sound mixed from a 2 s pre-roll);
- preview, cached: the same request again, the segment found by its key;
- proxy frames per second: the whole 10 s range (5 segments) rendered cold;
  peer: a plain PyAV transcode of 10 s of a demo camera file at the same size
  and encoder settings (decode, swscale to 320x180, libx264 ultrafast CRF 28
  + AAC 128k, fragmented MP4), one file;
- meter frames per second of wall time for a 10 s range (the real mix, every
  strip's peak, true peak and PPM, the master's loudness); peer: FFmpeg's
  ebur128 filter (peak=true, through PyAV) on the same 10 s of the master,
  already mixed, which meters the master only and mixes nothing;
- how far a segment's sound is from the whole mix: as the preview mixes it (the
  demo has a pitch shifter, so from the programme's start), and from a 2 s
  pre-roll.

Run: ``.venv/bin/python bench/console.py [--repeat 3]``. Medians are printed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import av
import numpy as np

from postprod.demo.production import SOURCES, DemoSettings, make_project, write_source
from postprod.demo.sound import write_sounds
from postprod.media.writer import AudioSpec, MediaWriter
from postprod.render.meters import meter_frames
from postprod.render.mixdown import programme_sound
from postprod.render.preview import FRAGMENTED_MP4, PREVIEW, open_preview, render_segment

RANGE = 250  # frames: 10 s at 25 fps


def demo_project(folder: Path) -> Path:
    settings = DemoSettings()
    sources = tuple(write_source(folder / f"camera_{s.name}.mp4", s, settings) for s in SOURCES)
    sounds = write_sounds(
        folder,
        sample_rate=settings.sample_rate,
        line_s=settings.line_frames / float(settings.frame_rate),
        music_s=settings.programme_frames / float(settings.frame_rate) + 1,
    )
    return make_project(folder / "demo.otio", sources, sounds, settings).path


def median_s(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def first_segment(project: Path, cache: Path, start: int) -> Path:
    preview = open_preview(project, start, start + RANGE, cache)
    return preview.render(preview.segments[0])


def peer_transcode(source: Path, out: Path, frames: int) -> None:
    """PyAV alone: decode, scale, encode H.264 and AAC at the preview's settings."""
    with av.open(str(source)) as reader, av.open(str(out), "w", options=FRAGMENTED_MP4) as writer:
        video = writer.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = 320, 180, "yuv420p"
        video.options = {"crf": "28", "preset": "ultrafast"}
        audio = writer.add_stream("aac", rate=48000)
        audio.layout, audio.bit_rate = "stereo", 128_000
        for done, frame in enumerate(reader.decode(video=0)):
            if done == frames:
                break
            small = frame.reformat(width=320, height=180, format="yuv420p")
            small.pts = done
            writer.mux(video.encode(small))
        reader.seek(0)
        for frame in reader.decode(audio=0):
            if frame.pts is not None and frame.time >= frames / 25:
                break
            frame.pts = None
            writer.mux(audio.encode(frame))
        writer.mux(video.encode(None))
        writer.mux(audio.encode(None))


def peer_ebur128(wav: Path) -> None:
    with av.open(str(wav)) as container:
        stream = container.streams.audio[0]
        graph = av.filter.Graph()
        source = graph.add_abuffer(template=stream)
        meter = graph.add("ebur128", "peak=true:metadata=1")
        sink = graph.add("abuffersink")
        source.link_to(meter)
        meter.link_to(sink)
        graph.configure()
        for frame in container.decode(stream):
            source.push(frame)
            while True:
                try:
                    sink.pull()
                except (av.BlockingIOError, av.EOFError):
                    break


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-console-"))
    try:
        project = demo_project(folder)
        rows: list[tuple[str, str]] = []
        for start in (0, 50):
            caches = iter(folder / f"cold-{start}-{k}" for k in range(args.repeat))
            cold = median_s(
                lambda s=start, c=caches: first_segment(project, next(c), s), args.repeat
            )
            warm = folder / f"warm-{start}"
            first_segment(project, warm, start)
            cached = median_s(lambda s=start, w=warm: first_segment(project, w, s), args.repeat)
            rows.append((f"first segment, 10 s range from frame {start}: cold", f"{cold:.3f} s"))
            rows.append(
                (f"first segment, 10 s range from frame {start}: cached", f"{cached * 1000:.0f} ms")
            )

        def whole_range() -> None:
            cache = Path(tempfile.mkdtemp(dir=folder))
            preview = open_preview(project, 0, RANGE, cache)
            for _segment in preview.rendered():
                pass

        proxy_s = median_s(whole_range, args.repeat)
        peer_s = median_s(
            lambda: peer_transcode(folder / "camera_A.mp4", folder / "peer.mp4", 200),
            args.repeat,
        )
        proxy_fps, peer_fps = RANGE / proxy_s, 200 / peer_s
        rows.append(("proxy render, 10 s range (5 segments)", f"{proxy_fps:.0f} frames/s"))
        rows.append(("peer: PyAV transcode 8 s camera file at 320x180", f"{peer_fps:.0f} frames/s"))
        rows.append(("proxy / peer", f"{proxy_fps / peer_fps:.2f}"))

        meter_s = median_s(lambda: list(meter_frames(project, 0, RANGE)), args.repeat)
        preview = open_preview(project, 0, RANGE, folder / "x")
        master = np.concatenate(list(programme_sound(preview.plan)), axis=1)[:, : RANGE * 1920]
        wav = folder / "master.wav"
        with MediaWriter(wav, audio=AudioSpec(48000, 2, "pcm_f32le", None)) as writer:
            writer.write_audio(master)
        peer_meter_s = median_s(lambda: peer_ebur128(wav), args.repeat)
        rows.append(("meter frames (mix + meters), 10 s range", f"{RANGE / meter_s:.0f} frames/s"))
        rows.append(("  = x real time", f"{RANGE / meter_s / 25:.1f}"))
        rows.append(
            (
                "peer: ebur128 (PyAV) on the mixed 10 s master",
                f"{10 / peer_meter_s:.0f} x real time",
            )
        )

        # the sound of a segment against the whole mix (PCM, so no codec in between)
        pcm = replace(PREVIEW, suffixes=(".mov",), audio_codec="pcm_f32le", audio_bit_rate=None)
        whole = np.concatenate(list(programme_sound(preview.plan)), axis=1)
        for index in (2, 4):
            for preroll, label in ((preview.preroll_s, "as previewed"), (2.0, "2 s pre-roll")):
                segment = replace(preview.segments[index], path=folder / f"pcm{index}.mov")
                render_segment(
                    preview.plan, segment, preset=pcm, preroll_s=preroll, muxer_options={}
                )
                with av.open(str(segment.path)) as container:
                    blocks = [f.to_ndarray().reshape(-1, 2).T for f in container.decode(audio=0)]
                sound = np.concatenate(blocks, axis=1)
                first = segment.start_frame * 1920
                diff = np.abs(sound - whole[:, first : first + sound.shape[1]]).max()
                name = f"segment {index} sound vs whole mix ({label})"
                rows.append((name, f"{20 * np.log10(diff + 1e-12):.1f} dBFS max"))
        width = max(len(name) for name, _ in rows)
        for name, value in rows:
            print(f"{name:<{width}}  {value}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
