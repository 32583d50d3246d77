"""QC reports: JSON for machines, one self-contained HTML page for people.

The HTML page carries its pictures inline (PNG, base64): a header (programme,
start timecode, duration, date, operator, preset, tool), a pass/fail table
whose findings link to the plot they are marked on, the picture measures per
frame (when the picture was checked), loudness over time against the target
band, and a waveform overview with the stretches over the true-peak ceiling
marked; every time axis in programme timecode.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from postprod.atomic import write_text
from postprod.deliver.checks import Finding
from postprod.deliver.picture_qc import ProgrammeClock
from postprod.deliver.qc import QcReport
from postprod.errors import TimecodeError
from postprod.timecode import label_to_frames


def write_reports(
    report: QcReport, folder: str | os.PathLike[str], *, name: str | None = None
) -> tuple[Path, Path]:
    """Write ``NAME.json`` and ``NAME.html`` into ``folder`` (default name:
    ``<file>.<preset>.qc``); returns both paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    stem = name or f"{report.file.stem}.{report.preset.name}.qc"
    json_path = write_text(out / f"{stem}.json", json.dumps(report.to_dict(), indent=2))
    html_path = write_text(out / f"{stem}.html", render_html(report))
    return json_path, html_path


def _message(report: QcReport, name: str, message: str) -> str:
    """A check's message, with the fix a delivery offers for it (the console applies it)."""
    fix = report.fixes.get(name)
    return message if fix is None else f"{message} (fix: {fix.label})"


#: Which plot shows a check's findings (the anchor each finding links to).
_PLOT_OF = {
    "clipping": "waveform",
    "silence": "waveform",
    "true_peak": "waveform",
    "sample_peak": "waveform",
}


def _plot_of(name: str) -> str:
    return "picture" if name.startswith("picture_") else _PLOT_OF.get(name, "loudness")


def render_html(report: QcReport) -> str:
    """The report as one HTML page: its header, the checks with their findings (each a link
    to the plot it is marked on, numbered alike), and the plots in programme timecode."""
    verdict = "PASSED" if report.passed else "FAILED"
    colour = "#1a7f37" if report.passed else "#cf222e"
    numbers = _finding_numbers(report)
    rows = "\n".join(
        f"<tr class={'ok' if c.passed else 'bad'}><td>{html.escape(c.name)}</td>"
        f"<td>{'pass' if c.passed else 'FAIL'}</td><td>{html.escape(str(c.value))}</td>"
        f"<td>{html.escape(c.limit)}</td><td>{html.escape(_message(report, c.name, c.message))}"
        f"{_findings_html(c.name, c.findings, numbers)}</td></tr>"
        for c in report.checks
    )
    figures = report.loudness.figures()
    facts = "".join(f"<li>{html.escape(k)}: {v}</li>" for k, v in figures.items())
    applied = "".join(f"<li>{html.escape(line)}</li>" for line in report.applied_fixes)
    applied_html = (
        f"<h2>Fixes applied before this delivery</h2><ul>{applied}</ul>" if applied else ""
    )
    picture_html = (
        '<h2 id="plot-picture">Picture</h2><img alt="picture measures over time" '
        f'src="data:image/png;base64,{_picture_plot(report, numbers)}">'
        if report.picture is not None
        else ""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>QC {html.escape(report.file.name)}: {verdict}</title>
<style>
body {{ font: 14px system-ui, sans-serif; margin: 2em; color: #1f2328; }}
h1 span {{ color: {colour}; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #d0d7de; padding: 4px 8px; }}
tr.bad td {{ background: #ffebe9; }} tr.ok td:nth-child(2) {{ color: #1a7f37; }}
table.head th {{ text-align: left; background: #f6f8fa; }}
ul.findings {{ margin: 4px 0 0; padding-left: 1.2em; }}
img {{ max-width: 100%; }}
</style></head><body>
<h1>{html.escape(report.file.name)}: <span>{verdict}</span></h1>
{_header_html(report)}
<p>Preset <b>{html.escape(report.preset.name)}</b>: {html.escape(report.preset.description)}.
Standard: {html.escape(report.preset.standard)}.</p>
{applied_html}
<table><tr><th>check</th><th>result</th><th>value</th><th>limit</th><th>message</th></tr>
{rows}</table>
{picture_html}
<h2 id="plot-loudness">Loudness over time</h2><img alt="loudness over time" src="data:image/png;base64,{_loudness_plot(report)}">
<h2 id="plot-waveform">Waveform</h2><img alt="waveform overview" src="data:image/png;base64,{_waveform_plot(report, numbers)}">
<h2>Figures</h2><ul>{facts}</ul>
</body></html>
"""


def _header_html(report: QcReport) -> str:
    header = report.header
    if header is None:
        return ""
    rows = (
        ("programme", header.programme),
        ("start timecode", header.start_timecode),
        ("duration", f"{header.duration_timecode} ({header.duration_s} s)"),
        ("frame rate", header.frame_rate),
        ("date", header.date),
        ("operator", header.operator or "-"),
        ("preset", report.preset.name),
        ("tool", header.tool),
    )
    cells = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows
    )
    return f'<table class="head">{cells}</table>'


def _finding_numbers(report: QcReport) -> dict[tuple[str, int], int]:
    """Each finding's number on its plot: (check name, index) -> 1, 2, ... per plot."""
    numbers: dict[tuple[str, int], int] = {}
    per_plot: dict[str, int] = {}
    for check in report.checks:
        plot = _plot_of(check.name)
        for index in range(len(check.findings)):
            per_plot[plot] = per_plot.get(plot, 0) + 1
            numbers[(check.name, index)] = per_plot[plot]
    return numbers


def _findings_html(
    name: str, findings: tuple[Finding, ...], numbers: dict[tuple[str, int], int]
) -> str:
    if not findings:
        return ""
    plot = _plot_of(name)
    items = "".join(
        f'<li><a href="#plot-{plot}">[{numbers[(name, i)]}] {html.escape(f.start_timecode)}'
        f"&ndash;{html.escape(f.end_timecode)}</a> {html.escape(f.detail)}"
        f"{'' if f.value is None else f' ({f.value})'}</li>"
        for i, f in enumerate(findings)
    )
    return f'<ul class="findings">{items}</ul>'


def _figure() -> tuple[object, object]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(11, 3.2), dpi=100)


def _timecode_axis(axes: Any, report: QcReport) -> None:
    """Label the x axis (seconds from the file's start) in programme timecode."""
    from matplotlib.ticker import FuncFormatter

    clock = report.clock
    if clock is None:
        axes.set_xlabel("seconds")
        return
    rate = float(clock.rate)
    axes.xaxis.set_major_formatter(
        FuncFormatter(lambda seconds, _: clock.label(max(0, round(seconds * rate))))
    )
    axes.set_xlabel(f"programme timecode (from {clock.start_label})")


def _mark_findings(
    axes: Any, report: QcReport, plot: str, numbers: dict[tuple[str, int], int]
) -> None:
    """Shade each finding shown on ``plot`` and number it as the table does."""
    clock = report.clock
    if clock is None:
        return
    start_frames = clock.start_frames if clock.smpte is not None else 0
    for check in report.checks:
        if _plot_of(check.name) != plot:
            continue
        for index, finding in enumerate(check.findings):
            first = _seconds(finding.start_timecode, clock, start_frames)
            last = _seconds(finding.end_timecode, clock, start_frames)
            if first is None or last is None:
                continue
            axes.axvspan(first, max(last, first + 0.02), color="red", alpha=0.2, linewidth=0)
            axes.annotate(
                str(numbers[(check.name, index)]),
                (first, 1.0),
                xycoords=("data", "axes fraction"),
                va="bottom",
                color="red",
                fontsize=8,
            )


def _seconds(label: str, clock: ProgrammeClock, start_frames: int) -> float | None:
    if clock.smpte is None:
        return None
    try:
        return float((label_to_frames(label, clock.smpte) - start_frames) / clock.rate)
    except TimecodeError:
        return None


def _png(figure: object) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.tight_layout()  # type: ignore[attr-defined]
    figure.savefig(buffer, format="png")  # type: ignore[attr-defined]
    plt.close(figure)  # type: ignore[arg-type]
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _loudness_plot(report: QcReport) -> str:
    figure, axes = _figure()
    loudness, preset = report.loudness, report.preset
    for series, label, offset in (
        (loudness.momentary_lufs, "momentary (400 ms)", 0.4),
        (loudness.short_term_lufs, "short-term (3 s)", 3.0),
    ):
        times = offset + np.arange(series.size) * loudness.step_s
        axes.plot(times, np.maximum(series, -70), label=label, linewidth=0.8)  # type: ignore[attr-defined]
    if preset.target_lufs is not None:
        axes.axhspan(  # type: ignore[attr-defined]
            preset.target_lufs - preset.tolerance_lu,
            preset.target_lufs + preset.tolerance_lu,
            color="green",
            alpha=0.15,
            label=f"target {preset.target_lufs} LUFS",
        )
    _timecode_axis(axes, report)
    axes.set_ylabel("LUFS")  # type: ignore[attr-defined]
    axes.legend(loc="lower right")  # type: ignore[attr-defined]
    return _png(figure)


def _waveform_plot(report: QcReport, numbers: dict[tuple[str, int], int]) -> str:
    figure, axes = _figure()
    overview = report.stats.overview  # (2, channels, steps)
    times = np.arange(overview.shape[2]) * 0.1
    for channel in range(overview.shape[1]):
        axes.fill_between(  # type: ignore[attr-defined]
            times,
            overview[0, channel],
            overview[1, channel],
            linewidth=0,
            alpha=0.5,
            label=f"ch {channel + 1}",
        )
    ceiling = 10 ** (report.preset.true_peak_max_dbtp / 20)
    over = np.flatnonzero(np.abs(overview).max(axis=(0, 1)) > ceiling)
    if over.size:
        axes.vlines(times[over], -1, 1, colors="red", linewidth=0.6, label="over the ceiling")  # type: ignore[attr-defined]
    axes.set_ylim(-1.05, 1.05)  # type: ignore[attr-defined]
    _timecode_axis(axes, report)
    _mark_findings(axes, report, "waveform", numbers)
    axes.legend(loc="lower right")  # type: ignore[attr-defined]
    return _png(figure)


def _picture_plot(report: QcReport, numbers: dict[tuple[str, int], int]) -> str:
    """Per frame: the share of black pixels, the shares outside R 103 (luma, R'G'B') and
    the share in a regular stripe pattern (BT.1702)."""
    assert report.picture is not None
    figure, axes = _figure()
    result = report.picture.result
    times = np.arange(result.frames) / float(report.picture.clock.rate)
    for series, label in (
        (result.black_share, "black pixels"),
        (result.luma_out_share, "luma outside R 103"),
        (result.rgb_out_share, "R'G'B' outside R 103"),
        (result.pattern_share, "in a stripe pattern"),
    ):
        axes.plot(times, series * 100, label=label, linewidth=0.8)  # type: ignore[attr-defined]
    axes.set_ylabel("% of the picture")  # type: ignore[attr-defined]
    axes.set_ylim(0, 105)  # type: ignore[attr-defined]
    _timecode_axis(axes, report)
    _mark_findings(axes, report, "picture", numbers)
    axes.legend(loc="upper right")  # type: ignore[attr-defined]
    return _png(figure)
