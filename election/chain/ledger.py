"""The epoch bookkeeping of one chain: seeds, stake tables, rules and window reveals.

For each epoch ``e`` of a chain (docs/spec.md sections 7, 13.3 and 19) an
:class:`EpochLedger` holds:

- **the seed**: the genesis seed for the start epoch, then
  ``seed_{e+1} = next_seed(e, seed_e, betas)`` over the betas of the blocks before ``e``'s
  cutoff, fixed once (:meth:`EpochLedger.fix_seed`);
- **the stake table**: the genesis table of ``e``, or with the inactivity rule on the
  effective table, which needs the outcomes of epoch ``e - 2``
  (:meth:`EpochLedger.record`, :meth:`EpochLedger.record_empty`);
- **the rules**: :func:`~election.rules.modes.make_rules` over (config, table, ``e``,
  seed), built once per epoch (:meth:`EpochLedger.rules`);
- **windows** (windowed mode): revealed in order, each from the betas of its source
  window (:func:`~election.rules.windowed.window_source`) into the epoch's one
  :class:`~election.rules.windowed.WindowedSchedule` (:meth:`EpochLedger.reveal_next`).

The ledger decides neither *when* a seed or a window is fixed nor *which* blocks feed it:
the chain view feeds the canonical block of each slot when its caller says the range has
settled (docs/spec.md 20); the audit feeds the history's valid blocks as it reads past
them.  It holds the one implementation of the chaining, the tables and the reveals that
both use.  Memory grows with the epochs kept; :meth:`EpochLedger.forget_before` drops
older ones (the audit keeps O(1) epochs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from ..rules.config import ElectionConfig
from ..rules.errors import ElectionError, InvalidConfig
from ..rules.inactivity import InactivityState, epoch_outcomes
from ..rules.modes import EpochRules, make_rules
from ..rules.seeds import SeedAccumulator, check_seed, next_seed
from ..rules.stake import StakeTable
from ..rules.windowed import WindowedSchedule, window_source
from .formats import GenesisFile

__all__ = ["EpochLedger", "LedgerError", "BetasOf", "RulesFactory"]

BetasOf = Callable[[range], Iterable[tuple[int, bytes]]]
"""``betas_of(slots) -> (slot, beta)`` of the blocks of ``slots`` that feed a seed, in
increasing slot order."""

RulesFactory = Callable[[ElectionConfig, StakeTable, int, bytes], EpochRules]
"""``(config, table, epoch, seed) -> rules``: :func:`~election.rules.modes.make_rules` or
an equivalent."""


class LedgerError(ElectionError, ValueError):
    """A seed that contradicts one already fixed for the same epoch."""


class EpochLedger:
    """Seeds, tables, rules and window reveals of a chain's epochs (see the module docstring).

    Args:
        genesis: config, stake tables and the start epoch's seed.
        seeds: seeds already known by epoch (e.g. a node's persisted seeds); epochs before
            the start epoch are ignored.
        l1_finalized: with the inactivity rule and ``inactivity_finality = "l1"``: for an
            epoch ``e + 2``, the highest epoch the external finality signal confirmed when
            the table of ``e + 2`` was fixed (docs/spec.md 19.6).
        build: builds an epoch's rules (default :func:`~election.rules.modes.make_rules`).

    Raises:
        LedgerError: a given seed contradicts the genesis seed.
    """

    __slots__ = ("genesis", "config", "start_epoch", "inactivity", "l1_finalized", "_build", "_seeds", "_rules")

    def __init__(self, genesis: GenesisFile, *, seeds: Mapping[int, bytes] | None = None,
                 l1_finalized: Mapping[int, int] | None = None, build: RulesFactory = make_rules) -> None:
        self.genesis = genesis
        self.config = genesis.config
        self.start_epoch = genesis.start_epoch
        self.inactivity = (InactivityState(genesis.config, genesis.table_for, genesis.start_epoch)
                           if genesis.config.inactivity else None)
        """The inactivity rule's state (None when the rule is off)."""
        self.l1_finalized: Mapping[int, int] = l1_finalized or {}
        self._build = build
        self._seeds: dict[int, bytes] = {genesis.start_epoch: genesis.initial_seed}
        self._rules: dict[int, EpochRules] = {}
        for e, s in (seeds or {}).items():
            if e >= genesis.start_epoch:
                self.set_seed(e, s)

    # -- seeds ------------------------------------------------------------------------
    def seed(self, epoch: int) -> bytes | None:
        """The seed of ``epoch`` if known."""
        return self._seeds.get(epoch)

    @property
    def seeds(self) -> dict[int, bytes]:
        """Every known seed by epoch (a copy)."""
        return dict(self._seeds)

    def newest_seed_epoch(self) -> int:
        """The highest epoch whose seed is known."""
        return max(self._seeds)

    def set_seed(self, epoch: int, seed: bytes) -> None:
        """Record a seed known from elsewhere (a node's persisted seeds, an audit shard's start).

        Raises:
            LedgerError: another seed is already known for ``epoch``.
            InvalidConfig: seed not 32 bytes.
        """
        seed = check_seed(seed)
        known = self._seeds.get(epoch)
        if known is not None and known != seed:
            raise LedgerError(f"seed of epoch {epoch}: {seed.hex()} contradicts the known {known.hex()}")
        self._seeds[epoch] = seed

    def seed_accumulator(self, epoch: int) -> SeedAccumulator:
        """A fresh accumulator of the seed of ``epoch + 1`` (for callers that stream betas).

        Raises:
            KeyError: the seed of ``epoch`` is unknown.
        """
        return SeedAccumulator(self.config, epoch, self._seeds[epoch])

    def fix_seed(self, epoch: int, betas: Iterable[tuple[int, bytes]] | SeedAccumulator) -> bytes:
        """Fix the seed of ``epoch + 1`` (idempotent: a fixed seed is returned unchanged).

        Args:
            epoch: the epoch whose blocks feed the seed.
            betas: ``(slot, beta)`` of its blocks in increasing slot order (those past the
                cutoff are ignored, as by :func:`~election.rules.seeds.next_seed`), or an
                accumulator from :meth:`seed_accumulator` already fed.

        Raises:
            KeyError: the seed of ``epoch`` is unknown.
            LedgerError: an accumulator of another epoch or seed.
        """
        known = self._seeds.get(epoch + 1)
        if known is not None:
            return known
        seed = self._seeds[epoch]
        if isinstance(betas, SeedAccumulator):
            if betas.epoch != epoch or betas.seed != seed:
                raise LedgerError(f"accumulator of epoch {betas.epoch}, expected epoch {epoch}'s")
            nxt = betas.finish()
        else:
            nxt = next_seed(self.config, epoch, seed, betas)
        self._seeds[epoch + 1] = nxt
        return nxt

    def forget_before(self, epoch: int) -> None:
        """Drop the seeds and rules of the epochs before ``epoch`` (their tables stay with
        the inactivity rule's state)."""
        for d in (self._seeds, self._rules):
            for e in [e for e in d if e < epoch]:
                del d[e]

    # -- tables and rules -------------------------------------------------------------
    def table(self, epoch: int) -> StakeTable:
        """The stake table of ``epoch``: the genesis table, or with the inactivity rule the
        effective one (docs/spec.md 19.3).

        Raises:
            InvalidStakeTable: no genesis table covers ``epoch``.
            InactivityError: the rule is on and the outcomes of ``epoch - 2`` are not recorded.
        """
        if self.inactivity is None:
            return self.genesis.table_for(epoch)
        return self.inactivity.table(epoch)

    def record(self, epoch: int, scheduled: Mapping[str, int], blocks: Iterable[tuple[int, str]]) -> None:
        """Inactivity rule: record epoch ``epoch``'s outcomes (its primary counts and the
        ``(rank, producer)`` of its canonical blocks), which fix the table of ``epoch + 2``;
        nothing when the rule is off."""
        if self.inactivity is not None:
            self.inactivity.record(epoch, epoch_outcomes(scheduled, blocks), self.l1_finalized.get(epoch + 2))

    def record_empty(self, epoch: int, table: StakeTable, counts: Iterable[int]) -> None:
        """Inactivity rule: record an epoch without any canonical block (every primary slot
        missed), given its table and primary counts; nothing when the rule is off."""
        if self.inactivity is not None:
            self.inactivity.record_empty(epoch, table.ids, counts, self.l1_finalized.get(epoch + 2))

    def rules(self, epoch: int) -> EpochRules | None:
        """The rules of ``epoch`` (built once: a windowed schedule starts with no window
        revealed and is revealed in place), or None while its seed is unknown.

        Raises:
            InactivityError: as :meth:`table`.
        """
        r = self._rules.get(epoch)
        if r is None:
            seed = self._seeds.get(epoch)
            if seed is None or epoch < self.start_epoch:
                return None
            r = self._rules[epoch] = self._build(self.config, self.table(epoch), epoch, seed)
        return r

    # -- windows ----------------------------------------------------------------------
    def revealed(self, epoch: int) -> int:
        """Windowed: how many windows of ``epoch`` are revealed (0 when its rules are not
        built yet: this never builds them)."""
        r = self._rules.get(epoch)
        return r.revealed if isinstance(r, WindowedSchedule) else 0

    def dependent_window(self, slot: int) -> tuple[int, int]:
        """Windowed: ``(epoch, window)`` whose seed the block of ``slot`` feeds (the window
        two absolute windows later, docs/spec.md 13.3)."""
        w = self.config.window
        if w is None:
            raise InvalidConfig(f"dependent_window: mode {self.config.mode!r} has no windows")
        e, j = divmod(slot // w + 2, self.config.epoch_length // w)
        return e, j

    def reveal_next(self, epoch: int, betas_of: BetasOf) -> bytes:
        """Windowed: reveal the next window of ``epoch`` from the betas of its source window
        and return its seed.  Slots before the start epoch feed nothing (the chain has no
        blocks there).

        Args:
            epoch: the epoch.
            betas_of: gives the ``(slot, beta)`` that feed the window, asked for its source
                slots.

        Raises:
            KeyError: the seed of ``epoch`` is unknown.
            InvalidConfig: not windowed, or every window of the epoch is revealed.
        """
        sched = self.rules(epoch)
        if sched is None:
            raise KeyError(epoch)
        if not isinstance(sched, WindowedSchedule):
            raise InvalidConfig(f"reveal_next: mode {self.config.mode!r} has no windows")
        acc = sched.next_window_accumulator()
        src = window_source(self.config, epoch, sched.revealed)
        first = self.config.first_slot(self.start_epoch)
        if src.stop > first:
            for slot, beta in betas_of(range(max(src.start, first), src.stop)):
                acc.add(slot, beta)
        seed = acc.finish()
        sched.reveal(seed)
        return seed
