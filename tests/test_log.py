"""The studio log library: typed entries, the hash chain, concurrency, damage, upgrades, exports, reconciliation."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import soundfile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postprod.errors import LogError
from postprod.log import (
    BroadcastItem,
    LogStore,
    Notes,
    Product,
    RecordingTake,
    default_location,
    log_broadcast,
    log_recording,
    parse_location,
    record_output,
)
from postprod.log.backends import SqliteConnection, backup_path
from postprod.log.entry import GENESIS, entry_hash, parse_details
from postprod.log.playout import read_playout, reconcile
from postprod.log.reports import aired_on, as_run_html, to_csv, to_json, totals
from postprod.log.schema import SCHEMA_VERSION

DAY = date(2026, 11, 24)

# What the first release (schema version 1) wrote, verbatim: the upgrade test starts from it.
V1_SCHEMA = """
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
PRAGMA user_version=1;
"""


def _append_many(location: str, worker: int, count: int) -> None:
    with LogStore(location) as store:
        for k in range(count):
            store.append("note", note=f"worker {worker} entry {k}", project="concurrency")


def _broadcast(store: LogStore, programme: str, aired: str, **kwargs: object) -> int:
    return log_broadcast(
        store,
        channel=str(kwargs.pop("channel", "ONE")),
        programme=programme,
        aired_at=aired,
        **kwargs,  # type: ignore[arg-type]
    ).id


# -- entries, typed details, queries, totals -------------------------------------------------


def test_entries_round_trip_with_typed_details_queries_and_totals(tmp_path: Path) -> None:
    t0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    with LogStore(tmp_path / "log.sqlite3") as store:
        take = store.append(
            "recording",
            project="film",
            channel="in 1-2",
            note="Take 3, dialogue",
            details={
                "track": "A3",
                "duration_s": 5400,
                "start_timecode": "01:00:00:00",
                "sample_rate": 48000,
                "peak_dbfs": -6.5,
                "mic": "MKH 416",
            },
            at=t0,
        )
        news = store.append(
            "broadcast",
            channel="ONE",
            note="News",
            details={"programme": "News", "duration_s": 1800, "aired_at": "2026-11-24T20:00:00"},
            at=t0 + timedelta(hours=11),
        )
        fix = store.append(
            "correction", note="take 3 was take 4", corrects=take.id, at=t0 + timedelta(days=1)
        )
        entries = store.entries()
        assert [e.kind for e in entries] == ["recording", "broadcast", "correction"]
        recorded = entries[0].details
        assert isinstance(recorded, RecordingTake)
        assert (recorded.track, recorded.duration_s, recorded.sample_rate) == ("A3", 5400.0, 48000)
        assert recorded.extra == {"mic": "MKH 416"}  # unknown keys are kept, never dropped
        assert (
            isinstance(entries[1].details, BroadcastItem) and entries[1].details.status == "aired"
        )
        assert isinstance(entries[2].details, Notes) and fix.corrects == take.id
        assert entries == [take, news, fix]  # what append returned is what reads back
        assert totals(entries).to_dict() == {
            "entries": 3,
            "hours_recorded": 1.5,
            "programmes_aired": 1,
            "hours_aired": 0.5,
        }
        # queries: text (case-insensitive), project, kind, channel, date range
        assert [e.id for e in store.entries(text="TAKE")] == [take.id, fix.id]
        assert [e.id for e in store.entries(project="film")] == [take.id]
        assert [e.id for e in store.entries(kind="broadcast", channel="ONE")] == [news.id]
        assert [
            e.id
            for e in store.entries(since=t0 + timedelta(hours=1), until=t0 + timedelta(hours=12))
        ] == [news.id]
        assert store.entry(news.id) == news
        assert store.verify() is None
        with pytest.raises(LogError, match="no entry 99"):
            store.append("correction", note="?", corrects=99)
        with pytest.raises(LogError, match="unknown log kind"):
            store.append("gossip", note="?")
        with pytest.raises(LogError, match="status 'late'"):
            store.append("broadcast", details={"programme": "X", "status": "late"})
        with pytest.raises(LogError, match="duration_s must be a number"):
            store.append("recording", details={"duration_s": "long"})
        assert len(store.entries()) == 3  # refused entries left nothing behind
        assert store.verify() is None


def test_a_correction_of_a_broadcast_replaces_it_in_totals(tmp_path: Path) -> None:
    with LogStore(tmp_path / "log.sqlite3") as store:
        first = _broadcast(store, "Film", "2026-11-24T20:30:00", duration_s=5400.0)
        _broadcast(
            store, "Film", "2026-11-24T20:30:00", duration_s=3000.0, status="cut", corrects=first
        )
        entries = store.entries()
    assert totals(entries).programmes_aired == 1
    assert totals(entries).hours_aired == pytest.approx(3000 / 3600)
    assert [e.details.get("status") for e in aired_on(entries, DAY)] == ["cut"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["track", "duration_s", "peak_dbfs", "note", "file", "status", "x"]),
        st.one_of(st.text(max_size=8), st.floats(-1e6, 1e6), st.integers(-1000, 1000)),
        max_size=5,
    )
)
def test_details_round_trip_exactly_or_are_refused(data: dict[str, object]) -> None:
    for kind in ("recording", "render", "note"):
        try:
            typed = parse_details(kind, data)
        except LogError:
            continue
        stored = typed.to_dict()
        assert parse_details(kind, stored).to_dict() == stored  # what is hashed reads back alike
        assert json.loads(json.dumps(stored)) == stored


# -- integrity: append-only, hash chain ------------------------------------------------------


def test_history_cannot_be_edited_unnoticed(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    with LogStore(path) as store:
        for k in range(4):
            store.append("note", note=f"entry {k}")
        assert store.entries()[0].prev_hash == GENESIS
    raw = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("UPDATE entries SET note = 'changed' WHERE id = 2")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("DELETE FROM entries WHERE id = 4")
    raw.execute("DROP TRIGGER entries_no_update")  # someone determined
    raw.execute("UPDATE entries SET note = 'changed' WHERE id = 2")
    raw.commit()
    raw.close()
    with LogStore(path) as store:
        check = store.check_chain()
        assert (check.first_broken, check.reason) == (2, "its content does not match its hash")
        assert store.verify() == 2


def test_a_deleted_entry_breaks_the_chain_at_the_next(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    with LogStore(path) as store:
        for k in range(4):
            store.append("note", note=f"entry {k}")
    raw = sqlite3.connect(path)
    raw.execute("DROP TRIGGER entries_no_delete")
    raw.execute("DELETE FROM entries WHERE id = 2")
    raw.commit()
    raw.close()
    with LogStore(path) as store:
        check = store.check_chain()
    assert (check.first_broken, check.reason) == (3, "it does not follow the entry before it")


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite3")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(path, w, 50)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    with LogStore(path) as store:
        entries = store.entries(project="concurrency")
        assert len(entries) == 200
        assert {e.note for e in entries} == {
            f"worker {w} entry {k}" for w in range(4) for k in range(50)
        }
        assert store.verify() is None
        # each worker's own entries stay in its order
        for w in range(4):
            mine = [int(e.note.split()[-1]) for e in entries if e.note.startswith(f"worker {w} ")]
            assert mine == list(range(50))


# -- damage, upgrades, backups ---------------------------------------------------------------


def test_a_corrupt_database_is_one_clear_error_and_nothing_is_touched(tmp_path: Path) -> None:
    bad = tmp_path / "log.sqlite3"
    garbage = os.urandom(8192)
    bad.write_bytes(garbage)
    earlier = tmp_path / "log.sqlite3.bak-v1-20260101T000000Z"
    earlier.write_bytes(b"an earlier backup")
    with pytest.raises(LogError) as caught:
        LogStore(bad)
    message = caught.value.message
    assert "log.sqlite3 is not a readable log database" in message
    assert str(bad) in message and "move it aside" in message and "\n" not in message
    assert bad.read_bytes() == garbage
    assert earlier.read_bytes() == b"an earlier backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == [bad.name, earlier.name]


def test_another_programs_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE invoices (x)")
    raw.commit()
    raw.close()
    before = path.read_bytes()
    with pytest.raises(LogError, match="not a postprod log"):
        LogStore(path)
    assert path.read_bytes() == before and not list(tmp_path.glob("*.bak-*"))


def test_a_v1_log_is_upgraded_in_place_after_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.executescript(V1_SCHEMA)
    prev = GENESIS
    for k in range(3):  # entries as the first release hashed them
        fields = {
            "at": f"2026-01-0{k + 1}T10:00:00.000+00:00",
            "kind": "note",
            "project": "",
            "channel": "",
            "operator": "tech",
            "note": f"old {k}",
            "details": {"duration_s": 60},
            "corrects": None,
        }
        digest = entry_hash(prev, fields)
        raw.execute(
            "INSERT INTO entries (at, kind, project, channel, operator, note, details, corrects,"
            " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
            (
                fields["at"],
                "note",
                "",
                "",
                "tech",
                fields["note"],
                '{"duration_s": 60}',
                prev,
                digest,
            ),
        )
        prev = digest
    raw.commit()
    raw.close()
    with LogStore(path) as store:
        assert store.backup is not None and store.backup.name.startswith("log.sqlite3.bak-v1-")
        assert [e.note for e in store.entries()] == ["old 0", "old 1", "old 2"]
        store.append("note", note="after the upgrade")
        assert store.verify() is None  # the old chain continues unbroken
    upgraded = sqlite3.connect(path)
    assert upgraded.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    indexes = {r[0] for r in upgraded.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"entries_project", "entries_channel"} <= indexes
    upgraded.close()
    backups = list(tmp_path.glob("log.sqlite3.bak-v1-*"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 3  # WAL content included
    old.close()
    with LogStore(path) as store:  # opened again: nothing more to upgrade, no second backup
        assert store.backup is None
    assert len(list(tmp_path.glob("log.sqlite3.bak-*"))) == 1


def test_a_new_or_empty_v0_file_becomes_a_log_without_a_backup(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    with LogStore(empty) as store:
        store.append("note", note="first")
        assert store.backup is None
    with LogStore(tmp_path / "deep" / "new.sqlite3") as store:
        assert store.entries() == []
    assert not list(tmp_path.glob("**/*.bak-*"))


def test_a_backup_is_never_overwritten(tmp_path: Path) -> None:
    now = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
    path = tmp_path / "log.sqlite3"
    taken = tmp_path / "log.sqlite3.bak-v1-20261124T120000Z"
    taken.write_bytes(b"precious")
    raw = sqlite3.connect(path)
    raw.executescript(V1_SCHEMA)
    raw.close()
    connection = SqliteConnection(parse_location(path), now=now)
    connection.close()
    assert taken.read_bytes() == b"precious"
    assert connection.backup == tmp_path / "log.sqlite3.bak-v1-20261124T120000Z-2"
    assert sqlite3.connect(connection.backup).execute("PRAGMA user_version").fetchone()[0] == 1
    assert backup_path(path, 1, now).name.endswith("-3")


def test_a_newer_log_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    LogStore(path).close()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version=99")
    raw.close()
    with pytest.raises(LogError, match="newer than this postprod"):
        LogStore(path)


# -- locations -------------------------------------------------------------------------------


def test_locations(tmp_path: Path) -> None:
    assert parse_location(str(tmp_path / "a.db")).path == tmp_path / "a.db"
    assert parse_location(f"sqlite:///{tmp_path}/b.db").path == tmp_path / "b.db"
    pg = parse_location("postgresql://tech:secret@db.studio/log")
    assert pg.backend == "postgresql" and "secret" not in str(pg)
    assert default_location(environ={"XDG_DATA_HOME": str(tmp_path)}).path == (
        tmp_path / "postprod" / "log.sqlite3"
    )
    assert default_location(environ={"POSTPROD_LOG": "off"}).backend == "off"
    assert default_location("x.db", environ={"POSTPROD_LOG": "y.db"}).path == Path("x.db")
    with pytest.raises(LogError, match="switched off"):
        LogStore("off")
    with pytest.raises(LogError, match="unknown log database URL"):
        parse_location("mysql://studio/log")


# -- the event sink --------------------------------------------------------------------------


def _wav(path: Path, seconds: float = 2.0) -> Path:
    t = np.arange(int(48000 * seconds)) / 48000
    soundfile.write(
        path, (0.25 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32), 48000, subtype="PCM_24"
    )
    return path


def test_event_helpers_checksum_outputs_and_time_programmes(tmp_path: Path) -> None:
    master = _wav(tmp_path / "master.wav")
    report = tmp_path / "qc.json"
    report.write_text('{"passed": true}')
    with LogStore(tmp_path / "log.sqlite3") as store:
        entry = record_output(
            store,
            "qc",
            "QC ebu-r128: passed",
            project="film.otio",
            outputs=[master, report, tmp_path / "never-written.wav"],
            details={
                "preset": "ebu-r128",
                "passed": np.bool_(True),
                "loudness_lufs": np.float32(-23.0),
            },
        )
        take = log_recording(
            store,
            RecordingTake(track="A3", file=str(master), duration_s=2.0, sample_rate=48000),
            project="film.otio",
        )
        aired = log_broadcast(
            store,
            channel="ONE",
            programme=master,
            aired_at="2026-11-24T20:00:00+00:00",
            status="cut",
        )
        with pytest.raises(LogError, match="products"):
            record_output(store, "broadcast", "?")
        with pytest.raises(LogError, match="give the duration"):
            log_broadcast(store, channel="ONE", programme=report, aired_at="2026-11-24T20:00:00")
        stored = store.entries()
    assert [e.id for e in stored] == [entry.id, take.id, aired.id]
    product = stored[0].details
    assert isinstance(product, Product)
    assert (
        product.passed is True and product.preset == "ebu-r128" and product.loudness_lufs == -23.0
    )
    assert [(o.path, o.sha256, o.size_bytes) for o in product.outputs] == [
        (str(p.resolve()), hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size)
        for p in (master, report)
    ]
    assert stored[1].details.get("sha256") == hashlib.sha256(master.read_bytes()).hexdigest()
    broadcast = stored[2].details
    assert isinstance(broadcast, BroadcastItem)
    assert broadcast.programme == "master.wav" and broadcast.status == "cut"
    assert broadcast.duration_s == pytest.approx(2.0, abs=1e-3)  # from the file's header
    assert broadcast.sha256 == product.outputs[0].sha256
    local = datetime(2026, 11, 24, 20, 0, tzinfo=UTC).astimezone().replace(tzinfo=None)
    assert broadcast.aired_at == local.isoformat()  # an offset becomes station wall-clock time


# -- exports and reconciliation ---------------------------------------------------------------


def _evening(store: LogStore) -> dict[str, int]:
    return {
        "news": _broadcast(
            store,
            "Evening News",
            "2026-11-24T20:00:05",
            duration_s=1800.0,
            scheduled_at="2026-11-24T20:00:00",
            loudness_lufs=-23.1,
        ),
        "film": _broadcast(
            store, "Film <uncut>", "2026-11-24T20:31:00", duration_s=5000.0, status="cut"
        ),
        "other": _broadcast(
            store, "Cartoons", "2026-11-24T20:00:00", channel="TWO", duration_s=600.0
        ),
        "extra": _broadcast(store, "Trailer", "2026-11-24T23:00:00", duration_s=60.0),
        "yesterday": _broadcast(store, "Evening News", "2026-11-23T20:00:00", duration_s=1800.0),
        "note": store.append("note", note="a session with the director").id,
    }


def test_csv_json_and_html_exports_match_the_entries(tmp_path: Path) -> None:
    with LogStore(tmp_path / "log.sqlite3") as store:
        _evening(store)
        entries = store.entries()
    rows = list(csv.DictReader(io.StringIO(to_csv(entries))))
    assert len(rows) == len(entries)
    for row, entry in zip(rows, entries, strict=True):
        expected = entry.to_dict()
        assert json.loads(row.pop("details")) == expected.pop("details")
        assert row == {k: "" if v is None else str(v) for k, v in expected.items()}
    assert json.loads(to_json(entries)) == [e.to_dict() for e in entries]
    day = aired_on(entries, DAY, "ONE")
    assert [e.details.get("programme") for e in day] == ["Evening News", "Film <uncut>", "Trailer"]
    page = as_run_html(day, channel="ONE", day="2026-11-24")
    assert "@page { size: A4 landscape" in page and "<script" not in page and "http" not in page
    assert page.count("<tr") == 1 + 3  # the header and one row per broadcast
    assert "Film &lt;uncut&gt;" in page and '<tr class="cut">' in page
    assert "20:00:05" in page and "00:30:00" in page and "-23.1" in page


def test_reconcile_finds_aired_missing_and_extra(tmp_path: Path) -> None:
    playlist = tmp_path / "playout.csv"
    playlist.write_text(
        "Scheduled Time,Programme,Duration,Channel\n"
        "2026-11-24T20:00:00,Evening News,00:30:00,ONE\n"
        "20:30:00,film <UNCUT>,5400,ONE\n"  # a time alone is on the reconciled day
        "2026-11-24T20:00:00,Cartoons,600,TWO\n"  # another channel: not ours
        "2026-11-24T22:00:00,Weather,300,\n"
        "2026-11-25T20:00:00,Evening News,1800,ONE\n",  # another day
        encoding="utf-8",
    )
    with LogStore(tmp_path / "log.sqlite3") as store:
        ids = _evening(store)
        logged = aired_on(store.entries(kind="broadcast"), DAY, "ONE")
    scheduled = read_playout(playlist, day=DAY, channel="ONE")
    assert [(i.programme, i.duration_s) for i in scheduled] == [
        ("Evening News", 1800.0),
        ("film <UNCUT>", 5400.0),
        ("Weather", 300.0),
    ]
    result = reconcile(scheduled, logged)
    assert [(m.item.programme, m.entry.id, m.to_dict()["status"]) for m in result.aired] == [
        ("Evening News", ids["news"], "aired"),
        ("film <UNCUT>", ids["film"], "cut"),
    ]
    assert result.aired[0].offset_s == 5.0 and result.aired[1].offset_s == 60.0
    assert [i.programme for i in result.missing] == ["Weather"]
    assert [e.id for e in result.extra] == [ids["extra"]]
    strict = reconcile(scheduled, logged, tolerance_s=30)
    assert [i.programme for i in strict.missing] == ["film <UNCUT>", "Weather"]
    assert {e.id for e in strict.extra} == {ids["film"], ids["extra"]}
    bad = tmp_path / "bad.csv"
    bad.write_text("when,what\n20:00,News\n")
    with pytest.raises(LogError, match="scheduled_at and programme"):
        read_playout(bad, day=DAY)
    bad.write_text("scheduled_at,programme\nsoon,News\n")
    with pytest.raises(LogError, match="line 2"):
        read_playout(bad, day=DAY)


# -- PostgreSQL ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    """A PostgreSQL URL: ``POSTPROD_TEST_PG_URL``, else a throwaway local server, else skip."""
    configured = os.environ.get("POSTPROD_TEST_PG_URL")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip(
            "PostgreSQL tests skipped: psycopg is not installed (pip install '.[postgres]')"
        )
    if configured:
        yield configured
        return
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip(
            "PostgreSQL tests skipped: no POSTPROD_TEST_PG_URL and no initdb/pg_ctl on PATH "
            "(apt-get install postgresql, or set POSTPROD_TEST_PG_URL)"
        )
    folder = Path(tempfile.mkdtemp(prefix="pp-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        if not shutil.which("runuser"):
            pytest.skip("PostgreSQL tests skipped: running as root without runuser")
        run_as = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    port = _free_port()
    data = folder / "data"
    try:
        subprocess.run(
            [*run_as, initdb, "-D", str(data), "--auth=trust", "-U", "postgres", "-E", "UTF8"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(
            [
                *run_as,
                pg_ctl,
                "-D",
                str(data),
                "-l",
                str(folder / "server.log"),
                "-w",
                "-o",
                f"-k {folder} -p {port} -c listen_addresses=''",
                "start",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    except (subprocess.SubprocessError, OSError, LookupError) as error:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"PostgreSQL tests skipped: could not start a local server ({error})")
    try:
        yield f"postgresql://postgres@/postgres?host={folder}&port={port}"
    finally:
        subprocess.run(
            [*run_as, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=120,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh schema per test on the server, so tests never see each other's entries."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in pg_server else "?"
    yield f"{pg_server}{separator}options=-csearch_path%3D{schema}"
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")


def test_postgresql_log_behaves_like_sqlite(pg_url: str, tmp_path: Path) -> None:
    import psycopg

    with LogStore(pg_url) as store:
        take = store.append(
            "recording", project="film", note="Take 1", details={"track": "A1", "duration_s": 3600}
        )
        _broadcast(store, "News", "2026-11-24T20:00:00", duration_s=1800.0)
        store.append("correction", note="take 1 was noisy", corrects=take.id)
        with pytest.raises(LogError, match="no entry 99"):
            store.append("correction", note="?", corrects=99)
        entries = store.entries()
        assert [e.kind for e in entries] == ["recording", "broadcast", "correction"]
        assert [e.id for e in store.entries(text="TAKE")] == [take.id, entries[2].id]
        assert totals(entries).hours_recorded == 1.0 and totals(entries).programmes_aired == 1
        assert store.verify() is None
    with LogStore(pg_url) as again:  # reopening finds the schema in place
        assert len(again.entries()) == 3
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(pg_url, w, 20)) for w in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    with LogStore(pg_url) as store:
        assert len(store.entries(project="concurrency")) == 60 and store.verify() is None
    with psycopg.connect(pg_url, autocommit=True) as raw:
        with pytest.raises(psycopg.Error, match="append-only"):
            raw.execute("UPDATE entries SET note = 'changed' WHERE id = %s", (take.id,))
        with pytest.raises(psycopg.Error, match="append-only"):
            raw.execute("DELETE FROM entries")
        raw.execute("ALTER TABLE entries DISABLE TRIGGER entries_no_change")
        raw.execute("UPDATE entries SET note = 'changed' WHERE id = %s", (take.id,))
    with LogStore(pg_url) as store:
        assert store.verify() == take.id


def test_an_unreachable_postgresql_is_one_clear_error() -> None:
    pytest.importorskip("psycopg", reason="psycopg is not installed")
    with pytest.raises(LogError, match="the PostgreSQL log failed"):
        LogStore("postgresql://nobody@/nowhere?host=/nonexistent-socket-dir&connect_timeout=2")
