"""The downtime-risk model: how likely slots stay empty and the chain stalls.

The model (docs/risk.md states it in full):

* Validator ``i`` (stake ``s_i``) is down by itself with probability ``1 - a_i`` (its
  *availability* ``a_i``), independently of the others.  Correlated groups (a shared
  host or region) are disjoint sets of validators; group ``g`` is down with probability
  ``d_g``, independently of everything else, and then all its members are down.  A
  member of an up group is down by itself as above.
* A slot stays **empty** when its primary is down and either every ranked backup is
  down, or no timeout certificate can form because the live stake is not above two
  thirds of the total (``3 * live <= 2 * total``, :func:`~election.rules.votes.is_quorum`).
  Otherwise the best live backup takes over (ranked failover), and a live primary
  produces.  States are read at the slot's start.

**Exact part** (:func:`slot_risks`): per slot, the probability it stays empty, by
enumerating the group states and, given them, the states of the slot's ranked
validators; the quorum term uses the exact distribution of the other validators' down
stake (a dynamic programme over integer stake in units of their gcd; a validator at
rank r is taken out of the whole table's distribution by deconvolution).  When a
Chernoff bound shows the quorum term below 1e-15 it is set to 0, and group states of
probability below 1e-15 are skipped: both are added to the slot's stated error.  When
the stake units would need more than ``max_bins`` cells, stakes are rounded down and
up to a coarser unit, which brackets the quorum term; the midpoint is used and half
the bracket is added to the error.

**Across slots** two assumptions are offered.  *Independent slots*
(:func:`longest_run_distribution`, :func:`stall_probability`): every slot's state is
drawn afresh, so runs of empty slots are products of per-slot probabilities; exact
by dynamic programming over the current run length.  This is right when failures
last much less than a slot.  *Persistent failures* (:func:`monte_carlo`): each
validator and group alternates up and down periods with exponential lengths (mean
down time ``mttr``, the same process as ``seqvrf simulate``'s crash fault), so a
down validator stays down for the next slots; runs are then longer.  This part is
Monte Carlo, with binomial (Clopper-Pearson) error bars.

Floats throughout: this describes risk for people, it decides nothing on chain.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..rules.schedule import Schedule
from .stats import clopper_pearson

__all__ = ["Group", "RiskModelError", "SlotRisk", "slot_risks", "longest_run_distribution", "stall_probability",
           "stall_slots", "MonteCarloResult", "monte_carlo", "down_threshold", "transient_availability"]

_NEGLIGIBLE = 1e-15


class RiskModelError(ValueError):
    """Model inputs that cannot be used (the message says which and why)."""


@dataclass(frozen=True)
class Group:
    """Validators that fail together.

    Attributes:
        name: a label.
        members: validator ids.
        down: probability that the group is down at a given time, in [0, 1).
        mttr: mean length of a group outage, seconds (for :func:`monte_carlo`).
    """

    name: str
    members: tuple[str, ...]
    down: float
    mttr: float = 600.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.down < 1.0:
            raise RiskModelError(f"group {self.name!r}: down probability expected in [0, 1), got {self.down!r}")
        if not self.mttr > 0:
            raise RiskModelError(f"group {self.name!r}: mttr expected > 0, got {self.mttr!r}")


@dataclass(frozen=True)
class SlotRisk:
    """One slot's probability of staying empty.

    Attributes:
        slot: the slot.
        empty: probability that it stays empty.
        error: bound on ``|empty - exact|`` from skipped negligible terms and stake rounding.
        all_down: the part where the primary and every backup are down.
        no_quorum: the part where the primary is down, some backup is up, and the live
            stake cannot certify it.
    """

    slot: int
    empty: float
    error: float
    all_down: float
    no_quorum: float


def down_threshold(total: int) -> int:
    """The smallest down stake at which no certificate can form: ``total - floor(2 total / 3)``.

    With live stake ``L = total - D``, a certificate needs ``3 L > 2 total``; that fails
    exactly when ``D >= total - floor(2 total / 3)``.
    """
    return total - (2 * total) // 3


def _check_groups(groups: Sequence[Group], ids: Sequence[str]) -> dict[str, int]:
    where: dict[str, int] = {}
    known = set(ids)
    for k, g in enumerate(groups):
        for m in g.members:
            if m not in known:
                raise RiskModelError(f"group {g.name!r}: {m!r} is not in the stake table")
            if m in where:
                raise RiskModelError(f"{m!r} is in two groups ({groups[where[m]].name!r} and {g.name!r})")
            where[m] = k
    if len(groups) > 16:
        raise RiskModelError(f"at most 16 groups are enumerated exactly, got {len(groups)}")
    return where


def _availabilities(ids: Sequence[str], availability: Mapping[str, float]) -> list[float]:
    out = []
    for v in ids:
        a = availability.get(v)
        if a is None:
            raise RiskModelError(f"no availability for validator {v!r}")
        if not 0.0 <= a <= 1.0:
            raise RiskModelError(f"availability of {v!r}: expected a number in [0, 1], got {a!r}")
        out.append(float(a))  # float-ok: risk report
    return out


class _DownStake:
    """Distribution of the down stake of independent validators, in units, capped at ``cap``
    (the last cell holds ``P(down >= cap)``)."""

    __slots__ = ("cap", "f")

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.f = [0.0] * (cap + 1)
        self.f[0] = 1.0

    def copy(self) -> _DownStake:
        d = _DownStake.__new__(_DownStake)
        d.cap, d.f = self.cap, self.f[:]
        return d

    def add(self, w: int, q: float) -> None:
        """Convolve with a validator of ``w`` units down with probability ``q``."""
        if w == 0 or q == 0.0:
            return
        f, cap = self.f, self.cap
        if w >= cap:
            below = sum(f[:cap])
            new = [x * (1 - q) for x in f]
            new[cap] = f[cap] + q * below
            self.f = new
            return
        p = 1.0 - q
        new = [0.0] * (cap + 1)
        for x in range(cap):
            new[x] = p * f[x] + (q * f[x - w] if x >= w else 0.0)
        new[cap] = f[cap] + q * sum(f[cap - w:cap])
        self.f = new

    def remove(self, w: int, q: float) -> None:
        """Undo :meth:`add` (deconvolution; numerically stable for ``q <= 1/2``).

        Rounding can leave cells a few ulps below 0; readers clamp what they sum.
        """
        if w == 0 or q == 0.0:
            return
        f, cap = self.f, self.cap
        p = 1.0 - q
        g = [0.0] * (cap + 1)
        if w >= cap:
            inv = 1.0 / p  # float-ok
            g[:cap] = [x * inv for x in f[:cap]]
            g[cap] = f[cap] - q * sum(g[:cap])
        else:
            inv = 1.0 / p  # float-ok
            g[:w] = [x * inv for x in f[:w]]
            for x in range(w, cap):
                g[x] = (f[x] - q * g[x - w]) * inv
            g[cap] = f[cap] - q * sum(g[cap - w:cap])
        self.f = g

    def tail(self, t: int) -> float:
        """``P(down >= t)`` (t in units; t <= 0 gives 1)."""
        if t <= 0:
            return 1.0
        if t >= self.cap:
            return min(1.0, max(0.0, self.f[self.cap]))
        return min(1.0, max(0.0, sum(self.f[t:])))


def slot_risks(schedule: Schedule, availability: Mapping[str, float], groups: Sequence[Group] = (),
               *, max_bins: int = 4096, slots: Sequence[int] | None = None) -> list[SlotRisk]:
    """The exact probability that each slot of an epoch stays empty.

    Args:
        schedule: the epoch's schedule (rankings and stake table).
        availability: every validator's own availability ``a_i``.
        groups: correlated groups (disjoint).
        max_bins: largest stake distribution computed cell by cell (see the module docstring).
        slots: slots to evaluate (default: the whole epoch).

    Returns:
        One :class:`SlotRisk` per slot, in order.

    Raises:
        RiskModelError: a missing or out-of-range availability, or bad groups.
    """
    table = schedule.table
    ids = list(table.ids)
    stakes = [table[v].stake for v in ids]
    index = {v: i for i, v in enumerate(ids)}
    a = _availabilities(ids, availability)
    _check_groups(groups, ids)
    total = table.total_stake
    dstar = down_threshold(total)
    wanted = list(schedule.slots if slots is None else slots)
    rankings = [[index[v] for v in schedule.ranking(s)] for s in wanted]
    acc_all = [0.0] * len(wanted)
    acc_nq = [0.0] * len(wanted)
    err = [0.0] * len(wanted)
    for combo, p_combo in _group_states(groups, err_out=err):
        q = [1.0 - x for x in a]
        for k in combo:
            for m in groups[k].members:
                q[index[m]] = 1.0
        stochastic = [i for i in range(len(ids)) if 0.0 < q[i] < 1.0]
        det_down = sum(stakes[i] for i in range(len(ids)) if q[i] == 1.0)
        need = dstar - det_down  # further down stake (of stochastic validators) that breaks the quorum
        quorum_mode: str
        bound = 0.0  # Chernoff bound on P(down stake >= need | G): the quorum term is below it
        if need <= 0:
            quorum_mode = "broken"
        elif need > sum(stakes[i] for i in stochastic):
            quorum_mode = "safe"
        else:
            bound = _chernoff(stakes, q, stochastic, need)
            quorum_mode = "safe" if bound < _NEGLIGIBLE else "dp"
        dists: list[tuple[_DownStake, int, list[int]]] = []
        if quorum_mode == "dp":
            dists = _bracketed(stakes, q, stochastic, need, max_bins)
        for j, rank_idx in enumerate(rankings):
            primary, backups = rank_idx[0], rank_idx[1:]
            qp = q[primary]
            if qp == 0.0:
                continue
            all_down = qp * math.prod(q[b] for b in backups)
            acc_all[j] += p_combo * all_down
            some_up = qp - all_down  # primary down, not every backup down
            if quorum_mode == "broken":
                acc_nq[j] += p_combo * some_up
            elif quorum_mode == "safe":
                err[j] += p_combo * min(some_up, bound)
            elif some_up > 0.0:
                values = [_no_quorum(dist, unit, units, q, rank_idx, need) for dist, unit, units in dists]
                acc_nq[j] += p_combo * sum(values) / len(values)
                err[j] += p_combo * (max(values) - min(values)) / 2
    return [SlotRisk(s, min(1.0, acc_all[j] + acc_nq[j]), err[j], acc_all[j], acc_nq[j])
            for j, s in enumerate(wanted)]


def _chernoff(stakes: list[int], q: list[float], members: list[int], t: int) -> float:
    """Chernoff bound on ``P(sum of s_i X_i >= t)``, ``X_i ~ Bernoulli(q_i)`` independent:
    ``min over theta >= 0 of exp(-theta t) prod(1 - q_i + q_i exp(theta s_i))``.

    The exponent is convex in theta; its minimum is found by bisection on the derivative
    (any theta gives a valid bound, so the search's accuracy only affects tightness).
    """
    scale = float(t)  # float-ok
    pairs = [(stakes[i] / scale, q[i]) for i in members]

    def log_mgf_and_slope(theta: float) -> tuple[float, float]:
        value, slope = -theta, -1.0
        for x, qi in pairs:
            z = theta * x
            # log(1 - q + q e^z) = z + log(q + (1 - q) e^-z), stable for large z
            value += z + math.log(qi + (1.0 - qi) * math.exp(-z))  # float-ok
            slope += x * qi / (qi + (1.0 - qi) * math.exp(-z))  # float-ok
        return value, slope

    if log_mgf_and_slope(0.0)[1] >= 0.0:  # t at or below the mean: no useful bound
        return 1.0
    lo, hi = 0.0, 1.0
    while log_mgf_and_slope(hi)[1] < 0.0 and hi < 1e6:
        lo, hi = hi, hi * 2.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if log_mgf_and_slope(mid)[1] < 0.0:
            lo = mid
        else:
            hi = mid
    return min(1.0, math.exp(min(0.0, log_mgf_and_slope(hi)[0])))  # float-ok


def _group_states(groups: Sequence[Group], err_out: list[float]) -> list[tuple[tuple[int, ...], float]]:
    """Every set of down groups with its probability; sets below 1e-15 are skipped and their
    total probability added to every entry of ``err_out``."""
    out: list[tuple[tuple[int, ...], float]] = []
    skipped = 0.0
    k = len(groups)
    for bits in itertools.product((0, 1), repeat=k):
        p = 1.0
        for g, b in zip(groups, bits, strict=True):
            p *= g.down if b else 1.0 - g.down
        combo = tuple(i for i in range(k) if bits[i])
        if p < _NEGLIGIBLE and combo:
            skipped += p
            continue
        out.append((combo, p))
    if skipped:
        for j in range(len(err_out)):
            err_out[j] += skipped
    return out


def _bracketed(stakes: list[int], q: list[float], stochastic: list[int], need: int,
               max_bins: int) -> list[tuple[_DownStake, int, list[int]]]:
    """Down-stake distributions of the stochastic validators: one exact (units of the gcd)
    when it fits in ``max_bins`` cells, else two that bracket it (stakes rounded down, up)."""
    unit = 0
    for i in stochastic:
        unit = math.gcd(unit, stakes[i])
    cap = -(-need // unit)
    if cap <= max_bins:
        units = [s // unit for s in stakes]
        return [(_build(units, q, stochastic, cap), unit, units)]
    coarse = -(-need // max_bins)
    out = []
    for units in ([s // coarse for s in stakes], [-(-s // coarse) for s in stakes]):  # rounded down, up
        out.append((_build(units, q, stochastic, max_bins), coarse, units))
    return out


def _build(units: list[int], q: list[float], stochastic: list[int], cap: int) -> _DownStake:
    d = _DownStake(cap)
    for i in stochastic:
        d.add(units[i], q[i])
    return d


def _no_quorum(dist: _DownStake, unit: int, units: list[int], q: list[float], rank_idx: list[int],
               need: int) -> float:
    """P(primary down, some backup up, down stake >= need) for one slot, given the group states."""
    ranked = [i for i in rank_idx if 0.0 < q[i] < 1.0]
    rest = dist.copy()
    if any(q[i] > 0.5 for i in ranked):  # deconvolution unstable: rebuild without the ranked validators
        others = [i for i in range(len(q)) if 0.0 < q[i] < 1.0 and i not in rank_idx]
        rest = _build(units, q, others, dist.cap)
    else:
        for i in ranked:
            rest.remove(units[i], q[i])
    cap_units = dist.cap
    tails = list(itertools.accumulate(reversed(rest.f)))[::-1]  # tails[t] = P(rest >= t), t <= cap
    tails = [min(1.0, max(0.0, x)) for x in tails]
    primary, backups = rank_idx[0], rank_idx[1:]
    total = 0.0
    for states in itertools.product((True, False), repeat=len(backups)):  # True: down
        if all(states):
            continue
        p = q[primary]
        down_units = units[primary] if 0.0 < q[primary] < 1.0 else 0
        for b, down in zip(backups, states, strict=True):
            p *= q[b] if down else 1.0 - q[b]
            if down and 0.0 < q[b] < 1.0:
                down_units += units[b]
        if p == 0.0:
            continue
        # need is in stake; the bracket's units are ``unit`` stake each: cells needed, rounded up
        t = min(cap_units, -(-need // unit)) - down_units
        total += p * (1.0 if t <= 0 else tails[t])
    return total


def transient_availability(availability: float, mttr: float, t: float) -> float:
    """Availability at time ``t`` of an alternating up/down process that starts up at 0.

    With down periods of mean ``mttr`` and up periods of mean ``mttr * a / (1 - a)``
    (so a fraction ``1 - a`` of the time is down in the long run), the two-state Markov
    chain gives ``P(down at t) = (1 - a) * (1 - exp(-t / (mttr * a)))``.
    """
    if availability >= 1.0:
        return 1.0
    if availability <= 0.0:
        return 0.0
    return 1.0 - (1.0 - availability) * -math.expm1(-t / (mttr * availability))  # float-ok


# -- across slots ------------------------------------------------------------------------------------
def longest_run_distribution(probs: Sequence[float], kmax: int | None = None) -> list[float]:
    """Distribution of the longest run of empty slots, slots independent.

    Args:
        probs: each slot's probability of staying empty, in order.
        kmax: largest run length reported separately (default: all).

    Returns:
        ``dist`` with ``dist[k] = P(longest run == k)`` for ``k < kmax`` and
        ``dist[kmax] = P(longest run >= kmax)``.
    """
    n = len(probs)
    kmax = n + 1 if kmax is None else min(kmax, n + 1)
    at_least = [1.0] + [_run_at_least(probs, k) for k in range(1, kmax + 1)]  # P(longest >= k)
    dist = [max(0.0, at_least[k] - at_least[k + 1]) for k in range(kmax)]
    if kmax <= n:
        dist.append(at_least[kmax])
    return dist


def _run_at_least(probs: Sequence[float], k: int) -> float:
    """P(some run of ``k`` or more empty slots), slots independent.

    Dynamic programme over the current run length (0 .. k-1) with an absorbing state for
    "a run of k happened"; the absorbed mass only ever grows by nonnegative terms, so a
    tiny probability keeps its relative accuracy (no ``1 - (1 - x)`` cancellation).
    """
    if k <= 0:
        return 1.0
    state = [0.0] * (k + 1)
    state[0] = 1.0
    return _apply(probs, state)[k]


def stall_slots(stall_seconds: float, slot_seconds: float) -> int:
    """Empty slots in a row that make a stall longer than ``stall_seconds``.

    A run of ``m`` empty slots leaves ``m * slot`` seconds without a block (from the
    start of the first empty slot to the start of the next filled one), so a stall
    longer than X seconds is a run of at least ``floor(X / slot) + 1`` empty slots.
    """
    return int(stall_seconds // slot_seconds) + 1


def stall_probability(probs: Sequence[float], slots: int, run: int) -> float:
    """P(a run of at least ``run`` empty slots within ``slots`` slots), slots independent.

    The per-slot probabilities ``probs`` (one epoch's) are repeated in order to cover
    ``slots``: future epochs are taken to have the same risk profile (their schedules
    are not known yet; with equal availabilities it does not matter).  One epoch is a
    nonnegative linear map on (run length, absorbed) and is raised to the number of
    whole epochs by repeated squaring; relative accuracy is kept for tiny results.
    """
    if not probs or slots <= 0 or run <= 0:
        return 0.0 if run > 0 else 1.0
    full, rest = divmod(slots, len(probs))
    k = run + 1
    state = [0.0] * k
    state[0] = 1.0
    seq = list(probs)
    mat = [_apply(seq, [1.0 if r == c else 0.0 for r in range(k)]) for c in range(k)]  # columns
    power = full
    while power:
        if power & 1:
            state = _matvec(mat, state)
        mat = _matmul(mat, mat)
        power >>= 1
    return min(1.0, _apply(seq[:rest], state)[run])


def _apply(probs: Sequence[float], state: list[float]) -> list[float]:
    """Advance (run length 0 .. k-1, absorbed) through slots with empty probabilities ``probs``."""
    k = len(state) - 1
    for q in probs:
        new = [0.0] * (k + 1)
        new[0] = sum(state[:k]) * (1.0 - q)
        for r in range(k - 1):
            new[r + 1] = state[r] * q
        new[k] = state[k] + state[k - 1] * q
        state = new
    return state


def _matvec(cols: list[list[float]], v: list[float]) -> list[float]:
    k = len(v)
    return [sum(cols[c][r] * v[c] for c in range(k)) for r in range(k)]


def _matmul(a: list[list[float]], b: list[list[float]]) -> list[list[float]]:
    """Columns of ``a @ b`` when both are given as lists of columns."""
    return [_matvec(a, col) for col in b]


# -- Monte Carlo with persistent failures ---------------------------------------------------------
@dataclass
class MonteCarloResult:
    """Persistent-failure Monte Carlo over epochs.

    Attributes:
        runs: epochs simulated.
        empty_mean: mean empty slots per epoch; ``empty_se`` its standard error.
        longest: ``longest[k]`` = epochs whose longest empty run was k.
        stall_run: the run length that counts as a stall.
        stall_epochs: epochs with a run of at least ``stall_run``.
    """

    runs: int
    empty_mean: float
    empty_se: float
    longest: dict[int, int] = field(default_factory=dict)
    stall_run: int = 0
    stall_epochs: int = 0

    def stall_fraction(self, level: float = 0.95) -> tuple[float, float, float]:
        """Fraction of epochs with a stall and its Clopper-Pearson interval."""
        lo, hi = clopper_pearson(self.stall_epochs, self.runs, level)
        return self.stall_epochs / self.runs, lo, hi

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        frac, lo, hi = self.stall_fraction()
        return {"runs": self.runs, "empty_mean": round(self.empty_mean, 6), "empty_se": round(self.empty_se, 6),
                "longest_run_counts": {str(k): n for k, n in sorted(self.longest.items())},
                "stall_run": self.stall_run, "stall_epochs": self.stall_epochs,
                "stall_epoch_fraction": {"estimate": frac, "low": lo, "high": hi, "level": 0.95}}


def _down_periods(rng: random.Random, down: float, mttr: float, end: float, start_up: bool) -> list[float]:
    """Alternating up/down renewal process on [0, end]: flat list [d0, u0, d1, u1, ...] of
    down-period starts and ends (exponential lengths, mean down ``mttr``)."""
    if down <= 0.0:
        return []
    if down >= 1.0:
        return [0.0, math.inf]
    mtbf = mttr * (1 - down) / down
    out: list[float] = []
    t = 0.0
    is_down = False if start_up else rng.random() < down
    while t < end:
        if is_down:
            back = t + rng.expovariate(1 / mttr)
            out += [t, back]
            t = back
        else:
            t += rng.expovariate(1 / mtbf)
        is_down = not is_down
    return out


def _is_down(periods: list[float], t: float) -> bool:
    return bisect.bisect_right(periods, t) % 2 == 1


def monte_carlo(schedule: Schedule, availability: Mapping[str, float], groups: Sequence[Group] = (),
                *, mttr: float | Mapping[str, float] = 60.0, runs: int = 1000, seed: int = 1,
                stall_run: int = 1, start_up: bool = False) -> MonteCarloResult:
    """Epochs simulated with persistent failures (alternating exponential up/down periods).

    Each validator is down by itself a fraction ``1 - a_i`` of the time in periods of mean
    ``mttr`` seconds; each group is down a fraction ``down`` in periods of mean
    ``group.mttr``.  At each slot's start the rule of :func:`slot_risks` decides whether
    it stays empty (same schedule, same exact quorum rule).

    Args:
        schedule: the epoch's schedule.
        availability: each validator's own availability.
        groups: correlated groups.
        mttr: mean down period, seconds, for all validators or per id.
        runs: epochs to simulate.
        seed: seed of the generator.
        stall_run: run length counted as a stall (see :func:`stall_slots`).
        start_up: every process starts up at the epoch's start (as ``seqvrf simulate``
            does at time 0) instead of in its stationary state.

    Returns:
        The :class:`MonteCarloResult`.

    Raises:
        RiskModelError: bad inputs.
    """
    table = schedule.table
    ids = list(table.ids)
    a = _availabilities(ids, availability)
    _check_groups(groups, ids)
    if type(runs) is not int or runs < 1:
        raise RiskModelError(f"runs: expected a positive int, got {runs!r}")
    stakes = [table[v].stake for v in ids]
    index = {v: i for i, v in enumerate(ids)}
    member_of: dict[int, int] = {index[m]: k for k, g in enumerate(groups) for m in g.members}
    slot_s = schedule.config.slot_duration_ms / 1000
    first = schedule.first_slot
    slots = list(schedule.slots)
    end = len(slots) * slot_s
    rankings = [[index[v] for v in schedule.ranking(s)] for s in slots]
    dstar = down_threshold(table.total_stake)
    rng = random.Random(f"seqvrf-risk/{seed}")
    mttrs = [float(mttr) if isinstance(mttr, (int, float)) else float(mttr.get(v, 60.0)) for v in ids]  # float-ok
    empties: list[int] = []
    longest: dict[int, int] = {}
    stalls = 0
    for _ in range(runs):
        own = [_down_periods(rng, 1.0 - a[i], mttrs[i], end, start_up) for i in range(len(ids))]
        grp = [_down_periods(rng, g.down, g.mttr, end, start_up) for g in groups]

        def down(i: int, t: float, own: list[list[float]] = own, grp: list[list[float]] = grp) -> bool:
            k = member_of.get(i)
            return _is_down(own[i], t) or (k is not None and _is_down(grp[k], t))

        run = best = empty = 0
        for j, s in enumerate(slots):
            t = (s - first) * slot_s
            r = rankings[j]
            is_empty = False
            if down(r[0], t):
                if all(down(b, t) for b in r[1:]):
                    is_empty = True
                else:
                    dead = sum(stakes[i] for i in range(len(ids)) if down(i, t))
                    is_empty = dead >= dstar
            if is_empty:
                empty += 1
                run += 1
                best = max(best, run)
            else:
                run = 0
        empties.append(empty)
        longest[best] = longest.get(best, 0) + 1
        stalls += best >= stall_run
    mean = sum(empties) / runs
    var = sum((x - mean) ** 2 for x in empties) / (runs - 1) if runs > 1 else 0.0
    return MonteCarloResult(runs, mean, math.sqrt(var / runs), longest, stall_run, stalls)  # float-ok
