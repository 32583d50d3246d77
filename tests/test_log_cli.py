"""The log's command line: every command writes (or reads) what it should, checked in the database."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest
import soundfile

from postprod.cli import main
from postprod.log import BroadcastItem, LogStore
from postprod.log.entry import Notes


@pytest.fixture
def log_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "studio.sqlite3"
    monkeypatch.setenv("POSTPROD_LOG", str(path))
    return path


def _rows(path: Path) -> list[tuple[object, ...]]:
    """The entries as raw rows, read with sqlite3 itself (not through postprod)."""
    raw = sqlite3.connect(path)
    try:
        return raw.execute(
            "SELECT id, kind, project, channel, note, details, corrects FROM entries ORDER BY id"
        ).fetchall()
    finally:
        raw.close()


def _broadcast(*args: str) -> int:
    return main(["broadcast", "log", "--channel", "ONE", *args])


def test_log_add_writes_the_entry(log_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "log",
                "add",
                "--kind",
                "session",
                "--note",
                "session with the director",
                "--project",
                "film",
                "--channel",
                "studio A",
            ]
        )
        == 0
    )
    assert "logged entry 1" in capsys.readouterr().out
    assert (
        main(
            [
                "log",
                "add",
                "--kind",
                "correction",
                "--note",
                "it was the producer",
                "--corrects",
                "1",
            ]
        )
        == 0
    )
    assert _rows(log_path) == [
        (1, "session", "film", "studio A", "session with the director", "{}", None),
        (2, "correction", "", "", "it was the producer", "{}", 1),
    ]
    capsys.readouterr()
    assert main(["log", "add", "--kind", "gossip", "--note", "x"]) == 2
    assert main(["log", "add", "--kind", "correction", "--note", "x", "--corrects", "42"]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert errors[0].startswith("error: unknown log kind 'gossip'")
    assert errors[1].startswith("error: there is no entry 42 to correct")
    assert len(_rows(log_path)) == 2


def test_the_log_option_on_the_group_or_the_command_overrides_the_environment(
    log_path: Path, tmp_path: Path
) -> None:
    other, third = tmp_path / "other.sqlite3", tmp_path / "third.sqlite3"
    assert main(["log", "--log", str(other), "add", "--kind", "note", "--note", "group"]) == 0
    assert main(["log", "add", "--kind", "note", "--note", "command", "--log", str(third)]) == 0
    assert main(["log", "add", "--kind", "note", "--note", "env"]) == 0
    assert (
        main(
            [
                "broadcast",
                "--log",
                str(other),
                "log",
                "--channel",
                "ONE",
                "--programme",
                "News",
                "--aired-at",
                "2026-11-24T20:00:00",
            ]
        )
        == 0
    )
    assert [r[4] for r in _rows(other)] == ["group", "News aired"]
    assert [r[4] for r in _rows(third)] == ["command"]
    assert [r[4] for r in _rows(log_path)] == ["env"]


def test_a_log_switched_off_or_damaged_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POSTPROD_LOG", "off")
    assert main(["log", "show"]) == 2
    assert "switched off" in capsys.readouterr().err
    bad = tmp_path / "log.sqlite3"
    bad.write_bytes(b"this is not sqlite" * 100)
    assert main(["log", "show", "--log", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("error: log.sqlite3 is not a readable log database") and str(bad) in err
    assert bad.read_bytes() == b"this is not sqlite" * 100


def test_broadcast_log_writes_the_as_run_entry(
    log_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    programme = tmp_path / "news.wav"
    t = np.arange(48000 * 3) / 48000
    soundfile.write(programme, (0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 48000)
    assert (
        _broadcast(
            "--programme",
            str(programme),
            "--aired-at",
            "2026-11-24T20:00:00",
            "--scheduled-at",
            "2026-11-24T20:00:00",
            "--loudness",
            "-23.0",
        )
        == 0
    )
    assert (
        _broadcast(
            "--programme",
            "Film",
            "--aired-at",
            "2026-11-24T20:31:00",
            "--duration",
            "5000",
            "--status",
            "cut",
        )
        == 0
    )
    assert (
        _broadcast(
            "--programme",
            "Film",
            "--aired-at",
            "2026-11-24T20:31:00",
            "--duration",
            "4900",
            "--status",
            "cut",
            "--corrects",
            "2",
        )
        == 0
    )
    assert (
        "logged entry 3: Film on ONE at 2026-11-24T20:31:00 (cut short)" in capsys.readouterr().out
    )
    rows = _rows(log_path)
    assert [(r[1], r[3], r[6]) for r in rows] == [
        ("broadcast", "ONE", None),
        ("broadcast", "ONE", None),
        ("broadcast", "ONE", 2),
    ]
    first = json.loads(str(rows[0][5]))
    assert first["programme"] == "news.wav" and first["status"] == "aired"
    assert first["sha256"] == hashlib.sha256(programme.read_bytes()).hexdigest()
    assert first["duration_s"] == pytest.approx(3.0, abs=1e-3)  # from the file's header
    assert first["loudness_lufs"] == -23.0 and first["scheduled_at"] == "2026-11-24T20:00:00"
    assert json.loads(str(rows[1][5]))["duration_s"] == 5000.0
    capsys.readouterr()
    assert _broadcast("--programme", "X", "--aired-at", "tonight") == 2
    assert _broadcast("--programme", "X", "--aired-at", "2026-11-24T20:00", "--status", "late") == 2
    err = capsys.readouterr().err
    assert "'tonight' is not an ISO date and time" in err and "status 'late'" in err
    assert len(_rows(log_path)) == 3


def test_log_show_filters_and_totals(log_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with LogStore(log_path) as store:
        store.append(
            "recording", project="film", note="take 1", details={"track": "A1", "duration_s": 1800}
        )
        store.append("note", project="ad", note="client call")
    assert (
        _broadcast("--programme", "News", "--aired-at", "2026-11-24T20:00:00", "--duration", "1800")
        == 0
    )
    capsys.readouterr()
    assert main(["log", "show", "--json"]) == 0
    everything = json.loads(capsys.readouterr().out)
    assert [e["kind"] for e in everything] == ["recording", "note", "broadcast"]
    assert everything[2]["details"] == {
        "programme": "News",
        "aired_at": "2026-11-24T20:00:00",
        "duration_s": 1800.0,
        "status": "aired",
    }
    for args, expected in (
        (["--project", "film"], [1]),
        (["--kind", "broadcast"], [3]),
        (["--channel", "ONE"], [3]),
        (["--search", "CLIENT"], [2]),
        (["--since", "2000-01-01", "--until", "2999-12-31"], [1, 2, 3]),
        (["--until", "2000-01-01"], []),
    ):
        assert main(["log", "show", "--json", *args]) == 0
        assert [e["id"] for e in json.loads(capsys.readouterr().out)] == expected, args
    assert main(["log", "show"]) == 0
    table = capsys.readouterr().out
    assert "client call" in table and "recorded 0.50 h; aired 1 programmes, 0.50 h" in table
    assert main(["log", "show", "--since", "yesterday"]) == 2


def _evening() -> None:
    for args in (
        [
            "--programme",
            "Evening News",
            "--aired-at",
            "2026-11-24T20:00:00",
            "--duration",
            "1800",
            "--scheduled-at",
            "2026-11-24T20:00:00",
        ],
        [
            "--programme",
            "Film",
            "--aired-at",
            "2026-11-24T20:31:00",
            "--duration",
            "5000",
            "--status",
            "cut",
        ],
        ["--programme", "Extra", "--aired-at", "2026-11-24T23:00:00", "--duration", "60"],
        ["--programme", "Late film", "--aired-at", "2026-11-25T01:00:00", "--duration", "60"],
    ):
        assert _broadcast(*args) == 0
    assert main(["log", "add", "--kind", "note", "--note", "quiet night"]) == 0


def test_exports_match_the_entries(
    log_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _evening()
    with LogStore(log_path) as store:
        entries = store.entries()
    out = tmp_path / "log.csv"
    assert main(["log", "export", "--format", "csv", "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert [int(r["id"]) for r in rows] == [e.id for e in entries]
    assert [json.loads(r["details"]) for r in rows] == [e.details.to_dict() for e in entries]
    assert [r["hash"] for r in rows] == [e.hash for e in entries]
    assert (
        main(
            [
                "log",
                "export",
                "--format",
                "json",
                "--kind",
                "note",
                "-o",
                str(tmp_path / "notes.json"),
            ]
        )
        == 0
    )
    notes = json.loads((tmp_path / "notes.json").read_text())
    assert notes == [e.to_dict() for e in entries if e.kind == "note"]
    page_path = tmp_path / "asrun.html"
    assert (
        main(
            [
                "log",
                "export",
                "--format",
                "html",
                "--channel",
                "ONE",
                "--date",
                "2026-11-24",
                "-o",
                str(page_path),
            ]
        )
        == 0
    )
    page = page_path.read_text(encoding="utf-8")
    assert "landscape" in page and "As-run log: ONE, 2026-11-24" in page
    body = page.split("<tbody>")[1]
    assert body.count("<tr") == 3  # the three broadcasts aired that day, not the one after midnight
    assert body.index("Evening News") < body.index("Film") < body.index("Extra")
    assert "Late film" not in body and "quiet night" not in body
    assert '<tr class="cut">' in body and "00:30:00" in body
    assert (
        sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    )  # no temp left
    assert main(["log", "export", "--format", "pdf", "-o", str(tmp_path / "x.pdf")]) == 2
    assert not (tmp_path / "x.pdf").exists()
    capsys.readouterr()
    assert main(["log", "export", "--format", "csv", "-o", str(tmp_path / "no" / "x.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err  # the output guard's one line


def test_verify_passes_then_names_the_altered_entry(
    log_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _evening()
    capsys.readouterr()
    assert main(["log", "verify"]) == 0
    assert "the log is intact: 5 entries" in capsys.readouterr().out
    raw = sqlite3.connect(log_path)
    raw.execute("DROP TRIGGER entries_no_update")
    raw.execute("UPDATE entries SET details = replace(details, 'cut', 'aired') WHERE id = 2")
    raw.commit()
    raw.close()
    assert main(["log", "verify"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(
        "error: the log's hash chain breaks at entry 2: its content does not match"
    )


def test_reconcile_finds_aired_missing_and_extra(
    log_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _evening()
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
        == 3  # Weather was scheduled and did not air
    )
    result = json.loads(capsys.readouterr().out)
    assert [(a["programme"], a["entry"], a["status"]) for a in result["aired"]] == [
        ("Evening News", 1, "aired"),
        ("Film", 2, "cut"),
    ]
    assert [m["programme"] for m in result["missing"]] == ["Weather"]
    assert [(x["programme"], x["entry"]) for x in result["extra"]] == [("Extra", 3)]
    assert (
        main(["log", "reconcile", str(playlist), "--channel", "ONE", "--date", "2026-11-24"]) == 3
    )
    table = capsys.readouterr().out
    assert "aired 2, missing 1, extra 1" in table and "MISSING" in table and "cut" in table
    aired_only = tmp_path / "aired.csv"
    aired_only.write_text(
        "scheduled_at,programme,duration_s,channel\n"
        "2026-11-24T20:00:00,Evening News,1800,ONE\n"
        "2026-11-24T20:30:00,Film,5400,ONE\n"
    )
    day = ["--channel", "ONE", "--date", "2026-11-24"]
    assert main(["log", "reconcile", str(aired_only), *day]) == 0  # an extra item is no failure
    assert "missing 0" in capsys.readouterr().out
    assert (
        main(
            [
                "log",
                "reconcile",
                str(tmp_path / "none.csv"),
                "--channel",
                "ONE",
                "--date",
                "2026-11-24",
            ]
        )
        == 2
    )
    assert "no play-out list none.csv" in capsys.readouterr().err


def test_commands_log_what_they_produce(
    log_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from postprod.demo.production import run_demo
    from postprod.log import file_sha256
    from test_render import SMALL

    demo = run_demo(tmp_path / "demo", settings=SMALL)
    out = tmp_path / "again.mp4"
    assert main(["render", str(demo.project), "-o", str(out)]) == 0
    assert main(["qc", str(demo.master), "--preset", "ebu-r128"]) == 0
    with LogStore(log_path) as store:
        render, qc = store.entries()[-2:]
        assert store.verify() is None
    assert render.kind == "render" and render.project == str(demo.project)
    assert render.details.to_dict()["outputs"][0]["sha256"] == file_sha256(out)
    assert render.details.get("outputs")[0]["path"] == str(out.resolve())
    assert qc.kind == "qc" and qc.details.get("passed") is True
    assert qc.details.get("preset") == "ebu-r128"
    assert not isinstance(qc.details, (Notes, BroadcastItem))
