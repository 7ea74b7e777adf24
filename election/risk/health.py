"""Validator health from slot outcomes: availability with exact confidence intervals,
excess-miss tests and change-point detection, offline and online.

The input is, for each slot, its primary (the rank-0 validator) and what happened: the
rank of the valid block that filled it (0: the primary produced; r > 0: the backup at
rank r took over) or nothing.  A validator's *availability* is the fraction of its
primary slots in which it produced; a *miss* is a primary slot it did not produce
(empty, or taken over).  Floats are fine here: these are statistics for people and
alerting, not consensus rules.

Statistics (docs/risk.md states them in full):

* **Availability**: ``produced / primary`` with the exact Clopper-Pearson interval
  (:func:`~election.risk.stats.clopper_pearson`), per epoch and overall.
* **Excess misses**: for each validator with ``n`` primary slots and ``m`` misses, the
  exact binomial tail ``P(X >= m)`` with ``X ~ Binomial(n, q)``, where ``q`` is the
  miss rate of the *other* validators (``(M - m + 1/2) / (N - n + 1)``, smoothed so a
  network without misses still gives a finite test).  Flags are Holm-corrected over
  the validators tested: the chance of any false flag is at most ``alpha`` (given that
  ``q`` is the common rate).
* **Change points**: a Bernoulli CUSUM per validator on its sequence of primary-slot
  outcomes, in-control miss rate ``p0`` (the network's, ``(M + 1) / (N + 2)``), out of
  control ``p1`` (default ``min(0.99, max(3 p0, p0 + 0.2))``); increments
  ``log(p1/p0)`` per miss and ``log((1-p1)/(1-p0))`` per production,
  ``S = max(0, S + increment)``, alarm at ``S >= h`` with ``h = log(N / alpha)`` for
  ``N`` outcomes in all.  An alarm at t means some likelihood ratio from a start k to
  t reached ``e^h``; by Ville's inequality each of the ``N`` starts does so with
  probability at most ``e^-h`` when the miss rate is ``p0``, so the chance of any
  false alarm in the history is at most ``N e^-h = alpha``.  The flag gives the
  estimated change (the start of the excursion that first alarmed), the detection
  slot, and (the statistic restarting after each alarm) how many alarms followed and
  the last one's slot: a validator still degraded keeps alarming.

:class:`OutcomeLog` stores outcomes compactly (per validator: its primary slots in an
``array('q')``, one byte per outcome, counters per epoch); :func:`assess` computes a
:class:`HealthReport` from it.  :class:`HealthMonitor` is the online form a node updates
once per slot: running estimates and change-point alerts as they happen.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from .stats import binom_sf, clopper_pearson, holm

__all__ = ["Availability", "EpochHealth", "ValidatorHealth", "HealthFlag", "HealthReport", "OutcomeLog",
           "HealthMonitor", "assess", "cusum_parameters"]


@dataclass(frozen=True)
class Availability:
    """``produced`` of ``primary`` slots with a Clopper-Pearson interval at ``level``.

    ``estimate``, ``low`` and ``high`` are None when there is no primary slot;
    ``low``, ``high`` and ``level`` are None when no interval was asked for.
    """

    produced: int
    primary: int
    estimate: float | None
    low: float | None
    high: float | None
    level: float | None

    @classmethod
    def of(cls, produced: int, primary: int, level: float | None) -> Availability:
        """The estimate and (unless ``level`` is None) interval for ``produced`` of ``primary`` slots."""
        if primary == 0:
            return cls(0, 0, None, None, None, level)
        if level is None:
            return cls(produced, primary, produced / primary, None, None, None)
        lo, hi = clopper_pearson(produced, primary, level)
        return cls(produced, primary, produced / primary, lo, hi, level)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (rounded to 6 digits)."""
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 6)
        return {"estimate": r(self.estimate), "low": r(self.low), "high": r(self.high), "level": self.level}


@dataclass(frozen=True)
class EpochHealth:
    """One validator in one epoch: primary slots, produced, missed, takeovers, availability."""

    epoch: int
    primary: int
    produced: int
    takeovers: int
    availability: Availability

    @property
    def missed(self) -> int:
        """Primary slots not produced."""
        return self.primary - self.produced

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"epoch": self.epoch, "primary": self.primary, "produced": self.produced, "missed": self.missed,
                "takeovers": self.takeovers, "availability": self.availability.to_dict()}


@dataclass(frozen=True)
class ValidatorHealth:
    """One validator over the whole history, with its epochs."""

    id: str
    primary: int
    produced: int
    takeovers: int
    availability: Availability
    epochs: tuple[EpochHealth, ...]

    @property
    def missed(self) -> int:
        """Primary slots not produced."""
        return self.primary - self.produced

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"id": self.id, "primary": self.primary, "produced": self.produced, "missed": self.missed,
                "takeovers": self.takeovers, "availability": self.availability.to_dict(),
                "epochs": [e.to_dict() for e in self.epochs]}


@dataclass(frozen=True)
class HealthFlag:
    """An anomaly with its evidence.

    Attributes:
        validator_id: the validator.
        kind: ``"excess_misses"`` (binomial tail test) or ``"change_point"`` (CUSUM).
        evidence: the figures behind the flag (slots, misses, rates, p-value or
            statistic and threshold, slots of the change and of the detection).
    """

    validator_id: str
    kind: str
    evidence: dict[str, Any]

    def describe(self) -> str:
        """One line for people."""
        e = self.evidence
        if self.kind == "excess_misses":
            return (f"{self.validator_id}: missed {e['missed']} of {e['primary']} primary slots "
                    f"({100 * e['miss_rate']:.1f} % vs {100 * e['network_miss_rate']:.1f} % for the others), "
                    f"p = {e['p_value']:.3g} (Holm, alpha {e['alpha']})")
        return (f"{self.validator_id}: availability dropped around slot {e['change_slot']}, detected at slot "
                f"{e['detected_slot']} after {e['slots_since_change']} of its slots "
                f"({e['missed_since_change']} missed); CUSUM {e['statistic']:.1f} >= {e['threshold']:.1f}")

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"validator_id": self.validator_id, "kind": self.kind, "evidence": self.evidence}


@dataclass(frozen=True)
class HealthReport:
    """Availability of every validator and the anomaly flags of a history.

    Attributes:
        slots: slots observed.
        empty: of those, slots without a block.
        primary_slots: outcomes (one per slot).
        missed: primary slots not produced by their primary.
        network_miss_rate: ``missed / primary_slots`` (None without slots).
        validators: per validator, sorted by id.
        flags: excess-miss flags, then change-point flags.
        parameters: the tests' parameters (alpha, level, p0, p1, threshold).
    """

    slots: int
    empty: int
    primary_slots: int
    missed: int
    network_miss_rate: float | None
    validators: tuple[ValidatorHealth, ...]
    flags: tuple[HealthFlag, ...]
    parameters: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON form (the ``health`` section of the audit report)."""
        return {"slots": self.slots, "empty": self.empty, "primary_slots": self.primary_slots,
                "missed_primary": self.missed,
                "network_miss_rate": None if self.network_miss_rate is None else round(self.network_miss_rate, 6),
                "parameters": self.parameters, "flags": [f.to_dict() for f in self.flags],
                "validators": [v.to_dict() for v in self.validators]}

    def summary_lines(self, max_rows: int = 10) -> list[str]:
        """A few lines for the text report: the flags and the least available validators."""
        out = []
        rate = "-" if self.network_miss_rate is None else f"{100 * self.network_miss_rate:.2f} %"
        out.append(f"health: {self.missed} of {self.primary_slots} primary slots missed by their primary "
                   f"(network miss rate {rate}); {len(self.flags)} flag(s)")
        for f in self.flags:
            out.append(f"  FLAG {f.kind}: {f.describe()}")
        rows = sorted((v for v in self.validators if v.primary),
                      key=lambda v: (v.availability.estimate or 0.0, v.id))[:max_rows]
        if rows and any(v.missed for v in rows):
            level = rows[0].availability.level
            out.append("  least available (availability" + ("" if level is None else
                                                              f", {100 * level:g} % exact interval") + "):")
            for v in rows:
                a = v.availability
                if not v.missed:
                    break
                ci = "" if a.low is None or a.high is None else f" [{a.low:.3f}, {a.high:.3f}]"
                out.append(f"    {v.id}: {v.produced}/{v.primary} = {a.estimate:.3f}{ci}, "
                           f"{v.takeovers} takeover(s)")
        return out


def cusum_parameters(p0: float, p1: float | None = None) -> tuple[float, float, float]:
    """``(p1, miss increment, production increment)`` of the Bernoulli CUSUM.

    Args:
        p0: in-control miss rate, in (0, 1).
        p1: out-of-control miss rate (> p0); default ``min(0.99, max(3 p0, p0 + 0.2))``.

    Raises:
        ValueError: rates out of range.
    """
    if p1 is None:
        p1 = min(0.99, max(3 * p0, p0 + 0.2))
    if not 0.0 < p0 < p1 < 1.0:
        raise ValueError(f"CUSUM: expected 0 < p0 < p1 < 1, got p0={p0}, p1={p1}")
    return p1, math.log(p1 / p0), math.log((1 - p1) / (1 - p0))  # float-ok


class OutcomeLog:
    """Primary-slot outcomes and takeovers, stored compactly for :func:`assess`.

    Memory: one byte per slot (its outcome, kept under the slot's primary), the slot
    number of each *missed* slot (8 bytes; the CUSUM's excursions start and alarm on
    misses, so those are the slots a flag names) and a few counters per
    (validator, epoch).
    """

    __slots__ = ("slots", "empty", "_missed", "_miss_slots", "_epochs")

    def __init__(self) -> None:
        self.slots = 0
        self.empty = 0
        self._missed: dict[str, bytearray] = {}
        self._miss_slots: dict[str, array[int]] = {}
        self._epochs: dict[str, dict[int, list[int]]] = {}  # id -> epoch -> [primary, produced, takeovers]

    def add(self, slot: int, epoch: int, primary: str, rank: int | None, producer: str | None) -> bool:
        """Record one slot.

        Args:
            slot: the slot (increasing from call to call).
            epoch: its epoch.
            primary: its rank-0 validator.
            rank: rank of the valid block that filled it, or None if it stayed empty.
            producer: that block's validator (None if empty).

        Returns:
            Whether the primary missed the slot.
        """
        self.slots += 1
        missed = rank != 0
        if rank is None:
            self.empty += 1
        outcomes = self._missed.get(primary)
        if outcomes is None:
            outcomes = self._missed[primary] = bytearray()
            self._miss_slots[primary] = array("Q")
        outcomes.append(missed)
        if missed:
            self._miss_slots[primary].append(slot)
        row = self._row(primary, epoch)
        row[0] += 1
        row[1] += not missed
        if rank is not None and rank > 0 and producer is not None:
            self._row(producer, epoch)[2] += 1
        return missed

    def add_epoch(self, epoch: int, first_slot: int, primaries: list[str],
                  blocks: dict[int, tuple[int, str]]) -> None:
        """Record consecutive slots of one epoch at once (what :meth:`add` does slot by slot).

        Args:
            epoch: the epoch.
            first_slot: the slot of ``primaries[0]``.
            primaries: the primary of each slot, in order.
            blocks: ``slot -> (rank, producer)`` of the valid blocks among them.
        """
        n = len(primaries)
        missed = bytearray(b"\x01") * n
        filled = 0
        for slot, (rank, producer) in blocks.items():
            i = slot - first_slot
            if not 0 <= i < n:
                continue
            filled += 1
            if rank == 0:
                missed[i] = 0
            elif producer is not None:
                self._row(producer, epoch)[2] += 1
        self.slots += n
        self.empty += n - filled
        where: dict[str, list[int]] = {}
        for i, v in enumerate(primaries):
            idx = where.get(v)
            if idx is None:
                where[v] = [i]
            else:
                idx.append(i)
        for v, idx in where.items():
            outcomes = self._missed.get(v)
            if outcomes is None:
                outcomes = self._missed[v] = bytearray()
                self._miss_slots[v] = array("Q")
            bits = bytes(itemgetter(*idx)(missed)) if len(idx) > 1 else bytes([missed[idx[0]]])
            outcomes += bits
            misses = sum(bits)
            if misses:
                self._miss_slots[v].extend(first_slot + i for i in idx if missed[i])
            row = self._row(v, epoch)
            row[0] += len(idx)
            row[1] += len(idx) - misses

    def extend(self, later: OutcomeLog) -> None:
        """Append the outcomes of ``later``, a log of slots that all come after this one's
        (an audit shard's): the result is the log of both, as if recorded in one pass."""
        self.slots += later.slots
        self.empty += later.empty
        for vid, outcomes in later._missed.items():
            self._missed.setdefault(vid, bytearray()).extend(outcomes)
            self._miss_slots.setdefault(vid, array("Q")).extend(later._miss_slots[vid])
        for vid, epochs in later._epochs.items():
            mine = self._epochs.setdefault(vid, {})
            for epoch, row in epochs.items():
                cur = mine.setdefault(epoch, [0, 0, 0])
                for i in range(3):
                    cur[i] += row[i]

    def _row(self, vid: str, epoch: int) -> list[int]:
        epochs = self._epochs.setdefault(vid, {})
        row = epochs.get(epoch)
        if row is None:
            row = epochs[epoch] = [0, 0, 0]
        return row

    def validators(self) -> list[str]:
        """Ids seen as primary or producer, sorted."""
        return sorted(self._epochs)

    def outcomes(self, vid: str) -> bytearray:
        """The validator's primary-slot outcomes in order (1: missed)."""
        return self._missed.get(vid, bytearray())

    def miss_slots(self, vid: str) -> array[int]:
        """The slots the validator missed as primary, in order."""
        return self._miss_slots.get(vid, array("Q"))

    def epochs(self, vid: str) -> dict[int, list[int]]:
        """``epoch -> [primary, produced, takeovers]`` of the validator."""
        return self._epochs.get(vid, {})


def assess(log: OutcomeLog, *, level: float = 0.95, alpha: float = 0.01, change_alpha: float = 0.01,
           post_miss_rate: float | None = None, ids: list[str] | None = None,
           intervals: bool = True) -> HealthReport:
    """Availability, excess-miss flags and change-point flags of a recorded history.

    Args:
        log: the outcomes.
        level: confidence level of the availability intervals.
        alpha: family-wise false-flag rate of the excess-miss test (Holm).
        change_alpha: bound on the chance of any false change-point flag.
        post_miss_rate: the CUSUM's out-of-control miss rate ``p1`` (default:
            see :func:`cusum_parameters`).
        ids: validators to report (default: all seen); others seen are added.
        intervals: compute the confidence intervals (about 1 ms each); False leaves
            them None.

    Returns:
        The :class:`HealthReport`.

    Raises:
        ValueError: a parameter out of range.
    """
    for name, x in (("level", level), ("alpha", alpha), ("change_alpha", change_alpha)):
        if not 0.0 < x < 1.0:
            raise ValueError(f"{name}: expected a number in (0, 1), got {x!r}")
    vids = sorted(set(ids or []) | set(log.validators()))
    ci = level if intervals else None
    rows: list[ValidatorHealth] = []
    for vid in vids:
        eps = log.epochs(vid)
        per_epoch = tuple(EpochHealth(e, r[0], r[1], r[2], Availability.of(r[1], r[0], ci))
                          for e, r in sorted(eps.items()))
        primary = sum(e.primary for e in per_epoch)
        produced = sum(e.produced for e in per_epoch)
        rows.append(ValidatorHealth(vid, primary, produced, sum(e.takeovers for e in per_epoch),
                                    Availability.of(produced, primary, ci), per_epoch))
    n_total = sum(v.primary for v in rows)
    m_total = sum(v.missed for v in rows)
    flags: list[HealthFlag] = []
    # (a) excess misses: exact binomial tail against the others' rate, Holm-corrected.
    tested = [v for v in rows if v.primary]
    pvals = []
    rates = []
    for v in tested:
        q = (m_total - v.missed + 0.5) / (n_total - v.primary + 1)
        rates.append(q)
        pvals.append(binom_sf(v.missed, v.primary, min(1.0, q)))
    for v, q, p, hit in zip(tested, rates, pvals, holm(pvals, alpha), strict=True):
        if hit and v.missed / v.primary > q:
            flags.append(HealthFlag(v.id, "excess_misses", {
                "primary": v.primary, "missed": v.missed, "miss_rate": round(v.missed / v.primary, 6),
                "network_miss_rate": round(q, 6), "p_value": p, "alpha": alpha, "tests": len(tested),
                "correction": "holm"}))
    # (b) change points: Bernoulli CUSUM at p0 = the network's rate, threshold log(N / alpha).
    params: dict[str, Any] = {"level": level, "alpha": alpha, "change_alpha": change_alpha}
    p0 = (m_total + 1) / (n_total + 2)
    p1 = min(0.99, max(3 * p0, p0 + 0.2)) if post_miss_rate is None else post_miss_rate
    if n_total and p0 < p1 < 1.0:
        p1, up, down = cusum_parameters(p0, p1)
        h = math.log(n_total / change_alpha)  # float-ok
        params.update({"cusum_p0": round(p0, 6), "cusum_p1": round(p1, 6), "cusum_threshold": round(h, 4)})
    elif n_total:  # the network misses about as often as the drop to detect: no CUSUM
        params["cusum_skipped"] = f"network miss rate {p0:.3f} is not below the rate to detect {p1:.3f}"
    if "cusum_threshold" in params:
        for v in tested:
            missed = log.outcomes(v.id)
            alarms = _cusum_alarms(missed, up, down, h)
            if not alarms:
                continue
            start, at, stat = alarms[0]
            last_at = alarms[-1][1]
            misses_before = sum(missed[:start])
            span = sum(missed[start:at + 1])
            miss_slots = log.miss_slots(v.id)
            after = missed[start:]
            flags.append(HealthFlag(v.id, "change_point", {
                "change_slot": miss_slots[misses_before], "detected_slot": miss_slots[misses_before + span - 1],
                "slots_since_change": at - start + 1, "missed_since_change": span,
                "statistic": round(stat, 4), "threshold": round(h, 4), "p0": round(p0, 6), "p1": round(p1, 6),
                "availability_after_change": round(1 - sum(after) / len(after), 6),
                "availability_before_change": None if start == 0 else round(1 - misses_before / start, 6),
                "alarms": len(alarms), "last_detected_slot": miss_slots[sum(missed[:last_at + 1]) - 1]}))
    return HealthReport(log.slots, log.empty, n_total, m_total, m_total / n_total if n_total else None,
                        tuple(rows), tuple(flags), params)


def _cusum_alarms(missed: bytearray, up: float, down: float, h: float) -> list[tuple[int, int, float]]:
    """Every CUSUM alarm as ``(start, alarm index, statistic)``; the statistic restarts
    from 0 after each alarm.

    ``start`` is the index where the alarming excursion began (a miss: only a miss
    raises the statistic from 0) and the alarm index is a miss too.
    """
    out = []
    s = 0.0
    start = 0
    for i, m in enumerate(missed):
        s += up if m else down
        if s <= 0.0:
            s = 0.0
            start = i + 1
        elif s >= h:
            out.append((start, i, s))
            s = 0.0
            start = i + 1
    return out


class HealthMonitor:
    """Online health: a node feeds the outcome of every slot, reads estimates and alerts.

    The CUSUM runs with the network miss rate estimated so far (``(M + 1) / (N + 2)``
    over the outcomes seen; early on this is high, so early alarms are rare) and the
    threshold ``log(horizon / alpha)``: over a horizon of that many slots the chance of
    any false alarm is at most ``alpha`` (the bound in the module docstring, with the
    caveat that ``p0`` is estimated).  After an alarm the validator's statistic
    restarts from 0.

    Args:
        epoch_length: slots per epoch (for the per-epoch figures).
        alpha: false-alarm bound over ``horizon`` slots.
        horizon: slots the bound covers (default one million).
        post_miss_rate: the CUSUM's ``p1`` (default: see :func:`cusum_parameters`).
        level: confidence level of the availability intervals.

    Raises:
        ValueError: a parameter out of range.
    """

    def __init__(self, epoch_length: int, *, alpha: float = 0.01, horizon: int = 1_000_000,
                 post_miss_rate: float | None = None, level: float = 0.95) -> None:
        if type(epoch_length) is not int or epoch_length < 1:
            raise ValueError(f"epoch_length: expected a positive int, got {epoch_length!r}")
        if not 0.0 < alpha < 1.0 or not 0.0 < level < 1.0:
            raise ValueError("alpha and level: expected numbers in (0, 1)")
        if type(horizon) is not int or horizon < 1:
            raise ValueError(f"horizon: expected a positive int, got {horizon!r}")
        self.epoch_length = epoch_length
        self.alpha = alpha
        self.level = level
        self.post_miss_rate = post_miss_rate
        self.threshold = math.log(horizon / alpha)  # float-ok
        self.log = OutcomeLog()
        self.alerts: list[HealthFlag] = []
        self._stat: dict[str, float] = {}
        self._start: dict[str, tuple[int, int]] = {}  # id -> (slot where the excursion began, outcomes since)
        self._n = 0
        self._m = 0

    def observe(self, slot: int, primary: str, rank: int | None, producer: str | None = None) -> list[HealthFlag]:
        """Record the outcome of ``slot``.

        Args:
            slot: the slot (increasing).
            primary: its rank-0 validator.
            rank: rank of the block that filled it, or None if it stayed empty.
            producer: that block's validator.

        Returns:
            The change-point alerts this outcome raised (also appended to :attr:`alerts`).
        """
        missed = self.log.add(slot, slot // self.epoch_length, primary, rank, producer)
        self._n += 1
        self._m += missed
        p0 = min(0.5, (self._m + 1) / (self._n + 2))
        wanted = self.post_miss_rate
        p1, up, down = cusum_parameters(p0, wanted if wanted is not None and wanted > p0 else None)
        s = self._stat.get(primary, 0.0) + (up if missed else down)
        start, count = self._start.get(primary, (slot, 0))
        if s <= 0.0:
            self._stat[primary] = 0.0
            self._start.pop(primary, None)
            return []
        count += 1
        if s < self.threshold:
            self._stat[primary] = s
            self._start[primary] = (start, count)
            return []
        outcomes = self.log.outcomes(primary)
        missed_here = sum(outcomes[len(outcomes) - count:])
        flag = HealthFlag(primary, "change_point", {
            "change_slot": start, "detected_slot": slot, "slots_since_change": count,
            "missed_since_change": missed_here, "statistic": round(s, 4), "threshold": round(self.threshold, 4),
            "p0": round(p0, 6), "p1": round(p1, 6)})
        self.alerts.append(flag)
        self._stat[primary] = 0.0
        self._start.pop(primary, None)
        return [flag]

    def availability(self, vid: str) -> Availability:
        """The validator's availability so far with its interval."""
        eps = self.log.epochs(vid)
        primary = sum(r[0] for r in eps.values())
        return Availability.of(sum(r[1] for r in eps.values()), primary, self.level)

    def statistic(self, vid: str) -> float:
        """The validator's current CUSUM statistic (0: no evidence of a drop)."""
        return self._stat.get(vid, 0.0)

    def report(self) -> HealthReport:
        """The offline assessment of everything observed so far (:func:`assess`)."""
        return assess(self.log, level=self.level, alpha=self.alpha, change_alpha=self.alpha,
                      post_miss_rate=self.post_miss_rate)
