"""The control board in Firefox: Debian's Firefox ESR, headless, driven over WebDriver BiDi.

Playwright drives only its own patched Firefox (not downloadable here), so this
talks WebDriver BiDi, the W3C protocol Firefox speaks natively, over a WebSocket
(``--remote-debugging-port``): open the token link, see the timeline drawn with
its thumbnails and waveforms, type a fader value and press Enter, undo it with
Ctrl+Z, with no script error in the page. The Chromium tests
(tests/test_console_browser.py) go further; this one checks the same front end
runs in the other engine. Skipped, saying why, without a ``firefox-esr`` or
``firefox`` on PATH.
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from console_server import Console, running_console
from postprod.project import load_project
from postprod.timeline.console_view import console_view

FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox")
if FIREFOX is None:
    pytest.skip("no firefox on PATH (Debian: apt-get install firefox-esr)", allow_module_level=True)

TIMEOUT_S = 60.0
ENTER, CONTROL = "\ue007", "\ue009"  # WebDriver's codes for the keys


class Firefox:
    """One headless Firefox and one BiDi session on its first tab."""

    def __init__(self, profile: Path) -> None:
        self.process = subprocess.Popen(
            [FIREFOX, "--headless", "--remote-debugging-port", "0", "--profile", str(profile)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        address = self._address()
        self._open = contextlib.ExitStack()
        self.socket: ClientConnection = self._open.enter_context(
            connect(f"{address}/session", max_size=None)
        )
        self.errors: list[str] = []
        self._next_id = 0
        self.call("session.new", capabilities={})
        self.call("session.subscribe", events=["log.entryAdded"])
        self.context = self.call("browsingContext.getTree")["contexts"][0]["context"]
        self.call(
            "browsingContext.setViewport",
            context=self.context,
            viewport={"width": 1280, "height": 800},
        )

    def _address(self) -> str:
        assert self.process.stderr is not None
        deadline = time.monotonic() + TIMEOUT_S
        for line in self.process.stderr:
            if "WebDriver BiDi listening on" in line:
                # keep draining what Firefox says, so it never blocks on a full pipe
                threading.Thread(target=self.process.stderr.read, daemon=True).start()
                return line.split()[-1]
            if time.monotonic() > deadline:
                break
        pytest.fail("Firefox did not start WebDriver BiDi")

    def call(self, method: str, **params: Any) -> Any:
        """Send one command and wait for its answer (events that arrive meanwhile are kept)."""
        self._next_id += 1
        self.socket.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=TIMEOUT_S))
            if message.get("id") == self._next_id:
                if message.get("type") == "error":
                    raise AssertionError(
                        f"{method}: {message.get('error')}: {message.get('message')}"
                    )
                return message["result"]
            self._event(message)

    def _event(self, message: dict[str, Any]) -> None:
        if message.get("method") != "log.entryAdded":
            return
        entry = message["params"]
        ours = entry.get("source", {}).get("context") == self.context
        if ours and (entry.get("type") == "javascript" or entry.get("level") == "error"):
            self.errors.append(str(entry.get("text") or entry.get("args")))

    def open(self, url: str) -> None:
        self.call("browsingContext.navigate", context=self.context, url=url, wait="complete")

    def value(self, expression: str) -> Any:
        """The JSON value of a script expression in the page (promises awaited)."""
        answer = self.call(
            "script.evaluate",
            expression=f"(async () => JSON.stringify(await ({expression})))()",
            target={"context": self.context},
            awaitPromise=True,
        )
        if answer["type"] != "success":
            raise AssertionError(f"{expression}: {answer.get('exceptionDetails')}")
        result = answer["result"]
        return json.loads(result["value"]) if result["type"] == "string" else None  # undefined

    def wait_for(self, expression: str, what: str) -> Any:
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            found = self.value(expression)
            if found:
                return found
            if time.monotonic() > deadline:
                pytest.fail(f"Firefox: timed out waiting for {what}")
            time.sleep(0.1)

    def keys(self, *chord: str) -> None:
        """Press ``chord`` together (held in order, released in reverse), as a person would."""
        down = [{"type": "keyDown", "value": key} for key in chord]
        up = [{"type": "keyUp", "value": key} for key in reversed(chord)]
        self.call(
            "input.performActions",
            context=self.context,
            actions=[{"type": "key", "id": "keyboard", "actions": down + up}],
        )

    def type_text(self, text: str) -> None:
        for character in text:
            self.keys(character)

    def screenshot(self, path: Path) -> None:
        data = self.call("browsingContext.captureScreenshot", context=self.context)["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing anyway
            self.call("session.end")
        self._open.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    with running_console(tmp_path_factory) as running:
        yield running


@pytest.fixture(scope="module")
def firefox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Firefox]:
    browser = Firefox(tmp_path_factory.mktemp("firefox_profile"))
    try:
        yield browser
    finally:
        browser.close()


STATE = "fetch('/api/state').then((r) => r.json())"


def _music_gain_db(state: dict[str, Any]) -> float:
    return float(next(s for s in state["mixer"]["tracks"] if s["name"] == "music")["gain_db"])


def test_the_console_works_in_firefox(firefox: Firefox, console: Console, tmp_path: Path) -> None:
    firefox.open(console.url)
    firefox.wait_for(
        "document.querySelectorAll('.clip[data-track=\"V1\"]').length === 4", "four V1 clips"
    )
    firefox.wait_for(
        "document.querySelector('#connection')?.dataset.state === 'open'", "the live connection"
    )
    assert "token=" not in firefox.value("location.href")  # the token went into a cookie
    firefox.wait_for(
        "[...document.querySelectorAll('.clip img')].every((image) => image.complete)"
        " && document.querySelectorAll('.clip .thumbs img').length > 0",
        "every thumbnail loaded",
    )
    assert firefox.value("document.querySelectorAll('.clip .thumbs img.missing').length") == 0
    assert firefox.value("document.querySelectorAll('.clip canvas.wave').length") > 0
    firefox.screenshot(tmp_path / "firefox-timeline.png")
    assert (tmp_path / "firefox-timeline.png").stat().st_size > 1000

    # the mixer (key 2), the music strip's dB field: type a value and press Enter
    firefox.value("document.activeElement?.blur()")
    firefox.keys("2")
    firefox.wait_for("document.body.dataset.activeView === 'mixer'", "the mixer view")
    before = _music_gain_db(firefox.value(STATE))
    steps = firefox.value(STATE)["history_total"]
    field = "document.querySelector('.strip[data-strip=\"music\"] [data-role=gain-db]')"
    firefox.value(f"({field}.focus(), {field}.select(), true)")
    firefox.type_text("-9.5")
    firefox.keys(ENTER)
    firefox.wait_for(f"{STATE}.then((s) => s.history_total === {steps + 1})", "one undo step")
    assert _music_gain_db(firefox.value(STATE)) == -9.5
    saved = console_view(load_project(console.project), console.project.parent)
    assert next(s for s in saved["tracks"] if s["name"] == "music")["gain_db"] == -9.5

    # Ctrl+Z undoes it, on the page and in the project
    firefox.value("document.activeElement?.blur()")
    firefox.keys(CONTROL, "z")
    firefox.wait_for(
        f"{STATE}.then((s) => s.mixer.tracks.find((t) => t.name === 'music').gain_db === {before})",
        "the fader back where it was",
    )
    assert not firefox.errors, f"the page threw in Firefox: {firefox.errors}"
