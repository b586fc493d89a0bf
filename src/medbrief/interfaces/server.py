"""How ``medbrief serve`` runs the app under uvicorn: its options, and the one
thing uvicorn lacks, a deadline for a request's headers.

uvicorn closes a connection that stays idle between requests
(``timeout_keep_alive``), but a client that sends its request line and
headers a byte at a time resets that timer with every byte and holds the
connection open for as long as it likes ("Slowloris"). :func:`protocol`
gives uvicorn's h11 protocol a deadline of ``header_timeout`` seconds,
armed when the connection opens and again when a response ends, and
disarmed when a request's headers are complete; past it the connection is
closed. A request's body has its own deadline, enforced by the app's guard
(:mod:`medbrief.interfaces.api_limits`).

The h11 implementation is chosen explicitly (uvicorn would pick httptools
when installed), so that the deadline always applies.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from medbrief.settings import Settings

#: Seconds an idle keep-alive connection is kept (uvicorn's default).
KEEP_ALIVE = 5


def protocol(header_timeout: float) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol, closing connections whose headers are late."""

    class HeaderDeadline(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def handle_events(self) -> None:
            cycle = self.cycle
            super().handle_events()
            if self.cycle is not cycle:  # a request's headers are complete
                self._disarm()

        def on_response_complete(self) -> None:
            self._arm()  # the next request's headers are due (pipelined ones disarm it)
            super().on_response_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(header_timeout, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            if not self.transport.is_closing():
                self.transport.close()

    return HeaderDeadline


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` / ``uvicorn.Config`` that apply the
    settings' limits."""
    return {
        "http": protocol(settings.header_timeout),
        "timeout_keep_alive": KEEP_ALIVE,
        # The API uses no websockets; not loading a websocket stack keeps
        # startup light and the attack surface small.
        "ws": "none",
        "server_header": False,
    }
