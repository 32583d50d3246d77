"""Every test writes its log entries to its own temporary log, never to the user's."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_log(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path_factory.mktemp("log") / "log.sqlite3"
    monkeypatch.setenv("POSTPROD_LOG", str(path))
    return path
