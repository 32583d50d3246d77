"""The console's web application: routes over the operations layer, and nothing more.

:func:`create_app` builds the Starlette app for one project (docs/CONSOLE.md is
its contract). Handlers only parse a request (:mod:`.payloads`), call the
library (:class:`.state.Board` for the project, :mod:`.jobs`, :mod:`.engines`,
the studio log) in a worker thread, and answer JSON. A refusal is one line:
400 for a request or an edit the project refuses, 423 from a read-only
console, 503 for an engine not installed; the project is untouched.

A background task looks at the project and its journal every
``watch_interval_s`` and pushes the state to every WebSocket when either
changed (an edit from another tab, the command line or any program).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from postprod.console import engines, heap, payloads
from postprod.console.hub import Client, Hub
from postprod.console.jobs import Jobs, delivery_work, preset_names
from postprod.console.lock import WriterLock
from postprod.console.playback import Playback, Touches
from postprod.console.security import (
    MAX_BODY_BYTES,
    BodyLimit,
    SecurityHeaders,
    TokenGate,
    confine,
    origin_allowed,
    request_token,
    token_matches,
)
from postprod.console.state import Board, ReadOnlyError
from postprod.errors import PostprodError
from postprod.operations import OPERATIONS, Operation

log = logging.getLogger("postprod.console")

STATIC = Path(__file__).with_name("static")
FIRST_MESSAGE_S = 10.0  # a WebSocket without the cookie has this long to send its token
WATCH_INTERVAL_S = 0.5
DELIVERIES = "deliveries"  # the folder beside the project that deliveries go into


class Surface(Protocol):
    """A control surface as the console drives it (``postprod.console.surfaces``)."""

    def stop(self) -> None: ...
    def publish_state(self) -> None: ...
    def publish_meters(self, frame: Mapping[str, Any]) -> None: ...


class Console:
    """What the routes share: the project, the clients, the jobs, the token."""

    def __init__(
        self,
        project: Path,
        token: str,
        *,
        read_only: bool,
        log: str | None,
        watch_interval_s: float,
    ) -> None:
        self.board = Board(project, read_only=read_only)
        self.token = token
        self.log = log
        self.hub = Hub()
        self.jobs = Jobs(self.hub.broadcast_threadsafe)
        self.watch_interval_s = watch_interval_s
        self.writer_lock: WriterLock | None = None
        self.previews = engines.Previews(self.board.path)
        self.multiviews = engines.Previews(self.board.path, "multiview")
        self.surfaces: list[Surface] = []

    def release(self) -> None:
        """Stop the control surfaces and give up the project's writer lock (if held)."""
        surfaces, self.surfaces = self.surfaces, []
        for surface in surfaces:
            with contextlib.suppress(Exception):
                surface.stop()
        if self.writer_lock is not None:
            self.writer_lock.release()

    async def push_state(self, state: Mapping[str, Any]) -> None:
        """Send the state to every tab, and tell the surfaces (they read the strips back)."""
        self.hub.broadcast({"type": "state", **state})
        if self.surfaces:
            await run_in_threadpool(self.publish_to_surfaces, "state", None)

    def publish_to_surfaces(self, what: str, frame: Mapping[str, Any] | None) -> None:
        """A surface's ``publish_state()`` or ``publish_meters(frame)``; a failing one is
        logged, never the console's failure."""
        for surface in list(self.surfaces):
            try:
                if what == "state":
                    surface.publish_state()
                elif frame is not None:
                    surface.publish_meters(frame)
            except Exception as error:
                log.warning("control surface %s: %s", type(surface).__name__, error)

    def surface_apply(self, operations: Sequence[Operation], description: str) -> object:
        """What a control surface applies through: one undo step, pushed to every tab."""
        state = self.board.apply(operations, description)
        self.hub.broadcast_threadsafe({"type": "state", **state})
        return state

    def transport(self, action: str) -> None:
        """A surface's play or stop, for the tabs (the page plays the preview)."""
        self.hub.broadcast_threadsafe({"type": "transport", "action": action})

    def start_surfaces(
        self, osc: tuple[str, int] | None, midi_port: str | None
    ) -> list[tuple[str, str]]:
        """Start the OSC and Mackie surfaces asked for; what each listens on."""
        from postprod.console.surfaces import MackieSurface, OscSurface

        started: list[tuple[str, str]] = []
        common: dict[str, Any] = {
            "apply": self.surface_apply,
            "on_play": lambda: self.transport("play"),
            "on_stop": lambda: self.transport("stop"),
        }
        if osc is not None:
            surface = OscSurface(self.board.path, osc[0], osc[1], **common)
            surface.start()
            self.surfaces.append(surface)
            host, port = surface.address
            started.append(("OSC", f"udp {host}:{port}"))
        if midi_port is not None:
            mackie = MackieSurface(self.board.path, midi_port, **common)
            mackie.start()
            self.surfaces.append(mackie)
            started.append(("Mackie Control", f"MIDI {midi_port}"))
        return started

    async def watch(self) -> None:
        """Push the state whenever the project or its journal changes (and, every
        :data:`heap.TRIM_INTERVAL_S`, give the C heap's free memory back)."""
        loop = asyncio.get_running_loop()
        trimmed = loop.time()
        while True:
            if loop.time() - trimmed >= heap.TRIM_INTERVAL_S:
                await run_in_threadpool(heap.trim)
                trimmed = loop.time()
            try:
                state = await run_in_threadpool(self.board.poll)
            except PostprodError:
                state = None  # a half-written or missing project: look again next time
            if state is not None:
                await self.push_state(state)
            await asyncio.sleep(self.watch_interval_s)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": message}, status_code=status, headers={"cache-control": "no-store"}
    )


def _json(data: Any) -> JSONResponse:
    return JSONResponse(payloads.json_safe(data), headers={"cache-control": "no-store"})


async def _refused(request: Request, error: Exception) -> Response:
    """A refusal: 423 from a read-only console, 503 for an engine not installed, 404 for a
    preview forgotten, else 400."""
    assert isinstance(error, PostprodError)
    if isinstance(error, ReadOnlyError):
        return _error(423, error.message)
    if isinstance(error, engines.EngineMissing):
        return _error(503, error.message)
    if isinstance(error, engines.NotFound):
        return _error(404, error.message)
    return _error(400, error.message)


def _console(request: Request | WebSocket) -> Console:
    console: Console = request.app.state.console
    return console


async def _body(request: Request) -> dict[str, Any]:
    return payloads.json_object(await request.body())


def _writable(console: Console) -> None:
    if console.board.read_only:
        raise ReadOnlyError(
            "this console is read-only",
            where=str(console.board.path),
            fix="make the change in the console that holds the project",
        )


# -- pages and files ------------------------------------------------------


async def index(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", headers={"cache-control": "no-store"})


async def files(request: Request) -> Response:
    console = _console(request)
    requested = request.path_params["path"]
    roots = await run_in_threadpool(console.board.roots)
    found = confine(requested, roots)
    if found is None:
        return _error(404, f"no file {requested} in the project's folder or its media folders")
    return FileResponse(found)


# -- project --------------------------------------------------------------


async def state(request: Request) -> Response:
    return _json(await run_in_threadpool(_console(request).board.state))


async def operations(request: Request) -> Response:
    return _json(
        {name: [p.to_dict() for p in kind.parameters()] for name, kind in OPERATIONS.items()}
    )


async def apply(request: Request) -> Response:
    console = _console(request)
    _writable(console)
    ops, description = payloads.operations(await _body(request))
    new = await run_in_threadpool(console.board.apply, ops, description)
    await console.push_state(new)
    return _json(new)


async def undo(request: Request) -> Response:
    console = _console(request)
    _writable(console)
    new = await run_in_threadpool(console.board.undo)
    await console.push_state(new)
    return _json(new)


async def redo(request: Request) -> Response:
    console = _console(request)
    _writable(console)
    new = await run_in_threadpool(console.board.redo)
    await console.push_state(new)
    return _json(new)


# -- delivery -------------------------------------------------------------


async def presets(request: Request) -> Response:
    return _json(await run_in_threadpool(preset_names))


async def deliver(request: Request) -> Response:
    console = _console(request)
    _writable(console)
    name = payloads.text(await _body(request), "preset")
    known = await run_in_threadpool(preset_names)
    if name not in known:
        raise payloads.BadRequest(
            f"no delivery preset named {name!r}", fix=f"choose one of {', '.join(known)}"
        )
    out = console.board.folder / DELIVERIES
    job = console.jobs.start("deliver", delivery_work(console.board.path, name, out))
    return _json({"job": job.id})


async def job(request: Request) -> Response:
    found = _console(request).jobs.get(request.path_params["job_id"])
    if found is None:
        return _error(404, f"no job {request.path_params['job_id']}")
    return _json(found.to_dict())


# -- the studio log -------------------------------------------------------


def _log_entries(
    location: str | None, kind: str | None, limit: int, project: str | None
) -> dict[str, Any]:
    from postprod.log import LogStore, default_location

    with LogStore(default_location(location)) as store:
        entries = store.entries(kind=kind or None, project=project or None)
        where = str(store.location)
    chosen = entries[-limit:]
    return {"location": where, "entries": [entry.to_dict() for entry in reversed(chosen)]}


async def studio_log(request: Request) -> Response:
    console = _console(request)
    query = request.query_params
    limit = payloads.whole(query.get("limit"), "limit", 200, low=1, high=10000)
    return _json(
        await run_in_threadpool(
            _log_entries, console.log, query.get("kind"), limit, query.get("project")
        )
    )


def _as_run(location: str | None, channel: str | None, day: str | None) -> dict[str, Any]:
    from postprod.log import BroadcastItem, LogStore, default_location
    from postprod.log.reports import aired_on, current
    from postprod.log.times import parse_day

    the_day = parse_day(day) if day else None
    with LogStore(default_location(location)) as store:
        entries = store.entries(kind="broadcast", channel=channel or None)
    if the_day is not None:
        chosen = aired_on(entries, the_day, channel or None)
    else:
        chosen = [e for e in current(entries) if isinstance(e.details, BroadcastItem)]
    return {
        "channel": channel or "",
        "day": day or "",
        "entries": [entry.to_dict() for entry in chosen],
    }


async def asrun(request: Request) -> Response:
    console = _console(request)
    query = request.query_params
    return _json(
        await run_in_threadpool(_as_run, console.log, query.get("channel"), query.get("day"))
    )


# -- seeing and hearing (the engines) ---------------------------------------


PREVIEW_PREFIX = "/api/preview/"
MULTIVIEW_PREFIX = "/api/multiview/"
MAX_COLUMNS = 8


async def preview(request: Request) -> Response:
    console = _console(request)
    start, end = payloads.frame_range(await _body(request))
    return _json(await run_in_threadpool(console.previews.open, start, end, PREVIEW_PREFIX))


async def multiview(request: Request) -> Response:
    """The sources side by side (``columns`` wide, optional), segments as the preview's."""
    console = _console(request)
    body = await _body(request)
    start, end = payloads.frame_range(body)
    columns = body.get("columns")
    if columns is not None and (
        not isinstance(columns, int) or isinstance(columns, bool) or not 1 <= columns <= MAX_COLUMNS
    ):
        raise payloads.BadRequest(f"columns must be a whole number from 1 to {MAX_COLUMNS}")
    opened = await run_in_threadpool(
        console.multiviews.open, start, end, MULTIVIEW_PREFIX, columns=columns
    )
    return _json(opened)


async def _segment_file(previews: engines.Previews, prefix: str, name: str) -> Response:
    """A segment (rendered now if not cached) or a range's playlist."""
    stem, _, suffix = name.partition(".")
    if suffix == "mp4":
        path = await run_in_threadpool(previews.segment, stem)
        return FileResponse(path, media_type="video/mp4")
    if suffix == "m3u8":
        text = await run_in_threadpool(previews.playlist, stem, prefix)
        return Response(
            text, media_type="application/vnd.apple.mpegurl", headers={"cache-control": "no-store"}
        )
    return _error(404, f"no {previews.kind} file {name}")


async def preview_file(request: Request) -> Response:
    """A preview segment (rendered now if not cached) or a range's playlist."""
    console = _console(request)
    return await _segment_file(console.previews, PREVIEW_PREFIX, request.path_params["name"])


async def multiview_file(request: Request) -> Response:
    """A multiview segment or a multiview range's playlist."""
    console = _console(request)
    return await _segment_file(console.multiviews, MULTIVIEW_PREFIX, request.path_params["name"])


def _media(console: Console, requested: str | None) -> Path:
    """A media file the request names: one a clip uses, or a file in the project's folder."""
    if not requested:
        raise payloads.BadRequest("give media=PATH (relative to the project)")
    for item in console.board.media():
        if requested in (item.reference, item.url) and item.url is not None:
            return item.path.resolve()
    found = confine(requested, [console.board.folder])
    if found is None:
        raise payloads.BadRequest(f"no media {requested} in the project")
    return found


async def peaks(request: Request) -> Response:
    console = _console(request)
    media = await run_in_threadpool(_media, console, request.query_params.get("media"))
    return _json(await run_in_threadpool(engines.peaks, console.board.path, media))


async def thumbnail(request: Request) -> Response:
    console = _console(request)
    query = request.query_params
    media = await run_in_threadpool(_media, console, query.get("media"))
    frame = payloads.whole(query.get("frame"), "frame", 0, low=0, high=10**9)
    width = payloads.whole(query.get("width"), "width", 160, low=16, high=3840)
    jpeg = await run_in_threadpool(engines.thumbnail, console.board.path, media, frame, width)
    return FileResponse(jpeg, media_type="image/jpeg", headers={"cache-control": "max-age=3600"})


# -- the WebSocket ----------------------------------------------------------


async def _deny(websocket: WebSocket, status: int, message: str) -> None:
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(_error(status, message))
    else:
        await websocket.close(code=1008, reason=message)


async def _signed_in(websocket: WebSocket, token: str) -> bool:
    """Check the origin and the token (the cookie or a header, else the first message)."""
    if not origin_allowed(websocket.headers, "https" if websocket.url.scheme == "wss" else "http"):
        await _deny(websocket, 403, "a WebSocket from another site's page is refused")
        return False
    given = request_token(websocket.headers)
    if given is not None and not token_matches(given, token):
        await _deny(websocket, 401, "wrong token")
        return False
    await websocket.accept()
    if given is not None:
        return True
    try:
        first = await asyncio.wait_for(websocket.receive_json(), FIRST_MESSAGE_S)
    except (TimeoutError, ValueError, KeyError, WebSocketDisconnect):
        first = None
    if isinstance(first, dict) and token_matches(_text_or_none(first.get("token")), token):
        return True
    with contextlib.suppress(Exception):
        await websocket.close(code=4401, reason="no valid token")
    return False


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class Session:
    """One signed-in WebSocket: its queue, its playback and its touches."""

    def __init__(self, console: Console, client: Client) -> None:
        self.console = console
        self.client = client
        self.playback: Playback | None = None
        self.touches = Touches()
        self.loop = asyncio.get_running_loop()

    def send(self, message: dict[str, Any]) -> None:
        self.client.offer(message)

    def send_threadsafe(self, message: dict[str, Any]) -> None:
        """From the meters' thread: to this tab, and meter frames to the surfaces too."""
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self.client.offer, message)
        if message.get("type") == "meters" and self.console.surfaces:
            self.console.publish_to_surfaces("meters", message)

    async def handle(self, message: Any) -> None:
        kind = message.get("type") if isinstance(message, dict) else None
        handler: Callable[[dict[str, Any]], Any] | None = {
            "play": self.play,
            "stop": self.stop,
            "touch": self.touch,
        }.get(str(kind))
        if handler is None:
            self.send({"type": "error", "error": f"unknown message type {kind!r}"})
            return
        try:
            await handler(message)
        except PostprodError as error:
            self.send({"type": "error", "error": error.message})

    async def play(self, message: dict[str, Any]) -> None:
        start, end = payloads.frame_range(
            {"start_frame": message.get("from_frame"), "end_frame": message.get("to_frame")}
        )
        self._halt()
        path = self.console.board.path
        self.playback = Playback(lambda: engines.meters(path, start, end), self.send_threadsafe)
        self.playback.start()

    async def stop(self, message: dict[str, Any]) -> None:
        self._halt()
        await self.commit_touches()

    async def touch(self, message: dict[str, Any]) -> None:
        _writable(self.console)
        self.touches.add(message)

    async def commit_touches(self) -> None:
        ops, description = self.touches.take()
        if not ops:
            return
        new = await run_in_threadpool(self.console.board.apply, ops, description)
        await self.console.push_state(new)

    def _halt(self) -> None:
        if self.playback is not None:
            self.playback.stop()
            self.playback = None

    async def end(self) -> None:
        self._halt()
        with contextlib.suppress(PostprodError):
            await self.commit_touches()


async def websocket_endpoint(websocket: WebSocket) -> None:
    console = _console(websocket)
    if not await _signed_in(websocket, console.token):
        return
    client = Client(websocket)
    session = Session(console, client)
    console.hub.add(client)
    try:
        first = await run_in_threadpool(console.board.state)
        client.offer({"type": "state", **first})
    except PostprodError as error:
        client.offer({"type": "error", "error": error.message})

    async def receive() -> None:
        while True:
            try:
                message = await websocket.receive_json()
            except WebSocketDisconnect:
                return
            except (ValueError, KeyError):
                session.send({"type": "error", "error": "messages are JSON objects"})
                continue
            await session.handle(message)

    tasks = {asyncio.create_task(client.run_sender()), asyncio.create_task(receive())}
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        console.hub.remove(client)
        await session.end()
        with contextlib.suppress(Exception):
            await websocket.close()


# -- the app ----------------------------------------------------------------


def create_app(
    project: Path,
    token: str,
    *,
    read_only: bool = False,
    port: int = 0,
    log: str | None = None,
    watch_interval_s: float = WATCH_INTERVAL_S,
    max_body_bytes: int = MAX_BODY_BYTES,
    osc: tuple[str, int] | None = None,
    midi_port: str | None = None,
) -> Starlette:
    """The console of ``project``, open to whoever holds ``token``.

    Unless ``read_only``, it takes the project's writer lock now (refused with a
    :class:`postprod.errors.ProjectError` while another console holds it) and gives it
    up when the app shuts down (or ``app.state.console.release()``). ``log`` is the
    studio log's location (default: ``POSTPROD_LOG`` or the per-user log). ``osc``
    (host, port; port 0 picks one) starts an OSC control surface, ``midi_port`` a Mackie
    Control on that MIDI port; ``app.state.surfaces`` says where each listens.
    """
    path = Path(project)
    Board(path).project.timeline()  # a missing or broken project is refused here
    console = Console(path, token, read_only=read_only, log=log, watch_interval_s=watch_interval_s)
    if not read_only:
        console.writer_lock = WriterLock(path)
        console.writer_lock.acquire(port)
    try:
        surfaces = console.start_surfaces(osc, midi_port)
    except BaseException:
        console.release()
        raise

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        console.hub.bind(asyncio.get_running_loop())
        await run_in_threadpool(console.board.poll)  # what is there now counts as seen
        watcher = asyncio.create_task(console.watch())
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            console.hub.close_all()
            console.release()

    routes = [
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/api/state", state),
        Route("/api/operations", operations),
        Route("/api/apply", apply, methods=["POST"]),
        Route("/api/undo", undo, methods=["POST"]),
        Route("/api/redo", redo, methods=["POST"]),
        Route("/api/presets", presets),
        Route("/api/deliver", deliver, methods=["POST"]),
        Route("/api/jobs/{job_id}", job),
        Route("/api/log", studio_log),
        Route("/api/asrun", asrun),
        Route("/api/preview", preview, methods=["POST"]),
        Route("/api/preview/{name}", preview_file, methods=["GET", "HEAD"]),
        Route("/api/multiview", multiview, methods=["POST"]),
        Route("/api/multiview/{name}", multiview_file, methods=["GET", "HEAD"]),
        Route("/api/peaks", peaks),
        Route("/api/thumbnail", thumbnail),
        Route("/files/{path:path}", files, methods=["GET", "HEAD"]),
        WebSocketRoute("/ws", websocket_endpoint),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        Mount("/", StaticFiles(directory=STATIC), name="page"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(TokenGate, token=token),
            Middleware(BodyLimit, limit=max_body_bytes),
        ],
        exception_handlers={PostprodError: _refused},
        lifespan=lifespan,
    )
    app.state.console = console
    app.state.surfaces = surfaces
    return app


__all__ = ["Console", "create_app"]
