"""A process-wide request pacer for NCBI E-utilities.

NCBI allows at most 3 requests per second per IP without an API key and 10
with one ("A General Introduction to the E-utilities", Usage Guidelines and
Requirements); exceeding it earns HTTP 429. The rule is a count per second,
so the pacer is a token bucket of capacity one (GCRA, the ATM "virtual
scheduling" algorithm): each request reserves the next free slot, slots are
``(1 + margin) / rate`` seconds apart. Capacity one is deliberate: a bigger
bucket lets a burst plus the refill put more than ``rate`` requests into one
second. The small margin absorbs network jitter, so that the server, which
timestamps arrivals rather than departures, never counts ``rate + 1``
requests inside one second either.

Every client of the process that talks to the same service shares one pacer
(:func:`shared`), whatever thread it runs on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: Extra spacing between requests, as a fraction of the nominal interval.
DEFAULT_MARGIN = 0.05


class RateLimiter:
    """Hands out send times at most ``rate`` per second, thread-safe.

    ``clock`` and ``sleep`` are injectable for tests (a fake clock makes the
    schedule exact).
    """

    def __init__(
        self,
        rate: float,
        *,
        margin: float = DEFAULT_MARGIN,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        self._margin = margin
        self._interval = (1.0 + margin) / rate
        self._rate = rate
        self._clock = clock
        self._sleep = sleep
        self._next = float("-inf")
        self._lock = threading.Lock()

    @property
    def rate(self) -> float:
        return self._rate

    def set_rate(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        with self._lock:
            self._rate = rate
            self._interval = (1.0 + self._margin) / rate

    def reserve(self) -> float:
        """Reserve the next slot; returns how long the caller must wait for it."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self._interval
            return slot - now

    def acquire(self) -> None:
        """Block until this caller may send one request."""
        wait = self.reserve()
        if wait > 0:
            self._sleep(wait)


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
