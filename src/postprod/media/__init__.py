"""The only package that imports PyAV: probe, decode, encode and mux media files.

PyAV, NumPy, libsndfile and soxr load when a file is first opened or decoded:
``probe`` and ``read_bext`` import PyAV inside their functions, and the decoding
and writing names below are looked up on first use, so a command that never
touches media does not pay for them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from postprod.media.bwf import Bext, read_bext
from postprod.media.probe import MediaInfo, StreamInfo, probe

if TYPE_CHECKING:
    from postprod.media.audio import AudioInfo, audio_info, iter_audio_blocks, read_audio
    from postprod.media.audio_write import write_audio

_LAZY = {
    "AudioInfo": "postprod.media.audio",
    "audio_info": "postprod.media.audio",
    "iter_audio_blocks": "postprod.media.audio",
    "read_audio": "postprod.media.audio",
    "write_audio": "postprod.media.audio_write",
}

__all__ = [
    "AudioInfo",
    "Bext",
    "MediaInfo",
    "StreamInfo",
    "audio_info",
    "iter_audio_blocks",
    "probe",
    "read_audio",
    "read_bext",
    "write_audio",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'postprod.media' has no attribute {name!r}")
    return getattr(import_module(module), name)
