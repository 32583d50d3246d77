"""A real `postprod console` on a small demo production, for the browser tests.

Shared by tests/test_console_browser.py (Chromium through Playwright) and
tests/test_console_firefox.py (Firefox through WebDriver BiDi).
"""

from __future__ import annotations

import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from postprod.demo.production import DemoSettings, run_demo

SMALL = DemoSettings(
    width=320, height=180, source_frames=60, handle_frames=10, clip_frames=20, transition_frames=8
)
URL = re.compile(r"http://127\.0\.0\.1:\d+/\?token=\S+")


class Console:
    """A running `postprod console` on the demo project."""

    def __init__(self, project: Path, url: str) -> None:
        self.project = project
        self.url = url
        self.origin = url.split("/?", 1)[0]


@contextmanager
def running_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """`postprod console --no-browser --port 0` on a small demo production, until the block ends."""
    folder = tmp_path_factory.mktemp("console_demo")
    log = tmp_path_factory.mktemp("console_log") / "log.sqlite3"
    with pytest.MonkeyPatch.context() as patch:  # the demo logs to the test's log, never the user's
        patch.setenv("POSTPROD_LOG", str(log))
        project = run_demo(folder, settings=SMALL).project
    postprod = Path(sys.executable).with_name("postprod")
    command = [str(postprod)] if postprod.exists() else [sys.executable, "-m", "postprod.cli"]
    server = subprocess.Popen(
        [*command, "console", str(project), "--no-browser", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "POSTPROD_LOG": str(log)},
    )
    lines: queue.Queue[str] = queue.Queue()
    said: list[str] = []

    def read() -> None:  # keeps draining the pipe for as long as the server runs
        assert server.stdout is not None
        for line in server.stdout:
            said.append(line)
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = time.monotonic() + 60
        url = None
        while url is None and time.monotonic() < deadline and server.poll() is None:
            try:
                found = URL.search(lines.get(timeout=0.5))
            except queue.Empty:
                continue
            url = found.group(0) if found else None
        if url is None:
            pytest.fail("postprod console printed no address; it said:\n" + "".join(said))
        wait_for_port(url, server, said)
        yield Console(project, url)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


def wait_for_port(url: str, server: subprocess.Popen[str], said: list[str]) -> None:
    """The address can be printed a moment before the server listens: wait for it to answer."""
    host, port = url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection((host, int(port)), timeout=2).close()
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"postprod console never listened at {url}; it said:\n" + "".join(said))
            time.sleep(0.1)
