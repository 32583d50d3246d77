"""Where a recording's sound comes from: an audio input (PortAudio), or a stand-in.

Every input yields float32 ``(channels, n)`` blocks at its sample rate until
it ends (a file, a tone of set length) or the caller stops reading. The
device layer is ``sounddevice``, imported only when a device is opened, so a
machine without PortAudio or without inputs (a server, CI) records from
``file:PATH`` or ``tone:HZ`` through the same code after this layer.
"""

from __future__ import annotations

import importlib
import os
import queue
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from postprod.errors import MediaError
from postprod.media.audio import audio_info, iter_audio_blocks

#: Blocks of a tenth of a second: the meter's refresh and the most a stop can lose.
BLOCK_S = 0.1


class AudioInput(Protocol):
    """A source of sound to record."""

    @property
    def name(self) -> str: ...

    @property
    def sample_rate(self) -> int: ...

    @property
    def channels(self) -> int: ...

    def blocks(self) -> Iterator[NDArray[np.float32]]:
        """Float32 ``(channels, n)`` blocks as they arrive."""
        ...


@dataclass(frozen=True, slots=True)
class FileInput:
    """A file played in as if it were an input (``file:PATH``), paced in real time if asked."""

    path: str
    sample_rate: int
    channels: int
    realtime: bool = False

    @property
    def name(self) -> str:
        return f"file:{self.path}"

    def blocks(self) -> Iterator[NDArray[np.float32]]:
        step = max(1, round(BLOCK_S * self.sample_rate))
        started = time.monotonic()
        played = 0
        for block in iter_audio_blocks(self.path, block_samples=step, sample_rate=self.sample_rate):
            if self.realtime:
                time.sleep(max(0.0, started + played / self.sample_rate - time.monotonic()))
            played += block.shape[1]
            yield block


@dataclass(frozen=True, slots=True)
class ToneInput:
    """A sine at ``hz`` on every channel, at -18 dBFS (line-up level), for ``seconds`` if set."""

    hz: float
    sample_rate: int
    channels: int
    seconds: float | None = None
    level_dbfs: float = -18.0

    @property
    def name(self) -> str:
        return f"tone:{self.hz:g}"

    def blocks(self) -> Iterator[NDArray[np.float32]]:
        step = max(1, round(BLOCK_S * self.sample_rate))
        total = None if self.seconds is None else round(self.seconds * self.sample_rate)
        amplitude = 10 ** (self.level_dbfs / 20)
        done = 0
        while total is None or done < total:
            count = step if total is None else min(step, total - done)
            t = (done + np.arange(count)) / self.sample_rate
            wave = (amplitude * np.sin(2 * np.pi * self.hz * t)).astype(np.float32)
            yield np.tile(wave, (self.channels, 1))
            done += count


@dataclass(frozen=True, slots=True)
class DeviceInput:
    """An audio input through PortAudio (``sounddevice``): the device's first channels."""

    device: str | None
    sample_rate: int
    channels: int

    @property
    def name(self) -> str:
        return f"device:{self.device or 'default'}"

    def blocks(self) -> Iterator[NDArray[np.float32]]:
        sounddevice = _sounddevice()
        arrived: queue.Queue[NDArray[np.float32]] = queue.Queue()

        def callback(data: Any, _frames: int, _time: Any, _status: Any) -> None:
            arrived.put(np.ascontiguousarray(np.asarray(data, dtype=np.float32).T))

        try:
            stream = sounddevice.InputStream(
                device=self.device,
                samplerate=self.sample_rate,
                channels=self.channels,
                dtype="float32",
                blocksize=round(BLOCK_S * self.sample_rate),
                callback=callback,
            )
        except Exception as error:  # PortAudio's errors: no device, busy, rate refused
            raise MediaError(
                f"cannot open audio input {self.device or 'default'} ({error})",
                fix="check the device (python -m sounddevice lists them), or record from "
                "--input file:PATH or --input tone:HZ",
            ) from None
        with stream:
            while True:
                yield arrived.get()


def parse_input(
    text: str | None,
    sample_rate: int,
    channels: int,
    *,
    seconds: float | None = None,
    realtime: bool = False,
) -> AudioInput:
    """``file:PATH``, ``tone:HZ`` or a device name or number (None: the default device);
    a file plays in at its own pace with ``realtime``."""
    if text and text.startswith("file:"):
        path = text[len("file:") :]
        if not os.path.isfile(path):
            raise MediaError(f"input file {path} does not exist", fix="check the path")
        return FileInput(path, sample_rate, audio_info(path).channels, realtime)
    if text and text.startswith("tone:"):
        try:
            hz = float(text[len("tone:") :])
        except ValueError:
            raise MediaError(f"{text!r} is not a tone", fix="write e.g. tone:1000") from None
        return ToneInput(hz, sample_rate, channels, seconds)
    _sounddevice()  # refuse at once on a machine with no audio inputs
    return DeviceInput(text, sample_rate, channels)


def _sounddevice() -> Any:
    """The sounddevice module, or one clear error where PortAudio or inputs are missing."""
    try:
        module = importlib.import_module("sounddevice")
    except (ImportError, OSError) as error:
        raise MediaError(
            f"no audio input on this machine ({error})",
            fix="install PortAudio and pip install 'postprod[record]', or record from "
            "--input file:PATH or --input tone:HZ",
        ) from None
    try:
        inputs = [d for d in module.query_devices() if d.get("max_input_channels", 0) > 0]
    except Exception as error:  # PortAudio could not list devices
        inputs, reason = [], str(error)
    else:
        reason = "no input devices"
    if not inputs:
        raise MediaError(
            f"no audio input on this machine ({reason})",
            fix="connect an interface, or record from --input file:PATH or --input tone:HZ",
        )
    return module
