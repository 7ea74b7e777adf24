"""The chain view: one incremental component that says what is canonical.

A :class:`ChainView` accepts :class:`~election.rules.blocks.SignedBlock` s in any order
(from the network, a sync response or a file), checks each one completely
(:func:`~election.rules.blocks.check_block_static`, the VRF proof and, in secret mode,
:func:`~election.rules.claims.check_claim_output`), keeps the valid blocks of each slot,
applies the fork choice of :mod:`election.rules.forkchoice` per slot (the rank rule, or in
secret mode the race), tracks epochs, stake tables, seeds and window seeds, reports
equivocations as evidence, and bounds its memory.  The node feeds it from the network, the
devnet merger from the nodes' logs and the simulator from its virtual network
(:meth:`ChainView.admit`); the audit streams a file through the same epoch bookkeeping
(:class:`~election.chain.ledger.EpochLedger`) and block rules, so the rules exist once.

**Modes.**  :meth:`ChainView.rules` gives each epoch's rules for the config's mode
(:func:`~election.rules.modes.make_rules`).  Windowed (docs/spec.md 13): a window's
leaders are known only once it is revealed; :meth:`ChainView.fix_window` reveals the
windows of an epoch in order, each from the canonical blocks' betas of its source window,
and blocks of a window not revealed yet wait (``pending``) until it is.  Secret (14): a
block must also be eligible (``not_eligible``), and the slot's canonical block is the best
race entry.  In every mode two headers of one validator for one slot and rank are
equivocation evidence.  :meth:`ChainView.admit` adds a block that the caller has verified
already (the simulator), with the same bookkeeping.

**Seeds** (docs/spec.md, "Chain view and seed agreement").  The seed of epoch ``e + 1``
is :func:`~election.rules.seeds.next_seed` over the betas of the *canonical* blocks of the
slots ``[first(e), first(e) + c)`` (``c`` the cutoff), in slot order.  The view does not
decide *when* that set is complete: the caller calls :meth:`ChainView.fix_seed` once it
has synced the range (the node does so at a fixed slot after the cutoff; a file reader
once it has read past it).  From then on the seed of ``e + 1`` never changes; a block that
would change the canonical set of that range afterwards is still kept and chosen by the
fork choice, but counted in :attr:`ChainView.late_seed_inputs` (the node reports it: its
seed may now differ from a peer's, which peers' votes would show as ``SeedMismatch``).
Window seeds follow the same rule: the caller calls :meth:`ChainView.fix_window` once the
source window has settled, and a later canonical change there is a late input too.

**Memory.**  Valid blocks per slot are capped (``max_blocks_per_slot``; in secret mode the
best ones by the race are kept, so the canonical block does not depend on arrival order);
blocks of epochs (or windows) whose seed is not known yet wait in a bounded pending buffer;
slots more than ``depth`` slots below the newest block are pruned, except those of an epoch
whose next seed is not fixed yet, (windowed) those of a source window whose window is not
revealed yet, and (inactivity rule) those of an epoch whose outcomes are not recorded yet:
their blocks are still needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import vrf

from ..rules.blocks import SignedBlock, check_block_static
from ..rules.claims import check_claim_output
from ..rules.errors import ElectionError, InvalidConfig, InvalidSlot
from ..rules.evidence import Evidence, HeaderEquivocation
from ..rules.forkchoice import canonical_index, canonical_race_index, prefer_race
from ..rules.headers import GENESIS_PARENT
from ..rules.modes import EpochRules, SecretEpoch
from ..rules.schedule import Schedule
from ..rules.secret import RaceEntry
from ..rules.seeds import BETA_BYTES
from ..rules.stake import StakeTable
from ..rules.windowed import WindowedSchedule, WindowNotRevealed
from .formats import GenesisFile
from .ledger import EpochLedger

__all__ = ["ChainView", "AddResult", "ViewEntry", "ADD_STATUSES", "view_from_blocks"]

ADD_STATUSES = ("canonical", "kept", "duplicate", "pending", "rejected")
"""Outcomes of :meth:`ChainView.add`."""


@dataclass(frozen=True)
class ViewEntry:
    """A valid block in the view with its VRF output.

    Attributes:
        block: the block.
        beta: its claim's VRF output.
        block_hash: its header's block hash.
        race: secret mode: its race entry (what the slot's fork choice compares); None in
            the ranked modes (the rank decides).
    """

    block: SignedBlock
    beta: bytes
    block_hash: bytes
    race: RaceEntry | None = None


@dataclass(frozen=True)
class AddResult:
    """What :meth:`ChainView.add` did with a block.

    Attributes:
        status: ``canonical`` (valid and now the slot's canonical block), ``kept`` (valid,
            not canonical), ``duplicate`` (already known), ``pending`` (its epoch's seed, or
            in windowed mode its window's seed, is not known yet; retried when it is),
            ``rejected`` (invalid; ``reason`` says why).
        reason: the rejection code (an :class:`~election.rules.errors.ElectionError` code
            such as ``not_eligible``, or ``stale``, ``far_future``, ``slot_full``,
            ``pending_full``), else None.
        evidence: equivocation evidence this block revealed.
        late_seed_input: the block changed the canonical block of a slot whose betas were
            already used: a pre-cutoff slot of an epoch whose next seed is fixed, or
            (windowed) a slot of a source window whose dependent window is revealed.
        beta: a valid block's verified VRF output (the node hands it to its controller, which
            then need not verify the block again), else None.
    """

    status: str
    reason: str | None = None
    evidence: tuple[Evidence, ...] = ()
    late_seed_input: bool = False
    beta: bytes | None = None

    @property
    def valid(self) -> bool:
        """The block passed every check (canonical or kept)."""
        return self.status in ("canonical", "kept")


@dataclass
class _SlotBlocks:
    entries: dict[bytes, ViewEntry] = field(default_factory=dict)
    best: bytes | None = None

    def choose(self) -> None:
        """The slot's fork choice over its entries (docs/spec.md 16, 14.6): the rank rule,
        or in secret mode (entries with a race entry) the race."""
        items = list(self.entries.values())
        if not items:
            self.best = None
        elif items[0].race is not None:
            races = [(e.race, e.block_hash) for e in items if e.race is not None]
            self.best = items[canonical_race_index(races)].block_hash
        else:
            self.best = items[canonical_index([(e.block.rank, e.block_hash) for e in items])].block_hash

    def worst_race(self) -> tuple[RaceEntry, bytes]:
        """Secret mode: ``(race entry, block_hash)`` of the entry every other one is
        preferred to (the fork choice's last)."""
        worst: tuple[RaceEntry, bytes] | None = None
        for e in self.entries.values():
            assert e.race is not None
            key = (e.race, e.block_hash)
            if worst is None or prefer_race(worst, key):
                worst = key
        assert worst is not None
        return worst


class ChainView:
    """Incremental, validated view of one chain in any election mode (see the module docstring).

    Args:
        genesis: config, stake tables and the first epoch's seed.
        depth: slots kept below the newest block (older ones are pruned unless a seed
            or a window seed still needs them).
        max_blocks_per_slot: valid blocks kept per slot (further ones are rejected with
            ``slot_full`` after their evidence is reported; in secret mode, where honest
            eligible validators alone may fill a slot, the slot keeps its best blocks: a
            better one replaces the worst, which is counted as ``slot_full``).
        max_pending: blocks waiting for their epoch's seed (or window's seed), in total.
        seeds: seeds already known (e.g. persisted by a node before a restart), by epoch.
        max_epochs_ahead: blocks more than this many epochs past the newest known seed are
            rejected as ``far_future`` instead of waiting.
        l1_finalized: with the inactivity rule and ``inactivity_finality = "l1"``, the
            external finality signal per epoch (see :class:`~election.chain.ledger.EpochLedger`).

    Raises:
        ValueError: a bound out of range.
        LedgerError: a given seed contradicts the genesis seed.
    """

    def __init__(self, genesis: GenesisFile, *, depth: int = 4096, max_blocks_per_slot: int = 8,
                 max_pending: int = 1024, seeds: dict[int, bytes] | None = None,
                 max_epochs_ahead: int = 2, l1_finalized: dict[int, int] | None = None) -> None:
        if depth < 1 or max_blocks_per_slot < 1 or max_pending < 0:
            raise ValueError("depth and max_blocks_per_slot must be >= 1, max_pending >= 0")
        self.genesis = genesis
        self.config = genesis.config
        self.depth = depth
        self.max_blocks_per_slot = max_blocks_per_slot
        self.max_pending = max_pending
        self.max_epochs_ahead = max_epochs_ahead
        self.ledger = EpochLedger(genesis, seeds=seeds, l1_finalized=l1_finalized)
        """Seeds, tables, rules and window seeds of the epochs (shared code with the audit)."""
        self._slots: dict[int, _SlotBlocks] = {}
        # A pending block, and its VRF output when it came through admit() (already verified).
        self._pending: list[tuple[SignedBlock, bytes | None]] = []
        self._floor = genesis.config.first_slot(genesis.start_epoch)
        self._tip_slot: int | None = None
        self.rejected: dict[str, int] = {}
        """Count of rejected blocks by reason."""
        self.late_seed_inputs = 0
        """Blocks that changed a canonical block whose betas a fixed seed (or, windowed, a
        revealed window) already used."""
        self.evidence: list[Evidence] = []
        """Evidence found (the newest 1,024)."""

    # -- epochs and seeds -------------------------------------------------------------
    def seed(self, epoch: int) -> bytes | None:
        """The seed of ``epoch`` if known (genesis, given, or fixed by :meth:`fix_seed`)."""
        return self.ledger.seed(epoch)

    @property
    def seeds(self) -> dict[int, bytes]:
        """Every known seed by epoch (a copy)."""
        return self.ledger.seeds

    def newest_seed_epoch(self) -> int:
        """The highest epoch whose seed is known."""
        return self.ledger.newest_seed_epoch()

    def rules(self, epoch: int) -> EpochRules | None:
        """The rules of ``epoch`` for the config's mode
        (:func:`~election.rules.modes.make_rules`), or None while its seed is unknown.

        One object per epoch: a windowed schedule is revealed in place by
        :meth:`fix_window` (it starts with no window revealed).  With the inactivity rule
        the table is the effective one (docs/spec.md 19), from the outcomes this view
        recorded in :meth:`fix_seed`.

        Raises:
            InactivityError: the rule is on and the table of ``epoch`` is not known: the
                view was given the seed of an epoch whose outcomes two epochs back it
                never recorded (a restart with persisted seeds is not supported with the
                rule on).
        """
        return self.ledger.rules(epoch)

    def schedule(self, epoch: int) -> Schedule | None:
        """Rotation mode: the schedule of ``epoch`` (the object :meth:`rules` returns), or
        None while its seed is unknown.

        Raises:
            InvalidConfig: the config is not in rotation mode (use :meth:`rules`).
        """
        r = self.rules(epoch)
        if r is not None and not isinstance(r, Schedule):
            raise InvalidConfig(f"ChainView.schedule: mode {self.config.mode!r} has no rotation schedule; "
                                "use ChainView.rules")
        return r

    def canonical_betas(self, slots: range) -> list[tuple[int, bytes]]:
        """``(slot, beta)`` of the canonical blocks of ``slots``, in slot order."""
        out = []
        for slot in slots:
            sb = self._slots.get(slot)
            if sb is not None and sb.best is not None:
                out.append((slot, sb.entries[sb.best].beta))
        return out

    def seed_inputs(self, epoch: int) -> list[tuple[int, bytes]]:
        """``(slot, beta)`` of the canonical blocks of ``epoch`` before its cutoff, in slot order."""
        first = self.config.first_slot(epoch)
        return self.canonical_betas(range(first, first + self.config.cutoff))

    def fix_seed(self, epoch: int) -> bytes:
        """Fix the seed of ``epoch + 1`` from the canonical blocks of ``epoch`` before its
        cutoff (idempotent: a fixed seed is returned unchanged).  With the inactivity rule,
        first record the outcomes of ``epoch - 1`` from its canonical blocks: they fix the
        table of ``epoch + 1`` together with its seed (docs/spec.md 19.4).  Pending blocks
        of the new epoch are then added.

        Raises:
            KeyError: the seed of ``epoch`` is unknown.
        """
        known = self.ledger.seed(epoch + 1)
        if known is not None:
            return known
        if self.ledger.seed(epoch) is None:
            raise KeyError(epoch)
        if self.ledger.inactivity is not None:
            self.table(epoch + 1)  # records epoch - 1's outcomes: they fix epoch + 1's table with its seed
        nxt = self.ledger.fix_seed(epoch, self.seed_inputs(epoch))
        self._retry_pending()
        return nxt

    def table(self, epoch: int) -> StakeTable:
        """The stake table of ``epoch``: the genesis table, or with the inactivity rule the
        effective one, recording the outcomes of ``epoch - 2`` from its canonical blocks the
        first time it is asked for (they must have settled: :meth:`fix_seed` of
        ``epoch - 1`` asks at the latest).

        Raises:
            InactivityError: the outcomes of ``epoch - 3`` are not recorded (epochs are
                recorded in order).
        """
        state = self.ledger.inactivity
        if state is not None and epoch - 2 >= self.genesis.start_epoch and not state.known(epoch):
            self._record_outcomes(epoch - 2)
        return self.ledger.table(epoch)

    def _record_outcomes(self, epoch: int) -> None:
        rules = self.rules(epoch)
        assert isinstance(rules, Schedule)  # the inactivity rule is rotation-only (config check)
        first = self.config.first_slot(epoch)
        blocks = [(b.rank, b.validator_id) for b in self.canonical_range(first, self.config.epoch_length)]
        self.ledger.record(epoch, rules.counts(), blocks)

    def revealed(self, epoch: int) -> int:
        """Windowed mode: how many windows of ``epoch`` are revealed (0 while its seed is
        unknown).

        Raises:
            InvalidConfig: the config is not windowed.
        """
        if self.config.mode != "windowed":
            raise InvalidConfig(f"revealed: mode {self.config.mode!r} has no windows")
        r = self.rules(epoch)
        return r.revealed if isinstance(r, WindowedSchedule) else 0

    def fix_window(self, epoch: int, window: int) -> bytes:
        """Windowed mode: reveal the windows of ``epoch`` in order up to ``window``, each
        from the canonical blocks' betas of its source window
        (:func:`~election.rules.windowed.window_source`, docs/spec.md 13.3), and return the
        seed of ``window`` (idempotent: a revealed window's seed is returned unchanged).
        Pending blocks are retried after each window is revealed, so a window revealed in
        the same call is fed by the blocks of its source window that were waiting.

        As with :meth:`fix_seed`, the caller decides when a source window has settled
        (docs/spec.md 20); a later change of a source window's canonical block is counted
        in :attr:`late_seed_inputs`.  Slots before the genesis start slot have no blocks.

        Raises:
            KeyError: the seed of ``epoch`` is unknown.
            InvalidConfig: the config is not windowed.
            InvalidSlot: ``window`` out of range.
        """
        if self.config.mode != "windowed":
            raise InvalidConfig(f"fix_window: mode {self.config.mode!r} has no windows")
        sched = self.rules(epoch)
        if sched is None:
            raise KeyError(epoch)
        assert isinstance(sched, WindowedSchedule)
        if type(window) is not int or not 0 <= window < sched.windows:
            raise InvalidSlot(f"window: expected an int in [0, {sched.windows}), got {window!r}")
        while sched.revealed <= window:
            self.ledger.reveal_next(epoch, self.canonical_betas)
            # Now, not after the loop: this window's waiting blocks feed window + 2.
            self._retry_pending()
        return sched.window_seeds[window]

    def _dependent_revealed(self, slot: int) -> bool:
        """Windowed: whether the window whose seed ``slot``'s beta feeds (two absolute
        windows later) is revealed already."""
        epoch, j = self.ledger.dependent_window(slot)
        return self.ledger.revealed(epoch) > j

    def _retry_pending(self) -> None:
        waiting, self._pending = self._pending, []
        for b, beta in waiting:
            self._add(b, beta)

    # -- blocks ---------------------------------------------------------------------
    def _count(self, reason: str) -> AddResult:
        self.rejected[reason] = self.rejected.get(reason, 0) + 1
        return AddResult("rejected", reason)

    def add(self, block: SignedBlock) -> AddResult:
        """Check ``block`` completely (static rules, VRF proof, and in secret mode its
        eligibility) and add it if valid; see :class:`AddResult`."""
        return self._add(block, None)

    def admit(self, block: SignedBlock, beta: bytes) -> AddResult:
        """Add a block the caller has already verified, with its VRF output: the same
        bookkeeping as :meth:`add` (pending, duplicates, fork choice, evidence, seeds,
        memory bounds) without checking the block again.

        **Trusts the caller**: ``block`` must have passed
        :func:`~election.rules.blocks.check_block_static` against :meth:`rules` of its
        epoch, ``beta`` must be its verified VRF output, and in secret mode
        :func:`~election.rules.claims.check_claim_output` must have passed.  For callers
        that verify each distinct block once themselves (the simulator); anything from
        the network goes through :meth:`add`.  Only the shape is checked: a header is
        present (``header_missing``) and ``beta`` is 64 bytes (``MalformedData``).
        """
        if not isinstance(beta, bytes) or len(beta) != BETA_BYTES:
            return self._count("MalformedData")
        if isinstance(block, SignedBlock) and block.header is None:
            return self._count("header_missing")
        return self._add(block, beta)

    def _pend(self, block: SignedBlock, beta: bytes | None, block_hash: bytes) -> AddResult:
        if len(self._pending) >= self.max_pending:
            return self._count("pending_full")
        if all(p.block_hash() != block_hash for p, _ in self._pending):
            self._pending.append((block, beta))
        return AddResult("pending")

    def _add(self, block: SignedBlock, beta: bytes | None) -> AddResult:
        if not isinstance(block, SignedBlock):
            return self._count("MalformedData")
        slot = block.slot
        if slot < self._floor:
            return self._count("stale")
        sb = self._slots.get(slot)
        block_hash = block.block_hash()
        if sb is not None and block_hash and block_hash in sb.entries:
            return AddResult("duplicate")
        epoch = block.claim.epoch
        rules = self.rules(epoch)
        if rules is None:
            if epoch > self.newest_seed_epoch() + self.max_epochs_ahead or epoch < self.genesis.start_epoch:
                return self._count("far_future")
            return self._pend(block, beta, block_hash)
        if isinstance(rules, WindowedSchedule) and rules.contains(slot) and not rules.is_revealed(slot):
            return self._pend(block, beta, block_hash)  # not checkable yet (docs/spec.md 13.7)
        if beta is None:
            try:
                key, alpha, proof, block_hash = check_block_static(block, rules)
                beta = key.verify(alpha, proof, self.config.suite)
                check_claim_output(block.claim, rules, beta)
            except WindowNotRevealed:  # defensive: the reveal check above covers it
                return self._pend(block, beta, block_hash)
            except ElectionError as exc:
                return self._count(getattr(exc, "code", type(exc).__name__))
            except vrf.VRFError:
                return self._count("invalid_proof")
        race = rules.entry(block.validator_id, beta) if isinstance(rules, SecretEpoch) else None
        if sb is None:
            sb = self._slots[slot] = _SlotBlocks()
        evidence: list[Evidence] = []
        for other in sb.entries.values():
            # One validator's two headers for one slot and rank (in secret mode every
            # block has rank 0: blocks of different validators are a race, not evidence).
            ob = other.block
            if (ob.validator_id == block.validator_id and ob.rank == block.rank
                    and ob.header is not None and block.header is not None):
                evidence.append(HeaderEquivocation.of(ob.header, block.header))
        for ev in evidence:
            if len(self.evidence) >= 1024:
                del self.evidence[0]
            self.evidence.append(ev)
        before = sb.best
        if len(sb.entries) >= self.max_blocks_per_slot:
            # Secret mode: any number of honest validators may be eligible, so a full slot
            # keeps its best blocks (the canonical one whatever the arrival order) and drops
            # the worst; in the ranked modes only equivocation fills a slot: first come.
            worst = sb.worst_race() if race is not None else None
            if race is None or worst is None or not prefer_race((race, block_hash), worst):
                r = self._count("slot_full")
                return AddResult(r.status, r.reason, tuple(evidence))
            self._count("slot_full")
            del sb.entries[worst[1]]
        sb.entries[block_hash] = ViewEntry(block, beta, block_hash, race)
        sb.choose()
        late = sb.best != before and self._betas_used(epoch, slot)
        if late:
            self.late_seed_inputs += 1
        if self._tip_slot is None or slot > self._tip_slot:
            self._tip_slot = slot
            self._maybe_prune()
        status = "canonical" if sb.best == block_hash else "kept"
        return AddResult(status, None, tuple(evidence), late, beta)

    def _betas_used(self, epoch: int, slot: int) -> bool:
        """Whether the canonical beta of ``slot`` (in ``epoch``) already went into a fixed
        seed or a revealed window seed."""
        if slot < self.config.first_slot(epoch) + self.config.cutoff and self.ledger.seed(epoch + 1) is not None:
            return True
        return self.config.mode == "windowed" and self._dependent_revealed(slot)

    def _maybe_prune(self) -> None:
        assert self._tip_slot is not None
        target = self._tip_slot - self.depth
        if target > self._floor + self.depth // 4:  # prune in batches
            self.prune(target)

    def prune(self, before_slot: int) -> None:
        """Forget slots below ``before_slot``, except those of epochs whose next seed is not
        fixed yet, (windowed) those of source windows whose dependent window is not
        revealed yet, and (inactivity rule) those of epochs whose outcomes are not recorded
        yet.  Blocks for forgotten slots are rejected as ``stale`` afterwards."""
        length = self.config.epoch_length
        windowed = self.config.mode == "windowed"
        ahead = 2 if self.ledger.inactivity is not None else 1  # outcomes of e recorded with seed e + 2
        seed = self.ledger.seed
        for s in [s for s in self._slots if s < before_slot]:
            if seed(s // length + ahead) is not None and (not windowed or self._dependent_revealed(s)):
                del self._slots[s]
        # The floor only rises past slots whose betas are no longer needed.
        floor = before_slot
        for s in self._slots:
            if s < floor:
                floor = s
        self._floor = max(self._floor, min(floor, before_slot))

    # -- queries ----------------------------------------------------------------------
    def entry(self, slot: int) -> ViewEntry | None:
        """The canonical entry of ``slot``, or None."""
        sb = self._slots.get(slot)
        return None if sb is None or sb.best is None else sb.entries[sb.best]

    def canonical(self, slot: int) -> SignedBlock | None:
        """The canonical block of ``slot`` by the fork choice, or None."""
        e = self.entry(slot)
        return None if e is None else e.block

    def blocks(self, slot: int) -> list[SignedBlock]:
        """Every valid block known for ``slot``."""
        sb = self._slots.get(slot)
        return [] if sb is None else [e.block for e in sb.entries.values()]

    def tip(self) -> ViewEntry | None:
        """The canonical entry of the highest slot with a block, or None."""
        return None if self._tip_slot is None else self.entry(self._tip_slot)

    def tip_hash(self) -> bytes:
        """Block hash of :meth:`tip` (:data:`GENESIS_PARENT` before any block)."""
        t = self.tip()
        return GENESIS_PARENT if t is None else t.block_hash

    def parent_for(self, slot: int) -> bytes:
        """Hash of the canonical block of the highest slot below ``slot`` that has one
        (:data:`GENESIS_PARENT` if none is known above the pruning floor): the parent a
        block for ``slot`` builds on."""
        known = [s for s in self._slots if s < slot and self._slots[s].best is not None]
        if not known:
            return GENESIS_PARENT
        e = self.entry(max(known))
        assert e is not None
        return e.block_hash

    @property
    def tip_slot(self) -> int | None:
        """The highest slot with a valid block, or None."""
        return self._tip_slot

    @property
    def floor(self) -> int:
        """Slots below this were pruned."""
        return self._floor

    def canonical_range(self, first: int, count: int) -> Iterator[SignedBlock]:
        """Canonical blocks of slots ``[first, first + count)`` in slot order."""
        for slot in range(max(first, self._floor), first + count):
            b = self.canonical(slot)
            if b is not None:
                yield b

    def slots(self) -> list[int]:
        """Slots holding at least one valid block, ascending."""
        return sorted(s for s, sb in self._slots.items() if sb.entries)

    @property
    def pending(self) -> int:
        """Blocks waiting for their epoch's seed (or, windowed, their window's seed)."""
        return len(self._pending)


def view_from_blocks(genesis: GenesisFile, blocks: Iterable[SignedBlock], **kwargs: object) -> ChainView:
    """A view fed ``blocks`` (any order, duplicates allowed) from a file or several nodes'
    logs, in any mode: blocks are added in slot order; the seed of epoch ``e + 1`` is fixed
    once every block before ``e``'s cutoff has been added, and (windowed) each window is
    revealed once every block of its source window has been added, i.e. with every block
    that feeds them known.

    Args:
        genesis: the chain's genesis.
        blocks: the blocks.
        kwargs: passed to :class:`ChainView` (``depth`` defaults to unbounded here).
    """
    ordered = sorted(blocks, key=lambda b: b.slot)
    opts: dict[str, object] = {"depth": 1 << 62, "max_pending": 1 << 20}
    opts.update(kwargs)
    view = ChainView(genesis, **opts)  # type: ignore[arg-type]
    config = genesis.config
    epoch = genesis.start_epoch
    w = config.window if config.mode == "windowed" else None
    n = config.epoch_length // w if w else 0
    g = genesis.start_epoch * n  # windowed: the next absolute window to reveal

    def reveal_through(slot: int) -> None:
        # Reveal every window whose source window ends at or before ``slot`` (all its
        # blocks are in), as far as epoch seeds are known.
        nonlocal g
        assert w is not None
        while (g - 1) * w <= slot and view.seed(g // n) is not None:
            view.fix_window(g // n, g % n)
            g += 1

    for b in ordered:
        while b.slot >= config.first_slot(epoch) + config.cutoff and view.seed(epoch) is not None:
            view.fix_seed(epoch)
            epoch += 1
        if w:
            reveal_through(b.slot)
        view.add(b)
    last_epoch = ordered[-1].slot // config.epoch_length if ordered else epoch
    while view.seed(epoch) is not None and epoch <= last_epoch:
        view.fix_seed(epoch)
        epoch += 1
    if w and ordered:
        reveal_through(config.first_slot(last_epoch + 1) - w - 1)  # every window of the last epoch
    return view
