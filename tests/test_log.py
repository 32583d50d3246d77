"""The studio log: entries written and read back, the hash chain, concurrency, exports, reconciliation."""

from __future__ import annotations

import csv
import json
import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from postprod.cli import main
from postprod.errors import LogError
from postprod.log import LogStore


def _append_many(path: str, worker: int) -> None:
    with LogStore(path) as store:
        for k in range(25):
            store.append("note", note=f"worker {worker} entry {k}", project="concurrency")


def test_entries_round_trip_and_totals(tmp_path: Path) -> None:
    with LogStore(tmp_path / "log.sqlite3") as store:
        take = store.append(
            "recording",
            project="film",
            note="take 3",
            details={"track": "A3", "duration_s": 5400.0, "start_timecode": "01:00:00:00"},
        )
        store.append(
            "broadcast",
            channel="ONE",
            note="News",
            details={"programme": "News", "duration_s": 1800},
        )
        fix = store.append("correction", note="take 3 was take 4", corrects=take.id)
        entries = store.entries()
        assert [e.kind for e in entries] == ["recording", "broadcast", "correction"]
        assert entries[0].details["start_timecode"] == "01:00:00:00" and fix.corrects == take.id
        assert store.totals(entries) == {
            "hours_recorded": 1.5,
            "programmes_aired": 1,
            "hours_aired": 0.5,
        }
        assert [e.id for e in store.entries(text="take")] == [take.id, fix.id]
        assert store.verify() is None
        with pytest.raises(LogError, match="no entry 99"):
            store.append("correction", note="?", corrects=99)


def test_history_cannot_be_edited_unnoticed(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    with LogStore(path) as store:
        for k in range(4):
            store.append("note", note=f"entry {k}")
    raw = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("UPDATE entries SET note = 'changed' WHERE id = 2")
    raw.execute("DROP TRIGGER entries_no_update")  # someone determined
    raw.execute("UPDATE entries SET note = 'changed' WHERE id = 2")
    raw.commit()
    raw.close()
    with LogStore(path) as store:
        assert store.verify() == 2
    assert main(["log", "verify", "--log", str(path)]) == 3


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite3")
    LogStore(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(path, w)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    with LogStore(path) as store:
        assert len(store.entries(project="concurrency")) == 100
        assert store.verify() is None


def test_a_corrupt_database_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "log.sqlite3"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LogError, match="not a readable log database"):
        LogStore(bad)
    assert main(["log", "show", "--log", str(bad)]) == 2
    assert "log.sqlite3" in capsys.readouterr().err


def test_an_old_database_is_upgraded_after_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE legacy (x)")
    raw.commit()
    raw.close()
    with LogStore(path) as store:
        store.append("note", note="after the upgrade")
    backups = list(tmp_path.glob("log.sqlite3.bak-v0-*"))
    assert len(backups) == 1
    legacy = sqlite3.connect(backups[0])
    assert legacy.execute("SELECT name FROM sqlite_master").fetchall() == [("legacy",)]


def test_cli_commands_write_what_they_should(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POSTPROD_LOG", str(tmp_path / "studio.sqlite3"))
    assert (
        main(
            [
                "log",
                "add",
                "--kind",
                "note",
                "--note",
                "session with the director",
                "--project",
                "film",
            ]
        )
        == 0
    )
    programme = tmp_path / "news.wav"
    programme.write_bytes(b"RIFF" + b"\0" * 100)  # any file: its checksum is recorded
    assert (
        main(
            [
                "broadcast",
                "log",
                "--channel",
                "ONE",
                "--programme",
                "Evening News",
                "--aired-at",
                "2026-11-24T20:00:00",
                "--duration",
                "1800",
                "--scheduled-at",
                "2026-11-24T20:00:00",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "broadcast",
                "log",
                "--channel",
                "ONE",
                "--programme",
                "Film",
                "--aired-at",
                "2026-11-24T20:31:00",
                "--duration",
                "5000",
                "--status",
                "cut",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "broadcast",
                "log",
                "--channel",
                "ONE",
                "--programme",
                "Extra",
                "--aired-at",
                "2026-11-24T23:00:00",
                "--duration",
                "60",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["log", "show", "--json", "--kind", "broadcast"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [e["details"]["programme"] for e in shown] == ["Evening News", "Film", "Extra"]
    assert shown[1]["details"]["status"] == "cut"
    # exports match the entries
    assert main(["log", "export", "--format", "csv", "-o", str(tmp_path / "log.csv")]) == 0
    rows = list(csv.DictReader((tmp_path / "log.csv").read_text(encoding="utf-8").splitlines()))
    assert [r["kind"] for r in rows] == ["note", "broadcast", "broadcast", "broadcast"]
    assert (
        main(
            [
                "log",
                "export",
                "--format",
                "html",
                "--channel",
                "ONE",
                "-o",
                str(tmp_path / "asrun.html"),
            ]
        )
        == 0
    )
    page = (tmp_path / "asrun.html").read_text()
    assert "landscape" in page and page.count("<tr>") == 4 and "Evening News" in page
    # reconcile against the play-out list
    playlist = tmp_path / "playout.csv"
    playlist.write_text(
        "scheduled_at,programme,duration_s,channel\n"
        "2026-11-24T20:00:00,Evening News,1800,ONE\n"
        "2026-11-24T20:30:00,Film,5400,ONE\n"
        "2026-11-24T22:00:00,Weather,300,ONE\n"
    )
    capsys.readouterr()
    assert (
        main(
            [
                "log",
                "reconcile",
                str(playlist),
                "--channel",
                "ONE",
                "--date",
                "2026-11-24",
                "--json",
            ]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert [a["programme"] for a in result["aired"]] == ["Evening News", "Film"]
    assert result["missing"] == ["Weather"] and [x["programme"] for x in result["extra"]] == [
        "Extra"
    ]
    assert main(["log", "verify"]) == 0
    assert (
        main(["broadcast", "log", "--channel", "ONE", "--programme", "X", "--aired-at", "tonight"])
        == 2
    )


def test_commands_log_what_they_produce(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from postprod.demo.production import run_demo
    from postprod.log import file_sha256
    from test_render import SMALL

    demo = run_demo(tmp_path / "demo", settings=SMALL)
    out = tmp_path / "again.mp4"
    assert main(["render", str(demo.project), "-o", str(out)]) == 0
    assert main(["qc", str(demo.master), "--preset", "ebu-r128"]) == 0
    capsys.readouterr()
    assert main(["log", "show", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    render, qc = entries[-2], entries[-1]
    assert render["kind"] == "render" and render["project"] == str(demo.project)
    assert render["details"]["outputs"][0] == {
        "path": str(out.resolve()),
        "sha256": file_sha256(out),
    }
    assert (
        qc["kind"] == "qc"
        and qc["details"]["passed"] is True
        and qc["details"]["preset"] == "ebu-r128"
    )
    assert main(["log", "verify"]) == 0
