"""The only package that imports PyAV: probe, decode, encode and mux media files."""

from postprod.media.audio import AudioInfo, audio_info, iter_audio_blocks, read_audio

__all__ = ["AudioInfo", "audio_info", "iter_audio_blocks", "read_audio"]
