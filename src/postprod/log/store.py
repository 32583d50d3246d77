"""The studio log: an append-only SQLite journal of sessions, renders, deliveries and broadcasts.

Schema (version in ``PRAGMA user_version``)::

    entries(id INTEGER PRIMARY KEY, at TEXT (UTC ISO 8601), kind TEXT, project TEXT,
            channel TEXT, operator TEXT, note TEXT, details TEXT (JSON),
            corrects INTEGER REFERENCES entries(id), prev_hash TEXT, hash TEXT)

Entries are never changed or removed (triggers refuse UPDATE and DELETE); a
correction is a new entry that names the one it corrects. Each entry's hash
is SHA-256 over the previous entry's hash and the entry's canonical JSON, so
editing history breaks the chain and ``verify`` finds where. Several
processes may append at once: WAL mode, a busy timeout, and BEGIN IMMEDIATE
around reading the last hash and inserting, so the chain never forks.
An older database is upgraded in place after a backup copy that is never
overwritten.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from postprod.errors import LogError

SCHEMA_VERSION = 1
KINDS = (
    "recording",
    "render",
    "mix",
    "delivery",
    "qc",
    "import",
    "edit",
    "broadcast",
    "note",
    "correction",
)
GENESIS = "0" * 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    project TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL DEFAULT '',
    operator TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '{}',
    corrects INTEGER REFERENCES entries(id),
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE INDEX IF NOT EXISTS entries_at ON entries(at);
CREATE INDEX IF NOT EXISTS entries_kind ON entries(kind);
CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'the log is append-only: add a correction instead'); END;
CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'the log is append-only: add a correction instead'); END;
"""


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the log."""

    id: int
    at: str
    kind: str
    project: str
    channel: str
    operator: str
    note: str
    details: dict[str, Any]
    corrects: int | None
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "kind": self.kind,
            "project": self.project,
            "channel": self.channel,
            "operator": self.operator,
            "note": self.note,
            "details": self.details,
            "corrects": self.corrects,
            "hash": self.hash,
        }


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 of the previous hash and the entry's canonical JSON."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def default_location() -> Path:
    """``POSTPROD_LOG`` if set (a path or ``sqlite:///path``), else the per-user data folder."""
    configured = os.environ.get("POSTPROD_LOG")
    if configured:
        return Path(configured.removeprefix("sqlite:///").removeprefix("sqlite://"))
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "postprod" / "log.sqlite3"


class LogStore:
    """A log database, opened (and created or upgraded) on construction."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if str(path).startswith(("postgresql:", "postgres:")):
            raise LogError(
                "a PostgreSQL log needs the 'postgres' extra, which this installation lacks",
                where=str(path),
                fix="use a SQLite file path, or install postprod[postgres]",
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=30000")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as error:
            raise LogError(
                f"{self.path.name} is not a readable log database ({error})",
                where=str(self.path),
                fix="point POSTPROD_LOG at another file; keep this one for inspection",
            ) from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> LogStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        tables = {
            row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise LogError(
                f"log schema {version} is newer than this postprod ({SCHEMA_VERSION})",
                where=str(self.path),
                fix="update postprod",
            )
        if tables:  # an older log with data: keep a copy first, never over an earlier copy
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            backup = self.path.with_name(f"{self.path.name}.bak-v{version}-{stamp}")
            if backup.exists():
                raise LogError(f"backup {backup} already exists", where=str(self.path))
            shutil.copy2(self.path, backup)
        self._db.executescript(_SCHEMA)
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def append(
        self,
        kind: str,
        *,
        note: str = "",
        project: str = "",
        channel: str = "",
        details: dict[str, Any] | None = None,
        corrects: int | None = None,
        at: datetime | None = None,
        operator: str | None = None,
    ) -> Entry:
        """Add an entry at the end of the chain (atomically, whoever else is writing)."""
        if kind not in KINDS:
            raise LogError(f"unknown log kind {kind!r}", fix=f"use one of {', '.join(KINDS)}")
        fields = {
            "at": (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds"),
            "kind": kind,
            "project": project,
            "channel": channel,
            "operator": operator if operator is not None else _operator(),
            "note": note,
            "details": details or {},
            "corrects": corrects,
        }
        try:
            self._db.execute("BEGIN IMMEDIATE")
            if (
                corrects is not None
                and not self._db.execute(
                    "SELECT 1 FROM entries WHERE id = ?", (corrects,)
                ).fetchone()
            ):
                raise LogError(f"there is no entry {corrects} to correct", fix="check the entry id")
            last = self._db.execute("SELECT hash FROM entries ORDER BY id DESC LIMIT 1").fetchone()
            prev = last[0] if last else GENESIS
            digest = entry_hash(prev, fields)
            cursor = self._db.execute(
                "INSERT INTO entries (at, kind, project, channel, operator, note, details, corrects,"
                " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    fields["at"],
                    kind,
                    project,
                    channel,
                    fields["operator"],
                    note,
                    json.dumps(fields["details"], sort_keys=True),
                    corrects,
                    prev,
                    digest,
                ),
            )
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        return Entry(
            id=int(cursor.lastrowid or 0),
            at=str(fields["at"]),
            kind=kind,
            project=project,
            channel=channel,
            operator=str(fields["operator"]),
            note=note,
            details=details or {},
            corrects=corrects,
            prev_hash=prev,
            hash=digest,
        )

    def entries(
        self,
        *,
        since: str | None = None,
        until: str | None = None,
        project: str | None = None,
        kind: str | None = None,
        channel: str | None = None,
        text: str | None = None,
    ) -> list[Entry]:
        """Entries in order, filtered (dates as ISO text compare as dates)."""
        clauses, values = [], []
        for column, value, operator in (
            ("at", since, ">="),
            ("at", until, "<"),
            ("project", project, "="),
            ("kind", kind, "="),
            ("channel", channel, "="),
        ):
            if value:
                clauses.append(f"{column} {operator} ?")
                values.append(value)
        if text:
            clauses.append("note LIKE ?")
            values.append(f"%{text}%")
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._db.execute(f"SELECT * FROM entries{where} ORDER BY id", values).fetchall()
        return [_entry(row) for row in rows]

    def verify(self) -> int | None:
        """The id of the first entry whose hash does not follow from its content, or ``None``."""
        prev = GENESIS
        for row in self._db.execute("SELECT * FROM entries ORDER BY id"):
            entry = _entry(row)
            fields = {
                "at": entry.at,
                "kind": entry.kind,
                "project": entry.project,
                "channel": entry.channel,
                "operator": entry.operator,
                "note": entry.note,
                "details": entry.details,
                "corrects": entry.corrects,
            }
            if entry.prev_hash != prev or entry.hash != entry_hash(prev, fields):
                return entry.id
            prev = entry.hash
        return None

    def totals(self, entries: Sequence[Entry]) -> dict[str, float]:
        """Hours recorded and programmes aired (with their hours) among ``entries``."""
        recorded = sum(
            float(e.details.get("duration_s", 0)) for e in entries if e.kind == "recording"
        )
        aired = [
            e
            for e in entries
            if e.kind == "broadcast" and e.details.get("status", "aired") == "aired"
        ]
        return {
            "hours_recorded": recorded / 3600,
            "programmes_aired": len(aired),
            "hours_aired": sum(float(e.details.get("duration_s", 0)) for e in aired) / 3600,
        }


def _entry(row: Sequence[Any]) -> Entry:
    return Entry(
        id=int(row[0]),
        at=str(row[1]),
        kind=str(row[2]),
        project=str(row[3]),
        channel=str(row[4]),
        operator=str(row[5]),
        note=str(row[6]),
        details=dict(json.loads(row[7])),
        corrects=None if row[8] is None else int(row[8]),
        prev_hash=str(row[9]),
        hash=str(row[10]),
    )


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in blocks (for the outputs a log entry lists)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
