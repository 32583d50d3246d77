"""Who may talk to the console, and what it may hand out.

- The token: a random string from :mod:`secrets`, compared with
  :func:`secrets.compare_digest`. A request carries it as ``Authorization: Bearer
  TOKEN``, ``X-Postprod-Token: TOKEN`` or the cookie ``postprod_token``; a page
  load with ``?token=TOKEN`` sets the cookie (HttpOnly, SameSite=Strict) and is
  redirected to the same address without it, so the token leaves the address
  bar and the history. Anything else is 401.
- A browser's ``Origin`` on a WebSocket or a write must be the console's own
  (403 otherwise).
- Bodies larger than :data:`MAX_BODY_BYTES` are refused (413) before the app
  reads them.
- Every response carries a strict Content Security Policy (scripts, styles and
  connections from the console itself only; no inline script).
- :func:`confine` turns a requested relative path into a file inside one of the
  allowed folders, or nothing: no ``..``, no absolute path, no symlink out.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from http.cookies import SimpleCookie
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "postprod_token"
HEADER = "x-postprod-token"
MAX_BODY_BYTES = 1 << 20  # 1 MiB
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def new_token() -> str:
    """A fresh token (32 random bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_matches(given: str | None, token: str) -> bool:
    """Whether ``given`` is the token (in constant time)."""
    return given is not None and secrets.compare_digest(given.encode(), token.encode())


def cookie_token(headers: Headers) -> str | None:
    """The token in the request's ``postprod_token`` cookie, if any."""
    raw = headers.get("cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed Cookie header carries no token
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None else None


def request_token(headers: Headers) -> str | None:
    """The token a request carries in a header or the cookie."""
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if headers.get(HEADER):
        return headers[HEADER]
    return cookie_token(headers)


def own_origin(headers: Headers, scheme: str = "http") -> str:
    """The console's own origin as the browser sees it (``http://HOST:PORT``)."""
    return f"{scheme}://{headers.get('host', '')}"


def origin_allowed(headers: Headers, scheme: str = "http") -> bool:
    """A browser's ``Origin`` must be the console's own; a client that sends none (not a
    browser, so no other site's page) is left to the token."""
    origin = headers.get("origin")
    return origin is None or origin == own_origin(headers, scheme)


def security_headers(host: str) -> list[tuple[bytes, bytes]]:
    """The headers every response carries (``host`` is the request's, for the WebSocket URL)."""
    policy = "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob:",
            f"connect-src 'self' ws://{host}" if host else "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )
    return [
        (b"content-security-policy", policy.encode("latin-1")),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"cross-origin-resource-policy", b"same-origin"),
    ]


async def _refuse(
    send: Send, status: int, message: str, extra: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Adds :func:`security_headers` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                added = [item for item in security_headers(host) if item[0] not in names]
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await self.app(scope, receive, with_headers)


class TokenGate:
    """Refuses every HTTP request without the token (401) and every write from another
    origin (403); turns ``?token=`` on a page load into the cookie and a redirect.

    WebSockets pass through: the ``/ws`` endpoint checks the origin and the token itself
    (the token may come as the first message).
    """

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = [value for name, value in query if name == "token"]
        if given and scope["method"] in ("GET", "HEAD"):
            if not token_matches(given[-1], self.token):
                await _refuse(send, 401, "wrong token: open the address the console printed")
                return
            rest = urlencode([(name, value) for name, value in query if name != "token"])
            location = scope.get("root_path", "") + scope["path"] + (f"?{rest}" if rest else "")
            cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
            await send(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [
                        (b"location", location.encode("latin-1")),
                        (b"set-cookie", cookie.encode("latin-1")),
                        (b"cache-control", b"no-store"),
                        (b"content-length", b"0"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        if not token_matches(request_token(headers), self.token):
            await _refuse(
                send,
                401,
                "no valid token: open the address the console printed (it carries ?token=)",
                [(b"www-authenticate", b'Bearer realm="postprod console"')],
            )
            return
        if scope["method"] in _WRITES and not origin_allowed(headers, scope.get("scheme", "http")):
            await _refuse(send, 403, "a request from another site's page is refused")
            return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuses a request body over ``limit`` bytes with 413, before the app sees any of it.

    The body (at most ``limit`` bytes) is read here and handed on whole.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_big = f"the request body is over {self.limit} bytes"
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _refuse(send, 413, too_big)
            return
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > self.limit:
                await _refuse(send, 413, too_big)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def confine(requested: str, roots: Iterable[Path]) -> Path | None:
    """The existing file ``requested`` names under the first of ``roots`` that holds it.

    ``requested`` is relative, with ``/`` between names. Refused (None): an absolute
    path, a drive, a backslash, a NUL, any ``..`` or empty or ``.`` component, and a
    file whose real path (symlinks followed) lies outside the root it was found under.
    """
    if not requested or "\\" in requested or "\x00" in requested:
        return None
    pure = PurePosixPath(requested)
    if pure.is_absolute() or PureWindowsPath(requested).drive:
        return None
    parts = requested.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    for root in roots:
        try:
            base = root.resolve(strict=True)
            found = (base / pure).resolve(strict=True)
        except (OSError, RuntimeError):
            continue
        if found.is_file() and found.is_relative_to(base):
            return found
    return None
