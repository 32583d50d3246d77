"""A media file's metadata tags: what a camera or a recorder wrote about itself.

Multicam names its angles from them (a camera's name, a reel); the container's tags
and then its first video stream's, keys lower-cased, values as written.
"""

from __future__ import annotations

import os

from postprod.media._open import open_input


def media_tags(path: str | os.PathLike[str]) -> dict[str, str]:
    """The file's metadata tags (the container's win over its first video stream's)."""
    with open_input(path) as container:
        tags: dict[str, str] = {}
        video = next(iter(container.streams.video), None)
        if video is not None:
            tags |= {str(k).lower(): str(v) for k, v in video.metadata.items()}
        tags |= {str(k).lower(): str(v) for k, v in container.metadata.items()}
        return tags


#: Tags that name a camera, then tags that name a reel, in the order they are tried.
CAMERA_TAGS = ("camera_name", "camera", "com.apple.proapps.cameraname", "camera_id")
REEL_TAGS = ("reel_name", "reel", "com.apple.proapps.reel", "tape_name")


def angle_name_of(tags: dict[str, str]) -> str | None:
    """The camera's name, else the reel's, from a file's tags (None: neither)."""
    for key in (*CAMERA_TAGS, *REEL_TAGS):
        value = tags.get(key, "").strip()
        if value:
            return value
    return None


__all__ = ["CAMERA_TAGS", "REEL_TAGS", "angle_name_of", "media_tags"]
