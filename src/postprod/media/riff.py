"""A WAV's header against its length: a file cut short is an error, not a shorter file.

FFmpeg reads a WAV whose ``data`` chunk declares more bytes than the file holds
as a complete, shorter file; a copy interrupted half-way would then be measured,
normalised and delivered without a word. Only the first chunk headers are read.
"""

from __future__ import annotations

import struct
from pathlib import Path

from postprod.errors import MediaError

#: Sizes a streaming writer leaves when it cannot seek back (nothing to compare).
_UNKNOWN = {0, 0xFFFFFFFF}


def refuse_truncated_wav(file: Path) -> None:
    """Raise ``MediaError`` when ``file`` is a RIFF WAV whose data chunk runs past its end."""
    size = file.stat().st_size
    with open(file, "rb") as handle:
        head = handle.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return
        position = 12
        for _ in range(64):  # a WAV has a handful of chunks before its data
            handle.seek(position)
            chunk = handle.read(8)
            if len(chunk) < 8:
                return
            name, length = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if name == b"data":
                if length in _UNKNOWN:
                    return
                present = size - position - 8
                if present < length:
                    raise MediaError(
                        f"{str(file)!r} is truncated: its header declares {length} bytes of "
                        f"sound, the file holds {max(present, 0)}",
                        fix="copy or export the file again completely",
                    )
                return
            position += 8 + length + (length & 1)
