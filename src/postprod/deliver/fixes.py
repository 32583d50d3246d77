"""One-click fixes for failed QC checks: operations on the project's master, from the figures.

A delivery that fails QC names the failed checks; where an operation on the
master can make a check pass, the check also carries a :class:`Fix`: a label,
the operations (applied together as one undo step) and the preset to deliver
again. Each fix is computed from what QC measured, never guessed:

- ``dc_offset``: a high-pass at the head of the master's inserts. The
  registry's ``highpass`` is first order (6 dB/octave), so its cutoff is kept
  as low as the measurement allows: 10 Hz (the registry's lowest: -1 dB at
  20 Hz, -0.26 dB at 40 Hz, where 20 Hz would take 1 dB off 40 Hz), raised
  only when the programme is so short that the filter's settling after the
  first sample (a mean of ``dc / (2 pi f T)`` over ``T`` seconds) would keep
  more than half the limit (with the DC raised as far as the loudness fix
  raises the level, so both fixes of one report work together); past 20 Hz it
  would cut the bass, and no fix is offered.
- ``integrated_loudness``: the master fader moved by exactly ``target -
  measured`` dB from where it is, within the fader's range (a gain insert at
  the head of the master's chain when the master fader is automated, since
  automation overrides the fader). Offered only when the delivery keeps the
  console's level (a stems delivery): one that normalises would undo it.
- ``true_peak`` and ``sample_peak``: a limiter last on the master, its
  ceiling below the preset's maximum by a margin of 1 dB plus twice the
  inter-sample overshoot measured (true peak minus sample peak). The
  registry's limiter holds sample peaks only; flattening peaks raises the
  overshoot (full-band noise: 0.5 dB before, 1.4 dB after a limiter), tones
  and programme material stay within 0.3 dB. Offered only when the delivery
  keeps the console's level (a normalising one limits true peaks itself).

Nothing else has a fix: the sample rate, word length, channels, duration,
silence and clipping in the media are not a setting of the master.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from postprod.effects.console import ConsoleState
from postprod.effects.registry import EFFECTS
from postprod.operations import AddInsert, Operation, SetStrip
from postprod.operations.mixer import GAIN_MAX_DB, GAIN_MIN_DB, MASTER

if TYPE_CHECKING:
    from postprod.deliver.qc import QcReport

#: The DC blocker's cutoff: the registry's lowest, and the highest that leaves the bass alone.
DC_CUTOFF_HZ = (10, 20)
#: The limiter's ceiling below the preset's maximum: this, plus twice the measured overshoot.
PEAK_MARGIN_DB = 1.0


@dataclass(frozen=True, slots=True)
class Fix:
    """Operations that make a failed check pass, applied as one step, then a delivery again."""

    label: str  # what the button says
    description: str  # the undo step's line
    operations: tuple[Operation, ...]
    preset: str  # deliver this preset again after applying

    def to_dict(self) -> dict[str, Any]:
        """JSON: label, description, operations (the journal's form), preset."""
        return {
            "label": self.label,
            "description": self.description,
            "operations": [_lists(operation.to_dict()) for operation in self.operations],
            "preset": self.preset,
        }


def _lists(value: Any) -> Any:
    """Tuples as the lists JSON has (``operation_from_dict`` takes them back)."""
    if isinstance(value, dict):
        return {key: _lists(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_lists(item) for item in value]
    return value


def fixes_for(report: QcReport, console: ConsoleState, *, keeps_level: bool) -> Mapping[str, Fix]:
    """The fix of each failed check of ``report`` that has one, by check name.

    ``console`` is the project's console as delivered; ``keeps_level``: the
    delivered file has the console's level (not normalised after the mix).
    """
    failed = {check.name for check in report.checks if not check.passed}
    found: dict[str, Fix] = {}
    moved_db = 0.0  # what the loudness fix moves the level by (the DC fix allows for it)
    if keeps_level and "integrated_loudness" in failed:
        loudness = _loudness_fix(report, console)
        if loudness is not None:
            found["integrated_loudness"], moved_db = loudness
    if "dc_offset" in failed and (fix := _dc_fix(report, max(moved_db, 0.0))) is not None:
        found["dc_offset"] = fix
    if keeps_level and failed & {"true_peak", "sample_peak"}:
        peak = _peak_fix(report)
        for name in ("true_peak", "sample_peak"):
            if name in failed and peak is not None:
                found[name] = peak
    return MappingProxyType({name: found[name] for name in _in_order(report, found)})


def _in_order(report: QcReport, found: Mapping[str, Fix]) -> list[str]:
    return [check.name for check in report.checks if check.name in found]


def _minus(text: str) -> str:
    return text.replace("-", "\u2212")


def _dc_fix(report: QcReport, raised_db: float) -> Fix | None:
    """``raised_db``: how far the loudness fix raises the level (the DC rises with it)."""
    stats, limit = report.stats, report.preset.max_dc_offset
    if not stats.samples or limit <= 0:
        return None
    dc = float(abs(stats.dc_offset).max())
    seconds = stats.samples / stats.sample_rate
    # A first-order high-pass settles from a step with time constant 1/(2 pi f): over T
    # seconds it leaves a mean of dc / (2 pi f T); keep that to half the limit.
    needed = dc * 10 ** (raised_db / 20) / (math.pi * limit * seconds)
    low, high = DC_CUTOFF_HZ
    cutoff = max(low, math.ceil(needed))
    if cutoff > high:
        return None
    operation = AddInsert(
        MASTER, "highpass", (("cutoff_frequency_hz", float(cutoff)),), number=1, bus=False
    )
    return Fix(
        f"master high-pass {cutoff} Hz",
        f"QC fix: a {cutoff} Hz high-pass first on the master (DC offset {dc:.4f}, limit {limit})",
        (operation,),
        report.preset.name,
    )


def _loudness_fix(report: QcReport, console: ConsoleState) -> tuple[Fix, float] | None:
    """The fix, and how many dB it moves the level by."""
    target = report.preset.target_lufs
    measured = report.loudness.integrated_lufs
    if target is None or not math.isfinite(measured):
        return None
    change = round(target - measured, 2)
    automated = "gain_db" in console.master_automation
    operation: Operation
    if automated:  # the automation rides the fader: a gain insert ahead of the master's chain
        low, high = EFFECTS["gain"]["gain_db"].minimum, EFFECTS["gain"]["gain_db"].maximum
        gain = round(min(max(change, low), high), 2)
        operation = AddInsert(MASTER, "gain", (("gain_db", gain),), number=1, bus=False)
        moved = gain
        what = f"master gain {_minus(f'{gain:+.1f}')} dB"
    else:
        current = console.master_gain_db
        new = round(min(max(current + change, GAIN_MIN_DB), GAIN_MAX_DB), 2)
        operation = SetStrip(MASTER, gain_db=new)
        moved = round(new - current, 2)
        what = f"master fader {_minus(f'{moved:+.1f}')} dB"
    reaches = measured + moved
    label = f"{what} \u2192 {_minus(f'{reaches:.1f}')} LUFS"
    description = (
        f"QC fix: {what} (integrated loudness {measured:.1f} LUFS, "
        f"{report.preset.name} target {target} LUFS)"
    )
    return Fix(label, description, (operation,), report.preset.name), moved


def _peak_fix(report: QcReport) -> Fix | None:
    loudness, preset = report.loudness, report.preset
    if not (math.isfinite(loudness.true_peak_dbtp) and math.isfinite(loudness.sample_peak_dbfs)):
        return None
    overshoot = max(0.0, loudness.true_peak_dbtp - loudness.sample_peak_dbfs)
    margin = math.ceil((PEAK_MARGIN_DB + 2 * overshoot) * 10) / 10
    ceiling = round(min(preset.true_peak_max_dbtp - margin, preset.sample_peak_max_dbfs - 0.1), 1)
    spec = EFFECTS["limiter"]["ceiling_db"]
    if not spec.minimum <= ceiling <= spec.maximum:
        return None
    # Added, not an existing limiter set lower: a fix from an older report, applied after
    # another, must still name the right insert.
    operation = AddInsert(MASTER, "limiter", (("ceiling_db", ceiling),), bus=False)
    label = f"master limiter {_minus(f'{ceiling:.1f}')} dBFS"
    description = (
        f"QC fix: a limiter last on the master at {ceiling:.1f} dBFS (true peak "
        f"{loudness.true_peak_dbtp:.1f} dBTP, {preset.name} maximum {preset.true_peak_max_dbtp} "
        f"dBTP, margin {margin:.1f} dB)"
    )
    return Fix(label, description, (operation,), preset.name)


__all__ = ["DC_CUTOFF_HZ", "PEAK_MARGIN_DB", "Fix", "fixes_for"]
