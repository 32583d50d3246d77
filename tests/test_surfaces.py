"""Control surfaces: OSC over loopback moves the project's faders as operations (one undo
step per coalesced move or touch), meters go out at each subscriber's rate; the Mackie
Control mapping as pure functions, and on a port when one is named."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import mido
import pytest
from pythonosc.osc_message import OscMessage
from pythonosc.udp_client import SimpleUDPClient

from postprod.console.surfaces import MackieSurface, OscSurface, Strip, StripWriter
from postprod.console.surfaces.mackie import (
    FADER_MAX,
    UNITY_VALUE,
    Bank,
    Touch,
    Transport,
    action_of,
    fader_db,
    fader_value,
    meter_level,
    meter_messages,
)
from postprod.operations import Operation, Project, SetStrip, new_project
from postprod.timeline.console_view import console_view

FRAME = {
    "type": "meters",
    "frame": 0,
    "strips": {
        "A1": {"peak_dbfs": -3.0, "true_peak_dbtp": -2.5, "ppm_dbfs": -6.0},
        "A2": {"peak_dbfs": -100.0, "true_peak_dbtp": None, "ppm_dbfs": -100.0},
        "gone": {"peak_dbfs": 0.0},
    },
    "master": {
        "peak_dbfs": -1.0,
        "true_peak_dbtp": -0.5,
        "momentary_lufs": -23.0,
        "short_term_lufs": -23.5,
        "integrated_lufs": None,
        "target_lufs": -23.0,
    },
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A new project: V1, then audio tracks A1 and A2 (strips 1 and 2)."""
    path = tmp_path / "p.otio"
    new_project(path, name="surfaces")
    return path


@pytest.fixture
def surface(project: Path) -> Iterator[OscSurface]:
    played = threading.Event()
    with OscSurface(project, on_play=played.set) as running:
        running.played = played  # type: ignore[attr-defined]
        yield running


@pytest.fixture
def client(surface: OscSurface) -> Iterator[SimpleUDPClient]:
    host, port = surface.address
    with SimpleUDPClient(host, port) as osc:
        yield osc


def _strip(project: Path, number: int) -> dict[str, Any]:
    return console_view(Project(project).timeline(), project.parent)["tracks"][number - 1]  # type: ignore[no-any-return]


def _edits(project: Path) -> int:
    return sum(event.event == "edit" for event in Project(project).events())


def _until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    end = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def _received(client: SimpleUDPClient, timeout_s: float = 0.3) -> list[tuple[str, list[Any]]]:
    out = []
    while data := client.receive(timeout_s):
        message = OscMessage(data)
        out.append((message.address, list(message.params)))
    return out


def _get(client: SimpleUDPClient, which: str) -> dict[str, Any]:
    """``/strip/N/get``'s replies as {field: value}."""
    client.send_message(f"/strip/{which}/get", [])
    replies = {}
    end = time.monotonic() + 10
    while "gain_db" not in replies or (which != "master" and "solo" not in replies):
        assert time.monotonic() < end, "no reply"
        for address, params in _received(client, 0.2):
            assert address.startswith(f"/strip/{which}/")
            replies[address.rsplit("/", 1)[1]] = params[0]
    return replies


# OSC


def test_a_fader_message_sets_the_gain_as_one_undo_step(
    project: Path, surface: OscSurface, client: SimpleUDPClient
) -> None:
    before = _edits(project)
    client.send_message("/strip/1/gain_db", -6.5)
    _until(lambda: _strip(project, 1)["gain_db"] == -6.5)
    assert surface.writer.flush()
    assert _edits(project) == before + 1
    assert _strip(project, 2)["gain_db"] == 0.0
    replies = _get(client, "1")
    assert replies == {"name": "A1", "gain_db": -6.5, "pan": 0.0, "mute": 0, "solo": 0}
    Project(project).undo()
    assert _strip(project, 1)["gain_db"] == 0.0


def test_a_fast_fader_move_is_coalesced(
    project: Path, surface: OscSurface, client: SimpleUDPClient
) -> None:
    before = _edits(project)
    start = time.monotonic()
    for step in range(201):
        client.send_message("/strip/2/gain_db", -40.0 + step * 0.15)
    sent_s = time.monotonic() - start
    _until(lambda: _strip(project, 2)["gain_db"] == -10.0)
    assert surface.writer.flush()
    steps = _edits(project) - before
    # the first value at once, then the latest every 50 ms at most (plus the last)
    assert 1 <= steps <= sent_s / 0.05 + 3
    assert steps < 50


def test_a_touch_is_one_undo_step(
    project: Path, surface: OscSurface, client: SimpleUDPClient
) -> None:
    before = _edits(project)
    client.send_message("/strip/1/touch", 1)
    for step in range(10):
        client.send_message("/strip/1/gain_db", -20.0 + step)
        time.sleep(0.03)  # 300 ms of moving: six writes' worth without the touch
    assert _get(client, "1")["gain_db"] == -11.0  # the fader as the hand has it
    assert _edits(project) == before
    client.send_message("/strip/1/touch", 0)
    _until(lambda: _strip(project, 1)["gain_db"] == -11.0)
    assert surface.writer.flush()
    assert _edits(project) == before + 1


def test_mute_solo_and_pan(project: Path, surface: OscSurface, client: SimpleUDPClient) -> None:
    client.send_message("/strip/1/mute", 1)
    client.send_message("/strip/2/solo", True)
    client.send_message("/strip/2/pan", -0.5)
    _until(lambda: _strip(project, 1)["mute"] and _strip(project, 2)["solo"])
    _until(lambda: _strip(project, 2)["pan"] == -0.5)
    client.send_message("/strip/1/mute", 0)
    _until(lambda: not _strip(project, 1)["mute"])
    assert _get(client, "2") == {"name": "A2", "gain_db": 0.0, "pan": -0.5, "mute": 0, "solo": 1}


def test_the_master_fader(project: Path, surface: OscSurface, client: SimpleUDPClient) -> None:
    client.send_message("/strip/master/gain_db", -2.0)
    _until(
        lambda: (
            console_view(Project(project).timeline(), project.parent)["master"]["gain_db"] == -2.0
        )
    )
    assert _get(client, "master") == {"name": "master", "gain_db": -2.0}


def test_bad_messages_are_ignored_with_a_warning(
    project: Path, surface: OscSurface, client: SimpleUDPClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="postprod.console.surfaces")
    before = _edits(project)
    bad: list[tuple[str, Any]] = [
        ("/strip/3/gain_db", -6.0),  # two audio tracks only
        ("/strip/0/gain_db", -6.0),
        ("/strip/x/gain_db", -6.0),
        ("/strip/1/gain_db", "loud"),
        ("/strip/1/gain_db", 100.0),
        ("/strip/1/gain_db", float("nan")),
        ("/strip/1/gain_db", []),
        ("/strip/1/pan", 2.0),
        ("/strip/1/mute", 3),
        ("/strip/1/polarity", 1),
        ("/strip/master/mute", 1),
        ("/mixer/everything", 1),
        ("/subscribe/meters", -25.0),
        ("/transport/stop", []),  # this console was given no stop
    ]
    for address, value in bad:
        client.send_message(address, value)
    client.send_message("/strip/1/gain_db", -3.0)  # handled after all of them: still alive
    _until(lambda: _strip(project, 1)["gain_db"] == -3.0)
    assert surface.writer.flush()
    assert _edits(project) == before + 1
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == len(bad), [r.getMessage() for r in warnings]
    assert "no strip 3" in warnings[0].getMessage()


def test_transport_calls_the_console(surface: OscSurface, client: SimpleUDPClient) -> None:
    client.send_message("/transport/play", [])
    assert surface.played.wait(10)  # type: ignore[attr-defined]


def test_meters_arrive_at_the_subscribed_rate(surface: OscSurface, client: SimpleUDPClient) -> None:
    client.send_message("/subscribe/meters", 25.0)
    _get(client, "1")  # messages are handled in order: the subscription is in
    start = time.monotonic()
    frame = 0
    while (now := time.monotonic()) < start + 1.0:
        surface.publish_meters(FRAME)  # 100 frames a second, four times the rate asked for
        frame += 1
        time.sleep(max(0.0, start + frame * 0.01 - now))
    received = _received(client)
    peaks = [params[0] for address, params in received if address == "/meters/1/peak_dbfs"]
    assert 20 <= len(peaks) <= 30, len(peaks)
    assert peaks[0] == -3.0
    addresses = {address for address, _ in received}
    assert addresses == {
        "/meters/1/peak_dbfs",
        "/meters/1/true_peak_dbtp",
        "/meters/1/ppm_dbfs",
        "/meters/2/peak_dbfs",
        "/meters/2/ppm_dbfs",
        "/meters/master/peak_dbfs",
        "/meters/master/true_peak_dbtp",
        "/meters/master/momentary_lufs",
        "/meters/master/short_term_lufs",
        "/meters/master/target_lufs",
    }
    client.send_message("/subscribe/meters", 0)
    _get(client, "1")
    surface.publish_meters(FRAME)
    assert _received(client, 0.2) == []


def test_state_subscribers_follow_changes_from_anywhere(
    project: Path, surface: OscSurface, client: SimpleUDPClient
) -> None:
    client.send_message("/subscribe/state", 1)
    _until(lambda: bool(surface._state))
    first = dict((a, p[0]) for a, p in _received(client))
    assert first["/strip/1/name"] == "A1" and first["/strip/master/gain_db"] == 0.0
    Project(project).apply(SetStrip("A2", gain_db=-9.0))  # another front end
    surface.publish_state()  # what the console does after every change
    assert dict((a, p[0]) for a, p in _received(client))["/strip/2/gain_db"] == -9.0


def test_the_writer_keeps_the_latest_value_per_strip() -> None:
    writes: list[list[Operation]] = []

    def apply(operations: Sequence[Operation], description: str) -> None:
        assert description.startswith("test: set-strip")
        writes.append(list(operations))

    writer = StripWriter(apply, source="test", interval_s=0.05)
    writer.start()
    try:
        for step in range(500):
            writer.set("A1", gain_db=float(-step % 60))
            writer.set("A2", pan=step / 500)
        writer.set("A1", mute=True)
        assert writer.flush()
    finally:
        writer.stop()
    assert len(writes) < 20
    last = {op.track: op for ops in writes for op in ops if isinstance(op, SetStrip)}
    assert last["A1"].mute is True and last["A1"].gain_db == float(-499 % 60)
    assert last["A2"].pan == 499 / 500


# Mackie Control


STRIPS = (Strip(1, "A1", 0.0), Strip(2, "A2", -6.0, mute=True, solo=True))
MASTER = Strip(None, "master", 0.0)


def test_the_fader_law() -> None:
    values = [fader_db(value) for value in range(FADER_MAX + 1)]
    assert values == sorted(values)  # monotonic
    assert UNITY_VALUE == 12808 and fader_db(UNITY_VALUE) == 0.0
    assert fader_value(0.0) == UNITY_VALUE
    assert fader_db(0) == -120.0 and fader_value(-120.0) == 0
    assert fader_db(FADER_MAX) == 6.02 and fader_value(24.0) == FADER_MAX
    for centi_db in range(-6000, 602):
        db = centi_db / 100
        assert abs(fader_db(fader_value(db)) - db) <= 0.011, db
    positions = [fader_value(db) for db in (-60.0, -40.0, -20.0, -10.0, -5.0, 0.0, 3.0, 6.0)]
    assert positions == sorted(set(positions))


def test_mackie_messages_become_operations() -> None:
    def note(number: int, velocity: int = 127) -> mido.Message:
        return mido.Message("note_on", note=number, velocity=velocity)

    assert action_of(note(16), STRIPS, MASTER) == SetStrip("A1", mute=True)
    assert action_of(note(17), STRIPS, MASTER) == SetStrip("A2", mute=False)
    assert action_of(note(8), STRIPS, MASTER) == SetStrip("A1", solo=True)
    assert action_of(note(9), STRIPS, MASTER) == SetStrip("A2", solo=False)
    assert action_of(note(16, 0), STRIPS, MASTER) is None  # the release
    assert action_of(mido.Message("note_off", note=16), STRIPS, MASTER) is None
    assert action_of(note(18), STRIPS, MASTER) is None  # no strip 3
    assert action_of(note(94), STRIPS, MASTER) == Transport("play")
    assert action_of(note(93), STRIPS, MASTER) == Transport("stop")
    assert action_of(note(104), STRIPS, MASTER) == Touch("A1", True)
    assert action_of(note(105, 0), STRIPS, MASTER) == Touch("A2", False)
    assert action_of(note(112), STRIPS, MASTER) == Touch("master", True)
    unity = mido.Message("pitchwheel", channel=1, pitch=UNITY_VALUE - 8192)
    assert action_of(unity, STRIPS, MASTER) == SetStrip("A2", gain_db=0.0)
    top = mido.Message("pitchwheel", channel=8, pitch=8191)
    assert action_of(top, STRIPS, MASTER) == SetStrip("master", gain_db=6.02)
    assert action_of(mido.Message("pitchwheel", channel=2), STRIPS, MASTER) is None
    assert action_of(mido.Message("control_change", control=16), STRIPS, MASTER) is None


def test_meters_become_channel_pressure() -> None:
    assert [meter_level(db) for db in (None, -90.0, -60.0, -20.5, -3.0, 0.0, 3.0)] == [
        0,
        0,
        1,
        4,
        10,
        12,
        12,
    ]
    messages = meter_messages(FRAME, STRIPS)
    assert [m.bytes() for m in messages] == [[0xD0, 0x0A], [0xD0, 0x10]]


class _Port:
    def __init__(self) -> None:
        self.sent: list[mido.Message] = []

    def send(self, message: mido.Message) -> None:
        self.sent.append(message)


def test_a_mackie_surface_on_a_port(project: Path) -> None:
    port = _Port()
    played = threading.Event()
    with MackieSurface(project, port=port, on_play=played.set) as surface:
        lit = [m.bytes() for m in port.sent]
        assert [0x90, 16, 0] in lit and [0xE0 + 8, *_bend(UNITY_VALUE)] in lit
        port.sent.clear()
        before = _edits(project)
        surface.handle(mido.Message("note_on", note=16, velocity=127))  # mute strip 1
        surface.handle(mido.Message("note_on", note=16, velocity=0))
        assert surface.writer.flush()
        assert _edits(project) == before + 1
        surface.handle(mido.Message("note_on", note=105, velocity=127))  # touch strip 2
        for value in range(4000, 8001, 100):
            surface.handle(mido.Message("pitchwheel", channel=1, pitch=value - 8192))
        surface.handle(mido.Message("note_on", note=105, velocity=0))
        surface.handle(mido.Message("note_on", note=94, velocity=127))
        assert played.is_set()
        assert surface.writer.flush()
        assert _strip(project, 1)["mute"] is True
        assert _strip(project, 2)["gain_db"] == fader_db(8000)
        assert _edits(project) == before + 2  # the mute, the touch
        assert [0x90, 16, 127] in [m.bytes() for m in port.sent]  # the mute LED lit
        port.sent.clear()
        surface.publish_meters(FRAME)
        assert [m.bytes() for m in port.sent] == [[0xD0, 0x0A], [0xD0, 0x10]]


def _bend(value: int) -> list[int]:
    return [value & 0x7F, value >> 7]


def test_mackie_banks_move_the_strips_along_the_tracks(project: Path) -> None:
    """Twelve audio tracks on eight strips: BANK RIGHT shows tracks 5-12 (never past the
    last), CHANNEL LEFT steps back one; faders, mutes and meters follow the bank."""
    from postprod.operations import AddTrack

    Project(project).apply(*(AddTrack("audio", f"A{n}") for n in range(3, 13)))
    assert action_of(mido.Message("note_on", note=47, velocity=127), [], MASTER) == Bank(8)
    assert action_of(mido.Message("note_on", note=48, velocity=127), [], MASTER) == Bank(-1)
    port = _Port()
    with MackieSurface(project, port=port) as surface:
        surface.handle(mido.Message("note_on", note=47, velocity=127))  # BANK RIGHT
        assert surface.offset == 4  # tracks 5-12: the last full bank
        surface.handle(mido.Message("note_on", note=48, velocity=127))  # CHANNEL LEFT
        assert surface.offset == 3  # tracks 4-11
        surface.handle(mido.Message("note_on", note=16, velocity=127))  # mute strip 1
        assert surface.writer.flush()
        mutes = {
            strip["name"]: strip["mute"]
            for strip in console_view(Project(project).timeline(), project.parent)["tracks"]
        }
        assert mutes["A4"] is True and mutes["A1"] is False
        port.sent.clear()
        surface.publish_meters({"strips": {"A4": {"peak_dbfs": -3.0}, "A1": {"peak_dbfs": 0.0}}})
        assert [m.bytes() for m in port.sent] == [[0xD0, 0x0A]]  # A4 on strip 1, A1 not shown
        surface.handle(mido.Message("note_on", note=46, velocity=127))  # BANK LEFT
        assert surface.offset == 0


def test_a_named_mackie_port(project: Path) -> None:
    name = os.environ.get("POSTPROD_MACKIE_PORT")
    if not name:
        pytest.skip("no MIDI port named: set POSTPROD_MACKIE_PORT to a Mackie Control's port")
    try:
        names = mido.get_ioport_names()
    except ImportError as error:
        pytest.skip(f"no MIDI backend (python-rtmidi): {error}")
    if name not in names:
        pytest.skip(f"no MIDI port {name!r} here (there are: {names})")
    with MackieSurface(project, name) as surface:
        assert surface.port is not None
