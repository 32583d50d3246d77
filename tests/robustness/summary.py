"""The suite's figure: ``robustness: N of M cases handled``, by kind, after every run.

Registered from ``tests/conftest.py`` (so it also runs in the xdist controller,
which receives every worker's reports). A case is a test of this package; its
kind is the ``kind`` property it records; handled means it passed. With
``POSTPROD_ROBUSTNESS_TABLE=FILE`` the figures are also written as a Markdown
table (docs/ROBUSTNESS.md quotes one). Tests marked ``long`` run only with
``POSTPROD_LONG_TESTS=1``, which ``scripts/test.sh`` (CI) sets.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

LONG_ENV = "POSTPROD_LONG_TESTS"


class RobustnessTally:
    """Counts the robustness cases as their reports arrive."""

    def __init__(self) -> None:
        self.handled: Counter[str] = Counter()
        self.total: Counter[str] = Counter()
        self.failed: list[str] = []

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        if os.environ.get(LONG_ENV) == "1":
            return
        skip = pytest.mark.skip(reason=f"a long case: set {LONG_ENV}=1 (scripts/test.sh does)")
        for item in items:
            if "long" in item.keywords:
                item.add_marker(skip)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if "robustness/" not in report.nodeid.replace("\\", "/"):
            return
        counted = report.when == "call" or (report.when == "setup" and not report.passed)
        if not counted or report.skipped:
            return
        kind = dict(report.user_properties).get("kind", "other")
        self.total[kind] += 1
        if report.passed:
            self.handled[kind] += 1
        else:
            self.failed.append(report.nodeid)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.total:
            return
        handled, total = sum(self.handled.values()), sum(self.total.values())
        terminalreporter.write_line(f"robustness: {handled} of {total} cases handled")
        for kind in sorted(self.total):
            terminalreporter.write_line(f"  {kind}: {self.handled[kind]} of {self.total[kind]}")
        table = os.environ.get("POSTPROD_ROBUSTNESS_TABLE")
        if table:
            lines = ["| kind | handled | cases |", "|---|---:|---:|"]
            lines += [
                f"| {kind} | {self.handled[kind]} | {self.total[kind]} |"
                for kind in sorted(self.total)
            ]
            lines.append(f"| **all** | **{handled}** | **{total}** |")
            Path(table).write_text("\n".join(lines) + "\n", encoding="utf-8")
