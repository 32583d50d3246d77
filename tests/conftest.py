"""Every test writes its log entries to its own temporary log, never to the user's."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_log(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path_factory.mktemp("log") / "log.sqlite3"
    monkeypatch.setenv("POSTPROD_LOG", str(path))
    return path


def pytest_configure(config: pytest.Config) -> None:
    """The ``long`` marker (fault-injection cases CI runs, see tests/robustness/summary.py)
    and the robustness suite's figure."""
    from robustness.summary import RobustnessTally

    config.addinivalue_line("markers", "long: slow fault-injection cases (run by scripts/test.sh)")
    config.pluginmanager.register(RobustnessTally(), "robustness-tally")
