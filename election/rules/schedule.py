"""The epoch's rotation: primaries by systematic sampling and a seeded shuffle,
ranked backups per slot by stake-weighted sampling without replacement.

Everything is exact integer arithmetic over hash-stream draws (docs/spec.md,
"Schedule").  The primary of every slot is computed once when the
:class:`Schedule` is built (O(validators + epoch_length)); a slot's backups are drawn
on demand from that slot's own stream, so any slot's leader is O(1) and its ranking
O(backups) expected, in any order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ._codec import lp8, u32, u64
from .config import ElectionConfig, check_epoch
from .errors import InvalidConfig, InvalidSlot, InvalidStakeTable
from .hashstream import HashStream, StreamFamily, stream_key
from .seeds import check_seed, slot_input
from .stake import StakeTable

__all__ = ["Schedule", "RankingQueries", "primary_counts", "primary_offset", "schedule_context", "ranked_backups"]

_RANKING_CACHE = 4096


def schedule_context(config: ElectionConfig, table: StakeTable, epoch: int, seed: bytes) -> bytes:
    """The context bytes of the epoch's schedule streams.

    Returns:
        ``lp8(chain_id) || u64(epoch) || seed (32) || table digest (32) || u32(epoch_length)``.
    """
    return lp8(config.chain_id) + u64(epoch) + seed + table.digest() + u32(config.epoch_length)


def _primary_stream(config: ElectionConfig, table: StakeTable, epoch: int, seed: bytes) -> HashStream:
    return HashStream(stream_key(b"primary", schedule_context(config, table, epoch, seed)))


def primary_offset(config: ElectionConfig, table: StakeTable, epoch: int, seed: bytes) -> int:
    """The epoch's systematic-sampling offset: the first draw of its ``primary`` stream.

    ``primary_counts(table.stakes, config.epoch_length, primary_offset(...))`` are the
    epoch's primary counts (:meth:`Schedule.counts`) without the shuffle: O(1) hashing
    instead of O(epoch_length) draws, for an auditor walking epochs that have no block.

    Args:
        config: the election parameters.
        table: the epoch's stake table.
        epoch: the epoch number.
        seed: the epoch's 32-byte seed.

    Returns:
        ``uniform(total_stake)`` from the stream of docs/spec.md section 5.1.
    """
    return _primary_stream(config, table, epoch, seed).uniform(table.total_stake)


def primary_counts(stakes: Sequence[int], slots: int, offset: int) -> list[int]:
    """Systematic sampling: how many of ``slots`` primaries each validator gets.

    Validator ``i`` owns the integer interval ``[slots * C[i-1], slots * C[i])`` of
    ``[0, slots * S)``, where ``C`` are cumulative stakes and ``S`` the total.  The
    sample points are ``offset + j * S`` for ``j`` in ``[0, slots)``; validator ``i``'s
    count is the number of points in its interval, i.e. ``f(slots*C[i]) -
    f(slots*C[i-1])`` with ``f(x) = ceil((x - offset) / S)`` (which is 0 for x <= offset).
    Each count is the floor or the ceiling of ``slots * stake / S``; with ``offset``
    uniform in ``[0, S)`` its expectation is exactly that share.

    Args:
        stakes: positive integer stakes in canonical order.
        slots: number of slots to apportion (>= 0).
        offset: an integer in ``[0, sum(stakes))``.

    Returns:
        The counts, in the order of ``stakes``; they sum to ``slots``.

    Raises:
        ValueError: offset out of range or no stakes.
    """
    total = sum(stakes)
    if not stakes or not 0 <= offset < total:
        raise ValueError(f"offset must be in [0, {total}), got {offset}")
    counts = []
    prev = 0
    acc = 0
    for s in stakes:
        acc += s
        point = -((offset - slots * acc) // total)  # ceil((slots*acc - offset) / total), >= 0
        counts.append(point - prev)
        prev = point
    return counts


def _fenwick_tree(weights: Sequence[int]) -> list[int]:
    """A Fenwick (binary indexed) tree of ``weights``: ``tree[j]`` (1-based) holds the sum
    of the ``j & -j`` weights ending at ``j``.  O(n)."""
    n = len(weights)
    tree = [0, *weights]
    for j in range(1, n + 1):
        up = j + (j & -j)
        if up <= n:
            tree[up] += tree[j]
    return tree


def _fenwick_remove(removed: dict[int, int], n: int, index: int, weight: int) -> None:
    """Record that ``weight`` left 0-based ``index``: every node covering it loses it."""
    j = index + 1
    while j <= n:
        removed[j] = removed.get(j, 0) + weight
        j += j & -j


def _fenwick_find(tree: list[int], removed: dict[int, int], u: int) -> int:
    """The 0-based index ``i`` of the first weight whose running sum (minus the removed
    weights) exceeds ``u``: ``bisect_right`` of the remaining running sums, in O(log n).

    Descends from the highest power of two: ``pos`` is the longest prefix whose sum is at
    most ``u``, so the answer is the element after it (a removed, zero weight never is).
    """
    n = len(tree) - 1
    pos = 0
    step = 1 << (n.bit_length() - 1)
    while step:
        nxt = pos + step
        if nxt <= n:
            w = tree[nxt] - removed.get(nxt, 0)
            if w <= u:
                pos = nxt
                u -= w
        step >>= 1
    return pos


def ranked_backups(
    stream: HashStream | None, stakes: Sequence[int], cum: Sequence[int], total: int, leader: int, depth: int,
    tree_of: Callable[[], list[int]] | None = None,
) -> list[int]:
    """A slot's ranking: ``leader`` then ``depth`` backups (docs/spec.md, section 5.2).

    The backups are a stake-weighted sample without replacement of the validators other
    than ``leader``: while at most half of the stake is ranked, draw ``weighted`` over
    the whole table and redraw on a ranked index (rejection mode, acceptance >= 1/2);
    otherwise draw over the unranked indices in canonical order (reduced mode: the
    remaining one whose running stake first exceeds ``uniform(unranked stake)``, found in
    O(log n) on a Fenwick tree of the stakes minus the ranked ones).  Either way each
    unranked validator is drawn with probability exactly its stake over the unranked stake.

    Args:
        stream: the slot's backup stream (may be None when ``depth`` is 0).
        stakes: stakes in canonical order.
        cum: their cumulative sums.
        total: the total stake.
        leader: the canonical index of the rank-0 validator.
        depth: the number of backups, at most ``len(stakes) - 1``.
        tree_of: returns the (cached) Fenwick tree of ``stakes``; default: built here when
            the reduced mode is first needed.

    Returns:
        Canonical indices, rank 0 first, ``depth + 1`` of them.
    """
    chosen = [leader]
    if not depth:
        return chosen
    assert stream is not None
    taken = {leader}
    excluded = stakes[leader]
    removed: dict[int, int] | None = None  # reduced mode: stake taken out of tree nodes
    tree: list[int] | None = None
    while len(chosen) <= depth:
        if 2 * excluded <= total:
            # Rejection mode: draw over the whole table, redraw on a taken index.
            i = stream.weighted(cum)
            if i in taken:
                continue
        else:
            if tree is None:
                tree = tree_of() if tree_of is not None else _fenwick_tree(stakes)
            if removed is None:
                removed = {}
                for j in taken:
                    _fenwick_remove(removed, len(stakes), j, stakes[j])
            i = _fenwick_find(tree, removed, stream.uniform(total - excluded))
        chosen.append(i)
        taken.add(i)
        excluded += stakes[i]
        if removed is not None:
            _fenwick_remove(removed, len(stakes), i, stakes[i])
    return chosen


class RankingQueries:
    """The per-epoch and per-slot queries shared by :class:`Schedule` and the windowed
    schedule: both provide ``config``, ``epoch``, ``first_slot``, ``_ids``, ``_depth``,
    ``leader(slot)`` and ``_ranking_indices(slot)``."""

    __slots__ = ()
    config: ElectionConfig
    epoch: int
    first_slot: int
    _ids: tuple[str, ...]
    _depth: int

    @property
    def slots(self) -> range:
        """The slots of this epoch."""
        return range(self.first_slot, self.first_slot + self.config.epoch_length)

    @property
    def depth(self) -> int:
        """Number of ranked backups per slot: ``min(config.backups, validators - 1)``."""
        return self._depth

    def _offset(self, slot: int) -> int:
        k = slot - self.first_slot if type(slot) is int else -1
        if not 0 <= k < self.config.epoch_length:
            raise InvalidSlot(
                f"slot {slot!r} is not in epoch {self.epoch} "
                f"(expected an int in [{self.first_slot}, {self.first_slot + self.config.epoch_length}))"
            )
        return k

    def contains(self, slot: int) -> bool:
        """Whether ``slot`` belongs to this epoch."""
        return type(slot) is int and 0 <= slot - self.first_slot < self.config.epoch_length

    def leader(self, slot: int) -> str:
        raise NotImplementedError

    def _ranking_indices(self, slot: int) -> list[int]:
        raise NotImplementedError

    def ranking(self, slot: int) -> list[str]:
        """The slot's ranked ids: the primary at rank 0, then ``depth`` backups.

        Backups are a stake-weighted sample without replacement of the other
        validators, drawn from the slot's own hash stream; they never include the
        primary and never repeat.  Cached.

        Raises:
            InvalidSlot: slot not in this epoch (a windowed schedule: also
                ``WindowNotRevealed`` for a window not revealed yet).
        """
        ids = self._ids
        return [ids[i] for i in self._ranking_indices(slot)]

    def at_rank(self, slot: int, rank: int) -> str:
        """The id of the validator at ``rank`` for ``slot``.

        Raises:
            InvalidSlot: slot not in this epoch (or its window not revealed).
            IndexError: rank not in ``[0, depth]``.
        """
        if type(rank) is not int or not 0 <= rank <= self._depth:
            raise IndexError(f"rank must be an int in [0, {self._depth}], got {rank!r}")
        if rank == 0:
            return self.leader(slot)
        return self._ids[self._ranking_indices(slot)[rank]]

    def rank_of(self, slot: int, validator_id: str) -> int | None:
        """The rank of ``validator_id`` for ``slot``, or None if it has none.

        Raises:
            InvalidSlot: slot not in this epoch (or its window not revealed).
        """
        ranking = self.ranking(slot)
        return ranking.index(validator_id) if validator_id in ranking else None


class Schedule(RankingQueries):
    """The leader and ranked backups of every slot of one epoch.

    Args:
        config: the election parameters.
        table: the epoch's stake table (fixed at the same boundary as the seed).
        epoch: the epoch number.
        seed: the epoch's 32-byte seed.

    Raises:
        InvalidSlot: epoch out of range.
        InvalidConfig: config not an ElectionConfig, its mode is not ``"rotation"``
            (see :mod:`election.rules.modes` for the others), or seed not 32 bytes.
        InvalidStakeTable: table not a StakeTable.
    """

    __slots__ = (
        "config",
        "table",
        "epoch",
        "seed",
        "first_slot",
        "offset",
        "_ids",
        "_stakes",
        "_cum",
        "_total",
        "_leaders",
        "_backup_streams",
        "_cache",
        "_depth",
        "_alpha_prefix",
        "_tree",
    )

    def __init__(self, config: ElectionConfig, table: StakeTable, epoch: int, seed: bytes) -> None:
        if not isinstance(config, ElectionConfig):
            raise InvalidConfig(f"config: expected an ElectionConfig, got {type(config).__name__}")
        if config.mode != "rotation":
            raise InvalidConfig(
                f"config: Schedule is the rotation's; mode {config.mode!r} has its own (election.rules.modes)"
            )
        if not isinstance(table, StakeTable):
            raise InvalidStakeTable(f"table: expected a StakeTable, got {type(table).__name__}")
        check_epoch(epoch)
        seed = check_seed(seed)
        self.config = config
        self.table = table
        self.epoch = epoch
        self.seed = seed
        self.first_slot = config.first_slot(epoch)
        self._ids = table.ids
        self._stakes = table.stakes
        self._cum = table.cumulative_stakes
        self._total = table.total_stake
        self._depth = min(config.backups, len(table) - 1)
        context = schedule_context(config, table, epoch, seed)
        stream = HashStream(stream_key(b"primary", context))
        self.offset = stream.uniform(self._total)
        counts = primary_counts(self._stakes, config.epoch_length, self.offset)
        leaders: list[int] = []
        for index, count in enumerate(counts):
            leaders.extend([index] * count)
        stream.shuffle(leaders)
        self._leaders = leaders
        self._backup_streams = StreamFamily(b"backup", context)
        self._cache: dict[int, list[int]] = {}
        # slot_input(...) is this epoch's constant prefix || u64(slot): built once, not per slot.
        self._alpha_prefix = slot_input(config, epoch, seed, self.first_slot)[:-8]
        self._tree: list[int] | None = None  # Fenwick tree of the stakes, built on first reduced draw

    def __repr__(self) -> str:
        return (
            f"Schedule(chain_id={self.config.chain_id.hex()}, epoch={self.epoch}, "
            f"seed={self.seed.hex()[:16]}..., validators={len(self.table)})"
        )


    def slot_input(self, slot: int) -> bytes:
        """The VRF input of ``slot`` (see :func:`election.rules.seeds.slot_input`).

        Raises:
            InvalidSlot: slot not in this epoch.
        """
        self._offset(slot)
        return self._alpha_prefix + u64(slot)

    def leader_index(self, slot: int) -> int:
        """Canonical index (in ``table.validators``) of the slot's primary.

        Raises:
            InvalidSlot: slot not in this epoch.
        """
        return self._leaders[self._offset(slot)]

    def leader(self, slot: int) -> str:
        """The id of the slot's primary (rank 0), in O(1).

        Raises:
            InvalidSlot: slot not in this epoch.
        """
        return self._ids[self._leaders[self._offset(slot)]]

    def leaders(self) -> list[str]:
        """The primary of every slot of the epoch, in slot order."""
        ids = self._ids
        return [ids[i] for i in self._leaders]

    def counts(self) -> dict[str, int]:
        """Primary slots per validator id in this epoch (canonical order, zeros included)."""
        tally = [0] * len(self._ids)
        for i in self._leaders:
            tally[i] += 1
        return dict(zip(self._ids, tally, strict=True))

    def _fenwick(self) -> list[int]:
        if self._tree is None:
            self._tree = _fenwick_tree(self._stakes)
        return self._tree

    def _ranking_indices(self, slot: int) -> list[int]:
        cached = self._cache.get(slot)
        if cached is not None:
            return cached
        leader = self._leaders[self._offset(slot)]
        chosen = ranked_backups(
            self._backup_streams.stream(u64(slot)) if self._depth else None,
            self._stakes,
            self._cum,
            self._total,
            leader,
            self._depth,
            self._fenwick,
        )
        if len(self._cache) >= _RANKING_CACHE:
            self._cache.clear()
        self._cache[slot] = chosen
        return chosen

