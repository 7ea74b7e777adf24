"""The inactivity rule: recovery past one third of the stake down (docs/spec.md section 19).

A certificate needs votes of strictly more than two thirds of the epoch's stake, so once a
third or more is down no backup can take over and every slot of a down primary stays
empty, epoch after epoch.  With the rule on (``ElectionConfig.inactivity_threshold``), the
stake table an epoch's schedule and certificates use is an **effective table** computed
from the chain:

* epoch ``e``'s **outcomes**, per validator: its primary slots in ``e`` (``scheduled``),
  how many of them the canonical chain does not fill with its own rank-0 block
  (``missed``), and its canonical blocks in ``e`` at any rank (``produced``);
* a validator is **inactive** in ``e`` when ``scheduled >= 1`` and
  ``100 * missed >= threshold * scheduled``; it is **proven live** in ``e`` when
  ``produced >= 1`` and it is not inactive;
* the **reduced set** of epoch ``e + 2`` is ``R_{e+2} = I_e  U  (R_{e+1} - P_e)``
  (inactive in ``e``, or reduced in ``e + 1`` and not proven live in ``e``), restricted
  to the base table of ``e + 2``; if it would hold every validator of that table it is
  empty instead (reducing everyone changes nothing but the rounding);
* the effective table of ``e + 2`` is the base table with each reduced validator's stake
  ``s`` replaced by ``min(s, max(s // D, ceil(S / L)))`` (``D = inactivity_divisor``,
  ``S`` the base total stake, ``L`` the epoch length).

A reduced validator stays in the table with a small weight, never below one slot's worth
(``ceil(S / L)``), so it keeps at least one primary slot per epoch: once it is back, it
produces that slot, is proven live, and has its full stake again two epochs later.  Everything is integers
and sets of ids; no order of a hash table matters.

With ``inactivity_finality = "l1"`` epoch ``e``'s outcomes are used only when the external
finality signal fixed for epoch ``e + 2`` (``l1_finalized_epoch``, the highest epoch the
L1 had finalized when the table of ``e + 2`` was fixed) is at least ``e``; otherwise
``R_{e+2} = R_{e+1}`` (restricted and guarded as above).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .config import ElectionConfig
from .errors import ElectionError, InvalidConfig
from .stake import StakeTable

__all__ = [
    "Outcome", "InactivityError", "inactive", "proven_live", "next_reduced", "effective_table",
    "epoch_outcomes", "InactivityState", "MAX_LOGGED",
]


class InactivityError(ElectionError, ValueError):
    """The inactivity rule was asked for something it cannot compute (an epoch whose
    outcomes were not recorded, outcomes out of range, a rule that is off)."""


@dataclass(frozen=True)
class Outcome:
    """One validator's primary outcomes in one epoch, read from the canonical chain.

    Attributes:
        scheduled: its primary (rank-0) slots in the epoch's schedule.
        missed: of those, the slots whose canonical block is not its rank-0 block
            (empty, or filled by a backup).
        produced: its canonical blocks in the epoch, at any rank.

    Raises:
        InactivityError: a count is not an int, negative, or ``missed > scheduled``.
    """

    scheduled: int
    missed: int
    produced: int

    def __post_init__(self) -> None:
        for name in ("scheduled", "missed", "produced"):
            value = getattr(self, name)
            if type(value) is not int or value < 0:
                raise InactivityError(f"Outcome.{name}: expected an int >= 0, got {value!r}")
        if self.missed > self.scheduled:
            raise InactivityError(f"Outcome: missed {self.missed} exceeds scheduled {self.scheduled}")

    def to_dict(self) -> dict[str, int]:
        """JSON form."""
        return {"scheduled": self.scheduled, "missed": self.missed, "produced": self.produced}


_NONE = Outcome(0, 0, 0)


def _threshold(config: ElectionConfig) -> int:
    if config.inactivity_threshold is None:
        raise InactivityError("the inactivity rule is off in this config (inactivity_threshold is None)")
    return config.inactivity_threshold


def inactive(config: ElectionConfig, outcome: Outcome) -> bool:
    """``scheduled >= 1`` and ``100 * missed >= threshold * scheduled``.

    Raises:
        InactivityError: the rule is off.
    """
    t = _threshold(config)
    return outcome.scheduled >= 1 and 100 * outcome.missed >= t * outcome.scheduled


def proven_live(config: ElectionConfig, outcome: Outcome) -> bool:
    """``produced >= 1`` and not :func:`inactive`.

    Raises:
        InactivityError: the rule is off.
    """
    return outcome.produced >= 1 and not inactive(config, outcome)


def next_reduced(config: ElectionConfig, base_next: StakeTable, outcomes: Mapping[str, Outcome],
                 reduced_prev: Iterable[str], finalized: bool = True) -> frozenset[str]:
    """The reduced set of epoch ``e + 2`` from epoch ``e``'s outcomes.

    Args:
        config: a config with the rule on.
        base_next: the base (genesis) stake table of epoch ``e + 2``.
        outcomes: epoch ``e``'s outcomes by validator id; a validator absent from it has
            no primary slot and no block in ``e``.
        reduced_prev: ``R_{e+1}``, the reduced set of epoch ``e + 1``.
        finalized: whether epoch ``e``'s outcomes may be used (always True with
            ``inactivity_finality = "chain"``; with ``"l1"``, ``l1_finalized_epoch >= e``).

    Returns:
        ``R_{e+2}``: ids of ``base_next``, never all of them.

    Raises:
        InactivityError: the rule is off.
    """
    _threshold(config)
    prev = frozenset(reduced_prev)
    out: set[str] = set()
    for vid in base_next.ids:
        o = outcomes.get(vid, _NONE) if finalized else _NONE
        if inactive(config, o) or (vid in prev and not proven_live(config, o)):
            out.add(vid)
    if len(out) == len(base_next):
        return frozenset()
    return frozenset(out)


def effective_table(config: ElectionConfig, base: StakeTable, reduced: Iterable[str]) -> StakeTable:
    """The base table with each reduced validator's stake ``s`` replaced by
    ``min(s, max(s // D, ceil(S / L)))`` (``S`` the base total, ``L`` the epoch length).

    The floor ``ceil(S / L)`` keeps at least one primary slot per epoch for every reduced
    validator whose stake reaches it (systematic sampling gives ``floor(L * w / S')`` or
    more slots, and ``L * ceil(S / L) >= S >= S'``): a validator that is back proves it in
    its next epoch.  Ids of ``reduced`` not in ``base`` are ignored.  With nothing reduced
    this is ``base`` itself (same object, same digest).

    Raises:
        InactivityError: the rule is off.
    """
    _threshold(config)
    divisor = config.inactivity_divisor
    assert divisor is not None
    cut = frozenset(reduced)
    if not cut.intersection(base.ids):
        return base
    floor = -(-base.total_stake // config.epoch_length)  # ceil(S / L): one slot's worth of stake
    return base.with_stakes([min(v.stake, max(v.stake // divisor, floor)) if v.id in cut else v.stake
                             for v in base])


def epoch_outcomes(scheduled: Mapping[str, int], blocks: Iterable[tuple[int, str]]) -> dict[str, Outcome]:
    """Outcomes of one epoch from its primary counts and its canonical blocks.

    Args:
        scheduled: primary slots per validator id (the epoch's schedule counts).
        blocks: ``(rank, validator_id)`` of every canonical block of the epoch (the
            rank-0 block of a slot is its primary's: the claim checks guarantee it).

    Returns:
        An :class:`Outcome` for every id of ``scheduled`` and every producer.

    Raises:
        InactivityError: more rank-0 blocks by a validator than its primary slots.
    """
    as_primary: dict[str, int] = {}
    produced: dict[str, int] = {}
    for rank, vid in blocks:
        produced[vid] = produced.get(vid, 0) + 1
        if rank == 0:
            as_primary[vid] = as_primary.get(vid, 0) + 1
    out: dict[str, Outcome] = {}
    for vid in set(scheduled) | set(produced):
        n = scheduled.get(vid, 0)
        p = as_primary.get(vid, 0)
        if p > n:
            raise InactivityError(f"validator {vid!r}: {p} rank-0 blocks but {n} primary slots")
        out[vid] = Outcome(n, n - p, produced.get(vid, 0))
    return out


MAX_LOGGED = 4096
"""Epochs with a non-empty reduced set kept in :attr:`InactivityState.log` (the rest are
counted in :attr:`InactivityState.reduced_epochs` only)."""


class InactivityState:
    """The effective tables of a chain, epoch by epoch, as the audit and the simulator
    walk it: record epoch ``e``'s outcomes (in order), then read the table of ``e + 2``.

    The start epoch and the one after it use the base tables (no outcomes precede them).
    Tables are cached per (base table, reduced set), so a run of epochs with the same
    reduced set builds its table once.

    Args:
        config: a config with the rule on.
        base_table_for: the base (genesis) table of an epoch.
        start_epoch: the first epoch.

    Raises:
        InvalidConfig: the rule is off in ``config``.
    """

    def __init__(self, config: ElectionConfig, base_table_for: Callable[[int], StakeTable],
                 start_epoch: int = 0) -> None:
        if not config.inactivity:
            raise InvalidConfig("InactivityState: the inactivity rule is off in this config")
        self.config = config
        self.base_table_for = base_table_for
        self.start_epoch = start_epoch
        self._reduced: dict[int, frozenset[str]] = {start_epoch: frozenset(), start_epoch + 1: frozenset()}
        self._cache: dict[tuple[bytes, frozenset[str]], StakeTable] = {}
        self.reduced_epochs = 0
        """Epochs with a non-empty reduced set so far."""
        self.log: list[dict[str, object]] = []
        """One entry per epoch whose reduced set is not empty: ``{"epoch", "reduced",
        "finalized"}`` with ``reduced`` sorted by UTF-8 bytes (what the audit reports)."""

    def known(self, epoch: int) -> bool:
        """Whether the reduced set (and so the table) of ``epoch`` is fixed yet."""
        return epoch in self._reduced

    def reduced(self, epoch: int) -> frozenset[str]:
        """The reduced set of ``epoch``.

        Raises:
            InactivityError: epoch ``epoch - 2``'s outcomes were not recorded yet.
        """
        got = self._reduced.get(epoch)
        if got is None:
            raise InactivityError(f"reduced set of epoch {epoch}: record epoch {epoch - 2}'s outcomes first")
        return got

    def table(self, epoch: int) -> StakeTable:
        """The effective stake table of ``epoch``.

        Raises:
            InactivityError: as :meth:`reduced`.
        """
        cut = self.reduced(epoch)
        base = self.base_table_for(epoch)
        if not cut:
            return base
        key = (base.digest(), cut)
        table = self._cache.get(key)
        if table is None:
            if len(self._cache) >= 64:
                self._cache.clear()  # bounded: a hostile history cannot grow it
            table = self._cache[key] = effective_table(self.config, base, cut)
        return table

    def record(self, epoch: int, outcomes: Mapping[str, Outcome], l1_finalized_epoch: int | None = None) -> None:
        """Record epoch ``epoch``'s outcomes: fixes the reduced set of ``epoch + 2``.

        Args:
            epoch: the epoch (epochs are recorded in order, each once).
            outcomes: its outcomes by validator id.
            l1_finalized_epoch: with ``inactivity_finality = "l1"``, the external finality
                signal fixed for epoch ``epoch + 2`` (None: nothing finalized); ignored
                with ``"chain"``.

        Raises:
            InactivityError: out of order, or epoch ``epoch + 1``'s set is unknown.
        """
        prev, finalized = self._start(epoch, l1_finalized_epoch)
        cut = next_reduced(self.config, self.base_table_for(epoch + 2), outcomes, prev, finalized)
        self._store(epoch, cut, prev, finalized)

    def record_empty(self, epoch: int, ids: Iterable[str], counts: Iterable[int],
                     l1_finalized_epoch: int | None = None) -> None:
        """Record an epoch without any canonical block: the same result as :meth:`record`
        with ``Outcome(n, n, 0)`` for every validator (``n`` its primary slots), computed
        with set operations only (the audit walks runs of empty epochs this way).

        Args:
            epoch: the epoch.
            ids: the ids of its table, in canonical order.
            counts: their primary slots in the epoch, in the same order.
            l1_finalized_epoch: as :meth:`record`.

        Raises:
            InactivityError: as :meth:`record`.
        """
        prev, finalized = self._start(epoch, l1_finalized_epoch)
        base = self.base_table_for(epoch + 2)
        if finalized:  # every validator with a primary slot missed all of them; nobody is proven live
            lazy = {vid for vid, n in zip(ids, counts, strict=True) if n}
            cut = frozenset(v for v in base.ids if v in lazy or v in prev)
        else:
            cut = frozenset(v for v in base.ids if v in prev)
        if len(cut) == len(base):
            cut = frozenset()
        self._store(epoch, cut, prev, finalized)

    def _start(self, epoch: int, l1_finalized_epoch: int | None) -> tuple[frozenset[str], bool]:
        if epoch + 2 in self._reduced:
            raise InactivityError(f"epoch {epoch}'s outcomes were already recorded")
        prev = self.reduced(epoch + 1)
        finalized = True
        if self.config.inactivity_finality == "l1":
            finalized = l1_finalized_epoch is not None and l1_finalized_epoch >= epoch
        return prev, finalized

    def _store(self, epoch: int, cut: frozenset[str], prev: frozenset[str], finalized: bool) -> None:
        self._reduced[epoch + 2] = cut
        if cut:
            self.reduced_epochs += 1
        if cut == prev:
            self._reduced[epoch + 2] = prev  # one object per distinct set: memory follows the changes
        if cut and len(self.log) < MAX_LOGGED:
            self.log.append({"epoch": epoch + 2, "reduced": sorted(cut, key=lambda s: s.encode("utf-8")),
                             "finalized": finalized})
