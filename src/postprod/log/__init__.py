"""The studio log: an append-only, hash-chained record of takes, renders, deliveries and broadcasts.

SQLite by default (a file per studio), PostgreSQL by URL. Open a store with
``LogStore(default_location())`` (``POSTPROD_LOG`` or the per-user default),
append with ``store.append`` or the event helpers (``record_output``,
``log_broadcast``, ``log_recording``), read with ``store.entries(...)``.
"""

from postprod.log.entry import (
    KINDS,
    BroadcastItem,
    Entry,
    Notes,
    OutputFile,
    Product,
    RecordingTake,
)
from postprod.log.events import (
    file_sha256,
    log_broadcast,
    log_event,
    log_recording,
    output_file,
    record_output,
)
from postprod.log.location import LogLocation, default_location, parse_location
from postprod.log.store import ChainCheck, LogStore

__all__ = [
    "KINDS",
    "BroadcastItem",
    "ChainCheck",
    "Entry",
    "LogLocation",
    "LogStore",
    "Notes",
    "OutputFile",
    "Product",
    "RecordingTake",
    "default_location",
    "file_sha256",
    "log_broadcast",
    "log_event",
    "log_recording",
    "output_file",
    "parse_location",
    "record_output",
]
