"""``postprod console``: serve the control board, a web page that sees, hears and edits a project."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import typer

from postprod.console.hosts import is_loopback
from postprod.errors import PostprodError, ProjectError


def _bind(host: str, port: int) -> socket.socket:
    """A listening-ready socket on ``host:port`` (port 0: a free one)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise PostprodError(
            f"cannot serve on {host} ({error.strerror})",
            fix="give --host an address of this machine",
        ) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        raise PostprodError(
            f"cannot serve on {host}:{port} ({error.strerror})",
            fix="give another --port (0 picks a free one)",
        ) from None
    sock.set_inheritable(True)
    sock.listen(128)  # connections wait in the backlog from the moment the address is printed
    return sock


def console_command(
    project: Path = typer.Argument(..., help="The project (.otio)."),
    port: int = typer.Option(0, "--port", help="The port to serve on (0: a free one)."),
    host: str = typer.Option(
        "127.0.0.1", "--host", help="The address to serve on (loopback unless you mean otherwise)."
    ),
    no_browser: bool = typer.Option(False, "--no-browser", help="Do not open a browser."),
    read_only: bool = typer.Option(
        False, "--read-only", help="Look and listen only: every change is refused."
    ),
    osc_port: int | None = typer.Option(
        None, "--osc-port", help="Also take OSC control on this UDP port (0: a free one)."
    ),
    midi: str | None = typer.Option(
        None, "--midi", help="Also take a Mackie Control surface on this MIDI port (by name)."
    ),
) -> None:
    """Serve the control board: a local web page to see, hear and edit a project.

    It prints the address to open, with a one-time token; only a browser that
    opened it may read or change the project. One console at a time may change
    a project; another may still watch it with --read-only.
    """
    import uvicorn  # the web server loads only when the console runs

    from postprod.console import heap
    from postprod.console.app import create_app
    from postprod.console.security import new_token

    heap.limit_arenas()  # before the server's threads: a long session's memory stays level

    for option, number in (("--port", port), ("--osc-port", osc_port)):
        if number is not None and not 0 <= number <= 65535:
            raise PostprodError(
                f"port {number} does not exist", fix=f"give {option} from 0 to 65535"
            )
    if not project.is_file():
        raise ProjectError(f"no project {project}", fix="give the path of a .otio project")
    sock = _bind(host, port)
    real_port = sock.getsockname()[1]
    token = new_token()
    try:
        app = create_app(
            project,
            token,
            read_only=read_only,
            port=real_port,
            osc=None if osc_port is None else (host, osc_port),
            midi_port=midi,
        )
    except BaseException:
        sock.close()
        raise
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{real_port}/?token={token}"
    if not is_loopback(host):
        typer.echo(
            f"warning: serving on {host}, not loopback: anyone who can reach it and sees the "
            "token can change the project, and plain HTTP carries the token unencrypted",
            err=True,
        )
    typer.echo(f"the control board of {project.name}{' (read-only)' if read_only else ''}: {url}")
    for name, where in app.state.surfaces:
        typer.echo(f"{name} control surface: {where}")
    typer.echo("Ctrl-C stops it.")
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="on", ws_max_size=1 << 20
    )
    server = uvicorn.Server(config)
    if not no_browser:
        threading.Thread(target=_open_when_ready, args=(server, url), daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        app.state.console.release()
        sock.close()


def _open_when_ready(server: object, url: str) -> None:
    """Open ``url`` in the browser once the server listens (give up after 10 s)."""
    import webbrowser

    deadline = time.monotonic() + 10
    while not getattr(server, "started", False):
        if time.monotonic() > deadline:
            return
        time.sleep(0.05)
    webbrowser.open(url)
