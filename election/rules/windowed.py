"""Windowed rotation: exact per-epoch shares, leaders revealed one window at a time.

The rotation (:class:`~election.rules.schedule.Schedule`) makes every leader of an epoch
public as soon as the epoch's seed is fixed.  In windowed mode (``config.mode ==
"windowed"``, docs/spec.md section 13) the epoch seed still fixes *how many* slots each
validator leads, by the same systematic sampling (floor or ceil of the exact share,
exact expectation), but the *order* is drawn one window of ``W`` slots at a time:

- the epoch is cut into ``n = L / W`` windows; since ``W`` divides ``L`` the windows
  are also aligned on absolute slots: window ``j`` of epoch ``e`` is the *absolute*
  window ``g = e * n + j`` holding slots ``[g * W, (g + 1) * W)``;
- window ``j``'s leaders are drawn without replacement from what is left of the epoch's
  multiset (``count_i`` copies of validator ``i``), with a stream keyed by the window's
  seed; its backups are drawn per slot as in the rotation, from a stream that also
  binds the window seed;
- the window seed of absolute window ``g`` hashes the previous window seed of the
  epoch (the epoch seed for ``j = 0``) with the VRF outputs of the blocks of absolute
  window ``g - 2`` (:func:`window_seed`, :class:`WindowSeedAccumulator`).

Window ``g``'s leaders are therefore computable at the end of window ``g - 2``: at
slot ``x`` of window ``g`` the lookahead is between ``W`` and ``2W`` slots (the
config also requires ``seed_cutoff <= L - W`` so that the epoch seed is fixed before
the first window of the epoch is drawn).  Grinding by withholding can move slots
between windows but never change a validator's count in the epoch.

Everything is exact integer arithmetic over hash-stream draws.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from ._codec import lp8, tag, u32, u64
from .config import ElectionConfig, check_epoch, check_slot
from .errors import InvalidConfig, InvalidSlot, InvalidStakeTable, MalformedData
from .hashstream import HashStream, StreamFamily, stream_key
from .schedule import RankingQueries, primary_counts, ranked_backups, schedule_context
from .seeds import BETA_BYTES, SEED_BYTES, check_seed, slot_input
from .stake import StakeTable

__all__ = [
    "WindowedSchedule",
    "WindowNotRevealed",
    "WindowSeedAccumulator",
    "window_seed",
    "window_source",
    "windowed_context",
    "draw_window",
    "CountTree",
]

_WINDOW_SEED_TAG = tag("seqvrf/v1/window-seed")
_RANKING_CACHE = 4096


class WindowNotRevealed(InvalidSlot):
    """The slot is in the epoch but its window's seed is not known yet (windowed mode)."""


def _check_windowed(config: object) -> ElectionConfig:
    if not isinstance(config, ElectionConfig):
        raise InvalidConfig(f"config: expected an ElectionConfig, got {type(config).__name__}")
    if config.mode != "windowed" or config.window is None:
        raise InvalidConfig(f"config: expected mode 'windowed', got {config.mode!r}")
    return config


def windowed_context(config: ElectionConfig, table: StakeTable, epoch: int, seed: bytes) -> bytes:
    """The context of the epoch's windowed streams: the rotation's context and ``u32(W)``.

    Returns:
        ``lp8(chain_id) || u64(epoch) || seed (32) || table digest (32) || u32(L) || u32(W)``.
    """
    config = _check_windowed(config)
    assert config.window is not None
    return schedule_context(config, table, epoch, seed) + u32(config.window)


def window_source(config: ElectionConfig, epoch: int, window: int) -> range:
    """The slots whose blocks feed the seed of window ``window`` of ``epoch``.

    That is absolute window ``g - 2`` for ``g = epoch * n + window``: window
    ``window - 2`` of the same epoch, or for ``window`` 0 and 1 one of the last two
    windows of the previous epoch.  Empty for windows 0 and 1 of epoch 0 (no slot
    precedes slot 0).  A chain whose history starts later (an audit's start epoch) has
    no blocks before its first slot: callers feed none.

    Raises:
        InvalidConfig: the config is not windowed.
        InvalidSlot: epoch or window out of range.
    """
    config = _check_windowed(config)
    first = config.first_slot(epoch)
    w = config.window
    assert w is not None
    if type(window) is not int or not 0 <= window < config.windows_per_epoch:
        raise InvalidSlot(f"window: expected an int in [0, {config.windows_per_epoch}), got {window!r}")
    start = first + (window - 2) * w
    return range(max(0, start), max(0, start + w))


class WindowSeedAccumulator:
    """Incremental computation of one window seed (docs/spec.md, section 13.3).

    ::

        wseed(e, j) = SHA-512( tag("seqvrf/v1/window-seed") || lp8(chain_id) || u64(e)
                               || seed_e (32) || u32(W) || u32(j) || prev (32)
                               || u64(x_1) || beta_1 || ... || u64(x_m) || beta_m
                               || u64(m) )[0:32]

    where ``prev`` is ``seed_e`` for ``j = 0`` and ``wseed(e, j - 1)`` otherwise, and
    ``x_1 < ... < x_m`` are the slots of the blocks produced in :func:`window_source`
    with their VRF outputs.  The source window ends one whole window before window
    ``j`` starts; as with the epoch seed's cutoff, a producer can only withhold its
    block (choose between predetermined outcomes), never choose its beta.

    Args:
        config: windowed election parameters.
        epoch: the epoch of the window whose seed is computed.
        seed: that epoch's 32-byte seed.
        window: the window index ``j`` in the epoch.
        previous: ``wseed(e, j - 1)`` for ``j >= 1``; must be None for ``j = 0``.

    Raises:
        InvalidConfig: config not windowed, a seed not 32 bytes, or ``previous`` given
            for window 0 / missing for a later window.
        InvalidSlot: epoch or window out of range.
    """

    __slots__ = ("config", "epoch", "window", "source", "_hash", "_count", "_last")

    def __init__(
        self, config: ElectionConfig, epoch: int, seed: bytes, window: int, previous: bytes | None = None
    ) -> None:
        check_epoch(epoch)
        self.source = window_source(config, epoch, window)
        seed = check_seed(seed)
        if window == 0:
            if previous is not None:
                raise InvalidConfig("previous: window 0 chains from the epoch seed; pass None")
            prev = seed
        else:
            if previous is None:
                raise InvalidConfig(f"previous: window {window} needs the seed of window {window - 1}")
            prev = check_seed(previous)
        assert config.window is not None
        self.config = config
        self.epoch = epoch
        self.window = window
        self._hash = hashlib.sha512(
            _WINDOW_SEED_TAG + lp8(config.chain_id) + u64(epoch) + seed + u32(config.window) + u32(window) + prev
        )
        self._count = 0
        self._last: int | None = None

    @property
    def count(self) -> int:
        """How many betas were included so far."""
        return self._count

    def add(self, slot: int, beta: bytes) -> None:
        """Feed the beta of the block produced at ``slot`` (in the source window).

        Raises:
            InvalidSlot: slot not in the source window, or not above the last one fed.
            MalformedData: beta not 64 bytes.
        """
        check_slot(slot)
        if slot not in self.source:
            raise InvalidSlot(
                f"slot {slot} is not in the source window [{self.source.start}, {self.source.stop}) "
                f"of window {self.window} of epoch {self.epoch}"
            )
        if self._last is not None and slot <= self._last:
            raise InvalidSlot(f"slots must strictly increase: got {slot} after {self._last}")
        if not isinstance(beta, (bytes, bytearray)) or len(beta) != BETA_BYTES:
            got = f"{len(beta)} bytes" if isinstance(beta, (bytes, bytearray)) else type(beta).__name__
            raise MalformedData(f"beta: expected {BETA_BYTES} bytes, got {got}")
        self._last = slot
        self._hash.update(u64(slot) + bytes(beta))
        self._count += 1

    def finish(self) -> bytes:
        """The window seed: ``SHA-512(state || u64(count))[:32]`` (does not change the state)."""
        h = self._hash.copy()
        h.update(u64(self._count))
        return h.digest()[:SEED_BYTES]


def window_seed(
    config: ElectionConfig,
    epoch: int,
    seed: bytes,
    window: int,
    previous: bytes | None,
    betas: Iterable[tuple[int, bytes]],
) -> bytes:
    """The seed of window ``window`` of ``epoch`` (see :class:`WindowSeedAccumulator`).

    Args:
        config: windowed election parameters.
        epoch: the window's epoch.
        seed: the epoch's 32-byte seed.
        window: the window index in the epoch.
        previous: the seed of window ``window - 1`` of the epoch, None for window 0.
        betas: ``(slot, beta)`` of every block produced in :func:`window_source`, in
            increasing slot order.

    Returns:
        The 32-byte window seed.

    Raises:
        InvalidConfig, InvalidSlot, MalformedData: as :class:`WindowSeedAccumulator`.
    """
    acc = WindowSeedAccumulator(config, epoch, seed, window, previous)
    for slot, beta in betas:
        acc.add(slot, beta)
    return acc.finish()


class CountTree:
    """Remaining multiset counts with weighted draws in O(log n) (a Fenwick tree).

    Holds non-negative integer counts ``r_0 .. r_{n-1}`` (canonical validator order)
    with total ``R``; :meth:`draw` maps a uniform ``u`` in ``[0, R)`` to the smallest
    ``i`` with ``r_0 + ... + r_i > u`` and removes one copy of ``i``.  That is exactly
    ``weighted`` over the remaining counts (docs/spec.md section 4), so each remaining
    copy is drawn with probability ``1 / R``: a draw without replacement.

    Args:
        counts: the initial counts.
    """

    __slots__ = ("_tree", "_n", "_top", "total")

    def __init__(self, counts: Sequence[int]) -> None:
        n = len(counts)
        tree = [0] * (n + 1)
        for i, c in enumerate(counts, 1):
            tree[i] += c
            j = i + (i & -i)
            if j <= n:
                tree[j] += tree[i]
        self._tree = tree
        self._n = n
        self._top = 1 << max(0, n.bit_length() - 1) if n else 0
        self.total = sum(counts)

    def find(self, u: int) -> int:
        """The smallest index ``i`` with ``r_0 + ... + r_i > u``, for ``0 <= u < total``."""
        tree = self._tree
        pos = 0
        step = self._top
        while step:
            nxt = pos + step
            if nxt <= self._n and tree[nxt] <= u:
                pos = nxt
                u -= tree[nxt]
            step >>= 1
        return pos  # prefix(pos) <= u < prefix(pos + 1): the element at 0-based index pos

    def remove(self, index: int) -> None:
        """Remove one copy of ``index`` (its count must be positive)."""
        i = index + 1
        while i <= self._n:
            self._tree[i] -= 1
            i += i & -i
        self.total -= 1

    def draw(self, stream: HashStream) -> int:
        """Draw and remove one copy: ``find(stream.uniform(total))``."""
        i = self.find(stream.uniform(self.total))
        self.remove(i)
        return i


def draw_window(stream: HashStream, tree: CountTree, size: int) -> list[int]:
    """Draw ``size`` leaders without replacement from the remaining multiset ``tree``.

    For each slot of the window in order: ``u = uniform(R)`` with ``R`` the number of
    copies left, the leader is the smallest ``i`` with ``r_0 + ... + r_i > u``, and one
    copy of ``i`` is removed.

    Returns:
        Canonical indices of the window's leaders, in slot order.
    """
    return [tree.draw(stream) for _ in range(size)]


class WindowedSchedule(RankingQueries):
    """The windowed rotation of one epoch, revealed one window at a time.

    Built from (config, table, epoch, epoch seed, the window seeds known so far); more
    windows are revealed with :meth:`reveal` as their seeds become known (each seed
    from :func:`window_seed`).  The query interface follows
    :class:`~election.rules.schedule.Schedule`; asking about a slot whose window is
    not revealed yet raises :class:`WindowNotRevealed`.

    The per-epoch counts (:meth:`counts`) are fixed by the epoch seed alone:
    systematic sampling with ``offset = uniform(S)`` from the stream with purpose
    ``window-counts`` and the windowed context; each is the floor or ceiling of
    ``L * stake / S`` with exactly that expectation.  Window ``j``'s leaders are drawn
    by :func:`draw_window` from the stream with purpose ``window-order`` and context
    ``ctx || u32(j) || wseed_j``; slot ``x``'s backups by the rotation's rule
    (:func:`~election.rules.schedule.ranked_backups`) from the stream with purpose
    ``window-backup`` and context ``ctx || u32(j) || wseed_j || u64(x)``.

    Args:
        config: windowed election parameters.
        table: the epoch's stake table.
        epoch: the epoch number.
        seed: the epoch's 32-byte seed.
        window_seeds: the seeds of windows ``0, 1, ..., k - 1`` (any ``k`` from 0 to
            the number of windows), in order.

    Raises:
        InvalidConfig: config not windowed, or a seed not 32 bytes, or too many seeds.
        InvalidStakeTable: table not a StakeTable.
        InvalidSlot: epoch out of range.
    """

    __slots__ = (
        "config",
        "table",
        "epoch",
        "seed",
        "first_slot",
        "offset",
        "_window",
        "_ids",
        "_stakes",
        "_cum",
        "_total",
        "_counts",
        "_tree",
        "_leaders",
        "_window_seeds",
        "_ctx",
        "_depth",
        "_cache",
        "_alpha_prefix",
    )

    def __init__(
        self, config: ElectionConfig, table: StakeTable, epoch: int, seed: bytes, window_seeds: Sequence[bytes] = ()
    ) -> None:
        config = _check_windowed(config)
        if not isinstance(table, StakeTable):
            raise InvalidStakeTable(f"table: expected a StakeTable, got {type(table).__name__}")
        check_epoch(epoch)
        seed = check_seed(seed)
        assert config.window is not None
        self.config = config
        self.table = table
        self.epoch = epoch
        self.seed = seed
        self.first_slot = config.first_slot(epoch)
        self._window = config.window
        self._ids = table.ids
        self._stakes = table.stakes
        self._cum = table.cumulative_stakes
        self._total = table.total_stake
        self._depth = min(config.backups, len(table) - 1)
        self._ctx = windowed_context(config, table, epoch, seed)
        self.offset = HashStream(stream_key(b"window-counts", self._ctx)).uniform(self._total)
        self._counts = primary_counts(self._stakes, config.epoch_length, self.offset)
        self._tree = CountTree(self._counts)
        self._leaders: list[int] = []
        self._window_seeds: list[bytes] = []
        self._cache: dict[int, list[int]] = {}
        self._alpha_prefix = slot_input(config, epoch, seed, self.first_slot)[:-8]
        if isinstance(window_seeds, (bytes, bytearray)):
            raise InvalidConfig("window_seeds: expected a sequence of 32-byte seeds, got bytes")
        for s in window_seeds:
            self.reveal(s)

    def __repr__(self) -> str:
        return (
            f"WindowedSchedule(chain_id={self.config.chain_id.hex()}, epoch={self.epoch}, "
            f"seed={self.seed.hex()[:16]}..., window={self._window}, revealed={self.revealed})"
        )

    # -- windows ----------------------------------------------------------------------
    @property
    def window(self) -> int:
        """Slots per window ``W``."""
        return self._window

    @property
    def windows(self) -> int:
        """Windows per epoch ``L / W``."""
        return self.config.epoch_length // self._window

    @property
    def revealed(self) -> int:
        """How many windows (from the first) have their leaders drawn."""
        return len(self._window_seeds)

    @property
    def window_seeds(self) -> tuple[bytes, ...]:
        """The seeds of the revealed windows, in order."""
        return tuple(self._window_seeds)

    def window_of(self, slot: int) -> int:
        """The window index (in the epoch) of ``slot``.

        Raises:
            InvalidSlot: slot not in this epoch.
        """
        return self._offset(slot) // self._window

    def window_slots(self, window: int) -> range:
        """The slots of window ``window`` of this epoch.

        Raises:
            InvalidSlot: window out of range.
        """
        if type(window) is not int or not 0 <= window < self.windows:
            raise InvalidSlot(f"window: expected an int in [0, {self.windows}), got {window!r}")
        start = self.first_slot + window * self._window
        return range(start, start + self._window)

    def reveal(self, seed: bytes) -> None:
        """Draw the next window's leaders with its seed.

        Args:
            seed: the 32-byte seed of window ``revealed`` (from :func:`window_seed`).

        Raises:
            InvalidConfig: seed not 32 bytes, or every window is revealed already.
        """
        seed = check_seed(seed)
        j = len(self._window_seeds)
        if j >= self.windows:
            raise InvalidConfig(f"window seeds: the epoch has {self.windows} windows, all revealed")
        stream = HashStream(stream_key(b"window-order", self._ctx + u32(j) + seed))
        self._leaders.extend(draw_window(stream, self._tree, self._window))
        self._window_seeds.append(seed)

    def next_window_accumulator(self) -> WindowSeedAccumulator:
        """A :class:`WindowSeedAccumulator` for the next window to reveal (index
        ``revealed``), chained from the last revealed window seed (the epoch seed for
        window 0).  Feed it the blocks of its ``source`` slots, then pass
        ``finish()`` to :meth:`reveal`.

        Raises:
            InvalidConfig: every window is revealed already.
        """
        j = len(self._window_seeds)
        if j >= self.windows:
            raise InvalidConfig(f"window seeds: the epoch has {self.windows} windows, all revealed")
        prev = self._window_seeds[-1] if j else None
        return WindowSeedAccumulator(self.config, self.epoch, self.seed, j, prev)

    # -- queries (as Schedule) ------------------------------------------------------

    def _revealed_offset(self, slot: int) -> int:
        k = self._offset(slot)
        if k >= len(self._leaders):
            raise WindowNotRevealed(
                f"slot {slot} is in window {k // self._window} of epoch {self.epoch}, "
                f"whose seed is not known yet ({self.revealed} of {self.windows} windows revealed)"
            )
        return k

    def is_revealed(self, slot: int) -> bool:
        """Whether ``slot`` is in this epoch and its window is revealed."""
        return self.contains(slot) and slot - self.first_slot < len(self._leaders)

    def slot_input(self, slot: int) -> bytes:
        """The VRF input of ``slot`` (the rotation's, docs/spec.md section 6).

        Raises:
            InvalidSlot: slot not in this epoch.
        """
        self._offset(slot)
        return self._alpha_prefix + u64(slot)

    def counts(self) -> dict[str, int]:
        """Primary slots per validator id in the whole epoch (fixed by the epoch seed)."""
        return dict(zip(self._ids, self._counts, strict=True))

    def remaining(self) -> dict[str, int]:
        """Primary slots per validator id not yet drawn (in the unrevealed windows).

        This multiset is public once the revealed windows are: what stays hidden is
        which unrevealed window (and slot) each copy falls in.
        """
        left = list(self._counts)
        for i in self._leaders:
            left[i] -= 1
        return dict(zip(self._ids, left, strict=True))

    def leader_index(self, slot: int) -> int:
        """Canonical index of the slot's primary.

        Raises:
            InvalidSlot: slot not in this epoch.
            WindowNotRevealed: its window is not revealed.
        """
        return self._leaders[self._revealed_offset(slot)]

    def leader(self, slot: int) -> str:
        """The id of the slot's primary (rank 0).

        Raises:
            InvalidSlot: slot not in this epoch.
            WindowNotRevealed: its window is not revealed.
        """
        return self._ids[self._leaders[self._revealed_offset(slot)]]

    def leaders(self) -> list[str]:
        """The primary of every revealed slot, in slot order (from the epoch's first slot)."""
        ids = self._ids
        return [ids[i] for i in self._leaders]

    def _ranking_indices(self, slot: int) -> list[int]:
        cached = self._cache.get(slot)
        if cached is not None:
            return cached
        k = self._revealed_offset(slot)
        j = k // self._window
        stream = None
        if self._depth:
            family = StreamFamily(b"window-backup", self._ctx + u32(j) + self._window_seeds[j])
            stream = family.stream(u64(slot))
        chosen = ranked_backups(stream, self._stakes, self._cum, self._total, self._leaders[k], self._depth)
        if len(self._cache) >= _RANKING_CACHE:
            self._cache.clear()
        self._cache[slot] = chosen
        return chosen

