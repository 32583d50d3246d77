"""QC reports say where and who: findings in programme timecode, the header, DC in dBFS."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from media_factory import write_wav
from postprod.deliver.picture_qc import ProgrammeClock
from postprod.deliver.presets import find_preset
from postprod.deliver.qc import run_qc
from postprod.deliver.report import write_reports
from postprod.timecode import FrameRate, frames_to_label, label_to_frames


def test_peaks_are_placed_in_programme_timecode(tmp_path: Path) -> None:
    rate = 48000
    t = np.arange(4 * rate) / rate
    sound = 0.05 * np.sin(2 * np.pi * 440 * t)
    sound[2 * rate : 2 * rate + rate * 3 // 10] *= 19  # 2.0-2.3 s at 0.95: over -1 dBTP
    path = write_wav(tmp_path / "burst.wav", np.stack([sound, sound]).astype(np.float32), rate)
    report = run_qc(
        path,
        find_preset("ebu-r128"),
        frame_rate=Fraction(25),
        start_timecode="01:00:00:00",
        operator="tester",
        programme="Episode 1",
    )
    checks = {check.name: check for check in report.checks}
    peak = checks["true_peak"]
    assert not peak.passed and "first at 01:00:02:00" in peak.message
    # the 100 ms steps 2.0-2.3 s: frames 50 up to 57.5, rounded out to 58
    assert [(f.start_timecode, f.end_timecode) for f in peak.findings] == [
        ("01:00:02:00", "01:00:02:08")
    ]
    assert checks["dc_offset"].limit.startswith("<= -60.0 dBFS")
    header = report.header
    assert header is not None
    assert (header.programme, header.start_timecode, header.duration_timecode) == (
        "Episode 1",
        "01:00:00:00",
        "00:00:04:00",
    )
    assert header.operator == "tester" and header.tool.startswith("postprod ")
    json_path, html_path = write_reports(report, tmp_path)
    data = json.loads(json_path.read_text())
    assert data["header"]["programme"] == "Episode 1" and data["header"]["date"].endswith("+00:00")
    page = html_path.read_text()
    assert "Episode 1" in page and "tester" in page
    assert '<a href="#plot-waveform">[1] 01:00:02:00&ndash;01:00:02:08</a>' in page


@given(
    start=st.integers(0, 23 * 3600 * 25),
    frame=st.integers(0, 3600 * 25),
    rate=st.sampled_from(["25", "30000/1001", "24", "50"]),
)
def test_a_finding_lands_on_its_frame(start: int, frame: int, rate: str) -> None:
    """Programme timecode = the file's start timecode + the frame, at any SMPTE rate."""
    smpte = FrameRate.parse(rate)
    clock = ProgrammeClock.of(smpte.fps, frames_to_label(start, smpte))
    assert label_to_frames(clock.label(frame), smpte) == (start + frame) % smpte.frames_per_day
