"""Phi-accrual failure detector and block-interval anomaly monitor."""

from __future__ import annotations

import pytest

from election.node.health import BlockIntervalMonitor, PhiAccrualDetector


def regular(det: PhiAccrualDetector, period: float, count: int, start: float = 0.0) -> float:
    t = start
    for _ in range(count):
        det.heartbeat(t)
        t += period
    return t - period


def test_no_heartbeat_is_available() -> None:
    det = PhiAccrualDetector()
    assert det.phi(123.0) == 0.0 and det.is_available(1e9)
    assert det.suspicion_time() is None and det.last_heartbeat is None


def test_phi_grows_with_silence_and_resets_on_heartbeat() -> None:
    det = PhiAccrualDetector(min_std_deviation=0.02, first_heartbeat_estimate=0.1)
    last = regular(det, 0.1, 50)
    phis = [det.phi(last + dt) for dt in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, 10.0)]
    assert phis == sorted(phis) and phis[0] < 0.1 and phis[-1] > 100
    assert det.is_available(last + 0.1) and not det.is_available(last + 0.5)
    det.heartbeat(last + 0.5)
    assert det.phi(last + 0.5) < 0.1 and det.is_available(last + 0.55)


def test_phi_is_finite_for_huge_silence() -> None:
    det = PhiAccrualDetector()
    regular(det, 1.0, 5)
    assert 1e6 < det.phi(1e6) < float("inf")


def test_window_statistics() -> None:
    det = PhiAccrualDetector(max_sample_size=10, min_std_deviation=0.001, first_heartbeat_estimate=5.0)
    regular(det, 0.2, 30)  # the two seeded intervals have slid out
    assert det.mean() == pytest.approx(0.2)
    assert det.std_deviation() == pytest.approx(0.001)  # floor: the intervals are identical


def test_acceptable_pause_delays_suspicion() -> None:
    strict = PhiAccrualDetector(min_std_deviation=0.02, first_heartbeat_estimate=0.1)
    lenient = PhiAccrualDetector(min_std_deviation=0.02, first_heartbeat_estimate=0.1, acceptable_pause=1.0)
    for d in (strict, lenient):
        last = regular(d, 0.1, 20)
    assert not strict.is_available(last + 0.8) and lenient.is_available(last + 0.8)
    assert lenient.mean() == pytest.approx(strict.mean() + 1.0)


@pytest.mark.parametrize("threshold", [1.0, 3.0, 8.0, 16.0])
def test_suspicion_time_is_the_threshold_crossing(threshold: float) -> None:
    det = PhiAccrualDetector(threshold=threshold, min_std_deviation=0.01, first_heartbeat_estimate=0.1)
    t = 0.0
    for i in range(40):
        det.heartbeat(t)
        t += 0.1 + (0.013 if i % 3 else -0.007)
    when = det.suspicion_time()
    assert when is not None
    assert det.phi(when - 1e-6) < threshold <= det.phi(when + 1e-9)
    assert det.is_available(when - 1e-6) and not det.is_available(when + 1e-9)


def test_heartbeat_backwards_and_bad_parameters() -> None:
    det = PhiAccrualDetector()
    det.heartbeat(5.0)
    with pytest.raises(ValueError, match="earlier"):
        det.heartbeat(4.0)
    for kwargs in ({"threshold": 0.0}, {"max_sample_size": 1}, {"min_std_deviation": 0.0},
                   {"acceptable_pause": -1.0}, {"first_heartbeat_estimate": 0.0}):
        with pytest.raises(ValueError):
            PhiAccrualDetector(**kwargs)


def test_block_interval_monitor_steady_and_gaps() -> None:
    mon = BlockIntervalMonitor(2.0, window=8, tolerance=0.25, min_samples=3)
    assert mon.mean_interval() is None and not mon.is_anomalous()
    for slot in (3, 4, 7, 8, 12):  # own slots are not consecutive: intervals are per slot
        mon.observe(slot, slot * 2.0 + 0.3)
    assert mon.mean_interval() == pytest.approx(2.0) and not mon.is_anomalous()
    mon.observe(12, 99.0)  # an older or repeated slot says nothing
    assert mon.mean_interval() == pytest.approx(2.0)


def test_block_interval_monitor_flags_drift() -> None:
    mon = BlockIntervalMonitor(2.0, window=4, tolerance=0.25, min_samples=4)
    t = 0.0
    for slot in range(10):
        mon.observe(slot, t)
        t += 2.8  # 40 % slower than the slot rhythm
    assert mon.drift() == pytest.approx(0.4) and mon.is_anomalous()
    for slot in range(10, 20):
        t += 2.0
        mon.observe(slot, t)
    assert not mon.is_anomalous()  # the window slid past the drift


def test_block_interval_monitor_bad_parameters() -> None:
    for args in ((0.0,), (1.0, 0), (1.0, 4, 0.0), (1.0, 4, 0.5, 5)):
        with pytest.raises(ValueError):
            BlockIntervalMonitor(*args)
