"""The session and broadcast log (SQLite by default)."""

from postprod.log.store import Entry, LogStore, default_location, file_sha256

__all__ = ["Entry", "LogStore", "default_location", "file_sha256"]
