"""Where the log lives: a SQLite file or a PostgreSQL database URL.

The command line resolves the location once (``--log``, else ``POSTPROD_LOG``,
else the per-user default) and hands it to the library; nothing below reads
the environment on its own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from postprod.errors import LogError

ENV_VAR = "POSTPROD_LOG"
_POSTGRES = ("postgresql://", "postgres://", "postgresql+psycopg://")


@dataclass(frozen=True, slots=True)
class LogLocation:
    """A resolved log location: ``sqlite`` with a path, ``postgresql`` with a URL, or ``off``."""

    backend: Literal["sqlite", "postgresql", "off"]
    path: Path | None = None
    url: str | None = None

    def __str__(self) -> str:
        if self.backend == "sqlite":
            return str(self.path)
        if self.backend == "postgresql":
            return re.sub(r"(//[^:/@]+):[^@]*@", r"\1:***@", self.url or "")
        return f"nowhere ({ENV_VAR}=off)"

    def __fspath__(self) -> str:
        if self.path is None:
            raise LogError(f"the log at {self} is not a file", fix="use a SQLite file path")
        return str(self.path)


def parse_location(value: str | os.PathLike[str]) -> LogLocation:
    """A path, ``sqlite:///path``, ``postgresql://...`` or ``off`` as a location."""
    if isinstance(value, LogLocation):
        return value
    text = os.fspath(value)
    if text.strip().lower() == "off":
        return LogLocation("off")
    if text.startswith(_POSTGRES):
        url = text.replace("postgresql+psycopg://", "postgresql://", 1)
        return LogLocation("postgresql", url=url)
    if text.startswith("sqlite:"):
        rest = text.removeprefix("sqlite:").removeprefix("///").removeprefix("//")
        if not rest:
            raise LogError(f"{text!r} names no file", fix="write sqlite:///path/to/log.sqlite3")
        text = rest
    elif "://" in text:
        raise LogError(
            f"unknown log database URL {text!r}",
            fix="give a file path, sqlite:///path or postgresql://user@host/db",
        )
    return LogLocation("sqlite", path=Path(text).expanduser())


def default_location(
    explicit: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> LogLocation:
    """``explicit`` if given, else ``POSTPROD_LOG``, else ``$XDG_DATA_HOME/postprod/log.sqlite3``."""
    if explicit is not None and os.fspath(explicit):
        return parse_location(explicit)
    env = os.environ if environ is None else environ
    configured = env.get(ENV_VAR, "")
    if configured:
        return parse_location(configured)
    base = Path(env.get("XDG_DATA_HOME") or Path(env.get("HOME") or Path.home()) / ".local/share")
    return LogLocation("sqlite", path=base / "postprod" / "log.sqlite3")
