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

Then, against a real server (``postprod console demo.otio --no-browser --port 0``
in a subprocess; the token parsed from the address it prints; a plain HTTP client
and a WebSocket client, no browser):

- over HTTP: ``POST /api/preview`` of a 10 s range and ``GET`` of its first
  segment, cold (the server's preview cache emptied) and cached;
- meters over the WebSocket: ``{"type": "play", "from_frame": 0, "to_frame": 250}``
  and every ``meters`` message for the 10 s: the rate (goal >= 25/s), the lag of
  each frame behind the clock (arrival since play minus the frame's programme time:
  the server paces to the clock, so this is start-up plus delivery), the jitter of
  the inter-arrival times; alone, then while the same range's preview renders cold;
- memory over simulated use: a technician's loop (the state; a split and its undo;
  a 10 s preview and its five segments, cached after the first time; every tenth
  round a title edit that makes one segment new, fetched cold, then undone; a
  waveform's peaks; a thumbnail; play with meters for 1 s, stop), each of these one
  action; the server's RSS (``/proc/PID/status`` VmRSS, with its threads and open
  files) every 100 actions. ``--actions 3600`` is about an hour of clicking (one
  action a second); the default 700 takes 2-3 minutes; the slope after the warm-up
  (the first 15 %, at least 200 actions) says whether memory is flat: at most
  1 MB per 1000 actions (3.6 MB an hour). On the demo the warm-up lasts about 1300
  actions, so the default run's slope is mostly warm-up: use ``--actions 3600``.

Run: ``.venv/bin/python bench/console.py [--repeat 3] [--parts engines,server]
[--actions 700] [--demo FOLDER]`` (``--demo``: an existing demo folder, copied
first: the server edits the project and fills its cache). Medians are printed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

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


def engine_rows(project: Path, folder: Path, repeat: int) -> list[tuple[str, str]]:
    """The engines in this process: preview latency, proxy and meter speed, pre-roll."""
    rows: list[tuple[str, str]] = []
    for start in (0, 50):
        caches = iter(folder / f"cold-{start}-{k}" for k in range(repeat))
        cold = median_s(lambda s=start, c=caches: first_segment(project, next(c), s), repeat)
        warm = folder / f"warm-{start}"
        first_segment(project, warm, start)
        cached = median_s(lambda s=start, w=warm: first_segment(project, w, s), repeat)
        rows.append((f"first segment, 10 s range from frame {start}: cold", f"{cold:.3f} s"))
        rows.append(
            (f"first segment, 10 s range from frame {start}: cached", f"{cached * 1000:.0f} ms")
        )

    def whole_range() -> None:
        cache = Path(tempfile.mkdtemp(dir=folder))
        preview = open_preview(project, 0, RANGE, cache)
        for _segment in preview.rendered():
            pass

    proxy_s = median_s(whole_range, repeat)
    peer_s = median_s(
        lambda: peer_transcode(folder / "camera_A.mp4", folder / "peer.mp4", 200),
        repeat,
    )
    proxy_fps, peer_fps = RANGE / proxy_s, 200 / peer_s
    rows.append(("proxy render, 10 s range (5 segments)", f"{proxy_fps:.0f} frames/s"))
    rows.append(("peer: PyAV transcode 8 s camera file at 320x180", f"{peer_fps:.0f} frames/s"))
    rows.append(("proxy / peer", f"{proxy_fps / peer_fps:.2f}"))

    meter_s = median_s(lambda: list(meter_frames(project, 0, RANGE)), repeat)
    preview = open_preview(project, 0, RANGE, folder / "x")
    master = np.concatenate(list(programme_sound(preview.plan)), axis=1)[:, : RANGE * 1920]
    wav = folder / "master.wav"
    with MediaWriter(wav, audio=AudioSpec(48000, 2, "pcm_f32le", None)) as writer:
        writer.write_audio(master)
    peer_meter_s = median_s(lambda: peer_ebur128(wav), repeat)
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
            render_segment(preview.plan, segment, preset=pcm, preroll_s=preroll, muxer_options={})
            with av.open(str(segment.path)) as container:
                blocks = [f.to_ndarray().reshape(-1, 2).T for f in container.decode(audio=0)]
            sound = np.concatenate(blocks, axis=1)
            first = segment.start_frame * 1920
            diff = np.abs(sound - whole[:, first : first + sound.shape[1]]).max()
            name = f"segment {index} sound vs whole mix ({label})"
            rows.append((name, f"{20 * np.log10(diff + 1e-12):.1f} dBFS max"))
    return rows


# -- against a real server ----------------------------------------------------

WARM_SHARE = 0.15  # of the actions: the warm-up, left out of the slope
WARM_MIN = 200
FLAT_MB_PER_1000 = 1.0  # "flat": the slope after the warm-up at most this (MB per 1000)
FLOOR_WINDOW = 300  # actions: each holds a heap trim (every 30 s), so its least RSS is a floor
TITLE_EVERY = 10  # rounds: a title edit that makes one preview segment new
SPLITS = (30, 50, 70, 100, 120, 140, 180, 200, 220, 260, 280)  # inside V1's clips


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def slope_per_1000(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of (actions, MB), in MB per 1000 actions."""
    if len(points) < 2:
        return float("nan")
    xs = np.array([x for x, _ in points], dtype=float)
    ys = np.array([y for _, y in points], dtype=float)
    return float(np.polyfit(xs, ys, 1)[0] * 1000)


class Server:
    """``postprod console PROJECT --no-browser --port 0`` in a subprocess, always stopped."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.process: subprocess.Popen[str] | None = None
        self.base = ""
        self.token = ""
        self.lines: list[str] = []

    @property
    def command(self) -> list[str]:
        postprod = str(Path(sys.executable).with_name("postprod"))
        return [postprod, "console", str(self.project), "--no-browser", "--port", "0"]

    def __enter__(self) -> Server:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env["POSTPROD_LOG"] = str(self.project.parent / "studio-log")
        self.process = subprocess.Popen(
            [*self.command],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        try:
            deadline = time.monotonic() + 60
            assert self.process.stdout is not None
            while time.monotonic() < deadline:
                line = self.process.stdout.readline()
                if not line:
                    break
                self.lines.append(line.rstrip())
                found = re.search(r"(http://[^/\s]+)/\?token=(\S+)", line)
                if found:
                    self.base, self.token = found.group(1), found.group(2)
                    break
            if not self.token:
                raise RuntimeError("the console printed no address: " + " | ".join(self.lines))
            # keep reading its output (warnings) so the pipe never fills
            threading.Thread(target=self._drain, daemon=True).start()
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _drain(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def _wait_ready(self) -> None:
        import httpx

        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(self.base + "/api/operations", headers=self.headers, trust_env=False)
                return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def memory(self) -> dict[str, float]:
        """The server's RSS (MB), threads and open files now."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        return {
            "rss_mb": int(fields["VmRSS"].split()[0]) / 1024,
            "threads": int(fields["Threads"]),
            "files": len(os.listdir(f"/proc/{self.pid}/fd")),
        }

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Tab:
    """One WebSocket to the console, as a page holds it (no Origin: the token decides)."""

    def __init__(self, server: Server) -> None:
        from websockets.sync.client import connect

        self._stack = contextlib.ExitStack()
        self.socket = self._stack.enter_context(
            connect(
                server.base.replace("http://", "ws://") + "/ws",
                additional_headers=server.headers,
                proxy=None,
                max_size=1 << 22,
            )
        )

    def receive(self, timeout_s: float) -> dict[str, Any] | None:
        try:
            return json.loads(self.socket.recv(timeout=max(timeout_s, 0.0)))
        except TimeoutError:
            return None

    def drain(self) -> None:
        while self.receive(0.0) is not None:
            pass

    def play(self, start: int, end: int, listen_s: float) -> tuple[float, list[tuple[float, int]]]:
        """Play, and the (arrival since play, frame) of every meter frame within ``listen_s``
        (or until the range ends); returns the time play was sent, then the frames."""
        self.drain()
        self.socket.send(json.dumps({"type": "play", "from_frame": start, "to_frame": end}))
        sent = time.perf_counter()
        frames: list[tuple[float, int]] = []
        while (left := sent + listen_s - time.perf_counter()) > 0:
            message = self.receive(left)
            if message is None:
                break
            if message.get("type") == "meters":
                frames.append((time.perf_counter() - sent, int(message["frame"])))
            elif message.get("type") == "stopped":
                break
            elif message.get("type") == "error":
                raise RuntimeError(f"meters refused: {message['error']}")
        return sent, frames

    def stop(self) -> None:
        """Stop and wait for the server's ``stopped``."""
        self.socket.send(json.dumps({"type": "stop"}))
        deadline = time.perf_counter() + 10
        while (left := deadline - time.perf_counter()) > 0:
            message = self.receive(left)
            if message is None or message.get("type") == "stopped":
                return

    def close(self) -> None:
        self._stack.close()


@dataclass
class MeterRun:
    frames: list[tuple[float, int]]
    start_frame: int

    @property
    def rate(self) -> float:
        if len(self.frames) < 2:
            return 0.0
        return (len(self.frames) - 1) / (self.frames[-1][0] - self.frames[0][0])

    @property
    def lags_ms(self) -> list[float]:
        return [(at - (f - self.start_frame) / 25) * 1000 for at, f in self.frames]

    @property
    def gaps_ms(self) -> list[float]:
        return [(b[0] - a[0]) * 1000 for a, b in zip(self.frames, self.frames[1:], strict=False)]

    def rows(self, label: str) -> list[tuple[str, str]]:
        lags, gaps = self.lags_ms, self.gaps_ms
        met = "met" if self.rate >= 25 * 0.98 else "NOT met"
        return [
            (
                f"meters over WebSocket, {label}: updates",
                f"{len(self.frames)} in {self.frames[-1][0]:.2f} s = {self.rate:.2f}/s "
                f"(goal >= 25/s: {met})",
            ),
            (
                "  lag behind the clock (first / median / p95 / max)",
                f"{lags[0]:.0f} / {statistics.median(lags):.0f} / {percentile(lags, 0.95):.0f}"
                f" / {max(lags):.0f} ms",
            ),
            (
                "  inter-arrival (median / sd / p95 |gap - 40 ms| / max)",
                f"{statistics.median(gaps):.1f} / {statistics.pstdev(gaps):.1f} / "
                f"{percentile([abs(g - 40) for g in gaps], 0.95):.1f} / {max(gaps):.1f} ms",
            ),
        ]


def http_preview_rows(client: Any, server: Server, repeat: int) -> list[tuple[str, str]]:
    """POST /api/preview + GET the first segment over HTTP: cold and cached."""
    cache = server.project.with_name(server.project.name + ".cache") / "preview"

    def first() -> None:
        answer = client.post("/api/preview", json={"start_frame": 0, "end_frame": RANGE})
        answer.raise_for_status()
        client.get(answer.json()["segments"][0]["url"]).raise_for_status()

    times = []
    for _ in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        began = time.perf_counter()
        first()
        times.append(time.perf_counter() - began)
    cold_s = statistics.median(times)
    cached_s = median_s(first, max(repeat, 5))
    return [
        (
            "HTTP: POST /api/preview + GET first segment, cold",
            f"{cold_s:.3f} s (goal < 1.5 s: {'met' if cold_s < 1.5 else 'NOT met'})",
        ),
        (
            "HTTP: POST /api/preview + GET first segment, cached",
            f"{cached_s * 1000:.0f} ms (goal < 100 ms: {'met' if cached_s < 0.1 else 'NOT met'})",
        ),
    ]


def meters_while_rendering(client: Any, tab: Tab, server: Server) -> MeterRun:
    """Meters of 0..250 while the page fetches the same range's preview, cold."""
    shutil.rmtree(
        server.project.with_name(server.project.name + ".cache") / "preview", ignore_errors=True
    )
    errors: list[BaseException] = []

    def fetch() -> None:
        try:
            answer = client.post("/api/preview", json={"start_frame": 0, "end_frame": RANGE})
            for segment in answer.json()["segments"]:
                client.get(segment["url"]).raise_for_status()
        except BaseException as error:  # reported after the meters
            errors.append(error)

    fetcher = threading.Thread(target=fetch)
    fetcher.start()
    _, frames = tab.play(0, RANGE, 12)
    fetcher.join()
    tab.stop()
    if errors:
        raise errors[0]
    return MeterRun(frames, 0)


@dataclass
class Soak:
    """A technician's hour, compressed: the actions, and the server's memory along it."""

    samples: list[tuple[int, dict[str, float]]] = field(default_factory=list)
    actions: int = 0
    state_bytes: list[int] = field(default_factory=list)
    state_ms: list[float] = field(default_factory=list)
    cold_fetches: list[float] = field(default_factory=list)
    seconds: float = 0.0
    idle: dict[str, float] = field(default_factory=dict)  # just after the server started
    watched: list[tuple[int, float]] = field(default_factory=list)  # (actions, RSS MB), 2/s

    def floors(self) -> list[tuple[int, float]]:
        """The least RSS of each window of FLOOR_WINDOW actions, at the window's end.

        The server gives its free heap back every 30 s, so RSS saws between what it
        holds and what the allocator keeps between trims; a window's low point is what
        it holds. A leak raises the floors; slack only the peaks."""
        ends = range(FLOOR_WINDOW, self.actions + 1, FLOOR_WINDOW)
        return [
            (end, min(rss for n, rss in self.watched if end - FLOOR_WINDOW <= n < end))
            for end in ends
            if any(end - FLOOR_WINDOW <= n < end for n, _ in self.watched)
        ]


def soak(client: Any, tab: Tab, server: Server, total: int) -> Soak:
    media = [m["path"] for m in client.get("/api/state").json()["media"] if m["url"]]
    sound = [m for m in media if m.endswith(".wav")] or media
    picture = [m for m in media if m.endswith(".mp4")] or media
    found = Soak()
    found.samples.append((0, server.memory()))
    next_sample = 100
    began = time.perf_counter()
    stop = threading.Event()

    def watch() -> None:  # the server's RSS twice a second, with how far the loop is
        while not stop.wait(0.5):
            found.watched.append((found.actions, server.memory()["rss_mb"]))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()

    def done(count: int = 1) -> None:
        nonlocal next_sample
        found.actions += count
        while found.actions >= next_sample:
            found.samples.append((found.actions, server.memory()))
            next_sample += 100

    def ok(answer: Any) -> Any:
        if answer.status_code >= 400:
            raise RuntimeError(f"{answer.request.url}: {answer.status_code} {answer.text}")
        return answer

    round_ = 0
    while found.actions < total:
        t = time.perf_counter()
        answer = ok(client.get("/api/state"))
        found.state_ms.append((time.perf_counter() - t) * 1000)
        found.state_bytes.append(len(answer.content))
        done()
        split = {"op": "split", "track": "V1", "at": SPLITS[round_ % len(SPLITS)]}
        ok(client.post("/api/apply", json={"operations": [split], "description": "bench split"}))
        done()
        ok(client.post("/api/undo"))
        done()
        start = 50 * (round_ % 2)
        segments = ok(
            client.post("/api/preview", json={"start_frame": start, "end_frame": start + RANGE})
        ).json()["segments"]
        for segment in segments:
            ok(client.get(segment["url"]))
        done()
        if round_ % TITLE_EVERY == TITLE_EVERY - 1:
            title = {"op": "title", "track": "V2", "at": 245, "frames": 5}
            title["text"] = f"take {round_}"
            ok(client.post("/api/apply", json={"operations": [title], "description": "title"}))
            segments = ok(
                client.post("/api/preview", json={"start_frame": 0, "end_frame": RANGE})
            ).json()["segments"]
            t = time.perf_counter()
            for segment in segments:
                ok(client.get(segment["url"]))
            found.cold_fetches.append(time.perf_counter() - t)
            ok(client.post("/api/undo"))
            done(2)
        ok(client.get("/api/peaks", params={"media": sound[round_ % len(sound)]}))
        done()
        thumb = {"media": picture[round_ % len(picture)], "frame": (round_ * 5) % 150}
        ok(client.get("/api/thumbnail", params=thumb))
        done()
        tab.play(0, RANGE, 1.0)
        tab.stop()
        done()
        round_ += 1
    found.seconds = time.perf_counter() - began
    stop.set()
    watcher.join()
    return found


def soak_rows(found: Soak) -> list[tuple[str, str]]:
    warm = max(WARM_MIN, round(WARM_SHARE * found.actions))
    after = [(n, m["rss_mb"]) for n, m in found.samples if n >= warm]
    start, end = found.samples[0], found.samples[-1]
    warmed = after[0] if after else (end[0], end[1]["rss_mb"])
    slope_all = slope_per_1000([(n, m["rss_mb"]) for n, m in found.samples])
    slope = slope_per_1000(after)
    if slope != slope:  # NaN: too few samples after the warm-up
        flat = f"too few actions after the warm-up ({warm})"
    else:
        flat = "flat" if slope <= FLAT_MB_PER_1000 else "NOT flat"  # falling is not growth
    return [
        (
            "simulated use",
            f"{found.actions} actions in {found.seconds:.0f} s "
            f"({found.actions / found.seconds:.1f}/s; --actions 3600 ~ an hour of clicking)",
        ),
        (
            "server RSS: idle / loop start / after warm-up / end",
            f"{found.idle.get('rss_mb', float('nan')):.0f} / {start[1]['rss_mb']:.0f} / "
            f"{warmed[1]:.0f} (at {warmed[0]}) / "
            f"{end[1]['rss_mb']:.0f} MB (peak {max(m['rss_mb'] for _, m in found.samples):.0f})",
        ),
        (
            "server RSS slope after warm-up",
            f"{slope:+.2f} MB per 1000 actions (whole run {slope_all:+.2f}; "
            f"threshold +-{FLAT_MB_PER_1000:g}: {flat})",
        ),
        (
            f"server RSS floor (least in each {FLOOR_WINDOW} actions) slope after warm-up",
            _floor_row(found, warm),
        ),
        (
            "server threads / open files: start -> end",
            f"{start[1]['threads']:.0f} -> {end[1]['threads']:.0f} / "
            f"{start[1]['files']:.0f} -> {end[1]['files']:.0f}",
        ),
        (
            "GET /api/state: bytes, first -> last",
            f"{found.state_bytes[0]} -> {found.state_bytes[-1]} "
            f"({found.state_ms[0]:.0f} -> {found.state_ms[-1]:.0f} ms; the history grows)",
        ),
        (
            "title edit: 5 segments fetched, one new (median)",
            f"{statistics.median(found.cold_fetches):.2f} s ({len(found.cold_fetches)} times)"
            if found.cold_fetches
            else "-",
        ),
    ]


def _floor_row(found: Soak, warm: int) -> str:
    floors = found.floors()
    after = [(n, mb) for n, mb in floors if n - FLOOR_WINDOW >= warm]
    slope = slope_per_1000(after)
    if slope != slope:
        return f"too few windows after the warm-up ({warm} actions)"
    verdict = "flat" if slope <= FLAT_MB_PER_1000 else "NOT flat"
    shown = " ".join(f"{n}:{mb:.0f}" for n, mb in floors)
    return f"{slope:+.2f} MB per 1000 actions ({verdict}); floors {shown}"


def server_rows(project: Path, repeat: int, actions: int) -> list[tuple[str, str]]:
    import httpx

    rows: list[tuple[str, str]] = []
    with Server(project) as server:
        idle = server.memory()
        print(f"server: {' '.join(server.command)} (pid {server.pid})", file=sys.stderr)
        client = httpx.Client(
            base_url=server.base, headers=server.headers, trust_env=False, timeout=120
        )
        tab = Tab(server)
        try:
            rows += http_preview_rows(client, server, repeat)
            _, frames = tab.play(0, RANGE, 12)
            tab.stop()
            rows += MeterRun(frames, 0).rows("alone, 10 s")
            rows += meters_while_rendering(client, tab, server).rows("while the range renders cold")
            found = soak(client, tab, server, actions)
            found.idle = idle
            rows += soak_rows(found)
            print("server RSS every 100 actions (MB):", file=sys.stderr)
            print(
                "  " + " ".join(f"{n}:{m['rss_mb']:.0f}" for n, m in found.samples),
                file=sys.stderr,
            )
        finally:
            tab.close()
            client.close()
    if server.process is not None and server.process.poll() is None:
        raise RuntimeError("the console did not stop")
    return rows


def show(rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--parts", default="engines,server", help="engines, server or both (comma-separated)"
    )
    parser.add_argument(
        "--actions", type=int, default=700, help="simulated technician actions (3600 ~ an hour)"
    )
    parser.add_argument("--demo", type=Path, help="an existing demo folder (copied first)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    folder = Path(tempfile.mkdtemp(prefix="bench-console-"))
    try:
        if args.demo is not None:
            shutil.copytree(args.demo, folder / "demo", symlinks=True)
            project = next((folder / "demo").glob("*.otio"))
            shutil.rmtree(project.with_name(project.name + ".cache"), ignore_errors=True)
        else:
            project = demo_project(folder)
        print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if "engines" in parts:
            show(engine_rows(project, project.parent, args.repeat))
        if "server" in parts:
            show(server_rows(project, args.repeat, args.actions))
        print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
