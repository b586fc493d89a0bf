"""A process-wide request pacer for NCBI E-utilities.

NCBI allows at most 3 requests per second per IP without an API key and 10
with one ("A General Introduction to the E-utilities", Usage Guidelines and
Requirements); exceeding it earns HTTP 429. NCBI counts requests as they
*arrive*, and an arrival lies anywhere between the moment a request leaves
and the moment its answer is back: a slow connection set-up delays one
request while the next one flies, and evenly spaced departures can still
arrive ``rate + 1`` to a second. So two rules, both enforced:

1. departures are spaced ``(1 + margin) / rate`` seconds apart (a token
   bucket of capacity one, i.e. GCRA, the ATM "virtual scheduling"
   algorithm): smooth pacing, never a burst;
2. with ``n = floor(rate)``, a request leaves only once the request ``n``
   places before it has *completed* for at least one window (``n / rate``
   seconds). Since that earlier request arrived before it completed, no ``n +
   1`` requests can ever arrive within one window, whatever the jitter.

Rule 2 costs nothing for requests sent one after another; it only holds
back concurrent requests while earlier ones are slow.

Every client of the process that talks to the same service shares one pacer
(:func:`shared`), whatever thread it runs on.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

#: Extra spacing between departures, as a fraction of the nominal interval.
DEFAULT_MARGIN = 0.05


@dataclass(slots=True)
class Ticket:
    """One request's passage: when it left and when it completed."""

    start: float
    end: float | None = None


class RateLimiter:
    """At most ``rate`` requests per second, counted at any point of their flight.

    Use ``with limiter.slot(): send()``. Thread-safe. ``clock`` and ``sleep``
    are injectable for tests (a fake clock makes the schedule exact).
    """

    def __init__(
        self,
        rate: float,
        *,
        margin: float = DEFAULT_MARGIN,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._margin = margin
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        self._next = float("-inf")
        self._recent: deque[Ticket] = deque()
        self.set_rate(rate)

    @property
    def rate(self) -> float:
        return self._rate

    def set_rate(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        with self._cond:
            self._rate = rate
            self._interval = (1.0 + self._margin) / rate
            self._n = max(1, math.floor(rate))
            self._window = self._n / rate

    def acquire(self) -> Ticket:
        """Block until one request may leave; pass the ticket to :meth:`release`."""
        while True:
            with self._cond:
                now = self._clock()
                earliest = self._next
                if len(self._recent) >= self._n:
                    before = self._recent[-self._n]
                    if before.end is None:
                        # still in flight: its arrival time is not bounded yet
                        self._cond.wait(timeout=1.0)
                        continue
                    earliest = max(earliest, before.end + self._window)
                if earliest <= now:
                    ticket = Ticket(now)
                    self._recent.append(ticket)
                    while len(self._recent) > self._n:
                        self._recent.popleft()
                    self._next = now + self._interval
                    return ticket
                wait = earliest - now
            self._sleep(wait)

    def release(self, ticket: Ticket) -> None:
        """Mark the request completed (answered, failed or abandoned)."""
        with self._cond:
            ticket.end = self._clock()
            self._cond.notify_all()

    @contextmanager
    def slot(self) -> Iterator[Ticket]:
        ticket = self.acquire()
        try:
            yield ticket
        finally:
            self.release(ticket)


_shared: dict[str, RateLimiter] = {}
_shared_lock = threading.Lock()


def shared(key: str, rate: float) -> RateLimiter:
    """The process's pacer for service ``key`` (e.g. the base URL).

    A later call with another rate re-paces the same pacer: the most recent
    settings win, and there is still only one queue, so two clients with
    different settings can never add up to more than one budget.
    """
    with _shared_lock:
        limiter = _shared.get(key)
        if limiter is None:
            limiter = _shared[key] = RateLimiter(rate)
        elif limiter.rate != rate:
            limiter.set_rate(rate)
        return limiter
