"""The chain view: validation, fork choice per slot, equivocation evidence, seeds, pruning."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import vrf
from election.chain.formats import GenesisFile
from election.chain.view import ChainView
from election.dev.blocks import dev_block
from election.dev.keys import dev_table
from election.rules.blocks import SignedBlock
from election.rules.config import ElectionConfig
from election.rules.headers import GENESIS_PARENT
from election.rules.schedule import Schedule
from election.rules.seeds import next_seed

CONFIG = ElectionConfig(chain_id=b"view-test", epoch_length=8, slot_duration_ms=400,
                        failover_timeout_ms=100, backups=2, seed_cutoff=4)
TABLE, SECRETS = dev_table([1, 1, 1, 1], b"view")
GENESIS = GenesisFile.single(CONFIG, bytes(range(32)), TABLE)


def block(sched: Schedule, slot: int, rank: int = 0, parent: bytes = GENESIS_PARENT,
          salt: bytes = b"") -> SignedBlock:
    return dev_block(sched, SECRETS, slot, rank, parent, salt)


def test_fork_choice_highest_rank_then_smaller_hash_and_evidence() -> None:
    view = ChainView(GENESIS)
    s0 = view.schedule(0)
    assert s0 is not None
    b0 = block(s0, 1)
    assert view.add(b0).status == "canonical"
    assert view.add(b0).status == "duplicate"
    b1 = block(s0, 1, rank=1)
    r = view.add(b1)
    assert r.status == "canonical" and view.canonical(1) == b1
    # The verified VRF output comes back (the node vouches the block to its controller with it).
    assert r.beta == vrf.proof_to_hash(b1.claim.proof) and view.entry(1).beta == r.beta  # type: ignore[union-attr]
    assert view.add(block(s0, 1)).status == "duplicate"
    # The primary equivocates: evidence, and the rank-1 block stays canonical.
    other = block(s0, 1, salt=b"x")
    r = view.add(other)
    assert r.status == "kept" and len(r.evidence) == 1 and r.evidence[0].validator_id == b0.validator_id
    assert view.canonical(1) == b1
    assert view.tip_hash() == b1.block_hash()


def test_equivocation_at_equal_rank_picks_smaller_hash() -> None:
    view = ChainView(GENESIS)
    s0 = view.schedule(0)
    assert s0 is not None
    a, b = block(s0, 2, salt=b"a"), block(s0, 2, salt=b"b")
    view.add(b)
    view.add(a)
    assert view.canonical(2) == min((a, b), key=lambda x: x.block_hash())


def test_invalid_blocks_are_rejected_with_reasons() -> None:
    view = ChainView(GENESIS)
    s0 = view.schedule(0)
    assert s0 is not None
    good = block(s0, 3)
    no_header = SignedBlock(good.claim, None)
    assert view.add(no_header).reason == "header_missing"
    wrong_seed = Schedule(CONFIG, TABLE, 0, bytes(32))
    assert view.add(block(wrong_seed, 3)).status == "rejected"
    assert view.canonical(3) is None
    assert sum(view.rejected.values()) == 2


def test_seed_from_canonical_blocks_before_cutoff_and_pending_blocks() -> None:
    view = ChainView(GENESIS)
    s0 = view.schedule(0)
    assert s0 is not None
    blocks = [block(s0, s) for s in (0, 2, 3, 5)]
    for b in blocks:
        view.add(b)
    betas = [(e.block.slot, e.beta) for e in (view.entry(s) for s in (0, 2, 3)) if e is not None]
    expected = next_seed(CONFIG, 0, GENESIS.initial_seed, betas)
    # A block of epoch 1 waits for its seed.
    s1 = Schedule(CONFIG, TABLE, 1, expected)
    early = block(s1, 9)
    assert view.add(early).status == "pending" and view.pending == 1
    assert view.fix_seed(0) == expected
    assert view.pending == 0 and view.canonical(9) == early
    # A late rank-1 block before the cutoff changes nothing about the fixed seed but is counted.
    assert view.add(block(s0, 2, rank=1)).late_seed_input
    assert view.late_seed_inputs == 1 and view.fix_seed(0) == expected


def test_late_block_in_an_empty_pre_cutoff_slot_is_a_late_input() -> None:
    """A block for a pre-cutoff slot that had none changes the seed's input set as much as
    one that displaces another: counted once the seed is fixed, not before."""
    view = ChainView(GENESIS)
    s0 = view.schedule(0)
    assert s0 is not None
    assert not view.add(block(s0, 0)).late_seed_input
    view.fix_seed(0)
    r = view.add(block(s0, 1))
    assert r.status == "canonical" and r.late_seed_input and view.late_seed_inputs == 1
    assert not view.add(block(s0, 5)).late_seed_input  # after the cutoff: no seed input
    assert view.late_seed_inputs == 1


def test_far_future_blocks_are_rejected_and_pruning_keeps_unfixed_epochs() -> None:
    view = ChainView(GENESIS, depth=4, max_epochs_ahead=1)
    far = Schedule(CONFIG, TABLE, 5, bytes(32))
    assert view.add(block(far, 41)).reason == "far_future"
    s0 = view.schedule(0)
    assert s0 is not None
    for s in range(8):
        view.add(block(s0, s))
    view.prune(7)
    assert view.canonical(0) is not None  # epoch 0's seed inputs are still needed
    view.fix_seed(0)
    view.prune(7)
    assert view.canonical(0) is None and view.canonical(7) is not None
    assert view.add(block(s0, 1)).reason == "stale"


def test_memory_bound_per_slot() -> None:
    view = ChainView(GENESIS, max_blocks_per_slot=2)
    s0 = view.schedule(0)
    assert s0 is not None
    statuses = [view.add(block(s0, 4, salt=bytes([i]))).status for i in range(4)]
    assert statuses.count("rejected") == 2 and len(view.blocks(4)) == 2


@pytest.mark.parametrize("bad", [None, "block", 3])
def test_non_blocks_rejected(bad: object) -> None:
    assert ChainView(GENESIS).add(bad).status == "rejected"  # type: ignore[arg-type]


_POOL: list[SignedBlock] = []


def _pool() -> list[SignedBlock]:
    if not _POOL:
        s0 = Schedule(CONFIG, TABLE, 0, GENESIS.initial_seed)
        for slot in range(6):
            _POOL.append(block(s0, slot))
            if slot % 2:
                _POOL.append(block(s0, slot, rank=1))
            if slot % 3 == 0:
                _POOL.append(block(s0, slot, salt=b"equivocation"))
    return _POOL


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(11)), st.integers(0, 10))
def test_order_independence(order: list[int], dup: int) -> None:
    """The canonical block of every slot and the next seed are a function of the set of
    blocks: any arrival order (with a duplicate) gives the same view."""
    pool = _pool()
    assert len(pool) == 11
    ref = ChainView(GENESIS)
    for b in pool:
        ref.add(b)
    view = ChainView(GENESIS)
    for i in order + [dup]:
        view.add(pool[i])
    for slot in range(6):
        assert view.entry(slot) == ref.entry(slot)
    assert view.fix_seed(0) == ref.fix_seed(0)
    assert len(view.evidence) == len(ref.evidence) == 2


class ViewsMachine(RuleBasedStateMachine):
    """Several chain views receive blocks of a shared pool in random orders, some never; after
    every step each view's canonical block of a slot is the fork choice over exactly the
    blocks it holds, and two views holding the same blocks of a slot agree."""

    def __init__(self) -> None:
        super().__init__()
        self.views = [ChainView(GENESIS) for _ in range(3)]
        self.held: list[set[int]] = [set(), set(), set()]

    @rule(node=st.integers(0, 2), index=st.integers(0, 10))
    def deliver(self, node: int, index: int) -> None:
        result = self.views[node].add(_pool()[index])
        assert result.status in ("canonical", "kept", "duplicate")
        assert (result.status == "duplicate") == (index in self.held[node])
        self.held[node].add(index)

    @invariant()
    def fork_choice_holds(self) -> None:
        pool = _pool()
        for slot in range(6):
            picks = {}
            for view, held in zip(self.views, self.held, strict=True):
                mine = sorted(i for i in held if pool[i].slot == slot)
                entry = view.entry(slot)
                if not mine:
                    assert entry is None
                    continue
                assert entry is not None
                best = max((pool[i] for i in mine), key=lambda b: (b.rank, [-x for x in b.block_hash()]))
                assert entry.block == best
                picks.setdefault(tuple(mine), set()).add(entry.block_hash)
            assert all(len(h) == 1 for h in picks.values())


ViewsMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=25, deadline=None)
test_views_machine = ViewsMachine.TestCase
