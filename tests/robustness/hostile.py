"""Good and hostile inputs, made in a fraction of a second each.

WAVs are written by hand (any rate, any channel count, float with NaN/Inf,
a header that promises more than the file holds), so the suite does not rely
on the code it tests to make its inputs.
"""

from __future__ import annotations

import json
import struct
import zipfile
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio

from media_factory import write_video
from postprod.timeline.model import media_clip, rational_time

RATE = Fraction(25)


def wav_bytes(samples: np.ndarray, rate: int, *, as_float: bool = False) -> bytes:
    """A RIFF WAV of ``(channels, n)`` samples: 16-bit PCM, or 32-bit float (format 3)."""
    channels = samples.shape[0]
    if as_float:
        data = np.ascontiguousarray(samples.T, dtype="<f4").tobytes()
        fmt, width = 3, 4
    else:
        clipped = np.clip(np.nan_to_num(samples), -1, 1)
        data = np.ascontiguousarray((clipped.T * 32767).astype("<i2")).tobytes()
        fmt, width = 1, 2
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + len(data),
        b"WAVE",
        b"fmt ",
        16,
        fmt,
        channels,
        rate,
        rate * channels * width,
        channels * width,
        8 * width,
        b"data",
        len(data),
    )
    return header + data


def sine(seconds: float, rate: int, channels: int = 2, hz: float = 440.0) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return np.tile((0.25 * np.sin(2 * np.pi * hz * t)).astype(np.float32), (channels, 1))


def good_wav(path: Path, *, rate: int = 48000, channels: int = 2, seconds: float = 1.0) -> Path:
    path.write_bytes(wav_bytes(sine(seconds, rate, channels), rate))
    return path


def nonfinite_wav(path: Path, value: float) -> Path:
    """A float WAV holding ``value`` (NaN or +-Inf) in a tenth of its samples."""
    samples = sine(1.0, 48000)
    samples[:, ::10] = value
    path.write_bytes(wav_bytes(samples, 48000, as_float=True))
    return path


def truncated_wav(path: Path) -> Path:
    """A WAV whose header declares two seconds and whose data holds one."""
    whole = wav_bytes(sine(2.0, 48000), 48000)
    path.write_bytes(whole[: 44 + (len(whole) - 44) // 2])
    return path


def truncated_video(path: Path) -> Path:
    write_video(path, frames=25)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def good_video(path: Path) -> Path:
    return write_video(path, frames=25)


#: What a user may hand a command instead of a media file.
def _missing(path: Path) -> Path:
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def _text(path: Path) -> Path:
    path.write_text("These are my notes, not a recording.\n" * 20)
    return path


def _noise(path: Path) -> Path:
    path.write_bytes(np.random.default_rng(7).integers(0, 256, 20_000, np.uint8).tobytes())
    return path


def _truncated(path: Path) -> Path:
    return truncated_wav(path) if path.suffix == ".wav" else truncated_video(path)


BAD_MEDIA: dict[str, Callable[[Path], Path]] = {
    "missing": _missing,
    "directory": _folder,
    "empty": _empty,
    "text-as-media": _text,
    "binary-noise": _noise,
    "truncated": _truncated,
}


def project(folder: Path, name: str = "show.otio") -> Path:
    """A small real project: V1 a one-second picture clip, A1 a one-second sound clip."""
    good_video(folder / "cam.mp4")
    good_wav(folder / "dx.wav")
    timeline = otio.schema.Timeline("show", global_start_time=rational_time(90_000, RATE))
    v1 = otio.schema.Track("V1", kind=otio.schema.TrackKind.Video)
    v1.append(media_clip(Path("cam.mp4"), name="cam", rate=RATE, available_frames=25, duration=25))
    a1 = otio.schema.Track("A1", kind=otio.schema.TrackKind.Audio)
    a1.append(media_clip(Path("dx.wav"), name="dx", rate=RATE, available_frames=25, duration=25))
    timeline.tracks.extend([v1, a1])
    path = folder / name
    otio.adapters.write_to_file(timeline, str(path), adapter_name="otio_json")
    return path


def _first_clip_range(data: dict, key: str, value: object) -> dict:
    """Set ``key`` (duration/start) of the first clip's source range's ``value`` field."""
    clip = data["tracks"]["children"][0]["children"][0]
    clip["source_range"][key]["value"] = value
    return data


def _rate(value: object) -> Callable[[dict], dict]:
    def change(data: dict) -> dict:
        clip = data["tracks"]["children"][0]["children"][0]
        clip["source_range"]["duration"]["rate"] = value
        clip["source_range"]["start_time"]["rate"] = value
        return data

    return change


#: Hostile edits of a good project's JSON, by name.
HOSTILE_PROJECTS: dict[str, Callable[[dict], dict]] = {
    "duration-nan": lambda d: _first_clip_range(d, "duration", float("nan")),
    "duration-inf": lambda d: _first_clip_range(d, "duration", float("inf")),
    "duration-negative": lambda d: _first_clip_range(d, "duration", -25.0),
    "duration-zero": lambda d: _first_clip_range(d, "duration", 0.0),
    "duration-huge": lambda d: _first_clip_range(d, "duration", 1e12),
    "start-negative": lambda d: _first_clip_range(d, "start_time", -1e6),
    "rate-zero": _rate(0.0),
    "rate-negative": _rate(-25.0),
    "rate-nan": _rate(float("nan")),
    "rate-absurd": _rate(1e12),
    "not-a-timeline": lambda d: {"OTIO_SCHEMA": "Clip.2", "name": "x"},
    "unknown-schema": lambda d: {**d, "OTIO_SCHEMA": "Evil.1"},
}


def nested_project(folder: Path, depth: int) -> Path:
    """A project with stacks nested ``depth`` deep inside V1 (written as text: Python's
    own JSON writer would recurse as deep)."""
    path = project(folder)
    data = json.loads(path.read_text())
    data["tracks"]["children"][0]["children"].append("DEEP")
    level = '{"OTIO_SCHEMA": "Stack.1", "name": "deep", "metadata": {}, "children": ['
    deep = level * depth + "]}" * depth
    path.write_text(json.dumps(data).replace('"DEEP"', deep))
    return path


def hostile_project(folder: Path, kind: str) -> Path:
    path = project(folder)
    if kind == "garbage-json":
        path.write_text('{"OTIO_SCHEMA": "Timeline.1", "tracks": [')
        return path
    data = json.loads(path.read_text())
    path.write_text(json.dumps(HOSTILE_PROJECTS[kind](data)))
    return path


EDL_GARBAGE = "TITLE: x\n001  AX V C 00:00:00:00 99:99:99:99 garbage\n\x00\x01\x02 nonsense\n"

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xmeml version="4"><sequence><name>&lol9;</name><rate><timebase>25</timebase></rate>
<media><video><track></track></video></media></sequence></xmeml>
"""


def xxe(secret: Path) -> str:
    return f"""<?xml version="1.0"?>
<!DOCTYPE xmeml [ <!ENTITY leak SYSTEM "file://{secret}"> ]>
<xmeml version="4"><sequence><name>&leak;</name><duration>25</duration>
<rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate>
<media><video><track></track></video></media></sequence></xmeml>
"""


def otioz(path: Path, member: str, good: Path) -> Path:
    """An .otioz bundle whose media member is named ``member`` (``../x``, ``/tmp/x``)."""
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("content.otio", good.read_text())
        bundle.writestr("version.txt", "1.0.0")
        bundle.writestr(member, b"not media")
    return path
