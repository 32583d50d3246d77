"""The studio log: an append-only journal of takes, renders, deliveries and broadcasts.

``LogStore(location)`` opens (creating, or upgrading after a backup copy) the
database at a ``LogLocation`` (a SQLite file, or a PostgreSQL URL); see
``postprod.log.schema`` for the tables and ``postprod.log.entry`` for what an
entry holds. There is no update or delete: database triggers refuse both, and
a correction is a new entry that names the one it corrects. Each entry's
hash covers the previous entry's hash and its own canonical JSON, so an
edit made behind the log's back breaks the chain and ``verify`` says where.
Several processes may append at once: reading the last hash and inserting
happen under one exclusive lock, so the chain never forks and nothing is lost.
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from postprod.errors import LogError
from postprod.log.backends import Connection, SqliteConnection, connect
from postprod.log.entry import (
    GENESIS,
    Details,
    Entry,
    canonical_json,
    check_kind,
    entry_hash,
    parse_details,
    read_details,
)
from postprod.log.location import LogLocation, parse_location
from postprod.log.times import utc_stamp

_COLUMNS = "id, at, kind, project, channel, operator, note, details, corrects, prev_hash, hash"
_PAGE = 1000


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """The result of walking the hash chain."""

    entries: int
    first_broken: int | None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.first_broken is None


class LogStore:
    """A log database, opened (and created or upgraded) on construction; use as a context manager."""

    def __init__(self, location: LogLocation | str | os.PathLike[str]) -> None:
        self.location = parse_location(location)
        self._db: Connection = connect(self.location)

    @property
    def path(self) -> Path | None:
        """The SQLite file (``None`` for PostgreSQL)."""
        return self.location.path

    @property
    def backup(self) -> Path | None:
        """The copy made before an upgrade when this store was opened, if one was made."""
        return self._db.backup if isinstance(self._db, SqliteConnection) else None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> LogStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def append(
        self,
        kind: str,
        *,
        note: str = "",
        project: str | os.PathLike[str] = "",
        channel: str = "",
        details: Details | Mapping[str, Any] | None = None,
        corrects: int | None = None,
        at: datetime | None = None,
        operator: str | None = None,
    ) -> Entry:
        """Add an entry at the end of the chain, atomically, whoever else is writing."""
        check_kind(kind)
        typed = parse_details(kind, details)
        stored = typed.to_dict()
        hashed: dict[str, Any] = {
            "at": utc_stamp(at or datetime.now(UTC)),
            "kind": kind,
            "project": os.fspath(project),
            "channel": channel,
            "operator": operator if operator is not None else _operator(),
            "note": note,
            "details": stored,
            "corrects": corrects,
        }
        with self._db.appending():
            if corrects is not None and not self._db.rows(
                "SELECT 1 FROM entries WHERE id = ?", (corrects,)
            ):
                raise LogError(f"there is no entry {corrects} to correct", fix="check the entry id")
            last = self._db.rows("SELECT hash FROM entries ORDER BY id DESC LIMIT 1")
            prev = str(last[0][0]) if last else GENESIS
            digest = entry_hash(prev, hashed)
            new_id = self._db.insert(
                "INSERT INTO entries (at, kind, project, channel, operator, note, details,"
                " corrects, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    hashed["at"],
                    kind,
                    hashed["project"],
                    channel,
                    hashed["operator"],
                    note,
                    canonical_json(stored),
                    corrects,
                    prev,
                    digest,
                ),
            )
        return Entry(
            id=new_id,
            kind=kind,
            at=hashed["at"],
            project=hashed["project"],
            channel=channel,
            operator=hashed["operator"],
            note=note,
            details=typed,
            corrects=corrects,
            prev_hash=prev,
            hash=digest,
        )

    def entries(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        project: str | None = None,
        kind: str | None = None,
        channel: str | None = None,
        text: str | None = None,
    ) -> list[Entry]:
        """Entries in log order: logged in ``[since, until)``, of a project, kind, channel, with text."""
        clauses: list[str] = []
        values: list[Any] = []
        for clause, value in (
            ("at >= ?", utc_stamp(since) if since else None),
            ("at < ?", utc_stamp(until) if until else None),
            ("project = ?", project),
            ("kind = ?", kind),
            ("channel = ?", channel),
        ):
            if value:
                clauses.append(clause)
                values.append(value)
        if text:  # case-insensitive substring of the note, every character literal
            clauses.append("LOWER(note) LIKE ? ESCAPE '\\'")
            values.append("%" + like_literal(text.lower()) + "%")
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._db.rows(f"SELECT {_COLUMNS} FROM entries{where} ORDER BY id", values)
        return [_entry(row) for row in rows]

    def entry(self, entry_id: int) -> Entry:
        """One entry by id."""
        rows = self._db.rows(f"SELECT {_COLUMNS} FROM entries WHERE id = ?", (entry_id,))
        if not rows:
            raise LogError(f"there is no log entry {entry_id}", where=str(self.location))
        return _entry(rows[0])

    def _all_rows(self) -> Iterator[tuple[Any, ...]]:
        """Every row in order, a page at a time (bounded memory on a long log)."""
        after = -1
        while True:
            page = self._db.rows(
                f"SELECT {_COLUMNS} FROM entries WHERE id > ? ORDER BY id LIMIT {_PAGE}", (after,)
            )
            yield from page
            if len(page) < _PAGE:
                return
            after = int(page[-1][0])

    def check_chain(self) -> ChainCheck:
        """Walk the hash chain from the first entry; stop at the first that does not follow."""
        prev = GENESIS
        count = 0
        for row in self._all_rows():
            count += 1
            entry_id = int(row[0])
            try:
                details = json.loads(row[7])
            except ValueError:
                return ChainCheck(count, entry_id, "its details are not JSON")
            hashed = {
                "at": row[1],
                "kind": row[2],
                "project": row[3],
                "channel": row[4],
                "operator": row[5],
                "note": row[6],
                "details": details,
                "corrects": None if row[8] is None else int(row[8]),
            }
            if row[9] != prev:
                return ChainCheck(count, entry_id, "it does not follow the entry before it")
            if row[10] != entry_hash(prev, hashed):
                return ChainCheck(count, entry_id, "its content does not match its hash")
            prev = str(row[10])
        return ChainCheck(count, None)

    def verify(self) -> int | None:
        """The id of the first entry whose hash does not follow from its content, or ``None``."""
        return self.check_chain().first_broken


def like_literal(text: str) -> str:
    """``text`` for a LIKE pattern with backslash as the escape: ``%`` and ``_`` match
    themselves, not any run of characters or any one character."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _entry(row: tuple[Any, ...]) -> Entry:
    kind = str(row[2])
    return Entry(
        id=int(row[0]),
        at=str(row[1]),
        kind=kind,
        project=str(row[3]),
        channel=str(row[4]),
        operator=str(row[5]),
        note=str(row[6]),
        details=read_details(kind, str(row[7])),
        corrects=None if row[8] is None else int(row[8]),
        prev_hash=str(row[9]),
        hash=str(row[10]),
    )


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
