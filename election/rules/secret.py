"""Secret mode: a stake-weighted VRF race per slot, decided exactly with integers.

In secret mode (``config.mode == "secret"``, docs/spec.md section 14) nobody is told
who leads a slot.  Every validator ``i`` evaluates its VRF on the slot's input (the
rotation's ``alpha``, docs/spec.md section 6) and gets ``beta_i``; only it knows its
score until it publishes the proof.  The score is an exponential race:

- ``N_i = int(beta_i)`` (all 512 bits, big-endian) and ``u_i = (2 N_i + 1) / 2^513``:
  the midpoint of one of ``2^512`` equal bins of ``(0, 1)``, so ``0 < u_i < 1``;
- ``score_i = -ln(u_i) / stake_i``.  With ``U_i`` uniform on ``(0, 1)``,
  ``-ln(U_i)`` is exponential with rate 1 and ``score_i`` exponential with rate
  ``stake_i``; the minimum of independent exponentials is attained by ``i`` with
  probability ``stake_i / total``, independently of the minimum's value.
- validator ``i`` is *eligible* (may propose) when ``score_i < k / total``:
  ``P = P(U_i > exp(-k stake_i / total)) = 1 - exp(-k stake_i / total)``.  With all
  validators up, no one is eligible with probability ``prod_i exp(-k s_i / S) =
  exp(-k)``; otherwise the best eligible score is the overall best, so validator
  ``i`` leads with probability exactly ``(stake_i / total) (1 - exp(-k))``.
- the canonical block of a slot is the valid eligible one with the best (lowest)
  score; the next best is the backup, with no timeout certificate.

**Discretisation.** ``u_i`` takes ``2^512`` equally likely values instead of a
continuum; docs/spec.md section 14.3 bounds the resulting change of any leader
probability by ``3 n (n - 1) 2^-256`` (below ``2^-222`` for the largest table) and of
any eligibility probability by ``2^-512``.

**Exact decisions.** Every comparison is decided exactly (:func:`compare_scores`,
:func:`is_eligible`): ``-ln(u)`` is enclosed in certified integer intervals (from
the series ``ln f = 2 atanh((f - 1) / (f + 1))`` with directed rounding and a bound on
the tail), refined by doubling the precision until the intervals separate.  Two
scores are equal only if the stakes and the betas are equal (``u`` has an odd
numerator over a power of two), and ``-ln(u)`` is never a rational number
(Lindemann), so the refinement always ends.  No floats anywhere.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from .config import MAX_PROPOSERS
from .errors import InvalidConfig, InvalidStakeTable, MalformedData
from .seeds import BETA_BYTES
from .stake import MAX_STAKE, check_validator_id

__all__ = [
    "RACE_BITS",
    "RaceScore",
    "RaceEntry",
    "score",
    "compare_scores",
    "is_eligible",
    "better_claim",
    "compare_entries",
    "race_ranking",
    "neg_ln_bounds",
    "ln2_bounds",
]

RACE_BITS = 512
"""Bits of beta that make the race value: all of them (``u = (2 N + 1) / 2^513``)."""
_DEN_BITS = RACE_BITS + 1  # u = m / 2^513 with m = 2N + 1 odd, 1 <= m < 2^513
_GUARD_BITS = 16  # extra fraction bits inside neg_ln_bounds (keeps the final width to a few units)
_START_PRECISION = 64  # first precision (fraction bits) of the interval bounds; doubled on overlap


def _atanh_bounds(num: int, den: int, q: int) -> tuple[int, int]:
    """Integers ``lo <= 2^q * atanh(num / den) <= hi`` for ``0 <= num / den <= 1/3``.

    ``atanh t = sum_{j >= 0} t^(2j+1) / (2j+1)``, every term positive.  ``lo`` sums the
    terms with every operation rounded down (each is monotone in its inputs, so every
    rounded term is below the true one) and drops the tail; ``hi`` rounds every
    operation up and adds the tail bound ``t^(2K+1) / ((2K+1)(1 - t^2)) <= (9/8)
    t^(2K+1) / (2K+1)`` (``t <= 1/3``).  The width ``hi - lo`` is a few units.
    """
    t_lo = (num << q) // den
    t_hi = -((-num << q) // den)
    t2_lo = (t_lo * t_lo) >> q
    t2_hi = -((-t_hi * t_hi) >> q)
    p_lo, p_hi = t_lo, t_hi
    sum_lo = sum_hi = 0
    d = 1
    while p_hi > 1:
        sum_lo += p_lo // d
        sum_hi += -(-p_hi // d)
        p_lo = (p_lo * t2_lo) >> q
        p_hi = -((-p_hi * t2_hi) >> q)
        d += 2
    # p_hi >= 2^q t^d where d = 2K + 1 is the first term not summed.
    return sum_lo, sum_hi + -(-9 * p_hi // (8 * d))


@functools.lru_cache(maxsize=16)
def ln2_bounds(q: int) -> tuple[int, int]:
    """Integers ``lo <= 2^q * ln 2 <= hi`` (``ln 2 = 2 atanh(1/3)``)."""
    lo, hi = _atanh_bounds(1, 3, q)
    return 2 * lo, 2 * hi


def neg_ln_bounds(m: int, q: int) -> tuple[int, int]:
    """Integers ``lo <= 2^q * (-ln(m / 2^513)) <= hi`` for an odd ``m`` in ``[1, 2^513)``.

    With ``k = bit_length(m) - 1`` and ``f = m / 2^k`` in ``[1, 2)``:
    ``-ln(m / 2^513) = (513 - k) ln 2 - ln f`` and ``ln f = 2 atanh(t)`` with
    ``t = (m - 2^k) / (m + 2^k)`` in ``[0, 1/3)``; both logarithms are enclosed by
    :func:`_atanh_bounds` at ``q + 16`` fraction bits, and the result is rounded
    outwards (floor of the lower, ceiling of the upper bound) to ``q`` bits.

    Raises:
        ValueError: ``m`` not an odd int in ``[1, 2^513)`` or ``q < 1``.
    """
    if type(m) is not int or not 1 <= m < 1 << _DEN_BITS or not m & 1 or q < 1:
        raise ValueError(f"neg_ln_bounds: expected an odd m in [1, 2^513) and q >= 1, got m={m!r}, q={q!r}")
    k = m.bit_length() - 1
    two_k = 1 << k
    g = q + _GUARD_BITS  # computed with guard bits, then rounded outwards to q fraction bits
    f_lo, f_hi = _atanh_bounds(m - two_k, m + two_k, g)
    l2_lo, l2_hi = ln2_bounds(g)
    lo = (_DEN_BITS - k) * l2_lo - 2 * f_hi
    hi = (_DEN_BITS - k) * l2_hi - 2 * f_lo
    return lo >> _GUARD_BITS, -((-hi) >> _GUARD_BITS)


@dataclass(frozen=True)
class RaceScore:
    """The exact score ``-ln(m / 2^513) / stake`` of one validator in one slot.

    Represented exactly by the odd integer ``m = 2 N + 1`` and the stake; compare two
    with :func:`compare_scores` (the dataclass equality is exact equality of scores).

    Attributes:
        m: ``2 * int(beta) + 1``.
        stake: the validator's stake.

    Raises:
        MalformedData: m not an odd int in ``[1, 2^513)``.
        InvalidStakeTable: stake not an int in ``[1, 2^64 - 1]``.
    """

    m: int
    stake: int
    _bounds: dict[int, tuple[int, int]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if type(self.m) is not int or not 1 <= self.m < 1 << _DEN_BITS or not self.m & 1:
            raise MalformedData(f"race score: m must be an odd int in [1, 2^513), got {self.m!r}")
        _check_stake(self.stake)

    def bounds(self, q: int) -> tuple[int, int]:
        """Integers ``lo <= 2^q * (-ln u) <= hi`` (the score times ``stake``), cached per ``q``."""
        got = self._bounds.get(q)
        if got is None:
            got = neg_ln_bounds(self.m, q)
            if len(self._bounds) > 8:
                self._bounds.clear()
            self._bounds[q] = got
        return got


def _check_beta(beta: object) -> bytes:
    if not isinstance(beta, (bytes, bytearray)) or len(beta) != BETA_BYTES:
        got = f"{len(beta)} bytes" if isinstance(beta, (bytes, bytearray)) else type(beta).__name__
        raise MalformedData(f"beta: expected {BETA_BYTES} bytes, got {got}")
    return bytes(beta)


def _check_stake(stake: object, what: str = "stake") -> int:
    if type(stake) is not int or not 1 <= stake <= MAX_STAKE:
        raise InvalidStakeTable(f"{what}: expected an int in [1, 2**64-1], got {stake!r}")
    return stake


def score(beta: bytes, stake: int) -> RaceScore:
    """The race score of a VRF output: ``-ln(u) / stake`` with ``u = (2 int(beta) + 1) / 2^513``.

    Args:
        beta: the 64-byte VRF output of the validator for the slot.
        stake: the validator's stake (1 to 2**64 - 1).

    Returns:
        The exact score.

    Raises:
        MalformedData: beta not 64 bytes.
        InvalidStakeTable: stake out of range.
    """
    beta = _check_beta(beta)
    return RaceScore(2 * int.from_bytes(beta, "big") + 1, stake)


def compare_scores(a: RaceScore, b: RaceScore) -> int:
    """Exact three-way comparison of two scores: -1 if ``a < b``, 0 if equal, 1 if ``a > b``.

    ``a < b`` iff ``s_b * (-ln u_a) < s_a * (-ln u_b)``.  Equality holds iff
    ``u_a^(s_b) = u_b^(s_a)``, i.e. ``m_a^(s_b) 2^(513 s_a) = m_b^(s_a) 2^(513 s_b)``;
    ``m_a``, ``m_b`` are odd, so this forces ``s_a = s_b`` and then ``m_a = m_b``.
    Otherwise the two values differ and the certified intervals (precision ``q``
    fraction bits, starting at 64 and doubling) separate after finitely many steps.
    """
    if a.m == b.m and a.stake == b.stake:
        return 0
    q = _START_PRECISION
    while True:
        a_lo, a_hi = a.bounds(q)
        b_lo, b_hi = b.bounds(q)
        if b.stake * a_hi < a.stake * b_lo:
            return -1
        if a.stake * b_hi < b.stake * a_lo:
            return 1
        q *= 2


def is_eligible(beta: bytes, stake: int, total: int, proposers: int) -> bool:
    """Whether a validator may propose: ``-ln(u) / stake < k / total``, decided exactly.

    ``P(-ln U < k s / S) = 1 - exp(-k s / S)`` for ``U`` uniform on ``(0, 1)``.  The
    comparison ``S * (-ln u) < k * s`` is decided with certified intervals; equality
    is impossible (``-ln u = k s / S`` would make ``u = exp(-k s / S)`` irrational
    while ``u`` is rational), so the refinement ends.

    Args:
        beta: the validator's 64-byte VRF output for the slot.
        stake: its stake.
        total: the table's total stake (at least ``stake``).
        proposers: ``k``, the config's expected number of proposers (1 to 255).

    Returns:
        True if eligible.

    Raises:
        MalformedData: beta not 64 bytes.
        InvalidStakeTable: stake or total out of range.
        InvalidConfig: proposers out of range.
    """
    s = score(beta, stake)
    return _eligible(s, _check_stake(total, "total"), proposers)


def _eligible(s: RaceScore, total: int, proposers: int) -> bool:
    if total < s.stake:
        raise InvalidStakeTable(f"total: expected at least the stake {s.stake}, got {total}")
    if type(proposers) is not int or not 1 <= proposers <= MAX_PROPOSERS:
        raise InvalidConfig(f"proposers: expected an int in [1, {MAX_PROPOSERS}], got {proposers!r}")
    bound = proposers * s.stake
    q = _START_PRECISION
    while True:
        lo, hi = s.bounds(q)
        if total * hi < bound << q:
            return True
        if total * lo > bound << q:
            return False
        q *= 2


@dataclass(frozen=True)
class RaceEntry:
    """One validator's entry in a slot's race: its id, its VRF output and its stake.

    Args:
        validator_id: the validator's id.
        beta: its 64-byte VRF output over the slot's input.
        stake: its stake in the epoch's table.

    Raises:
        InvalidStakeTable: bad id or stake.
        MalformedData: beta not 64 bytes.
    """

    validator_id: str
    beta: bytes
    stake: int
    score: RaceScore = field(init=False, repr=False, compare=False)
    id_bytes: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "id_bytes", check_validator_id(self.validator_id))
        object.__setattr__(self, "beta", _check_beta(self.beta))
        object.__setattr__(self, "score", score(self.beta, self.stake))

    def eligible(self, total: int, proposers: int) -> bool:
        """:func:`is_eligible` for this entry."""
        return _eligible(self.score, _check_stake(total, "total"), proposers)


def compare_entries(a: RaceEntry, b: RaceEntry) -> int:
    """The race's total order: -1 if ``a`` is better (ranks first), 0 if same, 1 if worse.

    Lower score first (:func:`compare_scores`); equal scores (same stake and same beta,
    probability ``2^-512`` per pair of distinct validators) by ascending UTF-8 id
    bytes; then by beta bytes.  Deterministic, independent of argument order.
    """
    c = compare_scores(a.score, b.score)
    if c:
        return c
    if a.id_bytes != b.id_bytes:
        return -1 if a.id_bytes < b.id_bytes else 1
    if a.beta != b.beta:
        return -1 if a.beta < b.beta else 1
    return 0


def better_claim(a: RaceEntry, b: RaceEntry) -> RaceEntry:
    """The better of two entries under :func:`compare_entries` (``a`` if they are the same)."""
    return b if compare_entries(a, b) > 0 else a


def race_ranking(entries: Iterable[RaceEntry], total: int, proposers: int) -> list[RaceEntry]:
    """A slot's eligible entries, best first: the canonical proposer, then the backups.

    Args:
        entries: the valid entries seen (any order; at most one per validator).
        total: the table's total stake.
        proposers: ``k``.

    Returns:
        The eligible entries sorted by :func:`compare_entries`.

    Raises:
        InvalidStakeTable: two entries of the same validator, or stakes out of range.
        InvalidConfig: proposers out of range.
    """
    total = _check_stake(total, "total")
    seen: set[bytes] = set()
    out: list[RaceEntry] = []
    for e in entries:
        if e.id_bytes in seen:
            raise InvalidStakeTable(f"race: two entries for validator {e.validator_id!r}")
        seen.add(e.id_bytes)
        if _eligible(e.score, total, proposers):
            out.append(e)
    out.sort(key=functools.cmp_to_key(compare_entries))
    return out
