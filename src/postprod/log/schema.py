"""The log's database schema, its version, and the migrations that bring an old log up to date.

Schema version 3 (SQLite keeps the number in ``PRAGMA user_version``;
PostgreSQL in ``postprod_log_meta``)::

    entries                       one row per log entry, never updated or deleted
      id        INTEGER PK        order of the hash chain
      at        TEXT              when it was logged, UTC ISO 8601 with milliseconds
      kind      TEXT              recording, render, mix, delivery, qc, import, export,
                                  edit, broadcast, note, correction, session
      project   TEXT              project file or name ('' if none)
      channel   TEXT              broadcast channel or recording input ('' if none)
      operator  TEXT              the user who ran the command
      note      TEXT              free text (searched by ``log show --search``)
      details   TEXT              JSON, typed per kind (see postprod.log.entry)
      corrects  INTEGER NULL      the id of the entry this one corrects
      prev_hash TEXT              the previous entry's hash ('0' * 64 for the first)
      hash      TEXT UNIQUE       sha256(prev_hash + canonical JSON of the entry)
    meta(key, value)              who created the log and when (version 2)

    triggers entries_no_update, entries_no_delete   RAISE: the log is append-only
    indexes on at, kind (v1), project, channel (v2)
    view as_run (v3)              the broadcast entries' as-run fields as columns:
                                  id, at, channel, operator, house_id, programme,
                                  scheduled_at, aired_at, duration_s, status, reason,
                                  rate, corrects (read from details; NULL when absent)

History: version 1 (the first release) created ``entries`` with its triggers
and the ``at`` and ``kind`` indexes; version 2 added the ``project`` and
``channel`` indexes for the queries and the ``meta`` table. A migration is
one entry of ``SQLITE_MIGRATIONS``: the version it produces and its SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA_VERSION = 3
APPEND_ONLY_MESSAGE = "the log is append-only: add a correction instead"


@dataclass(frozen=True, slots=True)
class Migration:
    """The SQL that takes a log from ``version - 1`` to ``version``."""

    version: int
    description: str
    statements: tuple[str, ...]


SQLITE_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "the entries table, append-only triggers, indexes on time and kind",
        (
            """CREATE TABLE entries (
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
)""",
            "CREATE INDEX entries_at ON entries(at)",
            "CREATE INDEX entries_kind ON entries(kind)",
            f"""CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""",
            f"""CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""",
        ),
    ),
    Migration(
        2,
        "indexes on project and channel; the meta table",
        (
            "CREATE INDEX IF NOT EXISTS entries_project ON entries(project)",
            "CREATE INDEX IF NOT EXISTS entries_channel ON entries(channel)",
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('created_by', 'postprod')",
        ),
    ),
    Migration(
        3,
        "the as_run view",
        (
            """CREATE VIEW IF NOT EXISTS as_run AS SELECT
    id, at, channel, operator,
    json_extract(details, '$.house_id') AS house_id,
    json_extract(details, '$.programme') AS programme,
    json_extract(details, '$.scheduled_at') AS scheduled_at,
    json_extract(details, '$.aired_at') AS aired_at,
    json_extract(details, '$.duration_s') AS duration_s,
    COALESCE(json_extract(details, '$.status'), 'aired') AS status,
    json_extract(details, '$.reason') AS reason,
    json_extract(details, '$.rate') AS rate,
    corrects
FROM entries WHERE kind = 'broadcast'""",
        ),
    ),
)

POSTGRES_META = "postprod_log_meta"
POSTGRES_SCHEMA: tuple[str, ...] = (
    f"CREATE TABLE IF NOT EXISTS {POSTGRES_META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS entries (
    id BIGSERIAL PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    project TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL DEFAULT '',
    operator TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '{}',
    corrects BIGINT REFERENCES entries(id),
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
)""",
    "CREATE INDEX IF NOT EXISTS entries_at ON entries(at)",
    "CREATE INDEX IF NOT EXISTS entries_kind ON entries(kind)",
    "CREATE INDEX IF NOT EXISTS entries_project ON entries(project)",
    "CREATE INDEX IF NOT EXISTS entries_channel ON entries(channel)",
    f"""CREATE OR REPLACE FUNCTION postprod_log_append_only() RETURNS trigger AS $body$
BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $body$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE TRIGGER entries_no_change BEFORE UPDATE OR DELETE ON entries
FOR EACH ROW EXECUTE FUNCTION postprod_log_append_only()""",
    """CREATE OR REPLACE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
FOR EACH STATEMENT EXECUTE FUNCTION postprod_log_append_only()""",
    """CREATE OR REPLACE VIEW as_run AS SELECT
    id, at, channel, operator,
    (details::jsonb)->>'house_id' AS house_id,
    (details::jsonb)->>'programme' AS programme,
    (details::jsonb)->>'scheduled_at' AS scheduled_at,
    (details::jsonb)->>'aired_at' AS aired_at,
    ((details::jsonb)->>'duration_s')::double precision AS duration_s,
    COALESCE((details::jsonb)->>'status', 'aired') AS status,
    (details::jsonb)->>'reason' AS reason,
    (details::jsonb)->>'rate' AS rate,
    corrects
FROM entries WHERE kind = 'broadcast'""",
)
"""PostgreSQL logs start at the current version (the first PostgreSQL log was version 2);
every statement is idempotent, so an older one runs them all again. Version 3 adds the
``as_run`` view there too. Neither database gets an index on the house id: an expression
index parses every row's details when it is built, and one unreadable row would stop the
migration (the view reads details only when queried)."""
