"""Every connected WebSocket, and one call to send a message to all of them.

Each client has its own queue and a sender task, so a slow tab never holds up
the others: :meth:`Hub.broadcast` only puts the message on each queue. A client
whose queue is full (it stopped reading) is dropped. Threads (jobs, control
surfaces) broadcast with :meth:`Hub.broadcast_threadsafe`.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from starlette.websockets import WebSocket

from postprod.console.payloads import json_safe

QUEUE_MESSAGES = 512  # about 20 s of meters at 25/s


class Client:
    """One WebSocket and what waits to be sent to it."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE_MESSAGES)

    def offer(self, message: dict[str, Any]) -> bool:
        """Queue ``message``; False if the client has stopped reading."""
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            return False
        return True

    def close(self) -> None:
        """End the sender: what was still waiting is dropped."""
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)

    async def run_sender(self) -> None:
        """Send queued messages until closed (None) or the socket fails."""
        while True:
            message = await self.queue.get()
            if message is None:
                return
            try:
                await self.websocket.send_json(json_safe(message))
            except Exception:  # the socket went away: the receiver ends the client
                return


class Hub:
    """The connected clients."""

    def __init__(self) -> None:
        self.clients: set[Client] = set()
        self.loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The event loop the clients live on (for broadcasts from threads)."""
        self.loop = loop

    def add(self, client: Client) -> None:
        self.clients.add(client)

    def remove(self, client: Client) -> None:
        self.clients.discard(client)
        client.close()

    def broadcast(self, message: dict[str, Any]) -> None:
        """Send ``message`` to every client (call on the event loop)."""
        for client in list(self.clients):
            if not client.offer(message):
                self.remove(client)

    def broadcast_threadsafe(self, message: dict[str, Any]) -> None:
        """Send ``message`` to every client from any thread."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop is shutting down
            loop.call_soon_threadsafe(self.broadcast, message)

    def close_all(self) -> None:
        for client in list(self.clients):
            self.remove(client)


__all__ = ["Client", "Hub"]
