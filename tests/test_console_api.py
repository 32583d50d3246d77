"""The control board's server (docs/CONSOLE.md): every endpoint, and every refusal.

Each test builds a small real project (a 2 s picture-and-sound clip on V1 and A1,
a WAV from a folder outside the project on A2) with the operations, and talks
to ``create_app`` through Starlette's TestClient: no real server. A refusal is
checked to leave the project file's bytes exactly as they were.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient, WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from media_factory import tone, write_video, write_wav
from postprod.cli import main
from postprod.console.app import create_app
from postprod.console.lock import lock_path
from postprod.console.security import confine
from postprod.errors import ProjectError
from postprod.operations import Append, Project, new_project

TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ORIGIN = "http://testserver"  # the TestClient's own origin


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Media made once: ``media/clip.mp4`` (2 s, picture and sound) and ``shoot/room.wav``."""
    folder = tmp_path_factory.mktemp("console-media")
    (folder / "media").mkdir()
    write_video(folder / "media" / "clip.mp4", frames=50)
    (folder / "shoot").mkdir()
    write_wav(folder / "shoot" / "room.wav", tone(96000, 48000, 220.0, channels=2))
    return folder


@pytest.fixture
def project(tmp_path: Path, media: Path) -> Path:
    """``studio/film.otio``: the clip on V1 and A1, the outside WAV on A2."""
    studio = tmp_path / "studio"
    (studio / "media").mkdir(parents=True)
    (studio / "media" / "clip.mp4").write_bytes((media / "media" / "clip.mp4").read_bytes())
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    (shoot / "room.wav").write_bytes((media / "shoot" / "room.wav").read_bytes())
    (tmp_path / "secret.txt").write_text("not for the browser")
    path = studio / "film.otio"
    new_project(path, name="film")
    Project(path).apply(
        Append("V1", "media/clip.mp4"),
        Append("A1", "media/clip.mp4"),
        Append("A2", str(shoot / "room.wav")),
        description="the first cut",
    )
    return path


@pytest.fixture
def client(project: Path) -> Iterator[TestClient]:
    app = create_app(project, TOKEN, watch_interval_s=0.05)
    with TestClient(app, headers=AUTH) as test_client:
        yield test_client


def _bare(project: Path, **options: Any) -> TestClient:
    """A client that carries no token."""
    return TestClient(create_app(project, TOKEN, watch_interval_s=0.05, **options))


def _state_after(ws: Any, revision: int, timeout_s: float = 10.0) -> dict[str, Any]:
    """The first state message with a revision above ``revision``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        message = ws.receive_json()
        if message["type"] == "state" and message["project"]["revision"] > revision:
            return message
    raise AssertionError(f"no state after revision {revision}")


# -- reading ------------------------------------------------------------------


def test_state_shows_project_timeline_mixer_history_and_media(client: TestClient) -> None:
    answer = client.get("/api/state")
    assert answer.status_code == 200
    state = answer.json()
    project = state["project"]
    assert project["name"] == "film" and project["rate"] == "25"
    assert project["start_timecode"] == "00:00:00:00" and project["duration_frames"] == 50
    assert project["read_only"] is False and project["revision"] >= 1
    assert {name for name, _ in state["timeline"]["tracks"]} == {"V1", "A1", "A2"}
    assert [strip["name"] for strip in state["mixer"]["tracks"]] == ["A1", "A2"]
    assert state["history"][-1]["description"] == "the first cut"
    assert state["can_undo"] is True and state["can_redo"] is False
    urls = {item["path"]: item["url"] for item in state["media"]}
    assert urls["media/clip.mp4"] == "/files/media/clip.mp4"
    assert [url for path, url in urls.items() if path.endswith("room.wav")] == ["/files/room.wav"]
    assert answer.headers["cache-control"] == "no-store"


def test_state_lists_the_latest_history_and_is_built_once_per_change(project: Path) -> None:
    """A long session's state stays small (the journal's last events and their count)
    and is built again only when the project or its journal changes."""
    from postprod.console import state as board_state
    from postprod.operations import AddMarker

    board = board_state.Board(project)
    for number in range(board_state.HISTORY_SHOWN + 5):
        board.project.apply(AddMarker(number, f"m{number}"), description=f"mark {number}")
    state = board.state()
    total = len(board.project.history.events())
    assert state["history_total"] == total > board_state.HISTORY_SHOWN
    assert len(state["history"]) == board_state.HISTORY_SHOWN
    assert state["history"][-1]["description"] == f"mark {board_state.HISTORY_SHOWN + 4}"
    assert board.state() is state  # nothing changed: the same state, not built again
    board.apply([AddMarker(3, "one more")], "one more")
    again = board.state()
    assert again is not state and again["history"][-1]["description"] == "one more"
    assert again["history_total"] == total + 1


def test_operations_lists_every_operation_with_its_parameters(client: TestClient) -> None:
    operations = client.get("/api/operations").json()
    assert {"split", "set-strip", "add-automation", "insert"} <= set(operations)
    split = {p["name"]: p for p in operations["split"]}
    assert split["at"]["required"] is True and split["at"]["kind"] == "int"
    assert set(split["track"]) == {
        "name",
        "kind",
        "unit",
        "minimum",
        "maximum",
        "help",
        "default",
        "required",
    }


def test_the_page_and_its_static_files(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "<html" in page.text.lower()
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert client.get("/api.js").status_code == 200
    assert client.get("/static/api.js").status_code == 200


def test_files_serve_the_project_folder_and_media_roots_with_ranges(
    client: TestClient, project: Path
) -> None:
    whole = (project.parent / "media" / "clip.mp4").read_bytes()
    assert client.get("/files/media/clip.mp4").content == whole
    part = client.get("/files/media/clip.mp4", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.content == whole[:100]
    outside = client.get("/files/room.wav")  # its folder (shoot/) is a media root
    assert outside.status_code == 200
    assert outside.content == (project.parent.parent / "shoot" / "room.wav").read_bytes()


def test_presets_log_and_as_run(client: TestClient, _private_log: Path) -> None:
    from postprod.log import LogStore, log_broadcast, log_event

    presets = client.get("/api/presets").json()
    assert "ebu-r128" in presets and presets["ebu-r128"]["target_lufs"] == -23.0
    with LogStore(str(_private_log)) as store:
        log_event(store, "note", "hello from the test")
        log_broadcast(
            store,
            channel="ONE",
            programme="film",
            aired_at="2026-11-24T20:00:00",
            duration_s=60,
        )
    notes = client.get("/api/log", params={"kind": "note", "limit": 5}).json()
    assert [e["note"] for e in notes["entries"]] == ["hello from the test"]
    assert client.get("/api/log", params={"limit": "many"}).status_code == 400
    aired = client.get("/api/asrun", params={"channel": "ONE", "day": "2026-11-24"}).json()
    assert [e["details"]["programme"] for e in aired["entries"]] == ["film"]
    assert (
        client.get("/api/asrun", params={"channel": "ONE", "day": "2026-11-25"}).json()["entries"]
        == []
    )
    assert client.get("/api/asrun", params={"day": "yesterday-ish"}).status_code == 400


# -- changing -------------------------------------------------------------------


def test_apply_undo_redo_restore_exact_bytes(client: TestClient, project: Path) -> None:
    before = project.read_bytes()
    first = client.get("/api/state").json()["project"]["revision"]
    split = {"operations": [{"op": "split", "track": "V1", "at": 20}], "description": "razor"}
    applied = client.post("/api/apply", json=split)
    assert applied.status_code == 200, applied.text
    after = project.read_bytes()
    assert after != before
    assert applied.json()["project"]["revision"] == first + 1
    assert applied.json()["history"][-1]["description"] == "razor"
    clips = [i for i in applied.json()["timeline"]["items"] if i["track"] == "V1"]
    assert [(c["record_in"], c["record_out"]) for c in clips] == [(0, 20), (20, 50)]
    undone = client.post("/api/undo")
    assert undone.status_code == 200 and project.read_bytes() == before
    assert undone.json()["can_redo"] is True
    redone = client.post("/api/redo")
    assert redone.status_code == 200 and project.read_bytes() == after
    assert redone.json()["project"]["revision"] == first + 3


def test_several_operations_are_one_undo_step(client: TestClient, project: Path) -> None:
    before = project.read_bytes()
    body = {
        "operations": [
            {"op": "split", "track": "V1", "at": 10},
            {"op": "set-strip", "track": "A1", "gain_db": -6.0},
        ]
    }
    assert client.post("/api/apply", json=body).status_code == 200
    assert client.post("/api/undo").status_code == 200
    assert project.read_bytes() == before


REFUSALS = [
    pytest.param({"operations": [{"op": "explode"}]}, "unknown operation", id="unknown-op"),
    pytest.param(
        {"operations": [{"op": "split", "track": "V1", "at": "twenty"}]},
        "at must be int",
        id="wrong-type",
    ),
    pytest.param(
        {"operations": [{"op": "split", "track": "V1", "at": 20, "blade": 1}]},
        "no parameter blade",
        id="unknown-parameter",
    ),
    pytest.param(
        {"operations": [{"op": "set-strip", "track": "A1", "gain_db": 1000.0}]},
        "out of range",
        id="out-of-range",
    ),
    pytest.param(
        {"operations": [{"op": "split", "track": "V1", "at": 0}]},
        "already a cut",
        id="edit-refused",
    ),
    pytest.param(
        {
            "operations": [
                {"op": "split", "track": "V1", "at": 20},
                {"op": "split", "track": "V9", "at": 20},
            ]
        },
        "V9",
        id="second-of-two-refused",
    ),
    pytest.param({"operations": []}, "one or more operations", id="no-operations"),
    pytest.param({"operations": ["split"]}, "must be an object", id="not-an-object"),
]


@pytest.mark.parametrize(("body", "said"), REFUSALS)
def test_a_refused_operation_changes_nothing(
    client: TestClient, project: Path, body: dict[str, Any], said: str
) -> None:
    before = project.read_bytes()
    journal = project.with_name(project.name + ".history") / "journal.jsonl"
    journal_before = journal.read_bytes()
    answer = client.post("/api/apply", json=body)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert said in error and "\n" not in error
    assert project.read_bytes() == before
    assert journal.read_bytes() == journal_before


def test_malformed_and_oversized_bodies_are_refused(client: TestClient, project: Path) -> None:
    before = project.read_bytes()
    bad = client.post("/api/apply", content=b"{not json", headers={"content-type": "text/plain"})
    assert bad.status_code == 400 and "not JSON" in bad.json()["error"]
    assert client.post("/api/apply", json=[1, 2]).status_code == 400
    huge = {"operations": [{"op": "split", "track": "V1", "at": 20}], "pad": "x" * (2 << 20)}
    answer = client.post("/api/apply", json=huge)
    assert answer.status_code == 413
    chunked = client.post("/api/apply", content=iter([b"{", b" " * (1 << 20), b"}"]))
    assert chunked.status_code == 413
    assert project.read_bytes() == before


def test_undo_with_nothing_to_undo_is_a_400(tmp_path: Path) -> None:
    path = tmp_path / "empty.otio"
    new_project(path, name="empty")
    with TestClient(create_app(path, TOKEN), headers=AUTH) as test_client:
        answer = test_client.post("/api/undo")
        assert answer.status_code == 400 and "nothing to undo" in answer.json()["error"]
        assert test_client.post("/api/redo").status_code == 400


# -- who may -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/api/state"),
        ("GET", "/api/operations"),
        ("GET", "/files/media/clip.mp4"),
        ("GET", "/api.js"),
        ("POST", "/api/apply"),
        ("POST", "/api/undo"),
        ("POST", "/api/deliver"),
    ],
)
def test_no_token_no_entry(project: Path, method: str, path: str) -> None:
    before = project.read_bytes()
    body = {"operations": [{"op": "split", "track": "V1", "at": 20}]}
    with _bare(project) as bare:
        answer = bare.request(method, path, json=body if method == "POST" else None)
        assert answer.status_code == 401
        assert "token" in answer.json()["error"]
        wrong = bare.request(method, path, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
    assert project.read_bytes() == before


def test_the_token_by_header_and_by_first_page_load(project: Path) -> None:
    with _bare(project) as bare:
        assert bare.get("/api/state", headers={"X-Postprod-Token": TOKEN}).status_code == 200
        assert bare.get("/?token=wrong", follow_redirects=False).status_code == 401
        first = bare.get("/?token=" + TOKEN + "&view=mixer", follow_redirects=False)
        assert first.status_code == 303
        assert first.headers["location"] == "/?view=mixer"  # the token leaves the address
        cookie = first.headers["set-cookie"]
        assert cookie.startswith(f"postprod_token={TOKEN};")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert bare.get("/api/state").status_code == 200  # the cookie from now on


def test_a_write_from_another_sites_page_is_refused(client: TestClient, project: Path) -> None:
    before = project.read_bytes()
    body = {"operations": [{"op": "split", "track": "V1", "at": 20}]}
    answer = client.post("/api/apply", json=body, headers={"Origin": "http://evil.example"})
    assert answer.status_code == 403
    assert project.read_bytes() == before
    same = client.post("/api/apply", json=body, headers={"Origin": ORIGIN})
    assert same.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/files/../secret.txt",
        "/files/%2e%2e/secret.txt",
        "/files/%2E%2E/secret.txt",
        "/files/media/%2e%2e/%2e%2e/secret.txt",
        "/files//etc/passwd",
        "/files/%2Fetc%2Fpasswd",
        "/files/link.txt",
        "/files/linked/secret.txt",
        "/files/nothing-here.wav",
        "/files/film.otio.history",
    ],
)
def test_files_outside_the_allowed_folders_are_refused(
    client: TestClient, project: Path, path: str
) -> None:
    (project.parent / "link.txt").symlink_to(project.parent.parent / "secret.txt")
    (project.parent / "linked").symlink_to(project.parent.parent, target_is_directory=True)
    answer = client.get(path)
    assert answer.status_code in (404, 405), (path, answer.status_code)
    assert b"not for the browser" not in answer.content
    assert b"root:" not in answer.content


def test_confine_refuses_every_way_out(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "ok.txt").write_text("ok")
    (tmp_path / "out.txt").write_text("out")
    (root / "out").symlink_to(tmp_path / "out.txt")
    assert confine("ok.txt", [root]) == (root / "ok.txt").resolve()
    for bad in (
        "../out.txt",
        "./ok.txt",
        "a/../ok.txt",
        "/etc/passwd",
        "C:/Windows/win.ini",
        "..\\out.txt",
        "ok.txt\x00",
        "",
        "out",
        ".",
    ):
        assert confine(bad, [root]) is None, bad


def test_media_for_peaks_must_be_the_projects(client: TestClient) -> None:
    for media in ("../secret.txt", "/etc/passwd", "nothing.wav"):
        answer = client.get("/api/peaks", params={"media": media})
        assert answer.status_code == 400, media
    assert client.get("/api/peaks").status_code == 400


# -- one writer ------------------------------------------------------------------


def test_a_second_console_is_refused_and_a_read_only_one_refuses_writes(project: Path) -> None:
    with TestClient(create_app(project, TOKEN), headers=AUTH):
        holder = json.loads(lock_path(project).read_text())
        assert holder["pid"] == os.getpid()
        with pytest.raises(ProjectError, match="open in another console"):
            create_app(project, "another")
        before = project.read_bytes()
        with TestClient(create_app(project, TOKEN, read_only=True), headers=AUTH) as viewer:
            state = viewer.get("/api/state").json()
            assert state["project"]["read_only"] is True
            body = {"operations": [{"op": "split", "track": "V1", "at": 20}]}
            for path, payload in (
                ("/api/apply", body),
                ("/api/undo", None),
                ("/api/redo", None),
                ("/api/deliver", {"preset": "ebu-r128"}),
            ):
                answer = viewer.post(path, json=payload)
                assert answer.status_code == 423, path
                assert "read-only" in answer.json()["error"]
        assert project.read_bytes() == before
    assert not lock_path(project).exists()  # given up when the console stops
    with TestClient(create_app(project, TOKEN)):
        pass


def test_a_stale_lock_is_taken_over(project: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = int(finished.stdout)
    lock_path(project).write_text(json.dumps({"pid": dead, "port": 1}))
    with TestClient(create_app(project, TOKEN, port=4321)):
        assert json.loads(lock_path(project).read_text()) == {"pid": os.getpid(), "port": 4321}


# -- pushed state ----------------------------------------------------------------


def test_every_tab_gets_the_state_after_an_edit(client: TestClient) -> None:
    with client.websocket_connect("/ws") as one, client.websocket_connect("/ws") as two:
        first = one.receive_json()
        assert first["type"] == "state"
        revision = first["project"]["revision"]
        assert two.receive_json()["project"]["revision"] == revision
        body = {"operations": [{"op": "split", "track": "V1", "at": 25}]}
        assert client.post("/api/apply", json=body).status_code == 200
        for ws in (one, two):
            pushed = _state_after(ws, revision)
            assert pushed["project"]["revision"] == revision + 1
            assert pushed["history"][-1]["event"] == "edit"


def test_an_edit_from_the_command_line_is_pushed(client: TestClient, project: Path) -> None:
    with client.websocket_connect("/ws") as ws:
        revision = ws.receive_json()["project"]["revision"]
        assert main(["edit", str(project), "split", "--track", "V1", "--at", "30"]) == 0
        pushed = _state_after(ws, revision)
        clips = [i for i in pushed["timeline"]["items"] if i["track"] == "V1"]
        assert [c["record_in"] for c in clips] == [0, 30]


def test_websocket_refusals(project: Path) -> None:
    with _bare(project) as bare:
        with (
            pytest.raises(WebSocketDenialResponse) as denied,
            bare.websocket_connect(
                "/ws", headers={"Authorization": f"Bearer {TOKEN}", "Origin": "http://evil.example"}
            ),
        ):
            pass
        assert denied.value.status_code == 403
        nope = {"Cookie": "postprod_token=nope"}
        with (
            pytest.raises(WebSocketDenialResponse) as wrong,
            bare.websocket_connect("/ws", headers=nope),
        ):
            pass
        assert wrong.value.status_code == 401
        with bare.websocket_connect("/ws") as ws:  # no cookie: the first message is the token
            ws.send_json({"token": "nope"})
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            assert closed.value.code == 4401
        with bare.websocket_connect("/ws", headers={"Origin": ORIGIN}) as ws:
            ws.send_json({"token": TOKEN})
            assert ws.receive_json()["type"] == "state"
        bare.get("/?token=" + TOKEN)  # the cookie, as a browser has it
        with bare.websocket_connect("/ws", headers={"Origin": ORIGIN}) as ws:
            assert ws.receive_json()["type"] == "state"


def test_touches_while_playing_become_one_undo_step(client: TestClient, project: Path) -> None:
    before = project.read_bytes()
    with client.websocket_connect("/ws") as ws:
        revision = ws.receive_json()["project"]["revision"]
        ws.send_json({"type": "play", "from_frame": 0, "to_frame": 50})
        for frame, gain in ((0, -3.0), (10, -6.0), (10, -7.5), (20, -9.0)):
            ws.send_json({"type": "touch", "track": "A1", "gain_db": gain, "frame": frame})
        ws.send_json({"type": "touch", "track": "A1", "gain_db": "loud", "frame": 5})
        ws.send_json({"type": "stop"})
        pushed = _state_after(ws, revision)
        points = pushed["mixer"]["tracks"][0]["automation"]["gain_db"]
        assert [(p["time_s"], p["value"]) for p in points] == [
            (0.0, -3.0),
            (0.4, -7.5),
            (0.8, -9.0),
        ]
        assert pushed["project"]["revision"] == revision + 1
    assert client.post("/api/undo").status_code == 200
    assert project.read_bytes() == before


def test_unknown_websocket_messages_are_answered_not_fatal(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.receive_json()
        ws.send_json({"type": "dance"})
        answer = ws.receive_json()
        assert answer == {"type": "error", "error": "unknown message type 'dance'"}
        ws.send_text("not json")
        assert ws.receive_json()["type"] == "error"


# -- jobs and engines ------------------------------------------------------------


def test_a_delivery_runs_as_a_job_and_reports(client: TestClient, project: Path) -> None:
    assert client.post("/api/deliver", json={"preset": "nope"}).status_code == 400
    assert client.post("/api/deliver", json={"preset": "../x.toml"}).status_code == 400
    with client.websocket_connect("/ws") as ws:
        ws.receive_json()
        started = client.post("/api/deliver", json={"preset": "ebu-r128"})
        assert started.status_code == 200
        job_id = started.json()["job"]
        deadline = time.monotonic() + 120
        done = None
        seen: list[tuple[float, str]] = []  # (progress, stage) as the tabs were told
        while time.monotonic() < deadline:
            message = ws.receive_json()
            if message["type"] == "job" and message["id"] == job_id:
                seen.append((message["progress"], message["stage"]))
                if message["done"]:
                    done = message
                    break
        assert done is not None and done["error"] is None, done
    # progress rises step by step, each step named as the delivery reaches it
    fractions = [fraction for fraction, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    stages = [stage for _, stage in seen]
    assert "checking the master (QC)" in stages and stages[-1] == "done"
    assert len({f for f in fractions if 0 < f < 1}) >= 4
    report = client.get(f"/api/jobs/{job_id}").json()
    assert report["done"] is True and report["progress"] == 1.0
    assert report["report"]["preset"] == "ebu-r128"
    master = next(f for f in report["report"]["files"] if f["path"].endswith(".wav"))
    assert master["url"].startswith("/files/deliveries/")
    assert client.get(master["url"]).status_code == 200
    assert client.get("/api/jobs/nope").status_code == 404


def test_preview_segments_render_when_fetched(client: TestClient) -> None:
    if importlib.util.find_spec("postprod.render.preview") is None:
        answer = client.post("/api/preview", json={"start_frame": 0, "end_frame": 25})
        assert answer.status_code == 503
        return
    answer = client.post("/api/preview", json={"start_frame": 0, "end_frame": 50})
    assert answer.status_code == 200, answer.text
    segments = answer.json()["segments"]
    assert [(s["start_frame"], s["frames"]) for s in segments] == [(0, 50)]
    video = client.get(segments[0]["url"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    assert video.content[4:8] == b"ftyp"
    playlist = client.get(answer.json()["playlist"])
    assert playlist.text.startswith("#EXTM3U") and segments[0]["url"] in playlist.text
    assert client.get("/api/preview/0000.mp4").status_code == 404
    for body in ({"start_frame": 10, "end_frame": 5}, {"start_frame": -1, "end_frame": 5}, {}):
        assert client.post("/api/preview", json=body).status_code == 400


def _engine_missing(client: TestClient, module: str, answer: Any) -> bool:
    """True (after checking the 503) when an engine is not installed."""
    if importlib.util.find_spec(module) is not None:
        return False
    assert answer.status_code == 503 and module in answer.json()["error"]
    return True


def test_peaks_of_a_media_file(client: TestClient) -> None:
    answer = client.get("/api/peaks", params={"media": "media/clip.mp4"})
    if _engine_missing(client, "postprod.render.waveform", answer):
        return
    assert answer.status_code == 200, answer.text
    peaks = answer.json()
    assert peaks["sample_rate"] == 48000 and peaks["samples_per_peak"] > 0
    assert len(peaks["channels"]) == 2
    lows, highs = peaks["channels"][0][0::2], peaks["channels"][0][1::2]
    assert min(lows) < -0.1 and max(highs) > 0.1  # the clip's tone
    outside = client.get("/api/peaks", params={"media": "/files/room.wav"})  # by its address
    assert outside.status_code == 200 and len(outside.json()["channels"]) == 2


def test_thumbnail_of_a_frame(client: TestClient) -> None:
    answer = client.get(
        "/api/thumbnail", params={"media": "media/clip.mp4", "frame": 3, "width": 64}
    )
    if _engine_missing(client, "postprod.render.thumbnails", answer):
        return
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "image/jpeg" and answer.content[:2] == b"\xff\xd8"
    assert (
        client.get("/api/thumbnail", params={"media": "media/clip.mp4", "width": 1}).status_code
        == 400
    )


def test_meters_follow_play_and_stop(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.receive_json()
        ws.send_json({"type": "play", "from_frame": 0, "to_frame": 50})
        first = ws.receive_json()
        if importlib.util.find_spec("postprod.render.meters") is None:
            assert first["type"] == "error" and "postprod.render.meters" in first["error"]
            return
        assert first["type"] == "meters", first
        assert first["frame"] == 0 and set(first["strips"]) == {"A1", "A2"}
        assert {"peak_dbfs", "true_peak_dbtp", "ppm_dbfs"} <= set(first["strips"]["A1"])
        assert "momentary_lufs" in first["master"]
        second = ws.receive_json()
        assert second["type"] == "meters" and second["frame"] > first["frame"]
        ws.send_json({"type": "stop"})
        while (message := ws.receive_json())["type"] == "meters":
            pass
        assert message["type"] == "stopped"
        ws.send_json({"type": "play", "from_frame": 10, "to_frame": 5})
        assert ws.receive_json()["type"] == "error"


# -- the command -----------------------------------------------------------------


def test_console_help_and_a_missing_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["console", "--help"]) == 0
    assert "--read-only" in capsys.readouterr().out
    assert main(["console", str(tmp_path / "missing.otio"), "--no-browser"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "missing.otio" in err and "\n" not in err


def test_console_help_loads_no_web_server() -> None:
    code = (
        "import sys\n"
        "from postprod.cli import main\n"
        "main(['console', '--help'])\n"
        "loaded = {'starlette', 'uvicorn', 'av', 'pedalboard', 'scipy'} & set(sys.modules)\n"
        "print(sorted(loaded))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_second_console_command_is_refused_with_one_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestClient(create_app(project, TOKEN)):
        assert main(["console", str(project), "--no-browser"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "--read-only" in err and "\n" not in err


def test_an_osc_fader_move_reaches_every_tab(project: Path) -> None:
    from pythonosc.udp_client import SimpleUDPClient

    app = create_app(project, TOKEN, watch_interval_s=0.05, osc=("127.0.0.1", 0))
    ((name, where),) = app.state.surfaces
    assert name == "OSC" and where.startswith("udp 127.0.0.1:")
    port = int(where.rsplit(":", 1)[1])
    with TestClient(app, headers=AUTH) as test_client, test_client.websocket_connect("/ws") as ws:
        revision = ws.receive_json()["project"]["revision"]
        SimpleUDPClient("127.0.0.1", port).send_message("/strip/1/gain_db", -6.0)
        pushed = _state_after(ws, revision)
        assert pushed["mixer"]["tracks"][0]["gain_db"] == -6.0
        SimpleUDPClient("127.0.0.1", port).send_message("/transport/play", [])
        while (message := ws.receive_json())["type"] != "transport":
            pass
        assert message == {"type": "transport", "action": "play"}
    assert app.state.console.surfaces == []  # stopped with the console
