"""Production windows and the fork choice of a slot (docs/spec.md, section 16).

**Windows.**  With ``S`` the slot's start and ``T`` the failover timeout, rank ``r`` may
produce only in ``[S + r*T, S + (r+1)*T)``; rank ``r > 0`` also needs a timeout certificate
for ``(slot, r)``, which honest voters sign only from ``S + r*T`` on, when rank ``r - 1``'s
window has closed.  The windows of two ranks never overlap, so a primary must publish
before any backup can have a certificate, hence before any backup's VRF output exists:
its publish-or-withhold choice is blind to the backup's beta.

**Fork choice.**  Of the valid blocks known for one slot, the canonical one has the highest
rank: a block of rank ``r > 0`` carries a certificate in which more than two thirds of the
stake declared every rank below ``r`` missed, so it supersedes them whatever arrives later.
Two valid blocks of the same rank are by the same validator (one rank per validator per
slot): that is equivocation, decided by the smaller block hash (bytewise) and reported as
evidence.  The choice is a pure function of the set of valid blocks (no arrival times, no
local state): every node and the audit that know the same blocks pick the same one.

**Secret mode** (docs/spec.md, section 14.3).  Every block has rank 0 and no certificate;
the canonical one is the valid eligible block with the best race entry
(:func:`~election.rules.secret.compare_entries`: lowest score, then id, then beta), and
two blocks of the same entry (one validator's equivocation) by the smaller block hash.
It is again a pure function of the set of valid blocks (:func:`prefer_race`,
:func:`canonical_race_index`, :func:`choose_race`); the production window ``[S, S + T)``
binds only what an honest producer signs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from .config import ElectionConfig
from .secret import RaceEntry, compare_entries

__all__ = ["window_ms", "deadline_ms", "prefer", "canonical_index", "choose", "prefer_race",
           "canonical_race_index", "choose_race", "secret_window_ms"]

T = TypeVar("T")


def window_ms(config: ElectionConfig, slot: int, rank: int) -> tuple[int, int]:
    """The production window of ``rank`` for ``slot``: ``[start, deadline)`` in milliseconds
    after slot 0's start (``S + r*T``, ``S + (r+1)*T``).

    Raises:
        InvalidSlot: slot out of range or rank not in ``[0, backups]``.
    """
    start = config.takeover_offset_ms(slot, rank)
    return start, start + config.failover_timeout_ms


def deadline_ms(config: ElectionConfig, slot: int, rank: int) -> int:
    """The end (exclusive) of ``rank``'s production window for ``slot``, milliseconds after
    slot 0's start."""
    return window_ms(config, slot, rank)[1]


def prefer(a: tuple[int, bytes], b: tuple[int, bytes]) -> bool:
    """True when block ``a`` = ``(rank, block_hash)`` is preferred to ``b``: a higher rank
    wins; at equal rank the smaller hash (bytewise)."""
    if a[0] != b[0]:
        return a[0] > b[0]
    return a[1] < b[1]


def canonical_index(candidates: Sequence[tuple[int, bytes]]) -> int:
    """Index of the canonical block among ``(rank, block_hash)`` pairs of valid blocks of one slot.

    Raises:
        ValueError: no candidates.
    """
    if not candidates:
        raise ValueError("canonical_index: no candidates")
    best = 0
    for i in range(1, len(candidates)):
        if prefer(candidates[i], candidates[best]):
            best = i
    return best


def choose(items: Sequence[tuple[int, bytes, T]]) -> T:
    """The payload of the canonical block among ``(rank, block_hash, payload)`` triples."""
    return items[canonical_index([(r, h) for r, h, _ in items])][2]


def secret_window_ms(config: ElectionConfig, slot: int) -> tuple[int, int]:
    """Secret mode: the production window of ``slot``, ``[S, S + T)`` in milliseconds
    after slot 0's start (the rank-0 window; an eligible validator signs its header only
    inside it).

    Raises:
        InvalidSlot: slot out of range.
    """
    return window_ms(config, slot, 0)


def prefer_race(a: tuple[RaceEntry, bytes], b: tuple[RaceEntry, bytes]) -> bool:
    """Secret mode: True when block ``a`` = ``(race entry, block_hash)`` is preferred to
    ``b``: the better entry (:func:`~election.rules.secret.compare_entries`) wins; for the
    same entry (one validator's two blocks) the smaller hash (bytewise)."""
    c = compare_entries(a[0], b[0])
    if c:
        return c < 0
    return a[1] < b[1]


def canonical_race_index(candidates: Sequence[tuple[RaceEntry, bytes]]) -> int:
    """Secret mode: index of the canonical block among ``(race entry, block_hash)`` pairs of
    the valid eligible blocks of one slot.

    Raises:
        ValueError: no candidates.
    """
    if not candidates:
        raise ValueError("canonical_race_index: no candidates")
    best = 0
    for i in range(1, len(candidates)):
        if prefer_race(candidates[i], candidates[best]):
            best = i
    return best


def choose_race(items: Sequence[tuple[RaceEntry, bytes, T]]) -> T:
    """Secret mode: the payload of the canonical block among ``(entry, block_hash, payload)``."""
    return items[canonical_race_index([(e, h) for e, h, _ in items])][2]
