"""Channel layouts by name: which loudspeaker each channel of a layout feeds.

FFmpeg names layouts (``5.0``, ``5.1(side)``, ``7.1``, ``7.1.4``) and their
channels (``FL FR FC LFE BL BR SL SR TFL ...``); a file whose header does not
say (a WAV without a channel mask) has an unnamed layout such as
``8 channels``, whose channels say ``NONE``. The loudness meter weights
channels by these names (postprod.qc.loudness).
"""

from __future__ import annotations

import av

from postprod.errors import MediaError


def layout_channels(layout: str) -> tuple[str, ...]:
    """FFmpeg's channel names for ``layout``; empty when the layout names no positions."""
    try:
        names = tuple(channel.name for channel in av.AudioLayout(layout).channels)
    except (ValueError, TypeError, av.FFmpegError):
        raise MediaError(
            f"{layout!r} is not a channel layout",
            fix="give a layout such as mono, stereo, 5.0, 5.1, 7.1 or 7.1.4, or stem",
        ) from None
    return () if not names or "NONE" in names else names
