"""The two databases a log can live in: a SQLite file (the default) or PostgreSQL.

Both speak the same small interface to ``LogStore``: read rows, insert one
row and get its id, and run a block under the exclusive append lock (SQLite
``BEGIN IMMEDIATE``; PostgreSQL a self-conflicting table lock), so reading the
last hash and inserting the next entry happen as one step whoever else is
writing. SQL is written with ``?`` placeholders; the PostgreSQL side turns
them into ``%s``. psycopg (v3) is imported only when a PostgreSQL URL is used.
"""

from __future__ import annotations

import importlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from postprod.errors import LogError
from postprod.log.location import LogLocation
from postprod.log.schema import (
    POSTGRES_META,
    POSTGRES_SCHEMA,
    SCHEMA_VERSION,
    SQLITE_MIGRATIONS,
)

BUSY_TIMEOUT_S = 30.0
_PG_LOCK_KEY = 0x706F7374  # an advisory lock for creating the schema ("post")


class Connection(Protocol):
    """What the store needs from a database."""

    location: LogLocation

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def insert(self, sql: str, params: Sequence[Any]) -> int: ...

    def appending(self) -> Any: ...

    def close(self) -> None: ...


def connect(location: LogLocation) -> Connection:
    """Open (creating or upgrading) the log database at ``location``."""
    if location.backend == "off":
        raise LogError(
            "the log is switched off (POSTPROD_LOG=off)",
            fix="unset POSTPROD_LOG or give --log PATH",
        )
    if location.backend == "postgresql":
        return PostgresConnection(location)
    return SqliteConnection(location)


def backup_path(path: Path, version: int, now: datetime | None = None) -> Path:
    """Reserve a new, never existing, backup name ``<db>.bak-v<N>-<UTC stamp>[-k]``."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    for attempt in range(1000):
        suffix = "" if attempt == 0 else f"-{attempt + 1}"
        candidate = path.with_name(f"{path.name}.bak-v{version}-{stamp}{suffix}")
        try:
            with open(candidate, "xb"):  # exclusive: an existing backup is never touched
                return candidate
        except FileExistsError:
            continue
    raise LogError("no free backup name", where=str(path), fix="tidy the old backups away")


class SqliteConnection:
    """A SQLite log file: WAL, a busy timeout, foreign keys, migrations with a backup first."""

    def __init__(self, location: LogLocation, *, now: datetime | None = None) -> None:
        assert location.path is not None
        self.location = location
        self.path = location.path
        self.backup: Path | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise LogError(
                f"cannot create the folder for the log ({error.strerror})",
                where=str(self.path.parent),
                fix="point POSTPROD_LOG or --log at a writable place",
            ) from None
        with self._guard():
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            with self._guard():
                self._db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
                self._db.execute("PRAGMA foreign_keys=ON")
                self._refuse_foreign()  # before WAL mode changes another program's file
                self._db.execute("PRAGMA journal_mode=WAL")
                self._migrate(now)
        except BaseException:
            self._db.close()
            raise

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """SQLite's errors as one clear line naming the file and what to do."""
        try:
            yield
        except sqlite3.OperationalError as error:
            text = str(error)
            if "locked" in text or "busy" in text:
                raise LogError(
                    f"the log stayed busy for {BUSY_TIMEOUT_S:.0f} s ({text})",
                    where=str(self.path),
                    fix="another program holds it: try again, or close that program",
                ) from None
            if "unable to open" in text or "readonly" in text:
                raise LogError(
                    f"cannot open the log ({text})",
                    where=str(self.path),
                    fix="check the file's permissions, or point POSTPROD_LOG elsewhere",
                ) from None
            raise self._damaged(error) from None
        except sqlite3.DatabaseError as error:
            raise self._damaged(error) from None

    def _damaged(self, error: Exception) -> LogError:
        return LogError(
            f"{self.path.name} is not a readable log database ({error})",
            where=str(self.path),
            fix="move it aside and keep it for inspection, then restore a .bak-* copy "
            "or start a new log (POSTPROD_LOG or --log)",
        )

    def _tables(self) -> set[str]:
        rows = self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        return {str(row[0]) for row in rows}

    def _refuse_foreign(self) -> None:
        """A SQLite file of another program (tables, no version, no entries) is left alone."""
        tables = self._tables()
        if self._version() == 0 and tables and "entries" not in tables:
            raise LogError(
                f"{self.path.name} is a SQLite database but not a postprod log "
                f"(it holds {', '.join(sorted(tables))})",
                where=str(self.path),
                fix="point POSTPROD_LOG or --log at another file",
            )

    def _version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, now: datetime | None) -> None:
        if self._version() == SCHEMA_VERSION:
            return
        self._db.execute(
            "BEGIN IMMEDIATE"
        )  # one process migrates; the others wait, then see it done
        try:
            version = self._version()
            tables = self._tables()
            if version > SCHEMA_VERSION:
                raise LogError(
                    f"this log has schema version {version}, newer than this postprod "
                    f"understands ({SCHEMA_VERSION})",
                    where=str(self.path),
                    fix="update postprod",
                )
            if version == 0 and tables:
                self._refuse_foreign()
                version = 1  # the first release's tables, written before its version stamp
            if version < SCHEMA_VERSION and tables:
                self.backup = self._backup(version, now)
            for migration in SQLITE_MIGRATIONS:
                if migration.version > version:
                    for statement in migration.statements:
                        self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            self.backup = None
            raise

    def _backup(self, version: int, now: datetime | None) -> Path:
        """A consistent copy (WAL included) under a new name, before anything changes."""
        target = backup_path(self.path, version, now)
        partial = target.with_name(f".{target.name}.partial")
        source = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
            finally:
                copy.close()
            os.replace(partial, target)  # over the empty file this process reserved
        except BaseException:
            partial.unlink(missing_ok=True)
            target.unlink(missing_ok=True)
            raise
        finally:
            source.close()
        return target

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._guard():
            return [tuple(row) for row in self._db.execute(sql, tuple(params)).fetchall()]

    def insert(self, sql: str, params: Sequence[Any]) -> int:
        with self._guard():
            row = self._db.execute(sql + " RETURNING id", tuple(params)).fetchone()
        return int(row[0])

    @contextmanager
    def appending(self) -> Iterator[None]:
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            with self._guard():
                self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._db.close()


class PostgresConnection:
    """A log in PostgreSQL (several rooms, one log) through psycopg 3."""

    def __init__(self, location: LogLocation) -> None:
        self.location = location
        try:
            self._psycopg: Any = importlib.import_module("psycopg")
        except ImportError:
            raise LogError(
                "a PostgreSQL log needs psycopg, which is not installed",
                where=str(location),
                fix="pip install 'postprod[postgres]', or use a SQLite file",
            ) from None
        with self._guard():
            self._db: Any = self._psycopg.connect(location.url, autocommit=True, connect_timeout=10)
        try:
            with self._guard():
                self._migrate()
        except BaseException:
            self._db.close()
            raise

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except self._psycopg.Error as error:
            first_line = (
                str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            )
            raise LogError(
                f"the PostgreSQL log failed ({first_line})",
                where=str(self.location),
                fix="check the database URL, that the server runs, and the user's rights",
            ) from None

    def _migrate(self) -> None:
        with self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_LOCK_KEY,))
            exists = self._db.execute("SELECT to_regclass(%s)", (POSTGRES_META,)).fetchone()[0]
            version = 0
            if exists is not None:
                row = self._db.execute(
                    f"SELECT value FROM {POSTGRES_META} WHERE key = 'schema_version'"
                ).fetchone()
                version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise LogError(
                    f"this log has schema version {version}, newer than this postprod "
                    f"understands ({SCHEMA_VERSION})",
                    where=str(self.location),
                    fix="update postprod",
                )
            if version == SCHEMA_VERSION:
                return
            for statement in POSTGRES_SCHEMA:
                self._db.execute(statement)
            self._db.execute(
                f"INSERT INTO {POSTGRES_META} (key, value) VALUES ('schema_version', %s)"
                " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                (str(SCHEMA_VERSION),),
            )

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._guard():
            return [
                tuple(row) for row in self._db.execute(self._sql(sql), tuple(params)).fetchall()
            ]

    def insert(self, sql: str, params: Sequence[Any]) -> int:
        with self._guard():
            row = self._db.execute(self._sql(sql) + " RETURNING id", tuple(params)).fetchone()
        return int(row[0])

    @contextmanager
    def appending(self) -> Iterator[None]:
        with self._guard(), self._db.transaction():
            # SHARE ROW EXCLUSIVE conflicts with itself: appenders queue, readers go on.
            self._db.execute("LOCK TABLE entries IN SHARE ROW EXCLUSIVE MODE")
            yield

    def close(self) -> None:
        self._db.close()
