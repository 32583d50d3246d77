"""The only package that imports PyAV: probe, decode, encode and mux media files."""

from postprod.media.audio import AudioInfo, audio_info, iter_audio_blocks, read_audio
from postprod.media.audio_write import write_audio
from postprod.media.bwf import Bext, read_bext
from postprod.media.probe import MediaInfo, StreamInfo, probe

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
