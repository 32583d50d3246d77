"""QC reports: JSON for machines, one self-contained HTML page for people.

The HTML page carries its pictures inline (PNG, base64): a pass/fail table,
loudness over time against the target band, and a waveform overview with
the stretches over the true-peak ceiling marked.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
from pathlib import Path

import numpy as np

from postprod.atomic import write_text
from postprod.deliver.qc import QcReport


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


def render_html(report: QcReport) -> str:
    """The report as one HTML page with its plots inline."""
    verdict = "PASSED" if report.passed else "FAILED"
    colour = "#1a7f37" if report.passed else "#cf222e"
    rows = "\n".join(
        f"<tr class={'ok' if c.passed else 'bad'}><td>{html.escape(c.name)}</td>"
        f"<td>{'pass' if c.passed else 'FAIL'}</td><td>{html.escape(str(c.value))}</td>"
        f"<td>{html.escape(c.limit)}</td><td>{html.escape(_message(report, c.name, c.message))}"
        "</td></tr>"
        for c in report.checks
    )
    figures = report.loudness.figures()
    facts = "".join(f"<li>{html.escape(k)}: {v}</li>" for k, v in figures.items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>QC {html.escape(report.file.name)}: {verdict}</title>
<style>
body {{ font: 14px system-ui, sans-serif; margin: 2em; color: #1f2328; }}
h1 span {{ color: {colour}; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #d0d7de; padding: 4px 8px; }}
tr.bad td {{ background: #ffebe9; }} tr.ok td:nth-child(2) {{ color: #1a7f37; }}
img {{ max-width: 100%; }}
</style></head><body>
<h1>{html.escape(report.file.name)}: <span>{verdict}</span></h1>
<p>Preset <b>{html.escape(report.preset.name)}</b>: {html.escape(report.preset.description)}.
Standard: {html.escape(report.preset.standard)}.</p>
<table><tr><th>check</th><th>result</th><th>value</th><th>limit</th><th>message</th></tr>
{rows}</table>
<h2>Loudness over time</h2><img alt="loudness over time" src="data:image/png;base64,{_loudness_plot(report)}">
<h2>Waveform</h2><img alt="waveform overview" src="data:image/png;base64,{_waveform_plot(report)}">
<h2>Figures</h2><ul>{facts}</ul>
</body></html>
"""


def _figure() -> tuple[object, object]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(11, 3.2), dpi=100)


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
    axes.set_xlabel("seconds")  # type: ignore[attr-defined]
    axes.set_ylabel("LUFS")  # type: ignore[attr-defined]
    axes.legend(loc="lower right")  # type: ignore[attr-defined]
    return _png(figure)


def _waveform_plot(report: QcReport) -> str:
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
    axes.set_xlabel("seconds")  # type: ignore[attr-defined]
    axes.legend(loc="lower right")  # type: ignore[attr-defined]
    return _png(figure)
