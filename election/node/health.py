"""Local health judgements about other nodes: a phi-accrual failure detector and a
block-interval anomaly monitor.

Nothing here is a consensus rule: each node decides on its own when a peer looks dead
or misbehaves, and the decision only gates whether it *signs a timeout vote*; the
certificate rule (strictly more than 2/3 of the stake) stays exact.  Floats are
therefore fine in this module.  Times are seconds, passed in by the caller; nothing
reads the wall clock.

The phi-accrual detector follows Hayashibara, Defago, Yared and Katayama, "The phi
accrual failure detector" (SRDS 2004), with the logistic approximation of the normal
tail used by Akka and Cassandra::

    y   = (t - t_last - mean) / std          # mean includes the acceptable pause
    phi = -log10(P_later(y)),   P_later(y) ~= 1 / (1 + exp(y * (1.5976 + 0.070566 y^2)))

A phi of 8 means a chance of about 1e-8 that a live peer's heartbeat is merely late.
"""

from __future__ import annotations

import functools
import math
import weakref
from array import array
from collections import deque

__all__ = ["PhiAccrualDetector", "HeartbeatFeed", "BlockIntervalMonitor"]

_A = 1.5976
_B = 0.070566
_LN10 = math.log(10.0)  # float-ok


def _logistic_exponent(y: float) -> float:
    return y * (_A + _B * y * y)


def _phi_of(y: float) -> float:
    """``log10(1 + exp(z))`` with ``z = y * (1.5976 + 0.070566 y^2)``, without overflow."""
    z = _logistic_exponent(y)
    if z > 0.0:
        return (z + math.log1p(math.exp(-z))) / _LN10  # float-ok
    return math.log1p(math.exp(z)) / _LN10  # float-ok


@functools.lru_cache(maxsize=64)
def _y_at(threshold: float) -> float:
    """The normalised silence ``y`` at which phi equals ``threshold`` (bisection, cached)."""
    target = math.log(math.expm1(threshold * _LN10))  # float-ok: z with log10(1 + e^z) = threshold
    lo, hi = -1.0, 1.0
    while _logistic_exponent(lo) > target:
        lo *= 2.0
    while _logistic_exponent(hi) < target:
        hi *= 2.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if _logistic_exponent(mid) < target:
            lo = mid
        else:
            hi = mid
    return hi


class _Window:
    """The state of one heartbeat history: the sliding window of inter-arrival intervals
    with its running sums, the latest arrival, and (for a window that follows a
    :class:`HeartbeatFeed`) the index of the next feed arrival it has not consumed."""

    __slots__ = ("intervals", "sum", "sumsq", "last", "next", "__weakref__")

    def __init__(self, max_sample_size: int, nxt: int = 0) -> None:
        self.intervals: deque[float] = deque(maxlen=max_sample_size)
        self.sum = 0.0
        self.sumsq = 0.0
        self.last: float | None = None
        self.next = nxt

    def copy(self) -> _Window:
        w = _Window.__new__(_Window)
        w.intervals = self.intervals.copy()
        w.sum, w.sumsq, w.last, w.next = self.sum, self.sumsq, self.last, self.next
        return w

    def push(self, interval: float) -> None:
        d = self.intervals
        if len(d) == d.maxlen:
            old = d[0]
            self.sum -= old
            self.sumsq -= old * old
        d.append(interval)
        self.sum += interval
        self.sumsq += interval * interval

    def arrive(self, now: float, first_heartbeat_estimate: float) -> None:
        last = self.last
        if last is None:
            est = first_heartbeat_estimate
            self.push(est - est / 4)
            self.push(est + est / 4)
        else:
            if now < last:
                raise ValueError(f"heartbeat at {now} is earlier than the previous one at {last}")
            self.push(now - last)
        self.last = now


class PhiAccrualDetector:
    """Phi-accrual failure detector over one peer's heartbeat arrival times.

    A detector built with the constructor owns its history.  A detector made by
    :meth:`HeartbeatFeed.follower` reads its peer's arrivals from the feed instead, so
    receivers that hear a peer at the same times share one history (the simulator's
    heartbeat rounds); its judgements are exactly (bit for bit) those of an owning
    detector given the same arrivals.

    Args:
        threshold: phi at or above which the peer is judged unavailable (default 8).
        max_sample_size: size of the sliding window of inter-arrival intervals.
        min_std_deviation: floor of the interval standard deviation, seconds; keeps a
            perfectly regular peer from being suspected after a tiny delay.
        acceptable_pause: extra seconds of silence tolerated on top of the mean
            interval (GC pauses, a slow link).
        first_heartbeat_estimate: interval assumed before a second heartbeat arrives,
            seconds; the window is seeded with ``estimate +/- estimate / 4`` on the
            first heartbeat.

    Raises:
        ValueError: a parameter out of range.
    """

    __slots__ = ("threshold", "min_std_deviation", "acceptable_pause", "first_heartbeat_estimate",
                 "_max", "_w", "_feed", "_cursor", "_boot", "_shared")

    def __init__(self, threshold: float = 8.0, max_sample_size: int = 200, min_std_deviation: float = 0.1,
                 acceptable_pause: float = 0.0, first_heartbeat_estimate: float = 1.0) -> None:
        if not threshold > 0.0:
            raise ValueError(f"threshold: expected > 0, got {threshold!r}")
        if type(max_sample_size) is not int or max_sample_size < 2:
            raise ValueError(f"max_sample_size: expected an int >= 2, got {max_sample_size!r}")
        if not min_std_deviation > 0.0:
            raise ValueError(f"min_std_deviation: expected > 0, got {min_std_deviation!r}")
        if not acceptable_pause >= 0.0:
            raise ValueError(f"acceptable_pause: expected >= 0, got {acceptable_pause!r}")
        if not first_heartbeat_estimate > 0.0:
            raise ValueError(f"first_heartbeat_estimate: expected > 0, got {first_heartbeat_estimate!r}")
        self.threshold = threshold
        self.min_std_deviation = min_std_deviation
        self.acceptable_pause = acceptable_pause
        self.first_heartbeat_estimate = first_heartbeat_estimate
        self._max = max_sample_size
        self._w: _Window | None = _Window(max_sample_size)
        self._feed: HeartbeatFeed | None = None
        self._cursor = 0
        self._boot: float | None = None
        self._shared = False

    # -- state -------------------------------------------------------------------------
    def _state(self) -> _Window | None:
        """The current window (a follower resolves and catches up with its feed first)."""
        feed = self._feed
        if feed is None:
            return self._w
        w = self._w
        if w is None:
            w = feed._resolve(self._cursor, self._boot)
            if w is None:
                return None
            self._w = w
            self._shared = True
        if w.next < len(feed._log):
            feed._catch_up(w)
        return w

    # -- input -------------------------------------------------------------------------
    def heartbeat(self, now: float) -> None:
        """Record a heartbeat arriving at ``now``.

        On a follower this is an extra arrival of its own: its history is copied out of
        the shared one first (copy on write) and keeps following the feed.

        Args:
            now: arrival time, seconds, on the caller's clock.

        Raises:
            ValueError: ``now`` is earlier than the previous heartbeat.
        """
        feed = self._feed
        if feed is None:
            w = self._w
            assert w is not None
        elif self._w is None and len(feed._log) == self._cursor:
            w = self._w = _Window(self._max, self._cursor)  # first thing heard: like a fresh detector
            self._shared = False
        else:
            st = self._state()
            assert st is not None
            w = st
            if self._shared:
                w = self._w = w.copy()
                self._shared = False
        w.arrive(now, self.first_heartbeat_estimate)

    # -- judgement ---------------------------------------------------------------------
    @property
    def last_heartbeat(self) -> float | None:
        """Arrival time of the latest heartbeat, or None before the first."""
        w = self._state()
        return None if w is None else w.last

    def mean(self) -> float:
        """Mean inter-arrival interval in the window plus the acceptable pause, seconds."""
        w = self._state()
        n = 0 if w is None else len(w.intervals)
        return (w.sum / n if w is not None and n else self.first_heartbeat_estimate) + self.acceptable_pause

    def std_deviation(self) -> float:
        """Standard deviation of the window's intervals, at least ``min_std_deviation``."""
        w = self._state()
        n = 0 if w is None else len(w.intervals)
        if w is None or n == 0:
            return max(self.min_std_deviation, self.first_heartbeat_estimate / 4)
        m = w.sum / n
        var = max(0.0, w.sumsq / n - m * m)
        return max(self.min_std_deviation, math.sqrt(var))  # float-ok

    def phi(self, now: float) -> float:
        """Suspicion level at ``now``: 0 before the first heartbeat, growing with silence.

        Args:
            now: time, seconds.

        Returns:
            ``-log10`` of the estimated probability that a heartbeat sent by a live peer
            has not arrived after this much silence.
        """
        w = self._state()
        if w is None or w.last is None:
            return 0.0
        y = (max(0.0, now - w.last) - self.mean()) / self.std_deviation()
        return _phi_of(y)

    def is_available(self, now: float) -> bool:
        """Whether the peer is judged alive at ``now``: ``phi(now) < threshold``.

        A peer never heard from is judged available (there is nothing to accrue yet);
        FailoverController bootstraps each peer's detector with a heartbeat at its own start.
        """
        return self.phi(now) < self.threshold

    def suspicion_time(self) -> float | None:
        """When phi reaches the threshold if no heartbeat arrives, or None before the first.

        Lets an event-driven caller schedule its next check exactly instead of polling.

        Returns:
            The earliest time ``t`` with ``phi(t) >= threshold`` given the current window.
        """
        w = self._state()
        if w is None or w.last is None:
            return None
        return w.last + max(0.0, self.mean() + _y_at(self.threshold) * self.std_deviation())


class HeartbeatFeed:
    """One peer's heartbeat arrivals, shared by the detectors of every receiver that hears
    them at the same times.

    In a simulated network a heartbeat round reaches every receiver at once, so the V
    receivers of one sender would keep V identical windows and update each on every
    round: V^2 work and memory per round.  A feed keeps the sender's arrival times once
    (an ``array('d')``); each receiver holds a :meth:`follower`, a
    :class:`PhiAccrualDetector` that reads the feed.  Followers that started listening
    at the same arrival share one window, which consumes new arrivals lazily, only when
    some follower is judged.  A round costs O(1) per sender; a judgement costs the
    arrivals its window had not consumed yet.

    Exactness: a window consumes the same arrivals with the same float operations in
    the same order as an owning detector's :meth:`PhiAccrualDetector.heartbeat`, so a
    follower's phi, availability and suspicion time equal (bit for bit) those of an
    owning detector fed the arrivals since the follower was made.

    Args:
        threshold, max_sample_size, min_std_deviation, acceptable_pause,
        first_heartbeat_estimate: the followers' parameters, as for
            :class:`PhiAccrualDetector`.

    Raises:
        ValueError: a parameter out of range.
    """

    __slots__ = ("_proto", "_log", "_windows")

    def __init__(self, threshold: float = 8.0, max_sample_size: int = 200, min_std_deviation: float = 0.1,
                 acceptable_pause: float = 0.0, first_heartbeat_estimate: float = 1.0) -> None:
        self._proto = PhiAccrualDetector(threshold, max_sample_size, min_std_deviation, acceptable_pause,
                                         first_heartbeat_estimate)
        self._log = array("d")
        self._windows: weakref.WeakValueDictionary[tuple[int, float | None], _Window] = (
            weakref.WeakValueDictionary())

    def __len__(self) -> int:
        """Number of arrivals recorded."""
        return len(self._log)

    def heartbeat(self, now: float) -> None:
        """Record that the peer's heartbeat reached every follower at ``now``.

        Raises:
            ValueError: ``now`` is earlier than the previous arrival.
        """
        log = self._log
        if log and now < log[-1]:
            raise ValueError(f"heartbeat at {now} is earlier than the previous one at {log[-1]}")
        log.append(now)

    def follower(self, assume_heartbeat_at: float | None = None) -> PhiAccrualDetector:
        """A detector that hears every arrival recorded from now on.

        Args:
            assume_heartbeat_at: if the detector is judged before any arrival, it acts
                as if a heartbeat had arrived at this time (a receiver's own start: see
                ``FailoverController``, which bootstraps a silent peer the same way).
                None: judged before any arrival, it is "never heard" (phi 0).

        Returns:
            The follower.
        """
        p = self._proto
        d = PhiAccrualDetector.__new__(PhiAccrualDetector)
        d.threshold = p.threshold
        d.min_std_deviation = p.min_std_deviation
        d.acceptable_pause = p.acceptable_pause
        d.first_heartbeat_estimate = p.first_heartbeat_estimate
        d._max = p._max
        d._w = None
        d._feed = self
        d._cursor = len(self._log)
        d._boot = assume_heartbeat_at
        d._shared = False
        return d

    def _resolve(self, cursor: int, boot: float | None) -> _Window | None:
        """The shared window of followers made at ``cursor``, judged first now."""
        if len(self._log) > cursor:
            key: tuple[int, float | None] = (cursor, None)  # first arrival heard: log[cursor]
        elif boot is not None:
            key = (cursor, boot)  # judged before any arrival: bootstrapped at its start
        else:
            return None
        w = self._windows.get(key)
        if w is None:
            w = _Window(self._proto._max, cursor)
            if key[1] is not None:
                w.arrive(key[1], self._proto.first_heartbeat_estimate)
            self._windows[key] = w
        return w

    def _catch_up(self, w: _Window) -> None:
        log = self._log
        est = self._proto.first_heartbeat_estimate
        for i in range(w.next, len(log)):
            w.arrive(log[i], est)
        w.next = len(log)


class BlockIntervalMonitor:
    """Flags a producer whose blocks drift from the slot rhythm although it is not silent.

    Each observation is a (slot, arrival time) pair of one producer's block.  The
    interval between two consecutive observations divided by the number of slots
    between them should be the slot duration; the monitor keeps a sliding window of
    these per-slot intervals and flags the producer when their mean departs from the
    slot duration by more than ``tolerance`` of it (a drifting clock, a producer
    consistently later and later, or blocks pushed out early).

    Args:
        slot_duration: nominal slot length, seconds.
        window: number of intervals kept.
        tolerance: allowed relative deviation of the mean interval (0.25 = 25 %).
        min_samples: intervals needed before any judgement.

    Raises:
        ValueError: a parameter out of range.
    """

    __slots__ = ("slot_duration", "tolerance", "min_samples", "_intervals", "_last")

    def __init__(self, slot_duration: float, window: int = 16, tolerance: float = 0.25,
                 min_samples: int = 4) -> None:
        if not slot_duration > 0.0:
            raise ValueError(f"slot_duration: expected > 0, got {slot_duration!r}")
        if type(window) is not int or window < 1:
            raise ValueError(f"window: expected an int >= 1, got {window!r}")
        if not tolerance > 0.0:
            raise ValueError(f"tolerance: expected > 0, got {tolerance!r}")
        if type(min_samples) is not int or not 1 <= min_samples <= window:
            raise ValueError(f"min_samples: expected an int in [1, {window}], got {min_samples!r}")
        self.slot_duration = slot_duration
        self.tolerance = tolerance
        self.min_samples = min_samples
        self._intervals: deque[float] = deque(maxlen=window)
        self._last: tuple[int, float] | None = None

    def observe(self, slot: int, now: float) -> None:
        """Record the producer's block for ``slot`` arriving at ``now``.

        Observations for a slot not after the previous one are ignored (a late
        duplicate or a backup block for an older slot says nothing about rhythm).

        Args:
            slot: the block's slot.
            now: arrival time, seconds.
        """
        last = self._last
        if last is not None:
            prev_slot, prev_now = last
            if slot <= prev_slot:
                return
            self._intervals.append((now - prev_now) / (slot - prev_slot))
        self._last = (slot, now)

    def mean_interval(self) -> float | None:
        """Mean per-slot interval in the window, seconds; None before ``min_samples``."""
        if len(self._intervals) < self.min_samples:
            return None
        return sum(self._intervals) / len(self._intervals)

    def drift(self) -> float | None:
        """Relative deviation ``(mean_interval - slot_duration) / slot_duration``, or None."""
        m = self.mean_interval()
        return None if m is None else (m - self.slot_duration) / self.slot_duration

    def is_anomalous(self) -> bool:
        """Whether the mean per-slot interval is off by more than ``tolerance``."""
        d = self.drift()
        return d is not None and abs(d) > self.tolerance
