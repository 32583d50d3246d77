"""An OSC control surface (python-osc, UDP): faders, pan, mute, solo, transport, meters.

The address map (N counts the audio tracks from 1 in track order; ``master`` is the
master strip, which has a fader only):

- ``/strip/N/gain_db f`` (dB, -120..24), ``/strip/N/pan f`` (-1..1), ``/strip/N/mute i``
  and ``/strip/N/solo i`` (0 or 1), ``/strip/N/touch i`` (1 touched, 0 released);
- ``/strip/N/get``: the sender gets ``/strip/N/name s``, ``/strip/N/gain_db f``,
  ``/strip/N/pan f``, ``/strip/N/mute i``, ``/strip/N/solo i`` (the master: name and
  gain_db), values not written yet included;
- ``/transport/play``, ``/transport/stop``: the console's callbacks;
- ``/subscribe/meters f``: the sender gets meters at most at that rate (Hz; 0 stops);
- ``/subscribe/state i``: 1 sends the sender every strip now and after every change
  (as ``/strip/N/get`` replies), 0 stops.

Meters go out as ``/meters/N/<key> f`` and ``/meters/master/<key> f``, one message per
number in the frame (strips: peak_dbfs, true_peak_dbtp, ppm_dbfs; master: peak_dbfs,
true_peak_dbtp, momentary_lufs, short_term_lufs, integrated_lufs, target_lufs).

Anything else (an unknown address, no such strip, a value of the wrong type or out of
range) is logged as a warning and ignored.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pythonosc.dispatcher import Dispatcher
from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.osc_server import BlockingOSCUDPServer

from postprod.console.hosts import is_loopback
from postprod.console.surfaces.common import (
    GAIN_MAX_DB,
    GAIN_MIN_DB,
    MASTER,
    Apply,
    Strip,
    Strips,
    StripWriter,
    checked_value,
    project_apply,
    with_pending,
)
from postprod.operations import Project

log = logging.getLogger("postprod.console.surfaces.osc")

Address = tuple[str, int]
Callback = Callable[[], object]

#: The most subscribers a surface serves (each gets every meter frame it asks for).
MAX_SUBSCRIBERS = 32
#: The fastest meter rate a subscriber may ask for, Hz.
MAX_METER_RATE_HZ = 100.0

_STRIP = re.compile(r"^/strip/(?P<strip>[^/]+)/(?P<what>[a-z_]+)$")


@dataclass(slots=True)
class _Subscriber:
    period_s: float
    due: float


class OscSurface:
    """An OSC server on ``host:port`` (loopback; port 0 lets the system choose, see
    ``address`` after ``start``) that turns messages into ``SetStrip`` operations.

    ``apply`` applies operations as one undo step (default: ``Project(project).apply``);
    ``on_play`` and ``on_stop`` are the transport; ``publish_meters`` and
    ``publish_state`` push the console's meters and state to subscribers.
    """

    source = "osc"

    def __init__(
        self,
        project: str | Path,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        apply: Apply | None = None,
        on_play: Callback | None = None,
        on_stop: Callback | None = None,
        interval_s: float = 0.05,
    ) -> None:
        self.project = Path(project)
        self.host = host
        self.port = port
        self.on_play = on_play
        self.on_stop = on_stop
        self.strips = Strips(self.project)
        self.writer = StripWriter(
            apply or project_apply(Project(self.project)),
            source=self.source,
            interval_s=interval_s,
            on_written=self.publish_state,
        )
        self._meters: dict[Address, _Subscriber] = {}
        self._state: set[Address] = set()
        self._lock = threading.Lock()
        self._server: BlockingOSCUDPServer | None = None
        self._thread: threading.Thread | None = None

    # life

    @property
    def address(self) -> Address:
        """The host and port it listens on (the port the system chose when given 0)."""
        if self._server is None:
            return self.host, self.port
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        """Listen (one thread: messages are handled in the order they arrive, so a fader's
        last value is the one kept) and start the writer."""
        if self._server is not None:
            return
        if not is_loopback(self.host):
            log.warning("OSC surface on %s: anyone who can reach it can move the faders", self.host)
        dispatcher = Dispatcher()
        dispatcher.set_default_handler(self._handle, needs_reply_address=True)
        self._server = BlockingOSCUDPServer((self.host, self.port), dispatcher)
        self.writer.start()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="osc-surface"
        )
        self._thread.daemon = True
        self._thread.start()
        log.info("OSC surface on %s:%d", *self.address)

    def stop(self) -> None:
        """Stop listening, write what is pending, close the socket."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        thread.join()
        self.writer.stop()
        server.server_close()
        self._server = self._thread = None

    def __enter__(self) -> OscSurface:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # incoming

    def _handle(self, sender: Address, address: str, *args: Any) -> None:
        try:
            self._dispatch(sender, address, args)
        except Exception:  # a surface never brings the console down
            log.exception("OSC %s %s from %s:%d failed", address, args, *sender)

    def _dispatch(self, sender: Address, address: str, args: tuple[Any, ...]) -> None:
        if address == "/transport/play":
            self._transport(self.on_play, address)
        elif address == "/transport/stop":
            self._transport(self.on_stop, address)
        elif address == "/subscribe/meters":
            self._subscribe_meters(sender, args)
        elif address == "/subscribe/state":
            self._subscribe_state(sender, args)
        elif found := _STRIP.match(address):
            self._strip(sender, address, found["strip"], found["what"], args)
        else:
            log.warning("OSC: unknown address %s (ignored)", address)

    def _transport(self, callback: Callback | None, address: str) -> None:
        if callback is None:
            log.warning("OSC %s: this console has no transport (ignored)", address)
            return
        callback()

    def _strip(
        self, sender: Address, address: str, which: str, what: str, args: tuple[Any, ...]
    ) -> None:
        strip = self._find(which)
        if strip is None:
            strips, _ = self.strips.current()
            log.warning(
                "OSC %s: no strip %s (the project has strips 1 to %d and master; ignored)",
                address,
                which,
                len(strips),
            )
            return
        if what == "get":
            self._send_strip(sender, strip)
            return
        allowed = (
            ("gain_db", "touch")
            if strip.number is None
            else ("gain_db", "pan", "mute", "solo", "touch")
        )
        if what not in allowed:
            log.warning("OSC %s: a strip takes %s (ignored)", address, ", ".join(allowed))
            return
        value = checked_value(what, args[0]) if len(args) == 1 else None
        if value is None:
            log.warning("OSC %s %s: %s (ignored)", address, list(args), _expected(what))
            return
        if what == "touch":
            self.writer.touch(strip.name, bool(value))
        else:
            self.writer.set(strip.name, **{what: value})

    def _find(self, which: str) -> Strip | None:
        if which == MASTER:
            return self.strips.current()[1]
        if not which.isdigit():
            return None
        return self.strips.number(int(which))

    def _subscribe_meters(self, sender: Address, args: tuple[Any, ...]) -> None:
        rate = args[0] if len(args) == 1 else None
        if (
            not isinstance(rate, int | float)
            or isinstance(rate, bool)
            or not math.isfinite(rate)
            or not 0 <= rate <= MAX_METER_RATE_HZ
        ):
            log.warning(
                "OSC /subscribe/meters %s: give a rate in Hz, 0 to %g (0 stops; ignored)",
                list(args),
                MAX_METER_RATE_HZ,
            )
            return
        with self._lock:
            if rate == 0:
                self._meters.pop(sender, None)
            elif sender in self._meters or self._room():
                self._meters[sender] = _Subscriber(1.0 / float(rate), time.monotonic())

    def _subscribe_state(self, sender: Address, args: tuple[Any, ...]) -> None:
        on = checked_value("touch", args[0]) if len(args) == 1 else None
        if on is None:
            log.warning("OSC /subscribe/state %s: give 1 or 0 (ignored)", list(args))
            return
        with self._lock:
            if not on:
                self._state.discard(sender)
                return
            if sender not in self._state and not self._room():
                return
            self._state.add(sender)
        self._send_all(sender)

    def _room(self) -> bool:
        if len(self._meters) + len(self._state) < MAX_SUBSCRIBERS:
            return True
        log.warning("OSC: %d subscribers already (ignored)", MAX_SUBSCRIBERS)
        return False

    # outgoing

    def _send(self, to: Address, address: str, value: float | int | str) -> None:
        server = self._server
        if server is None:
            return
        builder = OscMessageBuilder(address=address)
        builder.add_arg(value)
        try:
            server.socket.sendto(builder.build().dgram, to)
        except OSError as error:
            log.debug("OSC: sending %s to %s:%d failed: %s", address, to[0], to[1], error)

    def _send_strip(self, to: Address, strip: Strip) -> None:
        shown = with_pending(strip, self.writer.pending().get(strip.name, {}))
        prefix = f"/strip/{MASTER if shown.number is None else shown.number}"
        self._send(to, f"{prefix}/name", shown.name)
        self._send(to, f"{prefix}/gain_db", shown.gain_db)
        if shown.number is not None:
            self._send(to, f"{prefix}/pan", shown.pan)
            self._send(to, f"{prefix}/mute", int(shown.mute))
            self._send(to, f"{prefix}/solo", int(shown.solo))

    def _send_all(self, to: Address) -> None:
        strips, master = self.strips.current()
        for strip in (*strips, master):
            self._send_strip(to, strip)

    def publish_state(self) -> None:
        """Send every strip to the state subscribers (call it after every change to the
        project; the surface calls it after its own writes)."""
        with self._lock:
            subscribers = list(self._state)
        for to in subscribers:
            self._send_all(to)

    def publish_meters(self, frame: Mapping[str, Any]) -> None:
        """Send a meter frame (the console's WebSocket ``meters`` message: ``strips`` by
        track name, ``master``) to each meter subscriber that is due, at most at its
        rate. None and NaN values are left out."""
        now = time.monotonic()
        with self._lock:
            due = []
            for to, subscriber in self._meters.items():
                # a frame a little early still counts (frames come with jitter); the
                # schedule advances one period per frame sent, so the rate holds
                if now >= subscriber.due - subscriber.period_s / 2:
                    subscriber.due = max(subscriber.due + subscriber.period_s, now)
                    due.append(to)
        if not due:
            return
        messages = list(meter_messages(frame, self.strips.current()[0]))
        for to in due:
            for address, value in messages:
                self._send(to, address, value)


def meter_messages(frame: Mapping[str, Any], strips: tuple[Strip, ...]) -> list[tuple[str, float]]:
    """A meter frame as OSC (address, value) pairs: ``/meters/N/<key>`` for each strip the
    frame names (by track name), ``/meters/master/<key>`` for the master."""
    numbers = {strip.name: strip.number for strip in strips}
    out: list[tuple[str, float]] = []
    meters = frame.get("strips") or {}
    for name, values in meters.items():
        number = numbers.get(name)
        if number is not None and isinstance(values, Mapping):
            out.extend(_numbers(f"/meters/{number}", values))
    master = frame.get("master")
    if isinstance(master, Mapping):
        out.extend(_numbers(f"/meters/{MASTER}", master))
    return out


def _numbers(prefix: str, values: Mapping[str, Any]) -> list[tuple[str, float]]:
    return [
        (f"{prefix}/{key}", float(value))
        for key, value in values.items()
        if isinstance(value, int | float) and not isinstance(value, bool) and not math.isnan(value)
    ]


def _expected(what: str) -> str:
    return {
        "gain_db": f"give one number of dB, {GAIN_MIN_DB:g} to {GAIN_MAX_DB:g}",
        "pan": "give one number, -1 (left) to 1 (right)",
    }.get(what, "give 1 or 0")
