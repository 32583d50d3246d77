"""One QC check and the places it found something, as every QC report carries them.

A check has a name, a measured value, the limit it is held to and a sentence
a technician can act on. A picture check also lists its findings: each a
stretch of the programme from its start timecode to its end timecode (the
first frame after it, as an edit's out point), with what was found there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Finding:
    """Where a check found something: programme timecodes, ``end_timecode`` exclusive."""

    start_timecode: str
    end_timecode: str
    detail: str
    value: float | None = None


@dataclass(frozen=True, slots=True)
class Check:
    """One QC check: what was measured against what limit."""

    name: str
    passed: bool
    value: float | int | str | None
    limit: str
    message: str
    findings: tuple[Finding, ...] = ()


def make_check(
    name: str,
    passed: bool,
    value: float | int | str | None,
    limit: str,
    fix: str,
    findings: tuple[Finding, ...] = (),
) -> Check:
    """A check whose message says, when it fails, what was found, the limit and the fix."""
    message = "ok" if passed else f"{name} is {value}, must be {limit}: {fix}"
    if findings and not passed:
        message += f" (first at {findings[0].start_timecode})"
    return Check(name, bool(passed), value, limit, message, findings)
