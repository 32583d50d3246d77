"""Opening media through PyAV with its errors turned into ours.

Every module of ``postprod.media`` opens files through :func:`open_input`, so
a missing, empty, truncated or non-media file gives the same clear error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from postprod.errors import MediaError, MediaNotFoundError
from postprod.media.riff import refuse_truncated_wav


def check_readable(path: str | os.PathLike[str]) -> Path:
    """The path, or a clear error if it is missing, a folder or empty."""
    file = Path(path)
    if not file.exists():
        raise MediaNotFoundError(
            f"media file {str(file)!r} does not exist", fix="check the path and the file name"
        )
    if file.is_dir():
        raise MediaError(
            f"{str(file)!r} is a folder, not a media file", fix="give a file inside it"
        )
    if file.stat().st_size == 0:
        raise MediaError(
            f"media file {str(file)!r} is empty (0 bytes)", fix="re-export or re-copy it"
        )
    return file


@contextmanager
def open_input(path: str | os.PathLike[str]) -> Iterator[Any]:
    """An ``av`` input container, closed afterwards; PyAV errors become ``MediaError``."""
    import av  # PyAV loads when a file is opened, not when the package is imported

    file = check_readable(path)
    refuse_truncated_wav(file)
    try:
        container = av.open(str(file), mode="r")
    except av.error.FFmpegError as error:
        raise media_error(file, error) from None
    try:
        yield container
    except av.error.FFmpegError as error:
        raise media_error(file, error) from None
    finally:
        container.close()


def media_error(file: Path, error: Exception) -> MediaError:
    """Our error for a PyAV failure on ``file``, keeping FFmpeg's own words."""
    import av

    reason = getattr(error, "strerror", None) or str(error)
    if isinstance(error, av.error.InvalidDataError):
        return MediaError(
            f"{str(file)!r} is not a media file FFmpeg can read ({reason})",
            fix="check that it is a complete audio or video file",
        )
    return MediaError(f"cannot read {str(file)!r}: {reason}", fix="check that the file is complete")
