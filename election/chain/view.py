"""The chain view: one incremental component that says what is canonical.

A :class:`ChainView` accepts :class:`~election.rules.blocks.SignedBlock` s in any order
(from the network, a sync response or a file), checks each one completely
(:func:`~election.rules.blocks.check_block_static` and the VRF proof), keeps the valid
blocks of each slot, applies the fork choice of :mod:`election.rules.forkchoice` per slot,
tracks epochs, stake tables and seeds, reports equivocations as evidence, and bounds its
memory.  The node, the devnet merger and (later) the audit and the simulator feed the same
class, so the rules exist once.

**Seeds** (docs/spec.md, "Chain view and seed agreement").  The seed of epoch ``e + 1``
is :func:`~election.rules.seeds.next_seed` over the betas of the *canonical* blocks of the
slots ``[first(e), first(e) + c)`` (``c`` the cutoff), in slot order.  The view does not
decide *when* that set is complete: the caller calls :meth:`ChainView.fix_seed` once it
has synced the range (the node does so at a fixed slot after the cutoff; a file reader
once it has read past it).  From then on the seed of ``e + 1`` never changes; a block that
would change the canonical set of that range afterwards is still kept and chosen by the
fork choice, but counted in :attr:`ChainView.late_seed_inputs` (the node reports it: its
seed may now differ from a peer's, which peers' votes would show as ``SeedMismatch``).

**Memory.**  Valid blocks per slot are capped (``max_blocks_per_slot``); blocks of epochs
whose seed is not known yet wait in a bounded pending buffer; slots more than ``depth``
slots below the newest block are pruned, except those of an epoch whose next seed is not
fixed yet (its betas are still needed).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import vrf

from ..rules.blocks import SignedBlock, check_block_static
from ..rules.errors import ElectionError
from ..rules.evidence import Evidence, HeaderEquivocation
from ..rules.forkchoice import prefer
from ..rules.headers import GENESIS_PARENT
from ..rules.schedule import Schedule
from ..rules.seeds import next_seed
from .formats import GenesisFile

__all__ = ["ChainView", "AddResult", "ViewEntry", "ADD_STATUSES", "view_from_blocks"]

ADD_STATUSES = ("canonical", "kept", "duplicate", "pending", "rejected")
"""Outcomes of :meth:`ChainView.add`."""


@dataclass(frozen=True)
class ViewEntry:
    """A valid block in the view with its VRF output."""

    block: SignedBlock
    beta: bytes
    block_hash: bytes


@dataclass(frozen=True)
class AddResult:
    """What :meth:`ChainView.add` did with a block.

    Attributes:
        status: ``canonical`` (valid and now the slot's canonical block), ``kept`` (valid,
            not canonical), ``duplicate`` (already known), ``pending`` (its epoch's seed is
            not known yet; retried when it is), ``rejected`` (invalid; ``reason`` says why).
        reason: the rejection code (an :class:`~election.rules.errors.ElectionError` code
            or ``stale``, ``far_future``, ``slot_full``, ``pending_full``), else None.
        evidence: equivocation evidence this block revealed.
        late_seed_input: the block changed the canonical block of a slot whose epoch's next
            seed was already fixed.
    """

    status: str
    reason: str | None = None
    evidence: tuple[Evidence, ...] = ()
    late_seed_input: bool = False

    @property
    def valid(self) -> bool:
        """The block passed every check (canonical or kept)."""
        return self.status in ("canonical", "kept")


@dataclass
class _SlotBlocks:
    entries: dict[bytes, ViewEntry] = field(default_factory=dict)
    best: bytes | None = None

    def choose(self) -> None:
        best: tuple[int, bytes] | None = None
        for h, e in self.entries.items():
            if best is None or prefer((e.block.rank, h), best):
                best = (e.block.rank, h)
        self.best = None if best is None else best[1]


class ChainView:
    """Incremental, validated view of one chain (see the module docstring).

    Args:
        genesis: config, stake tables and the first epoch's seed.
        depth: slots kept below the newest block (older ones are pruned unless a seed
            still needs them).
        max_blocks_per_slot: valid blocks kept per slot (further ones are rejected with
            ``slot_full`` after their evidence is reported).
        max_pending: blocks waiting for their epoch's seed, in total.
        seeds: seeds already known (e.g. persisted by a node before a restart), by epoch.
        max_epochs_ahead: blocks more than this many epochs past the newest known seed are
            rejected as ``far_future`` instead of waiting.
    """

    def __init__(self, genesis: GenesisFile, *, depth: int = 4096, max_blocks_per_slot: int = 8,
                 max_pending: int = 1024, seeds: dict[int, bytes] | None = None,
                 max_epochs_ahead: int = 2) -> None:
        if depth < 1 or max_blocks_per_slot < 1 or max_pending < 0:
            raise ValueError("depth and max_blocks_per_slot must be >= 1, max_pending >= 0")
        self.genesis = genesis
        self.config = genesis.config
        self.depth = depth
        self.max_blocks_per_slot = max_blocks_per_slot
        self.max_pending = max_pending
        self.max_epochs_ahead = max_epochs_ahead
        self._seeds: dict[int, bytes] = {genesis.start_epoch: genesis.initial_seed}
        for e, s in (seeds or {}).items():
            if e >= genesis.start_epoch:
                self._seeds[e] = s
        self._schedules: dict[int, Schedule] = {}
        self._slots: dict[int, _SlotBlocks] = {}
        self._pending: list[SignedBlock] = []
        self._floor = genesis.config.first_slot(genesis.start_epoch)
        self._tip_slot: int | None = None
        self.rejected: dict[str, int] = {}
        """Count of rejected blocks by reason."""
        self.late_seed_inputs = 0
        """Blocks that changed a canonical block whose epoch's next seed was already fixed."""
        self.evidence: list[Evidence] = []
        """Evidence found (the newest 1,024)."""

    # -- epochs and seeds -------------------------------------------------------------
    def seed(self, epoch: int) -> bytes | None:
        """The seed of ``epoch`` if known (genesis, given, or fixed by :meth:`fix_seed`)."""
        return self._seeds.get(epoch)

    @property
    def seeds(self) -> dict[int, bytes]:
        """Every known seed by epoch (a copy)."""
        return dict(self._seeds)

    def newest_seed_epoch(self) -> int:
        """The highest epoch whose seed is known."""
        return max(self._seeds)

    def schedule(self, epoch: int) -> Schedule | None:
        """The schedule of ``epoch``, or None while its seed is unknown."""
        s = self._schedules.get(epoch)
        if s is None:
            seed = self._seeds.get(epoch)
            if seed is None or epoch < self.genesis.start_epoch:
                return None
            s = self._schedules[epoch] = Schedule(self.config, self.genesis.table_for(epoch), epoch, seed)
        return s

    def seed_inputs(self, epoch: int) -> list[tuple[int, bytes]]:
        """``(slot, beta)`` of the canonical blocks of ``epoch`` before its cutoff, in slot order."""
        first = self.config.first_slot(epoch)
        out = []
        for slot in range(first, first + self.config.cutoff):
            sb = self._slots.get(slot)
            if sb is not None and sb.best is not None:
                out.append((slot, sb.entries[sb.best].beta))
        return out

    def fix_seed(self, epoch: int) -> bytes:
        """Fix the seed of ``epoch + 1`` from the canonical blocks of ``epoch`` before its
        cutoff (idempotent: a fixed seed is returned unchanged).  Pending blocks of the new
        epoch are then added.

        Raises:
            KeyError: the seed of ``epoch`` is unknown.
        """
        known = self._seeds.get(epoch + 1)
        if known is not None:
            return known
        seed = self._seeds[epoch]
        nxt = next_seed(self.config, epoch, seed, self.seed_inputs(epoch))
        self._seeds[epoch + 1] = nxt
        waiting, self._pending = self._pending, []
        for b in waiting:
            self.add(b)
        return nxt

    # -- blocks ---------------------------------------------------------------------
    def _count(self, reason: str) -> AddResult:
        self.rejected[reason] = self.rejected.get(reason, 0) + 1
        return AddResult("rejected", reason)

    def add(self, block: SignedBlock) -> AddResult:
        """Check ``block`` and add it if valid; see :class:`AddResult`."""
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
        sched = self.schedule(epoch)
        if sched is None:
            if epoch > self.newest_seed_epoch() + self.max_epochs_ahead or epoch < self.genesis.start_epoch:
                return self._count("far_future")
            if len(self._pending) >= self.max_pending:
                return self._count("pending_full")
            if all(p.block_hash() != block_hash for p in self._pending):
                self._pending.append(block)
            return AddResult("pending")
        try:
            key, alpha, proof, block_hash = check_block_static(block, sched)
            beta = key.verify(alpha, proof, self.config.suite)
        except ElectionError as exc:
            return self._count(getattr(exc, "code", type(exc).__name__))
        except vrf.VRFError:
            return self._count("invalid_proof")
        if sb is None:
            sb = self._slots[slot] = _SlotBlocks()
        evidence: list[Evidence] = []
        for other in sb.entries.values():
            if other.block.rank == block.rank and other.block.header is not None and block.header is not None:
                evidence.append(HeaderEquivocation.of(other.block.header, block.header))
        for ev in evidence:
            if len(self.evidence) >= 1024:
                del self.evidence[0]
            self.evidence.append(ev)
        if len(sb.entries) >= self.max_blocks_per_slot:
            r = self._count("slot_full")
            return AddResult(r.status, r.reason, tuple(evidence))
        before = sb.best
        sb.entries[block_hash] = ViewEntry(block, beta, block_hash)
        sb.choose()
        late = False
        if sb.best != before and before is not None:
            first = self.config.first_slot(epoch)
            if slot < first + self.config.cutoff and (epoch + 1) in self._seeds:
                late = True
                self.late_seed_inputs += 1
        if self._tip_slot is None or slot > self._tip_slot:
            self._tip_slot = slot
            self._maybe_prune()
        status = "canonical" if sb.best == block_hash else "kept"
        return AddResult(status, None, tuple(evidence), late)

    def _maybe_prune(self) -> None:
        assert self._tip_slot is not None
        target = self._tip_slot - self.depth
        if target > self._floor + self.depth // 4:  # prune in batches
            self.prune(target)

    def prune(self, before_slot: int) -> None:
        """Forget slots below ``before_slot``, except those of epochs whose next seed is not
        fixed yet.  Blocks for forgotten slots are rejected as ``stale`` afterwards."""
        length = self.config.epoch_length
        for s in [s for s in self._slots if s < before_slot]:
            if (s // length + 1) in self._seeds:
                del self._slots[s]
        # The floor only rises past epochs whose next seed is fixed.
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
        """Blocks waiting for their epoch's seed."""
        return len(self._pending)


def view_from_blocks(genesis: GenesisFile, blocks: Iterable[SignedBlock], **kwargs: object) -> ChainView:
    """A view fed ``blocks`` (any order, duplicates allowed) from a file or several nodes'
    logs: blocks are added in slot order and the seed of epoch ``e + 1`` is fixed once every
    block before ``e``'s cutoff has been added, i.e. with every pre-cutoff block known.

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
    for b in ordered:
        while b.slot >= config.first_slot(epoch) + config.cutoff and view.seed(epoch) is not None:
            view.fix_seed(epoch)
            epoch += 1
        view.add(b)
    while view.seed(epoch) is not None and epoch <= (ordered[-1].slot // config.epoch_length if ordered else epoch):
        view.fix_seed(epoch)
        epoch += 1
    return view
