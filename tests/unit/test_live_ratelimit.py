from __future__ import annotations

import itertools
import math
import threading

import pytest

from medbrief.live import ratelimit
from medbrief.live.ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def max_in_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def test_slots_are_spaced_by_the_interval_with_margin() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, margin=0.05, clock=clock, sleep=clock.sleep)
    sent = []
    for _ in range(10):
        limiter.acquire()
        sent.append(clock.now)
    gaps = [round(b - a, 9) for a, b in itertools.pairwise(sent)]
    assert gaps == [0.35] * 9
    assert max_in_window(sent) == 3


@pytest.mark.parametrize("rate", [3.0, 10.0, 2.5])
def test_never_more_than_rate_in_any_second(rate: float) -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate, clock=clock, sleep=clock.sleep)
    sent = []
    for _ in range(40):
        limiter.acquire()
        sent.append(clock.now)
    # even spacing at 2.5/s puts 3 requests in some 1 s windows, never 4
    assert max_in_window(sent) <= math.ceil(rate)


def test_concurrent_reservations_get_distinct_slots() -> None:
    clock = FakeClock()  # frozen: every reserve() sees the same "now"
    limiter = RateLimiter(10, margin=0.0, clock=clock)
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            w = limiter.reserve()
            with lock:
                waits.append(round(w, 9))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(waits) == [round(i * 0.1, 9) for i in range(100)]


def test_first_request_does_not_wait() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, clock=clock, sleep=clock.sleep)
    assert limiter.reserve() == 0.0


def test_shared_pacer_per_service_and_latest_rate_wins() -> None:
    a = ratelimit.shared("http://unit-test-a/", 3)
    assert ratelimit.shared("http://unit-test-a/", 3) is a
    assert ratelimit.shared("http://unit-test-b/", 3) is not a
    ratelimit.shared("http://unit-test-a/", 10)
    assert a.rate == 10


def test_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(0)
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(1).set_rate(-1)
