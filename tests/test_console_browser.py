"""The control board in a real browser: Debian's Chromium, headless, driven by Playwright.

A real `postprod console` serves a small demo production; the tests open it as a
person would (the token link), operate it with the mouse and the keyboard, and
check what they did against the server's state and the project file on disk.
Each view is photographed: the pictures go to a temporary folder, and also to
the folder named by POSTPROD_SCREENSHOTS when it is set
(`POSTPROD_SCREENSHOTS=docs/screenshots .venv/bin/python -m pytest
tests/test_console_browser.py` makes the README's pictures again).

Skipped, saying why, when Playwright for Python or a `chromium` on PATH is
missing (scripts/test.sh installs both where it can). Playwright's own browser
download is never used.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from console_server import Console, running_console
from postprod.project import load_project
from postprod.timeline.console_view import console_view

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="Playwright for Python is not installed (pip install -e '.[test]' brings it)",
)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip(
        "no chromium on PATH (Debian: apt-get install chromium; scripts/test.sh does it as root)",
        allow_module_level=True,
    )

VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 60_000  # a slow, shared machine: wait long, never sleep blindly


# ---- the server, the browser, the pictures ---------------------------------------------


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    with running_console(tmp_path_factory) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any, console: Console) -> Iterator[Any]:
    """A fresh tab signed in through the console's token link, the timeline drawn."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        tab.goto(console.url)
        tab.wait_for_selector('.clip[data-track="V1"]')
        tab.wait_for_selector('#connection[data-state="open"]')
        yield tab
        assert not errors, f"the page threw: {errors}"
    finally:
        context.close()


@pytest.fixture(scope="module")
def shoot(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Any, str], Path]:
    """Photograph the page as NAME.png: a test artefact, and into $POSTPROD_SCREENSHOTS if set."""
    artefacts = tmp_path_factory.mktemp("screenshots")
    published = os.environ.get("POSTPROD_SCREENSHOTS")

    def take(tab: Any, name: str) -> Path:
        path = artefacts / f"{name}.png"
        tab.screenshot(path=str(path))
        assert path.stat().st_size > 1000
        if published:
            Path(published).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, Path(published) / path.name)
        return path

    return take


def api_state(tab: Any) -> dict[str, Any]:
    """GET /api/state with the page's own cookie."""
    answer: dict[str, Any] = tab.evaluate(
        "async () => { const r = await fetch('/api/state'); return {status: r.status, body: await r.json()}; }"
    )
    assert answer["status"] == 200, answer
    return dict(answer["body"])


def wait_until(check: Callable[[], Any], what: str, timeout_s: float = 60) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


VIEWS = ["timeline", "mixer", "preview", "masters", "log"]


def show_view(tab: Any, view: str) -> None:
    """The view's shortcut key (1-5), with nothing focused that would take the key."""
    tab.evaluate("document.activeElement?.blur()")
    tab.keyboard.press(str(VIEWS.index(view) + 1))
    tab.wait_for_selector(f'body[data-active-view="{view}"]')


def strip_of(mixer: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(next(strip for strip in mixer["tracks"] if strip["name"] == name))


# ---- the tests ---------------------------------------------------------------------------


def test_open_the_project_shows_v1_clips(page: Any, console: Console, shoot: Any) -> None:
    state = api_state(page)
    clips = [i for i in state["timeline"]["items"] if i["track"] == "V1" and i["kind"] == "clip"]
    shown = page.locator('.clip[data-track="V1"]')
    assert shown.count() == len(clips) == 4
    assert sorted(int(x) for x in shown.evaluate_all("cs => cs.map(c => c.dataset.recordIn)")) == [
        c["record_in"] for c in clips
    ]
    assert page.text_content("#project-name") == state["project"]["name"]
    # the token went into a cookie, and the address bar no longer shows it
    assert "token=" not in page.url
    # a picture on screen: the playhead a second in, the preview parked on that frame
    page.keyboard.press("Shift+ArrowRight")
    page.wait_for_selector('#timecode:text("01:00:01:00")')
    page.wait_for_function(
        "() => { const v = document.querySelector('#preview video');"
        " return v.currentTime > 0.9 && v.readyState >= 2 && !v.seeking; }"
    )
    # every thumbnail and waveform in: no request left, and no picture that failed
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.clip img')].every((image) => image.complete)"
    )
    thumbs = page.locator(".clip .thumbs img")
    assert thumbs.count() > 0
    assert page.locator(".clip .thumbs img.missing").count() == 0
    assert page.locator(".clip canvas.wave").count() > 0
    shoot(page, "timeline")


def test_a_fader_move_is_saved_in_the_project(page: Any, console: Console, shoot: Any) -> None:
    show_view(page, "mixer")
    steps = len(api_state(page)["history"])
    # type a value in the music strip's dB field and press Enter
    field = page.locator('.strip[data-strip="music"] [data-role=gain-db]')
    field.fill("-7.5")
    field.press("Enter")
    wait_until(
        lambda: strip_of(api_state(page)["mixer"], "music")["gain_db"] == -7.5,
        "the music fader at -7.5 dB in /api/state",
    )
    saved = console_view(load_project(console.project), console.project.parent)
    assert strip_of(saved, "music")["gain_db"] == -7.5
    assert len(api_state(page)["history"]) == steps + 1  # one undo step

    # drag the FX fader down with the mouse
    before = strip_of(api_state(page)["mixer"], "FX")["gain_db"]
    fader = page.locator('.strip[data-strip="FX"] .fader')
    box = fader.bounding_box()
    assert box is not None and box["height"] > box["width"], "the fader is not vertical"
    thumb_y = box["y"] + box["height"] * (1 - float(fader.input_value()) / 1000)
    page.mouse.move(box["x"] + box["width"] / 2, thumb_y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, thumb_y + box["height"] * 0.2, steps=8)
    page.mouse.up()
    dragged = wait_until(
        lambda: (g := strip_of(api_state(page)["mixer"], "FX")["gain_db"]) < before - 1 and g,
        "the FX fader dragged down in /api/state",
    )
    saved = console_view(load_project(console.project), console.project.parent)
    assert strip_of(saved, "FX")["gain_db"] == dragged
    page.wait_for_function(
        "db => Number(document.querySelector('.strip[data-strip=\"FX\"] [data-role=gain-db]').value) === db",
        arg=dragged,
    )
    assert page.locator('.strip[data-strip="music"] [data-role=gain-db]').input_value() == "-7.5"


def test_record_arm_is_the_projects(page: Any, console: Console) -> None:
    show_view(page, "mixer")
    arm = page.locator('.strip[data-strip="FX"] [data-role=arm]')
    assert arm.get_attribute("aria-pressed") == "false"
    arm.click()
    wait_until(lambda: strip_of(api_state(page)["mixer"], "FX")["armed"], "FX armed in /api/state")
    page.wait_for_selector('.strip[data-strip="FX"] [data-role=arm][aria-pressed="true"]')
    saved = console_view(load_project(console.project), console.project.parent)
    assert strip_of(saved, "FX")["armed"] is True  # in the project: `postprod record` uses it
    page.locator('.strip[data-strip="FX"] [data-role=arm]').click()
    wait_until(lambda: not strip_of(api_state(page)["mixer"], "FX")["armed"], "FX disarmed")


def test_trim_a_clip_and_undo_it(page: Any, console: Console) -> None:
    original = console.project.read_bytes()
    state = api_state(page)
    clip = next(i for i in state["timeline"]["items"] if i["track"] == "V1" and i["kind"] == "clip")
    selector = f'.clip[data-track="V1"][data-record-in="{clip["record_in"]}"]'
    page.click(selector)
    page.wait_for_selector(f"{selector}.selected")
    page.keyboard.press(",")
    page.wait_for_selector(
        f'.clip[data-track="V1"][data-record-in="{clip["record_in"]}"]'
        f'[data-record-out="{clip["record_out"] - 1}"]'
    )
    trimmed = next(
        i
        for i in api_state(page)["timeline"]["items"]
        if i["track"] == "V1" and i["kind"] == "clip" and i["record_in"] == clip["record_in"]
    )
    assert trimmed["record_out"] == clip["record_out"] - 1
    wait_until(lambda: console.project.read_bytes() != original, "the trim saved")

    page.keyboard.press("Control+z")
    page.wait_for_selector(
        f'.clip[data-track="V1"][data-record-in="{clip["record_in"]}"]'
        f'[data-record-out="{clip["record_out"]}"]'
    )
    wait_until(lambda: console.project.read_bytes() == original, "the project's bytes as before")


def _v1_clips(tab: Any) -> list[dict[str, Any]]:
    items = api_state(tab)["timeline"]["items"]
    return [i for i in items if i["track"] == "V1" and i["kind"] == "clip"]


def test_drag_a_clip_edge_and_body_then_undo(page: Any, console: Console) -> None:
    """The mouse edits: dragging a clip's out edge trims it by the frames dragged over;
    dragging the last clip's body moves it later; each is one undo step, and undoing
    both gives the project's bytes back."""
    original = console.project.read_bytes()
    first = _v1_clips(page)[0]
    selector = f'.clip[data-track="V1"][data-record-in="{first["record_in"]}"]'
    box = page.locator(selector).bounding_box()
    assert box is not None
    px_per_frame = box["width"] / (first["record_out"] - first["record_in"])
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] - 2, y)  # on the out edge
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 2 - 3 * px_per_frame, y, steps=6)
    page.mouse.up()
    page.wait_for_selector(f'{selector}[data-record-out="{first["record_out"] - 3}"]')

    last = _v1_clips(page)[-1]
    selector = f'.clip[data-track="V1"][data-record-in="{last["record_in"]}"]'
    box = page.locator(selector).bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 2, y)  # on the body
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 30 * px_per_frame, y, steps=10)
    page.mouse.up()
    moved = wait_until(
        lambda: [c for c in _v1_clips(page) if c["record_in"] > last["record_in"]],
        "the last V1 clip moved later",
    )
    assert moved[0]["record_out"] - moved[0]["record_in"] == last["record_out"] - last["record_in"]
    assert moved[0]["source_in"] == last["source_in"]  # a move keeps the clip's content

    page.evaluate("document.activeElement?.blur()")
    page.keyboard.press("Control+z")
    page.wait_for_selector(f'.clip[data-track="V1"][data-record-in="{last["record_in"]}"]')
    page.keyboard.press("Control+z")
    wait_until(lambda: console.project.read_bytes() == original, "the project's bytes as before")


ANALYSE = """async () => {
  // every <video> of the preview into an analyser (the two take turns on screen)
  const context = new AudioContext();
  await context.resume();
  window.__analysers = [...document.querySelectorAll('#preview video')].map((video) => {
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    context.createMediaElementSource(video).connect(analyser);
    analyser.connect(context.destination);
    return analyser;
  });
  return context.state;
}"""

LISTEN = """() => {
  const video = document.querySelector('#preview video');
  const rms = window.__analysers.map((analyser) => {
    const samples = new Float32Array(analyser.fftSize);
    analyser.getFloatTimeDomainData(samples);
    return Math.sqrt(samples.reduce((sum, x) => sum + x * x, 0) / samples.length);
  });
  return {time: video.currentTime, paused: video.paused, muted: video.muted, rms: Math.max(...rms)};
}"""


def test_play_a_range_moves_the_picture_and_sounds(page: Any, shoot: Any) -> None:
    show_view(page, "preview")
    page.wait_for_function("() => document.querySelector('#preview video').readyState >= 1")
    assert page.evaluate(ANALYSE) == "running"
    # the range: from one second in to the end; Space plays from the playhead
    page.keyboard.press("Home")
    page.keyboard.press("Shift+ArrowRight")
    page.wait_for_selector('#timecode:text("01:00:01:00")')
    page.keyboard.press("Space")
    readings = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        reading = page.evaluate(LISTEN)
        readings.append(reading)
        playing = [r for r in readings if not r["paused"]]
        if len(playing) >= 4 and max(r["rms"] for r in playing) > 1e-3:
            break
        page.wait_for_timeout(100)
    playing = [r for r in readings if not r["paused"]]
    assert len(playing) >= 2, f"the video never played: {readings[-3:]}"
    assert playing[-1]["time"] > playing[0]["time"], f"currentTime stood still: {playing}"
    assert not playing[-1]["muted"]
    assert max(r["rms"] for r in playing) > 1e-3, f"silence while playing: {playing}"
    assert page.text_content("#timecode") != "01:00:01:00"
    shoot(page, "preview")
    page.keyboard.press("k")
    page.wait_for_function("() => document.querySelector('#preview video').paused")


def test_the_multiview_shows_every_camera_in_a_grid(page: Any, shoot: Any) -> None:
    show_view(page, "preview")
    page.wait_for_function("() => document.querySelector('#preview video').readyState >= 1")
    page.keyboard.press("Home")
    page.keyboard.press("Shift+ArrowRight")  # two seconds in: C plays, A and B run on
    page.keyboard.press("Shift+ArrowRight")
    page.wait_for_selector('#timecode:text("01:00:02:00")')
    page.click('[data-role="multiview"]')
    page.wait_for_selector('[data-role="multiview"][aria-pressed="true"]')
    page.wait_for_function(
        "() => { const v = document.querySelector('#preview video');"
        " return v.readyState >= 2 && v.currentSrc.includes('/api/multiview/'); }",
        timeout=60_000,
    )
    # the grid: four tiles (three cameras and an empty one), each camera's own colour
    tiles = page.evaluate(
        """() => {
            const v = document.querySelector('#preview video');
            const c = document.createElement('canvas');
            c.width = v.videoWidth; c.height = v.videoHeight;
            const g = c.getContext('2d');
            g.drawImage(v, 0, 0);
            const at = (x, y) => Array.from(g.getImageData(x * c.width, y * c.height, 1, 1).data.slice(0, 3));
            return [at(0.25, 0.2), at(0.75, 0.2), at(0.25, 0.7), at(0.75, 0.7)];
        }"""
    )
    colours = {(40, 70, 160): "A", (190, 110, 40): "B", (50, 150, 80): "C"}

    def nearest(rgb: list[int]) -> str:
        best = min(colours, key=lambda c: sum((a - b) ** 2 for a, b in zip(c, rgb, strict=True)))
        return (
            colours[best]
            if sum((a - b) ** 2 for a, b in zip(best, rgb, strict=True)) < 3000
            else "-"
        )

    assert [nearest(rgb) for rgb in tiles[:3]] == ["A", "B", "C"], tiles
    shoot(page, "multiview")
    page.click('[data-role="multiview"]')
    page.wait_for_selector('[data-role="multiview"][aria-pressed="false"]')


def test_a_meter_moves_while_playing(page: Any, shoot: Any) -> None:
    meters: list[dict[str, Any]] = []
    page.on(
        "websocket",
        lambda socket: socket.on(
            "framereceived",
            lambda frame: (
                meters.append(json.loads(frame)) if '"meters"' in str(frame)[:40] else None
            ),
        ),
    )
    page.reload()  # the socket made again, now watched
    page.wait_for_selector('#connection[data-state="open"]')
    show_view(page, "mixer")
    meter = page.locator('.strip[data-strip="camera sound"] .meter')
    still = meter.get_attribute("aria-valuenow")
    page.keyboard.press("Home")
    page.keyboard.press("Space")
    try:
        page.wait_for_function(
            """still => [...document.querySelectorAll('.meter')]
                 .some((m) => m.getAttribute('aria-valuenow') !== still && Number(m.getAttribute('aria-valuenow')) > -60)""",
            arg=still,
            timeout=30_000,
        )
    except sync_api.TimeoutError:
        if not meters:
            pytest.xfail("the server sent no WebSocket 'meters' message while the preview played")
        raise
    assert meters, "a meter moved without a 'meters' message"
    assert {"frame", "strips", "master"} <= set(meters[0])
    page.wait_for_function(
        "() => document.querySelector('[data-loudness=\"momentary\"]').textContent !== '–'"
    )
    shoot(page, "mixer")
    page.keyboard.press("k")


def test_deliver_a_preset_shows_the_qc_report(page: Any, console: Console, shoot: Any) -> None:
    show_view(page, "masters")
    page.click('.preset[data-preset="ebu-r128"] .run')
    page.wait_for_selector("#qc-report[data-passed]", timeout=180_000)
    assert page.get_attribute("#qc-report", "data-passed") == "true", page.text_content(
        "#qc-report"
    )
    assert page.locator("#qc-report tr.passed").count() >= 5
    assert page.locator("#qc-report tr.failed").count() == 0
    page.wait_for_selector(".job.done")
    shoot(page, "masters")


def test_the_log_lists_the_edit_history(page: Any, shoot: Any) -> None:
    show_view(page, "log")
    page.wait_for_selector(".studio-log table, .studio-log p")
    history = api_state(page)["history"]
    assert page.locator(".history-list li").count() == len(history) > 0
    shoot(page, "log")
