"""The as-run log in the broadcasters' shape: house id, scheduled and actual start, duration in
timecode, status and reason; the v3 schema; BXF (SMPTE ST 2021) export; and the log's search
and CSV export under hostile text (issue 21)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from postprod.cli import main
from postprod.log import BroadcastItem, LogStore
from postprod.log.bxf import BXF_NAMESPACE
from postprod.log.schema import SCHEMA_VERSION
from postprod.timecode import FrameRate, frames_to_label

DAY = "2026-11-24"
NS = {"b": BXF_NAMESPACE}


@pytest.fixture
def log_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "studio.sqlite3"
    monkeypatch.setenv("POSTPROD_LOG", str(path))
    return path


def _broadcast(*args: str) -> None:
    assert main(["broadcast", "log", "--channel", "ONE", *args]) == 0


def _day_of_play_out() -> None:
    """Four events on ONE, one on TWO, one on ONE the next day."""
    _broadcast(
        *("--programme", "Evening News", "--house-id", "NEWS-1124"),
        *("--scheduled-at", f"{DAY}T20:00:00", "--aired-at", f"{DAY}T20:00:05"),
        *("--duration", "1800", "--loudness", "-23.1"),
    )
    _broadcast(
        *("--programme", "Film <uncut>", "--house-id", "FLM-0042", "--status", "cut short"),
        *("--reason", "breaking news", "--scheduled-at", f"{DAY}T20:30:00"),
        *("--aired-at", f"{DAY}T20:30:05", "--duration", "3000.5"),
    )
    _broadcast(
        *("--programme", "Documentary", "--house-id", "DOC-7", "--status", "skipped"),
        *("--reason", "rights not cleared", "--scheduled-at", f"{DAY}T22:00:00"),
    )
    _broadcast(
        *("--programme", "Filler", "--house-id", "FIL-1", "--status", "replaced"),
        *("--reason", "in place of DOC-7", "--scheduled-at", f"{DAY}T22:00:00"),
        *("--aired-at", f"{DAY}T22:00:00", "--duration", "600"),
    )
    assert main(["broadcast", "log", "--channel", "TWO", "--programme", "Cartoons",
                 "--aired-at", f"{DAY}T20:00:00", "--duration", "60"]) == 0  # fmt: skip
    _broadcast("--programme", "Late", "--aired-at", "2026-11-25T01:00:00", "--duration", "60")


def test_entries_carry_the_as_run_fields(log_path: Path) -> None:
    _day_of_play_out()
    with LogStore(log_path) as store:
        items = [e.details for e in store.entries(kind="broadcast", channel="ONE")]
        assert store.verify() is None
    assert all(isinstance(item, BroadcastItem) for item in items)
    _news, film, documentary, _filler, _late = items
    assert isinstance(film, BroadcastItem) and isinstance(documentary, BroadcastItem)
    assert (film.house_id, film.status, film.reason) == ("FLM-0042", "cut", "breaking news")
    assert film.scheduled_at == f"{DAY}T20:30:00" and film.aired_at == f"{DAY}T20:30:05"
    assert (documentary.status, documentary.aired_at, documentary.duration_s) == (
        "skipped",
        None,
        None,
    )
    # The v3 view gives the same fields as columns to any SQL client.
    raw = sqlite3.connect(log_path)
    try:
        rows = raw.execute(
            "SELECT house_id, scheduled_at, aired_at, duration_s, status, reason FROM as_run "
            "WHERE channel = 'ONE' ORDER BY id"
        ).fetchall()
    finally:
        raw.close()
    assert rows[:4] == [
        ("NEWS-1124", f"{DAY}T20:00:00", f"{DAY}T20:00:05", 1800.0, "aired", None),
        ("FLM-0042", f"{DAY}T20:30:00", f"{DAY}T20:30:05", 3000.5, "cut", "breaking news"),
        ("DOC-7", f"{DAY}T22:00:00", None, None, "skipped", "rights not cleared"),
        ("FIL-1", f"{DAY}T22:00:00", f"{DAY}T22:00:00", 600.0, "replaced", "in place of DOC-7"),
    ]


def test_wrong_as_run_input_is_one_error(
    log_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["broadcast", "log", "--channel", "ONE", "--programme", "X"]
    assert main([*base, "--status", "skipped", "--aired-at", f"{DAY}T20:00:00"]) == 2
    assert "a skipped event did not go to air" in capsys.readouterr().err
    assert main([*base, "--status", "skipped"]) == 2
    assert "needs the time it was scheduled for" in capsys.readouterr().err
    assert main([*base, "--status", "aired"]) == 2
    assert "needs the time it aired" in capsys.readouterr().err
    assert main([*base, "--status", "half", "--aired-at", "20:00"]) == 2
    assert "is not one of aired, cut short, replaced, skipped" in capsys.readouterr().err
    assert main([*base, "--aired-at", "20:00", "--rate", "0"]) == 2
    assert not log_path.exists() or LogStore(log_path).entries() == []


def test_an_old_log_is_migrated_and_keeps_verifying(log_path: Path) -> None:
    _broadcast("--programme", "Old news", "--aired-at", f"{DAY}T19:00:00", "--duration", "60")
    raw = sqlite3.connect(log_path)
    raw.executescript(  # back to what version 2 wrote
        "DROP VIEW as_run; PRAGMA user_version=2;"
    )
    raw.close()
    with LogStore(log_path) as store:
        assert store.backup is not None and store.backup.exists()
        entries = store.entries()
        assert store.verify() is None
    assert entries[0].details.to_dict() == {
        "programme": "Old news",
        "aired_at": f"{DAY}T19:00:00",
        "duration_s": 60.0,
        "status": "aired",
    }
    raw = sqlite3.connect(log_path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
        assert raw.execute("SELECT programme, status, house_id FROM as_run").fetchall() == [
            ("Old news", "aired", None)
        ]
    finally:
        raw.close()


def test_printable_as_run_report(log_path: Path, tmp_path: Path) -> None:
    _day_of_play_out()
    out = tmp_path / "asrun.html"
    args = ["log", "export", "--format", "html", "--channel", "ONE", "--date", DAY, "-o", str(out)]
    assert main(args) == 0
    page = out.read_text(encoding="utf-8")
    assert f"<h1>As-run log: ONE, {DAY}</h1>" in page
    assert f"Channel: ONE. Dates: {DAY}." in page
    header = page.split("<thead>")[1].split("</thead>")[0]
    for column in ("date", "house id", "scheduled", "aired", "duration", "status", "reason"):
        assert f"<th>{column}</th>" in header
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    rows = [row for row in body.split("</tr>") if "<td>" in row]
    assert len(rows) == 4  # ONE's four events that day, not TWO's, not the next day's
    cells = [[c.split("</td>")[0] for c in row.split("<td>")[1:]] for row in rows]
    assert cells[0][:8] == [
        DAY,
        "NEWS-1124",
        "20:00:00",
        "20:00:05",
        "Evening News",
        "00:30:00:00",
        "aired",
        "",
    ]
    assert cells[1][1:8] == [
        "FLM-0042",
        "20:30:00",
        "20:30:05",
        "Film &lt;uncut&gt;",
        "00:50:00:12",  # 3000.5 s at 25 fps
        "cut short",
        "breaking news",
    ]
    assert cells[2][:8] == [DAY, "DOC-7", "22:00:00", "", "Documentary", "", "skipped",
                            "rights not cleared"]  # fmt: skip
    assert "Durations are timecode at 25 fps." in page
    ranged = tmp_path / "range.html"
    assert main(["log", "export", "--format", "html", "--since", DAY, "--until", "2026-11-25",
                 "-o", str(ranged)]) == 0  # fmt: skip
    assert f"Dates: {DAY} to 2026-11-25." in ranged.read_text(encoding="utf-8")


def test_durations_in_the_channel_rate(log_path: Path, tmp_path: Path) -> None:
    _broadcast(
        *("--programme", "US feed", "--aired-at", f"{DAY}T20:00:00", "--duration", "1800"),
        *("--rate", "29.97"),
    )
    out = tmp_path / "a.html"
    assert main(["log", "export", "--format", "html", "--date", DAY, "-o", str(out)]) == 0
    rate = FrameRate.parse("29.97")
    expected = frames_to_label(round(1800 * rate.fps), rate)
    assert f"<td>{expected}</td>" in out.read_text(encoding="utf-8") and ";" in expected


def test_bxf_as_run_export(
    log_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _day_of_play_out()
    out = tmp_path / "asrun.xml"
    args = ["log", "export", "--format", "bxf", "--channel", "ONE", "--date", DAY, "-o", str(out)]
    assert main(args) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(text)  # well-formed
    assert root.tag == f"{{{BXF_NAMESPACE}}}BxfMessage"
    assert root.get("messageType") == "Information" and root.get("origin") == "postprod"
    assert root.get("id", "").startswith("urn:uuid:")
    as_run = root.find("b:BxfData/b:AsRun", NS)
    assert as_run is not None and as_run.get("broadcastDate") == DAY
    assert as_run.find("b:Channel", NS).get("shortName") == "ONE"  # type: ignore[union-attr]
    details = as_run.findall("b:AsRunDetail/b:BasicAsRun", NS)
    assert len(details) == 4

    def text_of(element: ET.Element, path: str) -> str | None:
        found = element.find(path, NS)
        return None if found is None else found.text

    assert [text_of(d, "b:Content/b:ContentId/b:HouseNumber") for d in details] == [
        "NEWS-1124",
        "FLM-0042",
        "DOC-7",
        "FIL-1",
    ]
    assert [text_of(d, "b:Content/b:Name") for d in details][1] == "Film <uncut>"
    assert [d.find("b:AsRunStatus", NS).get("status") for d in details] == [  # type: ignore[union-attr]
        "aired",
        "cut short",
        "skipped",
        "replaced",
    ]
    assert text_of(details[1], "b:AsRunStatus/b:Reason") == "breaking news"
    news = details[0]
    start = news.find("b:StartDateTime/b:SmpteDateTime", NS)
    assert start is not None and start.get("broadcastDate") == DAY
    assert text_of(start, "b:SmpteTimeCode") == "20:00:05:00"
    scheduled = "b:ScheduledStartDateTime/b:SmpteDateTime/b:SmpteTimeCode"
    assert text_of(news, scheduled) == "20:00:00:00"
    assert text_of(news, "b:Duration/b:SmpteDuration/b:SmpteTimeCode") == "00:30:00:00"
    assert details[2].find("b:StartDateTime", NS) is None  # skipped: never started
    # The same log exported again is the same message.
    again = tmp_path / "again.xml"
    assert main([*args[:-1], str(again)]) == 0
    assert ET.fromstring(again.read_text()).get("id") == root.get("id")
    capsys.readouterr()
    assert main(["log", "export", "--format", "bxf", "--channel", "ONE", "-o", str(out)]) == 2
    assert "for one channel and one day" in capsys.readouterr().err


def test_search_treats_percent_and_underscore_literally(
    log_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for note in ("mix 100% done", "mix 100 done", "take_1 kept", "takeX1 kept", r"path C:\new"):
        assert main(["log", "add", "--kind", "note", "--note", note]) == 0
    capsys.readouterr()
    for search, expected in (
        ("100%", ["mix 100% done"]),
        ("%", ["mix 100% done"]),
        ("_", ["take_1 kept"]),
        ("take_1", ["take_1 kept"]),
        ("\\", [r"path C:\new"]),
        ("KEPT", ["take_1 kept", "takeX1 kept"]),
    ):
        assert main(["log", "show", "--json", "--search", search]) == 0
        assert [e["note"] for e in json.loads(capsys.readouterr().out)] == expected, search


def test_csv_cells_never_open_as_formulas(log_path: Path, tmp_path: Path) -> None:
    hostile = ['=HYPERLINK("http://x.example","click")', "+1+2", "-2+3", "@SUM(A1)", "\tx"]
    for text in hostile:
        assert main(["log", "add", "--kind", "note", "--note", text, "--project", text]) == 0
    assert main(["log", "add", "--kind", "note", "--note", "plain"]) == 0
    out = tmp_path / "log.csv"
    assert main(["log", "export", "--format", "csv", "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["note"] for r in rows] == [*("'" + t for t in hostile), "plain"]
    assert [r["project"] for r in rows] == [*("'" + t for t in hostile), ""]
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())
