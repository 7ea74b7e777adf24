"""The chain view in windowed and secret mode: window reveals, pending blocks, the race,
eligibility, evidence, late inputs, admit, and agreement with the simulator and the audit.

The reference for "canonical" is never the view itself: the simulator's fork choice over
everything it published (``SimRun.canonical``), the in-memory cluster's
(``FailoverCluster.best_block``), the audit's verdict on the chain, and window seeds
recomputed here with :func:`~election.rules.windowed.window_seed`.
"""

from __future__ import annotations

import random
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vrf
from election import audit
from election.chain.formats import GenesisFile, HistoryRecord
from election.chain.view import ChainView, view_from_blocks
from election.dev.blocks import dev_block
from election.dev.keys import dev_table
from election.dev.testing import FailoverCluster, fixed_epoch_seed
from election.rules.blocks import SignedBlock
from election.rules.claims import LeaderClaim
from election.rules.config import ElectionConfig
from election.rules.errors import InvalidConfig, InvalidSlot
from election.rules.evidence import HeaderEquivocation
from election.rules.forkchoice import choose_race
from election.rules.headers import GENESIS_PARENT, make_header
from election.rules.modes import SecretEpoch
from election.rules.secret import compare_entries
from election.rules.windowed import WindowedSchedule, window_seed, window_source
from election.sim import SimParams, SimRun, parse_faults, simulate

WINDOWED = ElectionConfig(b"view-windowed", epoch_length=16, slot_duration_ms=1000, failover_timeout_ms=200,
                          backups=2, seed_cutoff=8, mode="windowed", window=4)
SECRET = ElectionConfig(b"audit-secret", epoch_length=16, slot_duration_ms=1000, failover_timeout_ms=200,
                        mode="secret", proposers=3)
TABLE, SECRETS = dev_table([10, 10, 10, 10, 10], b"view-modes")
GEN_W = GenesisFile.single(WINDOWED, bytes(range(32)), TABLE)


def _blocks_of(run: SimRun) -> list[SignedBlock]:
    return [SignedBlock(b.claim, b.header) for b in [*run.canonical.values(), *run.others]]


@cache
def _sim(mode: str) -> SimRun:
    extra: dict[str, object] = {"window": 5} if mode == "windowed" else {"proposers": 3}
    params = SimParams(validators=6, epochs=3, epoch_length=20, stake="equal", mode=mode,
                       faults=parse_faults("crash:rate=0.3"), **extra)  # type: ignore[arg-type]
    return simulate(params)


# -- agreement with the simulator and the audit -------------------------------------------

@pytest.mark.parametrize("mode", ["windowed", "secret"])
@pytest.mark.parametrize("shuffle", [0, 1, 2])
def test_view_from_blocks_agrees_with_the_simulator(mode: str, shuffle: int) -> None:
    run = _sim(mode)
    blocks = _blocks_of(run)
    if mode == "secret":
        assert run.others, "the run should have losing race blocks"
    random.Random(shuffle).shuffle(blocks)
    view = view_from_blocks(run.genesis, blocks + blocks[:5])  # duplicates too
    assert view.rejected == {} and view.pending == 0
    last = run.params.epochs * run.params.epoch_length
    got = {s: view.canonical(s) for s in range(last)}
    assert {s for s, b in got.items() if b is not None} == set(run.canonical)
    for s, p in run.canonical.items():
        b = got[s]
        assert b is not None and b.block_hash() == p.block_hash
    assert [view.seed(e) for e in range(len(run.seeds))] == run.seeds
    assert view.evidence == []  # distinct validators in a secret slot race; they do not equivocate
    assert audit(run.genesis, [HistoryRecord.signed(b.claim, b.header) for b in  # type: ignore[arg-type]
                               (got[s] for s in sorted(run.canonical))]).ok


def test_admit_matches_add() -> None:
    """The simulator's path: blocks it verified once, with their betas, same result."""
    run = _sim("secret")
    pub = [*run.canonical.values(), *run.others]
    random.Random(5).shuffle(pub)
    view = ChainView(run.genesis, depth=1 << 20)
    statuses = [view.admit(SignedBlock(p.claim, p.header), p.beta).status for p in pub]
    assert "pending" in statuses  # later epochs wait for their seeds
    for e in range(run.params.epochs - 1):
        view.fix_seed(e)
    assert view.pending == 0 and view.rejected == {}
    for s, p in run.canonical.items():
        e = view.entry(s)
        assert e is not None and e.block_hash == p.block_hash and e.beta == p.beta
    assert [view.seed(e) for e in range(run.params.epochs)] == run.seeds[:run.params.epochs]


def test_admit_rejects_only_shapes() -> None:
    run = _sim("secret")
    p = next(iter(run.canonical.values()))
    view = ChainView(run.genesis)
    assert view.admit(SignedBlock(p.claim, p.header), p.beta[:32]).reason == "MalformedData"
    assert view.admit(SignedBlock(p.claim, None), p.beta).reason == "header_missing"
    assert view.admit("block", p.beta).reason == "MalformedData"  # type: ignore[arg-type]
    assert view.rejected == {"MalformedData": 2, "header_missing": 1}


# -- windowed -----------------------------------------------------------------------------

def _windowed_chain(epochs: int = 2) -> tuple[list[SignedBlock], dict[int, tuple[bytes, ...]]]:
    """A windowed chain with a takeover every fifth slot (a rank-0 and a rank-1 block in
    those slots), built by revealing each window as a node would; returns its blocks and
    the window seeds recomputed independently of the view."""
    builder = ChainView(GEN_W, depth=1 << 20)
    n = WINDOWED.windows_per_epoch
    blocks: list[SignedBlock] = []
    for e in range(epochs):
        for j in range(n):
            builder.fix_window(e, j)
            sched = builder.rules(e)
            assert isinstance(sched, WindowedSchedule)
            for slot in sched.window_slots(j):
                for rank in ((0, 1) if slot % 5 == 3 else (0,)):
                    b = dev_block(sched, SECRETS, slot, rank, builder.tip_hash())  # type: ignore[arg-type]
                    assert builder.add(b).status == "canonical"
                    blocks.append(b)
            if (j + 1) * WINDOWED.window >= WINDOWED.cutoff:
                builder.fix_seed(e)
    # Window seeds from the definition (docs/spec.md 13.3), canonical = highest rank.
    best: dict[int, SignedBlock] = {}
    for b in blocks:
        if b.slot not in best or b.rank > best[b.slot].rank:
            best[b.slot] = b
    seeds: dict[int, tuple[bytes, ...]] = {}
    for e in range(epochs):
        seed = builder.seed(e)
        assert seed is not None
        prev: bytes | None = None
        out = []
        for j in range(n):
            betas = [(x, vrf.proof_to_hash(best[x].claim.proof, WINDOWED.suite))
                     for x in window_source(WINDOWED, e, j) if x in best]
            prev = window_seed(WINDOWED, e, seed, j, prev, betas)
            out.append(prev)
        seeds[e] = tuple(out)
    return blocks, seeds


_WCHAIN: list[tuple[list[SignedBlock], dict[int, tuple[bytes, ...]]]] = []


def windowed_chain() -> tuple[list[SignedBlock], dict[int, tuple[bytes, ...]]]:
    if not _WCHAIN:
        _WCHAIN.append(_windowed_chain())
    return _WCHAIN[0]


def test_windowed_chain_is_valid_for_the_audit_and_seeds_match_the_definition() -> None:
    blocks, seeds = windowed_chain()
    canonical = sorted((b for b in blocks if b.rank == 1 or b.slot % 5 != 3), key=lambda b: b.slot)
    rep = audit(GEN_W, [HistoryRecord.signed(b.claim, b.header) for b in canonical])  # type: ignore[arg-type]
    assert rep.ok and rep.valid == 32, rep.invalid_by_code
    view = view_from_blocks(GEN_W, random.Random(3).sample(blocks, len(blocks)))
    for e in (0, 1):
        sched = view.rules(e)
        assert isinstance(sched, WindowedSchedule) and sched.window_seeds == seeds[e]
    assert [view.canonical(s) for s in range(32)] == canonical
    assert view.rejected == {} and view.late_seed_inputs == 0


def test_windowed_blocks_pend_until_their_window_is_revealed() -> None:
    blocks, seeds = windowed_chain()
    view = ChainView(GEN_W, depth=1 << 20)
    order = random.Random(7).sample(blocks, len(blocks))
    assert all(view.add(b).status == "pending" for b in order)  # no window revealed yet
    assert view.revealed(0) == 0 and view.revealed(1) == 0
    assert view.fix_window(0, 1) == seeds[0][1]  # reveals windows 0 and 1 (empty sources)
    assert view.revealed(0) == 2
    in_01 = [b for b in blocks if b.slot < 8]
    assert view.pending == len(blocks) - len(in_01)
    assert all(view.canonical(s) is not None for s in range(8)) and view.canonical(8) is None
    assert view.fix_window(0, 1) == seeds[0][1] and view.revealed(0) == 2  # idempotent
    view.fix_seed(0)  # its pre-cutoff slots (windows 0 and 1) are in
    assert view.revealed(1) == 0  # epoch 1's rules exist; its windows still wait
    assert view.fix_window(0, 3) == seeds[0][3]
    assert view.pending == sum(1 for b in blocks if b.slot >= 16)
    assert view.fix_window(1, 3) == seeds[1][3] and view.revealed(1) == 4
    assert view.pending == 0 and view.rejected == {} and view.late_seed_inputs == 0
    assert view.rules(1).window_seeds == seeds[1]  # type: ignore[union-attr]


def test_windowed_late_source_change_is_counted_and_seed_not_changed() -> None:
    blocks, _ = windowed_chain()
    view = ChainView(GEN_W, depth=1 << 20)
    takeover = next(b for b in blocks if b.slot == 3 and b.rank == 1)
    for b in blocks:
        if b is not takeover and b.slot < 12:
            view.add(b)
    view.fix_window(0, 2)  # window 2's source is window 0, where slot 3 lost its takeover
    seed2 = view.fix_window(0, 2)
    primary = view.canonical(3)
    assert primary is not None and primary.rank == 0
    r = view.add(takeover)
    assert r.status == "canonical" and r.late_seed_input and view.late_seed_inputs == 1
    assert view.fix_window(0, 2) == seed2  # a revealed window never changes
    # Slot 8's takeover is in window 2, the source of window 0 of epoch 1 (unrevealed) and
    # before the cutoff of epoch 0 (seed not fixed): not late.
    t8 = next(b for b in blocks if b.slot == 8 and b.rank == 1)
    view2 = ChainView(GEN_W, depth=1 << 20)
    for b in blocks:
        if b is not t8 and b.slot < 12:
            view2.add(b)
    view2.fix_window(0, 2)
    r2 = view2.add(t8)
    assert r2.status == "canonical" and not r2.late_seed_input and view2.late_seed_inputs == 0


def test_windowed_fork_choice_any_order_and_pruning_keeps_sources() -> None:
    blocks, _ = windowed_chain()
    epoch0 = [b for b in blocks if b.slot < 16]
    expected = [max((b for b in epoch0 if b.slot == s), key=lambda b: b.rank) for s in range(16)]
    for seed in range(3):
        view = ChainView(GEN_W, depth=1 << 20)
        for b in random.Random(seed).sample(epoch0, len(epoch0)):
            view.add(b)  # everything waits; each reveal retries in arrival order
        for j in range(4):
            view.fix_window(0, j)
        assert [view.canonical(s) for s in range(16)] == expected
        assert [view.canonical(s).rank for s in (3, 8, 13)] == [1, 1, 1]  # type: ignore[union-attr]
    view = ChainView(GEN_W, depth=1 << 20)
    for j in range(4):
        view.fix_window(0, j)
        for b in epoch0:
            if b.slot // 4 == j:
                view.add(b)
    view.fix_seed(0)
    view.prune(16)
    # Windows 2 and 3 of epoch 0 feed windows 0 and 1 of epoch 1, not revealed yet: kept.
    assert [s for s in view.slots()] == list(range(8, 16))
    view.fix_window(1, 1)
    view.prune(16)
    assert view.slots() == [] and view.floor == 16


def test_windowed_rejections() -> None:
    blocks, _ = windowed_chain()
    view = ChainView(GEN_W, depth=1 << 20, max_pending=1)
    assert view.add(blocks[-1]).status == "pending"
    assert view.add(blocks[-2]).reason == "pending_full"
    view.fix_window(0, 0)
    sched = view.rules(0)
    assert isinstance(sched, WindowedSchedule)
    # A proof by a validator that is not the slot's rank-0 leader: wrong_leader.
    leader = sched.leader(1)
    other = next(v for v in TABLE.ids if v != leader)
    proof = SECRETS[other].vrf_secret.prove(sched.slot_input(1), WINDOWED.suite)
    claim = LeaderClaim(WINDOWED.chain_id, 0, 1, 0, other, proof, None, "windowed")
    forged = SignedBlock(claim, make_header(claim, GENESIS_PARENT, bytes(32), SECRETS[other].vote_seed))
    assert view.add(forged).reason == "wrong_leader"
    # The leader's claim signed by someone else's vote key: header_signature.
    good = dev_block(sched, SECRETS, 1)  # type: ignore[arg-type]
    resigned = SignedBlock(good.claim, make_header(good.claim, GENESIS_PARENT, bytes(32), SECRETS[other].vote_seed))
    assert view.add(resigned).reason == "header_signature"
    assert view.canonical(1) is None
    with pytest.raises(KeyError):
        view.fix_window(3, 0)  # no seed for epoch 3
    with pytest.raises(InvalidSlot):
        view.fix_window(0, 4)
    with pytest.raises(InvalidConfig):
        view.schedule(0)


# -- secret ---------------------------------------------------------------------------------

@cache
def _cluster() -> FailoverCluster:
    c = FailoverCluster([10, 10, 10, 10, 10], SECRET, key_seed=b"audit-s")
    c.run(16.0)
    return c


def _secret_genesis(c: FailoverCluster) -> GenesisFile:
    return GenesisFile(c.config, fixed_epoch_seed(0), ((0, c.table),))


def test_secret_race_any_order_matches_the_cluster() -> None:
    c = _cluster()
    gen = _secret_genesis(c)
    produced = [SignedBlock(p.claim, p.header) for s in range(16) for p in c.blocks.get(s, [])]
    contested = [s for s in range(16) if len(c.blocks.get(s, [])) >= 2]
    assert contested
    rules = ChainView(gen).rules(0)
    assert isinstance(rules, SecretEpoch)
    for seed in range(4):
        view = ChainView(gen)
        for b in random.Random(seed).sample(produced, len(produced)):
            assert view.add(b).valid
        for s in range(16):
            best = c.best_block(s)
            got = view.entry(s)
            assert (got is None) == (best is None)
            if best is not None and got is not None:
                assert got.block_hash == best.block_hash
        for s in contested:  # the winner's entry beats every other valid block's
            win = view.entry(s)
            assert win is not None and win.race is not None
            for b in view.blocks(s):
                beta = vrf.proof_to_hash(b.claim.proof, SECRET.suite)
                if b.block_hash() != win.block_hash:
                    assert compare_entries(win.race, rules.entry(b.validator_id, beta)) < 0
        assert view.evidence == []


def test_secret_not_eligible_invalid_proof_and_equivocation_evidence() -> None:
    c = _cluster()
    gen = _secret_genesis(c)
    view = ChainView(gen)
    rules = view.rules(0)
    assert isinstance(rules, SecretEpoch)
    forged = None
    for slot in range(16):
        for vid in c.ids:
            proof = c.secrets[vid].vrf_secret.prove(rules.slot_input(slot), SECRET.suite)
            if not rules.eligible(rules.entry(vid, vrf.proof_to_hash(proof, SECRET.suite))):
                claim = LeaderClaim(SECRET.chain_id, 0, slot, 0, vid, proof, None, "secret")
                forged = SignedBlock(claim, make_header(claim, bytes(32), bytes(32), c.secrets[vid].vote_seed))
                break
        if forged is not None:
            break
    assert forged is not None
    assert view.add(forged).reason == "not_eligible" and view.canonical(forged.slot) is None
    # A proof over another slot's input does not verify for this slot.
    p = c.best_block(next(s for s in range(16) if c.best_block(s) is not None))
    assert p is not None
    wrong = LeaderClaim(SECRET.chain_id, 0, (p.claim.slot + 1) % 16, 0, p.claim.validator_id, p.claim.proof,
                        None, "secret")
    vs = c.secrets[p.claim.validator_id].vote_seed
    assert view.add(SignedBlock(wrong, make_header(wrong, bytes(32), bytes(32), vs))).reason == "invalid_proof"
    # The same eligible claim under two headers: equivocation, in secret mode too.
    assert p.header is not None
    first = SignedBlock(p.claim, p.header)
    second = SignedBlock(p.claim, make_header(p.claim, p.header.header.parent_hash, bytes(32), vs))
    assert view.add(first).status == "canonical"
    r = view.add(second)
    assert r.valid and len(r.evidence) == 1 and view.evidence == list(r.evidence)
    ev = r.evidence[0]
    assert isinstance(ev, HeaderEquivocation) and ev.validator_id == p.claim.validator_id
    ev.verify(c.table, SECRET)
    assert view.canonical(p.claim.slot) == min((first, second), key=lambda b: b.block_hash())
    assert view.rejected == {"not_eligible": 1, "invalid_proof": 1}
    with pytest.raises(InvalidConfig):
        view.fix_window(0, 0)
    with pytest.raises(InvalidConfig):
        view.revealed(0)
    with pytest.raises(InvalidConfig):
        view.schedule(0)


# -- the inactivity rule (rotation) -----------------------------------------------------------

def test_inactivity_tables_follow_the_simulator() -> None:
    """With the rule on, the view records each epoch's canonical outcomes when it fixes the
    seed two epochs on, so its effective tables (and so its checks) are the simulator's."""
    params = SimParams(validators=12, epochs=6, epoch_length=30, stake="equal", seed=3, recovery=True,
                       faults=parse_faults("outage:stake=0.4,at=120,for=100000"))
    run = simulate(params)
    assert run.reduced.get(4)  # the rule reduced the crashed validators
    blocks = _blocks_of(run)
    view = view_from_blocks(run.genesis, random.Random(0).sample(blocks, len(blocks)))
    assert view.rejected == {} and view.pending == 0
    assert {s: b.block_hash() for s in range(180) if (b := view.canonical(s)) is not None} == \
        {s: p.block_hash for s, p in run.canonical.items()}
    state = view.ledger.inactivity
    assert state is not None
    assert {e: sorted(state.reduced(e)) for e in range(6) if state.reduced(e)} == run.reduced
    assert view.rules(4).table != run.table  # type: ignore[union-attr]
    # The tables bind: without the rule the same blocks do not all check.
    off = ElectionConfig(**{**run.config.__dict__, "inactivity_threshold": None, "inactivity_divisor": None,
                            "inactivity_finality": None})
    base = view_from_blocks(GenesisFile.single(off, run.genesis.initial_seed, run.table), blocks)
    assert sum(base.rejected.values()) > 0


@pytest.mark.parametrize("cap", [1, 2])
def test_secret_full_slot_keeps_the_best_blocks_in_any_order(cap: int) -> None:
    """Honest eligible validators alone can fill a slot in secret mode: a full slot keeps
    its best blocks, so the canonical one does not depend on the arrival order."""
    c = _cluster()
    gen = _secret_genesis(c)
    slot = max(range(16), key=lambda s: len(c.blocks.get(s, [])))
    produced = [SignedBlock(p.claim, p.header) for p in c.blocks[slot]]
    assert len(produced) > cap
    best = c.best_block(slot)
    assert best is not None
    for seed in range(6):
        view = ChainView(gen, max_blocks_per_slot=cap)
        for b in random.Random(seed).sample(produced, len(produced)):
            view.add(b)
        got = view.entry(slot)
        assert got is not None and got.block_hash == best.block_hash
        assert len(view.blocks(slot)) == cap and view.rejected == {"slot_full": len(produced) - cap}


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_secret_canonical_is_the_race_over_the_blocks_held(data: st.DataObject) -> None:
    """Any subset of the slot races, in any order, with duplicates: each slot's canonical
    block is choose_race over exactly the blocks delivered (computed here from the betas)."""
    c = _cluster()
    gen = _secret_genesis(c)
    pool = [SignedBlock(p.claim, p.header) for s in range(16) for p in c.blocks.get(s, [])]
    picks = data.draw(st.lists(st.integers(0, len(pool) - 1), max_size=2 * len(pool)))
    view = ChainView(gen)
    for i in picks:
        view.add(pool[i])
    rules = view.rules(0)
    assert isinstance(rules, SecretEpoch)
    for s in range(16):
        held = {pool[i].block_hash(): pool[i] for i in picks if pool[i].slot == s}
        got = view.canonical(s)
        if not held:
            assert got is None
            continue
        ref = choose_race([(rules.entry(b.validator_id, vrf.proof_to_hash(b.claim.proof, SECRET.suite)), h, b)
                           for h, b in held.items()])
        assert got == ref
