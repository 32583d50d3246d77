"""The picture rules a delivery preset holds: light (no NumPy), so presets load quickly.

Measured by ``qc/picture.py``; the defaults are FFmpeg's blackdetect and
freezedetect, EBU R 103 (2020) and ITU-R BT.1702 as Ofcom applies it
(flashing and regular patterns).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PictureRules:
    """What the picture must meet; the defaults are FFmpeg's detectors, EBU R 103 and Ofcom."""

    black_pixel_threshold: float = 0.10  # of the nominal range above black (blackdetect's pix_th)
    black_area: float = 0.98  # a frame is black when this share of it is (blackdetect's ratio)
    black_min_s: float = 2.0
    black_allowed_at_ends: bool = True  # black at the head and the tail is the programme's own
    freeze_noise_db: float = -60.0  # mean absolute frame difference, of full scale
    freeze_min_s: float = 2.0
    luma_min_8bit: int = 5  # EBU R 103 preferred range, 8-bit code values (x4 at 10-bit)
    luma_max_8bit: int = 246
    rgb_min_8bit: int = 5
    rgb_max_8bit: int = 246
    out_of_range_area: float = 0.01  # R 103: up to 1 % of the picture may stray
    flash_max_per_s: float = 3.0
    flash_delta_cd_m2: float = 20.0
    flash_dark_cd_m2: float = 160.0
    flash_area: float = 0.25
    display_peak_cd_m2: float = 200.0
    red_flash: bool = True
    # regular patterns (ITU-R BT.1702, Ofcom; Wilkins, Emmett & Harding 2005): stripes of
    # more than ``pattern_max_pairs`` light-dark pairs, each light-dark contrast at least
    # ``pattern_delta_cd_m2`` with the dark stripes below ``pattern_dark_cd_m2``, over
    # more than ``pattern_area`` of the screen, for more than ``pattern_min_s``
    pattern: bool = True
    pattern_max_pairs: int = 5
    pattern_delta_cd_m2: float = 20.0
    pattern_dark_cd_m2: float = 160.0
    pattern_area: float = 0.25
    pattern_min_s: float = 0.5
