"""Output presets: the delivery and mezzanine formats a render writes.

Each names its container, video codec, pixel format and encoder settings,
and its sound: AAC in MP4s (web and review), 24-bit PCM in the mezzanine
MOVs (ProRes 422 HQ, DNxHR HQ), a Broadcast Wave beside a PNG sequence.
``proxy`` is the fast look: half size, the fastest x264 settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from postprod.errors import RenderError
from postprod.media.writer import AudioSpec, VideoSpec


@dataclass(frozen=True, slots=True)
class OutputPreset:
    """What a render writes: container suffixes (none: a folder of images), picture and sound."""

    name: str
    description: str
    suffixes: tuple[str, ...]
    video_codec: str
    pixel_format: str
    video_options: dict[str, str] = field(default_factory=dict)
    codec_tag: str | None = None
    audio_codec: str = "aac"
    audio_bit_rate: int | None = 192_000
    scale: Fraction = Fraction(1)  # of the programme's size (a proxy is half)

    @property
    def image_sequence(self) -> bool:
        return not self.suffixes

    def video_spec(self, width: int, height: int, frame_rate: Fraction) -> VideoSpec:
        return VideoSpec(
            width,
            height,
            frame_rate,
            codec=self.video_codec,
            pixel_format=self.pixel_format,
            options=dict(self.video_options),
            codec_tag=self.codec_tag,
        )

    def audio_spec(self, sample_rate: int, channels: int) -> AudioSpec:
        return AudioSpec(
            sample_rate, channels, codec=self.audio_codec, bit_rate=self.audio_bit_rate
        )

    def size(self, width: int, height: int) -> tuple[int, int]:
        """The output size for a programme of ``width`` x ``height`` (even numbers)."""
        return _even(width * self.scale), _even(height * self.scale)

    def check_output(self, out: Path) -> None:
        """Refuse an output path this preset cannot write, naming the fix."""
        suffix = out.suffix.lower()
        if self.image_sequence and suffix:
            raise RenderError(
                f"the {self.name} preset writes a folder of images, not a {suffix} file",
                where=str(out),
                fix=f"give a folder name, for example -o {out.with_suffix('')}",
            )
        if not self.image_sequence and suffix not in self.suffixes:
            raise RenderError(
                f"the {self.name} preset writes {' or '.join(self.suffixes)}, not {suffix or 'a folder'}",
                where=str(out),
                fix=f"name the output {out.with_suffix(self.suffixes[0]).name}",
            )


def _even(value: Fraction) -> int:
    return max(2, int(value) // 2 * 2)


_MP4 = (".mp4", ".mov", ".mkv")

PRESETS: dict[str, OutputPreset] = {
    preset.name: preset
    for preset in (
        OutputPreset(
            "h264",
            "H.264 in MP4 (web, review, broadcast proxies), AAC 192 kb/s",
            _MP4,
            "libx264",
            "yuv420p",
            {"crf": "18", "preset": "veryfast"},
        ),
        OutputPreset(
            "h265",
            "H.265/HEVC in MP4 (tagged hvc1 for Apple players), AAC 192 kb/s",
            _MP4,
            "libx265",
            "yuv420p",
            {"crf": "22", "preset": "fast", "x265-params": "log-level=error"},
            codec_tag="hvc1",
        ),
        OutputPreset(
            "prores",
            "ProRes 422 HQ in MOV (10-bit 4:2:2 mezzanine), 24-bit PCM",
            (".mov",),
            "prores_ks",
            "yuv422p10le",
            {"profile": "3", "vendor": "apl0"},
            audio_codec="pcm_s24le",
            audio_bit_rate=None,
        ),
        OutputPreset(
            "dnxhr",
            "DNxHR HQ in MOV (8-bit 4:2:2 mezzanine for Avid), 24-bit PCM",
            (".mov",),
            "dnxhd",
            "yuv422p",
            {"profile": "dnxhr_hq"},
            audio_codec="pcm_s24le",
            audio_bit_rate=None,
        ),
        OutputPreset(
            "png",
            "PNG image sequence (lossless RGB) in a folder, with the sound as a Broadcast Wave",
            (),
            "png",
            "rgb24",
            audio_codec="pcm_s24le",
            audio_bit_rate=None,
        ),
    )
}

PROXY = OutputPreset(
    "proxy",
    "half size, fastest H.264: a quick look",
    _MP4,
    "libx264",
    "yuv420p",
    {"crf": "28", "preset": "ultrafast"},
    scale=Fraction(1, 2),
)


def output_preset(name: str) -> OutputPreset:
    """The preset called ``name`` (h264, h265, prores, dnxhr, png)."""
    try:
        return PRESETS[name.lower()]
    except KeyError:
        raise RenderError(
            f"unknown output preset {name!r}", fix=f"use one of {', '.join(PRESETS)}"
        ) from None
