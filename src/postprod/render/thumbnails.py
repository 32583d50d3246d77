"""Thumbnails: one frame of a media file as a small JPEG, cached.

The file name is a hash of the media's path, size and modification time,
the frame and the width, so a changed file is read again; the JPEG is written
beside its final name and renamed when complete.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from PIL import Image

from postprod.atomic import replacing
from postprod.errors import MediaError
from postprod.media.video import VideoReader
from postprod.render.waveform import media_stamp

#: Bump when thumbnails are drawn differently.
_VERSION = 1


def thumbnail(
    media_path: str | os.PathLike[str],
    frame: int,
    width: int,
    cache_dir: str | os.PathLike[str],
    *,
    quality: int = 85,
) -> Path:
    """A JPEG of ``frame`` of the file, ``width`` pixels wide (its shape kept)."""
    if width < 2 or frame < 0:
        raise MediaError(
            f"thumbnail of frame {frame} at {width} px", fix="give a frame >= 0 and a width >= 2"
        )
    key = hashlib.sha256(
        f"{_VERSION}\0{media_stamp(media_path)}\0{frame}\0{width}\0{quality}".encode()
    ).hexdigest()[:24]
    folder = Path(cache_dir)
    target = folder / f"{Path(media_path).stem}-{key}.jpg"
    if target.is_file():
        return target
    with VideoReader(media_path) as reader:
        shape = reader.height / (reader.width * reader.pixel_aspect)
        height = max(2, round(width * shape / 2) * 2)
        picture = next(reader.frames(frame, 1, size=(width, height)))
    folder.mkdir(parents=True, exist_ok=True)
    with replacing(target) as temporary:
        Image.fromarray(picture).save(temporary, format="JPEG", quality=quality)
    return target
