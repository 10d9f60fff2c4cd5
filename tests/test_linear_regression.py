"""Unit tests of the Timer helper saved from notebooks/07_linear_regression.ipynb."""
from __future__ import annotations

import time

import numpy as np
import pytest

import d2l_utils as d2l
from d2l_utils import linear_regression


class FakeClock:
    """A perf_counter replacement that returns the given readings in order."""

    def __init__(self, *readings: float) -> None:
        self.readings = list(readings)
        self.calls = 0

    def __call__(self) -> float:
        self.calls += 1
        return self.readings.pop(0)


@pytest.fixture
def clock(monkeypatch):
    """Install a fake clock in the module; call the fixture with the readings it should return."""

    def install(*readings: float) -> FakeClock:
        fake = FakeClock(*readings)
        monkeypatch.setattr(linear_regression.time, "perf_counter", fake)
        return fake

    return install


def test_timer_is_exported_like_the_books():
    assert d2l.Timer is linear_regression.Timer
    assert "Timer" in d2l.__all__
    for method in ("start", "stop", "avg", "sum", "cumsum"):
        assert callable(getattr(d2l.Timer, method)), method


def test_starts_on_creation(clock):
    fake = clock(10.0, 12.5)
    timer = d2l.Timer()
    assert fake.calls == 1 and timer.times == []
    assert timer.stop() == 2.5  # measured from the creation, without calling start()


def test_stop_records_and_returns_a_non_negative_time_with_the_real_clock():
    timer = d2l.Timer()
    elapsed = timer.stop()
    assert isinstance(elapsed, float) and elapsed >= 0
    assert timer.times == [elapsed]


def test_stop_measures_from_the_last_start(clock):
    clock(0.0, 5.0, 7.0, 8.0, 11.0)
    timer = d2l.Timer()  # 0.0
    timer.start()  # 5.0
    assert timer.stop() == 2.0  # 7.0 - 5.0
    # as in d2l, stop() does not restart the clock: a second stop() still measures from 5.0
    assert timer.stop() == 3.0  # 8.0 - 5.0
    assert timer.stop() == 6.0  # 11.0 - 5.0
    assert timer.times == [2.0, 3.0, 6.0]


def test_avg_sum_cumsum_match_the_recorded_times(clock):
    readings = [0.0]
    intervals = [0.25, 1.5, 0.125, 3.0, 0.1]
    for dt in intervals:
        readings += [100.0, 100.0 + dt]  # start(), stop()
    clock(*readings)
    timer = d2l.Timer()
    for _ in intervals:
        timer.start()
        timer.stop()
    recorded = timer.times
    np.testing.assert_allclose(recorded, intervals, rtol=0, atol=1e-12)
    assert timer.sum() == pytest.approx(float(np.sum(recorded)))
    assert timer.avg() == pytest.approx(float(np.mean(recorded)))
    cumulative = timer.cumsum()
    assert isinstance(cumulative, list) and all(isinstance(v, float) for v in cumulative)
    assert cumulative == np.array(recorded).cumsum().tolist()  # exactly what the book's d2l.Timer returns
    assert cumulative[-1] == pytest.approx(timer.sum())


def test_empty_timer_summaries(clock):
    clock(0.0)
    timer = d2l.Timer()
    assert timer.sum() == 0
    assert timer.cumsum() == []
    with pytest.raises(ValueError, match=r"^Timer\.times must be non-empty: call stop\(\).*got an empty list"):
        timer.avg()


def test_timer_measures_real_time():
    """With the real clock (no fake installed), a 20 ms sleep measures at least 20 ms."""
    timer = d2l.Timer()
    time.sleep(0.02)
    elapsed = timer.stop()
    assert elapsed >= 0.02 and timer.times == [elapsed]
