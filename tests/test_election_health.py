"""Phi-accrual failure detector and block-interval anomaly monitor."""

from __future__ import annotations

import pytest

from election.node.health import BlockIntervalMonitor, HeartbeatFeed, PhiAccrualDetector


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


# -- heartbeat feeds: shared histories must judge exactly like per-pair detectors ----------
def _judgements(det: PhiAccrualDetector, now: float) -> tuple[object, ...]:
    return (det.phi(now), det.is_available(now), det.suspicion_time(), det.mean(), det.std_deviation(),
            det.last_heartbeat)


@pytest.mark.parametrize("seed", range(6))
def test_feed_followers_equal_owning_detectors(seed: int) -> None:
    """Random arrivals (with pauses), followers made at random times, some judged before any
    arrival (bootstrap), some given extra arrivals of their own: every judgement equals that
    of an owning detector fed the same arrivals, bit for bit."""
    import random

    rng = random.Random(seed)
    kw = dict(threshold=8.0, max_sample_size=rng.choice([2, 5, 200]), min_std_deviation=0.025,
              first_heartbeat_estimate=0.1)
    feed = HeartbeatFeed(**kw)  # type: ignore[arg-type]
    pairs: list[tuple[PhiAccrualDetector, PhiAccrualDetector]] = []
    t = 0.0
    for step in range(400):
        t += rng.choice([0.1, 0.1, 0.1, 0.1 + rng.random() / 10, 0.7, 3.0])
        u = rng.random()
        if u < 0.05 or not pairs:  # a receiver starts listening, maybe judging at once
            boot = t - rng.random() / 10
            follower = feed.follower(boot)
            owner = PhiAccrualDetector(**kw)  # type: ignore[arg-type]
            if rng.random() < 0.5:  # judged before its first arrival: the controller's bootstrap
                owner.heartbeat(boot)
                assert _judgements(follower, t) == _judgements(owner, t)
            pairs.append((follower, owner))
        elif u < 0.08:  # one receiver hears an extra heartbeat of its own (copy on write)
            follower, owner = rng.choice(pairs)
            follower.heartbeat(t)
            owner.heartbeat(t)
            t += 0.01
        feed.heartbeat(t)
        for _, owner in pairs:
            owner.heartbeat(t)
        if step % 7 == 0:
            now = t + rng.choice([0.0, 0.05, 0.3, 1.0])
            for follower, owner in pairs:
                assert _judgements(follower, now) == _judgements(owner, now)
    assert len(feed) == 400


def test_feed_without_bootstrap_is_never_heard_and_rejects_time_going_back() -> None:
    feed = HeartbeatFeed()
    det = feed.follower()
    assert det.phi(5.0) == 0.0 and det.suspicion_time() is None and det.last_heartbeat is None
    feed.heartbeat(1.0)
    assert det.last_heartbeat == 1.0
    with pytest.raises(ValueError):
        feed.heartbeat(0.5)
    with pytest.raises(ValueError):
        HeartbeatFeed(max_sample_size=1)
