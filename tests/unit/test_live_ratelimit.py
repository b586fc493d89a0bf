from __future__ import annotations

import itertools
import math
import random
import threading
import time

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


def send_all(limiter: RateLimiter, clock: FakeClock, n: int) -> list[float]:
    sent = []
    for _ in range(n):
        with limiter.slot() as ticket:
            sent.append(ticket.start)
    return sent


def test_departures_are_spaced_by_the_interval_with_margin() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, margin=0.05, clock=clock, sleep=clock.sleep)
    sent = send_all(limiter, clock, 10)
    assert sent[0] == 100.0  # the first request does not wait
    gaps = [round(b - a, 9) for a, b in itertools.pairwise(sent)]
    assert gaps == [0.35] * 9
    assert max_in_window(sent) == 3


@pytest.mark.parametrize("rate", [3.0, 10.0, 2.5, 0.5])
def test_never_more_than_rate_in_any_second(rate: float) -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate, clock=clock, sleep=clock.sleep)
    sent = send_all(limiter, clock, 40)
    # even spacing at 2.5/s puts 3 requests in some 1 s windows, never 4
    assert max_in_window(sent) <= math.ceil(rate)


def test_a_request_waits_a_window_after_the_one_n_places_before_completed() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, clock=clock, sleep=clock.sleep)
    first, second, third = (limiter.acquire() for _ in range(3))
    assert [t.start for t in (first, second, third)] == pytest.approx([100.0, 100.35, 100.7])
    clock.now = 100.9  # the first answer was slow: it may have *arrived* as late as this
    limiter.release(first)
    fourth = limiter.acquire()
    assert fourth.start == pytest.approx(101.9)  # not 101.05, the spacing alone


def test_concurrent_requests_never_arrive_too_close() -> None:
    """Threads, real clock, random latencies: an arrival anywhere in each flight."""
    rng = random.Random(7)
    limiter = RateLimiter(40)
    arrivals: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(15):
            with limiter.slot() as ticket:
                flight = rng.uniform(0.0, 0.06)
                time.sleep(flight)
                with lock:
                    arrivals.append(ticket.start + rng.uniform(0.0, flight))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(arrivals) == 60
    assert max_in_window(arrivals) <= 40


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
