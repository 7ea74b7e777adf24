"""Failover: vote pool rules, the controller's timing rules, and whole clusters on a virtual clock.

Real keys, VRF proofs and Ed25519 signatures throughout; the clock and the network are
the deterministic ones of :mod:`election.dev.testing`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from nacl.signing import SigningKey

from election import ElectionConfig, InvalidClaim, InvalidConfig, Schedule, TimeoutVote, make_claim, verify_claim
from election.dev.keys import dev_table
from election.dev.testing import FailoverCluster, VirtualNetwork, fixed_epoch_seed
from election.node.failover import (
    Abandon,
    Alert,
    BadVoteSignature,
    BlockSeen,
    BroadcastVote,
    ConflictingVote,
    DuplicateVote,
    FailoverController,
    Heartbeat,
    Produce,
    SeedMismatch,
    UnknownVoter,
    VotePool,
    VoteReceived,
    WrongVoteContext,
)
from election.rules.claims import LeaderClaim
from election.rules.evidence import VoteEquivocation, verify_evidence
from election.rules.headers import GENESIS_PARENT, make_header
from election.rules.votes import vote_message

CONFIG = ElectionConfig(b"failover-test", epoch_length=20, slot_duration_ms=2000, failover_timeout_ms=500, backups=3)
SLOT_S = 2.0
T = 0.5
EQUAL = [10] * 7  # quorum needs > 46.67 of 70: five validators


def slot_start(slot: int) -> float:
    return slot * SLOT_S


def votes_in(cluster: FailoverCluster) -> list[tuple[str, int, int]]:
    return [(a.vote.voter_id, a.vote.slot, a.vote.rank) for _, _, a in cluster.log if isinstance(a, BroadcastVote)]


# -- the vote pool -----------------------------------------------------------------------
TABLE, KEYS = dev_table([10, 20, 30, 40], b"pool")
SCHED = Schedule(CONFIG, TABLE, 0, fixed_epoch_seed(0))


def sign(vid: str, slot: int = 5, rank: int = 1, epoch: int = 0, parent: bytes | None = None) -> TimeoutVote:
    return TimeoutVote.sign(CONFIG, TABLE, epoch, slot, rank, vid, KEYS[vid].vote_seed, parent,
                            seed=fixed_epoch_seed(epoch))


def block(claim: LeaderClaim, salt: bytes = b"") -> BlockSeen:
    """The event for a block carrying ``claim`` with a header signed by its producer."""
    payload = (salt + bytes(32))[:32]
    return BlockSeen.from_claim(claim, make_header(claim, GENESIS_PARENT, payload, KEYS[claim.validator_id].vote_seed))


def test_pool_forms_certificate_strictly_above_two_thirds() -> None:
    pool = VotePool(SCHED)
    assert pool.add(sign("v0003")) is None  # 40 of 100
    assert pool.add(sign("v0000")) is None  # 50
    cert = pool.add(sign("v0001"))  # 70: 3 * 70 > 2 * 100
    assert cert is not None and set(cert.voters) == {"v0000", "v0001", "v0003"}
    cert.verify(TABLE, CONFIG)
    assert pool.add(sign("v0002")) is cert  # later votes return the existing certificate
    assert pool.signed_stake(5, 1) == 100


def test_pool_exact_two_thirds_is_not_enough() -> None:
    table, keys = dev_table([1, 1, 1], b"thirds")
    sched = Schedule(CONFIG, table, 0, fixed_epoch_seed(0))
    pool = VotePool(sched)
    for vid in ("v0000", "v0001"):
        assert pool.add(TimeoutVote.sign(CONFIG, table, 0, 3, 1, vid, keys[vid].vote_seed, seed=sched.seed)) is None
    assert pool.add(TimeoutVote.sign(CONFIG, table, 0, 3, 1, "v0002", keys["v0002"].vote_seed,
                                     seed=sched.seed)) is not None


def test_pool_rejects_bad_votes() -> None:
    pool = VotePool(SCHED)
    good = sign("v0000")
    pool.add(good)
    with pytest.raises(DuplicateVote):
        pool.add(good)
    with pytest.raises(BadVoteSignature):
        bad = bytearray(sign("v0001").signature)
        bad[0] ^= 1
        pool.add(dataclasses.replace(sign("v0001"), signature=bytes(bad)))
    with pytest.raises(BadVoteSignature):  # signed by another validator's key
        forged = dataclasses.replace(sign("v0002"), voter_id="v0003")
        pool.add(forged)
    mallory = SigningKey(b"m" * 32)
    msg = vote_message(CONFIG.chain_id, 0, TABLE.digest(), 5, 1, None, "mallory")
    with pytest.raises(UnknownVoter):
        pool.add(TimeoutVote(CONFIG.chain_id, 0, TABLE.digest(), 5, 1, None, "mallory", mallory.sign(msg).signature))
    with pytest.raises(WrongVoteContext, match="slot not in epoch"):
        pool.add(sign("v0001", slot=25, epoch=0))
    with pytest.raises(WrongVoteContext, match="epoch"):
        pool.add(sign("v0001", slot=25, epoch=1))
    with pytest.raises(WrongVoteContext, match="rank"):
        pool.add(sign("v0001", rank=4))  # depth is 3
    other_table, other_keys = dev_table([10, 20, 30, 40], b"other")
    with pytest.raises(WrongVoteContext, match="stake table"):
        pool.add(TimeoutVote.sign(CONFIG, other_table, 0, 5, 1, "v0001", other_keys["v0001"].vote_seed))
    other_chain = ElectionConfig(b"elsewhere", epoch_length=20, backups=3)
    with pytest.raises(WrongVoteContext, match="chain"):
        pool.add(TimeoutVote.sign(other_chain, TABLE, 0, 5, 1, "v0001", KEYS["v0001"].vote_seed))
    with pytest.raises(SeedMismatch, match="seed_mismatch"):  # a node that derived another seed
        pool.add(TimeoutVote.sign(CONFIG, TABLE, 0, 5, 1, "v0001", KEYS["v0001"].vote_seed, seed=bytes(32)))
    with pytest.raises(SeedMismatch, match="version 2"):  # a version-1 vote binds no seed
        pool.add(TimeoutVote.sign(CONFIG, TABLE, 0, 5, 1, "v0001", KEYS["v0001"].vote_seed))
    assert pool.voters(5, 1) == ("v0000",) and pool.signed_stake(5, 1) == 10
    with pytest.raises(ConflictingVote) as info:  # same voter, slot and rank, another parent: equivocation
        pool.add(sign("v0000", parent=b"\x01" * 32))
    verify_evidence(info.value.evidence, TABLE, CONFIG)
    assert isinstance(info.value.evidence, VoteEquivocation) and pool.signed_stake(5, 1) == 10
    pool.prune(6)
    assert pool.voters(5, 1) == ()


def test_byzantine_cannot_certify_alone() -> None:
    """The heaviest validator (40 %) voting alone, even twice, makes no certificate or claim."""
    pool = VotePool(SCHED)
    assert pool.add(sign("v0003")) is None
    with pytest.raises(DuplicateVote):
        pool.add(sign("v0003"))
    assert pool.certificate(5, 1) is None
    from election import TimeoutCertificate
    partial = TimeoutCertificate([sign("v0003")])
    holder = SCHED.at_rank(5, 1)
    with pytest.raises(InvalidClaim, match="certificate"):
        make_claim(SCHED, KEYS[holder].vrf_secret, holder, 5, 1, partial)


# -- one controller driven by hand -------------------------------------------------------
def controller_for(vid: str, **kw: Any) -> FailoverController:
    return FailoverController(CONFIG, SCHED, vid, KEYS[vid].vrf_secret, KEYS[vid].vote_seed, **kw)


def test_primary_produces_at_slot_start_with_valid_claim() -> None:
    slot = 4
    leader = SCHED.leader(slot)
    ctl = controller_for(leader, start_time=0.0)
    acts = ctl.tick(slot_start(slot))
    produce = [a for a in acts if isinstance(a, Produce) and a.slot == slot]
    assert len(produce) == 1 and produce[0].rank == 0 and produce[0].certificate is None
    verify_claim(produce[0].claim, SCHED)
    assert not [a for a in ctl.tick(slot_start(slot) + 0.1) if isinstance(a, Produce)]  # once


def test_vote_timing_rules_and_no_double_vote() -> None:
    slot = 6
    ranking = SCHED.ranking(slot)
    voter = ranking[3]
    s = slot_start(slot)
    ctl = controller_for(voter, start_time=s - 1.0)
    side: list[object] = []
    for t in (s - 1.0 + 0.1 * i for i in range(10)):  # leader and rank 1 heartbeat until s - 0.1
        side += ctl.on_event(Heartbeat(ranking[0]), t)
        side += ctl.on_event(Heartbeat(ranking[1]), t)
    for t in (s + 0.1 * i for i in range(int(T / 0.1))):  # then only rank 1
        side += ctl.on_event(Heartbeat(ranking[1]), t)
    assert ctl.tick(s + T - 0.01) == []  # before r * T: never
    acts = ctl.tick(s + T)  # leader silent for 0.6 s at phi's scale: suspected
    assert [(a.vote.slot, a.vote.rank) for a in acts if isinstance(a, BroadcastVote)] == [(slot, 1)]
    for t in (s + T + 0.1 * i for i in range(int(T / 0.1) + 1)):  # rank 1 stays alive to s + 2T
        side += ctl.on_event(Heartbeat(ranking[1]), t)
    # rank 1 heartbeats but has no block when its window closes: not suspected, so rank 2
    # waits for the grace past that deadline
    assert [a for a in ctl.tick(s + 2 * T) if isinstance(a, BroadcastVote)] == []
    assert [a for a in side if isinstance(a, BroadcastVote)] == []
    acts = ctl.tick(s + 2 * T + ctl.patience)
    assert [(a.vote.slot, a.vote.rank) for a in acts if isinstance(a, BroadcastVote)] == [(slot, 2)]
    # rank 2 was never heard from since start: suspected, so this node (rank 3) votes for its
    # own takeover as soon as rank 2's window closes
    acts = ctl.tick(s + 3 * T)
    assert [(a.vote.slot, a.vote.rank) for a in acts if isinstance(a, BroadcastVote)] == [(slot, 3)]
    for t in (s + 3 * T, s + 1.9, s + 2.5, s + 5.0):
        for a in ctl.tick(t):
            assert not (isinstance(a, BroadcastVote) and a.vote.slot == slot and a.vote.rank in (1, 2))


def test_block_of_better_rank_stops_voting() -> None:
    slot = 7
    ranking = SCHED.ranking(slot)
    s = slot_start(slot)
    ctl = controller_for(ranking[2], start_time=s - 1.0)
    leader_claim = make_claim(SCHED, KEYS[ranking[0]].vrf_secret, ranking[0], slot)
    ctl.on_event(block(leader_claim), s + 0.52)  # a block (in flight past its window)
    assert [a for a in ctl.tick(s + 1.99) if isinstance(a, BroadcastVote)] == []
    assert ctl.canonical(slot) is not None and ctl.canonical(slot)[0] == 0  # type: ignore[index]


def test_takeover_supersedes_a_late_primary_block() -> None:
    """A certified rank-1 block wins the fork choice over a rank-0 block that comes later."""
    slot = 8
    ranking = SCHED.ranking(slot)
    backup = ranking[1]
    s = slot_start(slot)
    ctl = controller_for(backup, start_time=s - 1.0)
    ctl.tick(s + T)  # own vote for rank 1 (leader never heard from: suspected)
    acts: list[object] = []
    for vid in TABLE.ids:
        if vid not in (backup, ranking[0]):
            acts += ctl.on_event(VoteReceived(sign(vid, slot=slot, rank=1)), s + 0.6)
    produce = [a for a in acts if isinstance(a, Produce)]
    assert len(produce) == 1 and produce[0].rank == 1 and produce[0].certificate is not None
    assert produce[0].deadline == s + 2 * T
    assert verify_claim(produce[0].claim, SCHED) == KEYS[backup].vrf_secret.public_key.verify(
        SCHED.slot_input(slot), produce[0].claim.proof, CONFIG.suite)
    header = ctl.sign_header(produce[0], bytes(32), s + 0.61)
    late = make_claim(SCHED, KEYS[ranking[0]].vrf_secret, ranking[0], slot)
    assert ctl.on_event(block(late), s + 0.7) == []  # no Abandon: rank 1 stays canonical
    assert ctl.canonical(slot) == (1, header.block_hash())


def test_primary_abandons_when_a_certified_backup_supersedes_it() -> None:
    slot = 8
    ranking = SCHED.ranking(slot)
    s = slot_start(slot)
    ctl = controller_for(ranking[0], start_time=s - 1.0)
    produce = [a for a in ctl.tick(s) if isinstance(a, Produce)]
    assert len(produce) == 1
    ctl.sign_header(produce[0], bytes(32), s + 0.01)
    votes = [sign(v, slot=slot, rank=1) for v in TABLE.ids if v != ranking[0]]
    from election import TimeoutCertificate
    cert = TimeoutCertificate(votes)
    backup_claim = make_claim(SCHED, KEYS[ranking[1]].vrf_secret, ranking[1], slot, 1, cert)
    assert ctl.on_event(block(backup_claim), s + 0.7) == [Abandon(slot, 0)]
    assert ctl.canonical(slot) is not None and ctl.canonical(slot)[0] == 1  # type: ignore[index]


def test_invalid_claims_and_stale_votes_are_ignored() -> None:
    slot = 9
    ranking = SCHED.ranking(slot)
    s = slot_start(slot)
    ctl = controller_for(ranking[1], start_time=s - 1.0)
    impostor = ranking[2]
    bogus = make_claim(SCHED, KEYS[ranking[0]].vrf_secret, ranking[0], slot)
    bogus = dataclasses.replace(bogus, validator_id=impostor)
    assert ctl.on_event(block(bogus), s + 0.1) == []  # header fine, claim not rightful
    mismatch = make_claim(SCHED, KEYS[ranking[0]].vrf_secret, ranking[0], slot)
    assert ctl.on_event(BlockSeen(slot, 0, impostor, mismatch), s + 0.1) == []
    assert ctl.rejected["InvalidClaim"] == 2
    good = make_claim(SCHED, KEYS[ranking[0]].vrf_secret, ranking[0], slot)
    assert ctl.on_event(BlockSeen.from_claim(good), s + 0.1) == []  # no header: not bound to its producer
    stolen = make_header(good, GENESIS_PARENT, bytes(32), KEYS[impostor].vote_seed)  # signed by another
    assert ctl.on_event(BlockSeen.from_claim(good, stolen), s + 0.1) == []
    assert ctl.rejected["InvalidHeader"] == 2 and ctl.canonical(slot) is None
    assert ctl.on_event(VoteReceived(sign(ranking[3], slot=slot + 5)), s + 0.2) == []  # far ahead
    assert ctl.on_event(VoteReceived(sign(ranking[3], slot=25, epoch=1)), s + 0.2) == []
    assert ctl.rejected["stale"] == 2
    votes = [a for a in ctl.tick(s + T + ctl.patience) if isinstance(a, BroadcastVote)]
    assert [(v.vote.slot, v.vote.rank) for v in votes][0] == (slot, 1)  # the bogus block did not count
    assert votes[0].vote.seed == SCHED.seed and votes[0].vote.parent_hash == GENESIS_PARENT


def test_drifting_producer_raises_one_alert() -> None:
    ctl = controller_for("v0000", start_time=0.0)
    alerts = []
    for k, slot in enumerate(range(1, 12)):
        alerts += [a for a in ctl.on_event(BlockSeen(slot, 0, "v0002"), 2.6 * k + 0.1) if isinstance(a, Alert)]
    assert len(alerts) == 1 and alerts[0].validator_id == "v0002" and "+30%" in alerts[0].reason


def test_controller_argument_errors() -> None:
    with pytest.raises(InvalidConfig):
        FailoverController(ElectionConfig(b"x"), SCHED, "v0000", KEYS["v0000"].vrf_secret, KEYS["v0000"].vote_seed)
    ctl = controller_for("v0000")
    with pytest.raises(InvalidConfig):
        ctl.set_schedule(Schedule(ElectionConfig(b"x", epoch_length=20), TABLE, 1, fixed_epoch_seed(1)))
    ctl.tick(5.0)
    with pytest.raises(ValueError, match="backwards"):
        ctl.tick(4.0)
    with pytest.raises(TypeError):
        ctl.on_event("nonsense", 6.0)  # type: ignore[arg-type]


# -- clusters on the virtual network ----------------------------------------------------
def cluster(stakes: list[int] = EQUAL, **kw: Any) -> FailoverCluster:
    return FailoverCluster(stakes, CONFIG, **kw)


def test_no_faults_every_slot_by_its_primary() -> None:
    c = cluster()
    c.run(slot_start(10) - 0.01)
    for slot in range(10):
        b = c.best_block(slot)
        assert b is not None and b.claim.rank == 0 and b.time == slot_start(slot)
    assert votes_in(c) == []


def test_leader_crash_rank1_takes_over_with_certificate() -> None:
    c = cluster()
    sched = c.schedule(0)
    slot = 11  # mid-epoch
    leader = sched.leader(slot)
    c.crash(leader, slot_start(slot) - 0.7)
    c.run(slot_start(slot + 2))
    b = c.best_block(slot)
    assert b is not None and b.claim.rank == 1 and b.claim.validator_id == sched.at_rank(slot, 1)
    verify_claim(b.claim, sched)
    cert = b.claim.certificate
    assert cert is not None and (cert.slot, cert.rank) == (slot, 1) and leader not in cert.voters
    assert 3 * cert.signed_stake(c.table) > 2 * c.table.total_stake
    assert slot_start(slot) + T <= b.time < slot_start(slot) + T + 0.05
    nxt = c.best_block(slot + 1)  # the next slot goes on as usual (or is taken over if also the leader's)
    assert nxt is not None and (nxt.claim.rank == 0) == (sched.leader(slot + 1) != leader)
    voted = votes_in(c)
    assert len(voted) == len(set(voted))  # nobody voted twice for a (slot, rank)


def test_rank1_also_down_rank2_takes_over() -> None:
    c = cluster()
    sched = c.schedule(0)
    slot = 12
    ranking = sched.ranking(slot)
    c.crash(ranking[0], slot_start(slot) - 1.0)
    c.crash(ranking[1], slot_start(slot) - 1.0)
    c.run(slot_start(slot + 1) + 0.5)
    b = c.best_block(slot)
    assert b is not None and b.claim.rank == 2 and b.claim.validator_id == ranking[2]
    verify_claim(b.claim, sched)
    assert b.time < slot_start(slot) + 2 * T + 0.05
    assert all(blk.claim.rank == 2 for blk in c.blocks[slot])


def test_partition_without_two_thirds_leaves_slot_empty() -> None:
    c = cluster()
    sched = c.schedule(0)
    slot = 13
    leader = sched.leader(slot)
    rest = [v for v in c.ids if v != leader]
    c.crash(leader, slot_start(slot) - 1.0)
    c.at(slot_start(slot) - 1.0, lambda: c.net.partition(rest[:3], rest[3:]))
    c.run(slot_start(slot + 1) + 1.0)
    assert slot not in c.blocks
    for vid in rest:
        pool = c.controller(vid).pool_for(slot)
        assert pool is not None
        assert all(pool.certificate(slot, r) is None for r in range(1, 4))
    assert {r for _, s, r in votes_in(c) if s == slot} == {1, 2, 3}  # they tried, safely


def test_partition_alone_makes_no_backup_blocks() -> None:
    c = cluster()
    c.at(slot_start(3), lambda: c.net.partition(c.ids[:4], c.ids[4:]))
    c.run(slot_start(8))
    produced = [b for s in range(3, 8) for b in c.blocks.get(s, [])]
    assert produced and all(b.claim.rank == 0 for b in produced)


def test_slow_but_alive_leader_is_not_replaced() -> None:
    """A block that arrives within the grace past the window is kept."""
    c = cluster()
    sched = c.schedule(0)
    slot = 14
    leader = sched.leader(slot)
    c.net.extra_delay[leader] = T + 0.1  # every message from it is late, but within T + patience
    c.run(slot_start(slot + 1) - 0.01)
    b = c.best_block(slot)
    assert b is not None and b.claim.rank == 0 and len(c.blocks[slot]) == 1
    assert not [v for v in votes_in(c) if v[1] == slot]


def test_too_slow_leader_is_superseded_everywhere() -> None:
    """A block arriving past the grace is voted out; every node ends on the certified backup."""
    c = cluster()
    sched = c.schedule(0)
    slot = 14
    leader = sched.leader(slot)
    c.net.extra_delay[leader] = 0.8
    c.run(slot_start(slot + 1) + 0.9)
    b = c.best_block(slot)
    assert b is not None and b.claim.rank == 1
    for vid in c.ids:
        assert c.controller(vid).canonical(slot) == (1, b.block_hash)


def test_withholding_leader_is_replaced_after_patience() -> None:
    c = cluster()
    sched = c.schedule(0)
    slot = 15
    leader = sched.leader(slot)
    c.withholding.add(leader)  # alive (heartbeats) but publishes no block
    c.run(slot_start(slot + 1))
    b = c.best_block(slot)
    patience = c.controller(leader).patience
    assert b is not None and b.claim.rank == 1
    assert slot_start(slot) + T + patience <= b.time < slot_start(slot) + T + patience + 0.05


def test_byzantine_votes_against_live_leader_make_no_certificate() -> None:
    stakes = [10] * 6 + [30]  # the byzantine v0006 holds a third
    c = cluster(stakes)
    sched = c.schedule(0)
    byz = "v0006"
    key = c.secrets[byz].vote_seed
    slots = [s for s in range(2, 8) if byz in sched.ranking(s)[1:]] or [3]
    for slot in slots:
        rank = sched.ranking(slot).index(byz) if byz in sched.ranking(slot)[1:] else 1
        for r in range(1, rank + 1):
            v = TimeoutVote.sign(CONFIG, c.table, 0, slot, r, byz, key, seed=sched.seed)
            for vid in c.ids:
                if vid != byz:
                    c.inject(slot_start(slot) + 0.01, vid, VoteReceived(v), byz)
    c.run(slot_start(9))
    for slot in slots:
        assert [b.claim.rank for b in c.blocks[slot]] == [0]
        for vid in c.ids:
            pool = c.controller(vid).pool_for(slot)
            assert pool is not None and all(pool.certificate(slot, r) is None for r in range(1, 4))


def test_forged_votes_are_dropped_by_every_node() -> None:
    c = cluster()
    sched = c.schedule(0)
    slot = 5
    honest = c.ids[0]
    v = TimeoutVote.sign(CONFIG, c.table, 0, slot, 1, honest, c.secrets[honest].vote_seed, seed=sched.seed)
    bad = dataclasses.replace(v, signature=bytes(64))
    mallory = SigningKey(b"M" * 32)
    msg = vote_message(CONFIG.chain_id, 0, c.table.digest(), slot, 1, None, "mallory")
    unknown = TimeoutVote(CONFIG.chain_id, 0, c.table.digest(), slot, 1, None, "mallory", mallory.sign(msg).signature)
    for vid in c.ids[1:]:
        for forged in (bad, unknown):
            c.inject(slot_start(slot) + 0.01, vid, VoteReceived(forged))
    c.run(slot_start(slot + 1))
    for vid in c.ids[1:]:
        rej = c.controller(vid).rejected
        assert rej.get("BadVoteSignature") == 1 and rej.get("UnknownVoter") == 1
    assert [b.claim.rank for b in c.blocks[slot]] == [0] and sched.leader(slot) == c.blocks[slot][0].claim.validator_id


def test_epoch_transition_takeover_in_next_epoch() -> None:
    c = cluster()
    slot = 20  # first slot of epoch 1
    sched1 = c.schedule(1)
    leader = sched1.leader(slot)
    c.crash(leader, slot_start(slot) - 1.0)
    c.run(slot_start(slot + 1))
    b = c.best_block(slot)
    assert b is not None and b.claim.epoch == 1 and b.claim.rank == 1
    verify_claim(b.claim, sched1)
    with pytest.raises(InvalidClaim):
        verify_claim(b.claim, c.schedule(0))


def test_crashed_node_recovers_and_produces_again() -> None:
    c = cluster()
    sched = c.schedule(0)
    node = sched.leader(4)
    later = [s for s in range(7, 20) if sched.leader(s) == node]
    c.crash(node, slot_start(4) - 0.5)
    c.recover(node, slot_start(6))
    c.run(slot_start(20) - 0.01)
    assert c.best_block(4) is not None and c.best_block(4).claim.rank == 1  # type: ignore[union-attr]
    for s in later:
        assert c.best_block(s).claim.validator_id == node  # type: ignore[union-attr]


def test_runs_are_deterministic() -> None:
    def run() -> list[tuple[float, str, str]]:
        c = cluster(jitter=0.004, net_seed=7)
        sched = c.schedule(0)
        c.crash(sched.leader(3), 5.0)
        c.crash(sched.leader(6), 9.0)
        c.run(slot_start(10))
        return [(t, vid, repr(a)) for t, vid, a in c.log]
    assert run() == run()


def test_virtual_network_order_crash_and_partition() -> None:
    net = VirtualNetwork(latency=0.01)
    net.send("a", "b", 1)
    net.schedule(0.005, "a", "timer")
    net.crashed.add("c")
    net.send("a", "c", 2)
    net.partition(["a"], ["b"])
    net.send("a", "b", 3)
    assert net.pop(1.0) == (0.005, "a", "timer")
    assert net.pop(1.0) == (0.01, "b", ("msg", "a", 1))
    assert net.pop(1.0) is None and net.now == 1.0 and net.dropped == 2


def test_docs_example_runs() -> None:
    """The fake-transport example of docs/failover.md runs and its assertions hold."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "failover.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    exec(compile(blocks[0], "docs/failover.md", "exec"), {"__name__": "docs_example"})


def test_takeover_in_last_slot_of_an_epoch() -> None:
    """The last slot's takeover completes after the next epoch's schedule was installed."""
    c = cluster([10] * 10)  # three down leave 70 %
    slot = 19
    sched = c.schedule(0)
    ranking = sched.ranking(slot)
    for vid in ranking[:3]:
        c.crash(vid, slot_start(slot) - 1.0)
    c.run(slot_start(slot + 2))
    b = c.best_block(slot)
    assert b is not None and b.claim.rank == 3 and b.claim.validator_id == ranking[3]
    verify_claim(b.claim, sched)
    ctl = c.controller(ranking[3])
    c.run(slot_start(slot + 6))
    assert ctl.schedule_for(slot) is None and ctl.schedule_for(slot + 6) is not None  # epoch 0 forgotten


def test_next_wakeup_points_at_the_deadlines() -> None:
    slot = 10
    ranking = SCHED.ranking(slot)
    s = slot_start(slot)
    ctl = controller_for(ranking[2], start_time=s - 1.0)
    side: list[object] = []
    for t in (s - 1.0 + 0.1 * i for i in range(5)):  # the leader heartbeats all along
        side += ctl.on_event(Heartbeat(ranking[0]), t)
    assert ctl.next_wakeup(s - 0.5) == s  # the slot start
    for t in (s - 0.5 + 0.1 * i for i in range(5)):
        side += ctl.on_event(Heartbeat(ranking[0]), t)
    assert ctl.tick(s) == []
    assert ctl.next_wakeup(s) == s + T  # the first vote deadline
    for t in (s + 0.1 * i for i in range(1, int(T / 0.1) + 1)):
        side += ctl.on_event(Heartbeat(ranking[0]), t)
    assert ctl.tick(s + T) == []  # alive (heartbeats), only its block is missing
    assert side == []
    assert ctl.next_wakeup(s + T) == s + T + ctl.patience  # the grace past the leader's window
    assert [a.vote.rank for a in ctl.tick(s + T + ctl.patience) if isinstance(a, BroadcastVote)] == [1]
    # rank 1, never heard from since this node started, is suspected: rank 2 (this node) is
    # voted for the moment rank 1's window closes
    assert ctl.next_wakeup(s + T + ctl.patience) == s + 2 * T
    assert [a.vote.rank for a in ctl.tick(s + 2 * T) if isinstance(a, BroadcastVote)] == [2]


def test_validator_never_heard_from_is_suspected_after_start() -> None:
    """A validator down since before this node started is judged like one that fell silent
    at the node's start: suspected after the bootstrap estimate, not only after the patience."""
    slot = 10
    ranking = SCHED.ranking(slot)
    s = slot_start(slot)
    ctl = controller_for(ranking[2], start_time=s - 1.0)
    assert ctl.tick(s) == []
    acts = ctl.tick(s + T)  # 1.5 s after start without a word from the leader
    assert [a.vote.rank for a in acts if isinstance(a, BroadcastVote)] == [1]
    assert s + T < s + T + ctl.patience  # earlier than the grace deadline
    assert ctl.slot_at(s + 0.3) == slot and ctl.slot_at(-1.0) == -1


def test_a_block_vouched_with_its_claim_is_not_verified_again_but_its_certificate_counts(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The node's path: its chain view verified the block and hands over claim, header and
    beta.  The controller must not verify claim or header a second time (patched to fail
    here), must still learn the block's certificate (a rank-1 block supersedes the primary)
    and must still refuse an event whose fields do not match its claim."""
    import election.node.failover as failover

    slot = 8
    ranking = SCHED.ranking(slot)
    s = slot_start(slot)
    ctl = controller_for(ranking[0], start_time=s - 1.0)
    produce = [a for a in ctl.tick(s) if isinstance(a, Produce)]
    ctl.sign_header(produce[0], bytes(32), s + 0.01)
    from election import TimeoutCertificate
    cert = TimeoutCertificate([sign(v, slot=slot, rank=1) for v in TABLE.ids if v != ranking[0]])
    claim = make_claim(SCHED, KEYS[ranking[1]].vrf_secret, ranking[1], slot, 1, cert)
    header = make_header(claim, GENESIS_PARENT, bytes(32), KEYS[ranking[1]].vote_seed)
    beta = verify_claim(claim, SCHED)

    def fail(*_: object, **__: object) -> None:
        raise AssertionError("verified a second time")

    monkeypatch.setattr(failover, "verify_claim", fail)
    monkeypatch.setattr(failover, "verify_header", fail)
    wrong = BlockSeen(slot, 1, ranking[2], claim, header, beta)
    assert ctl.on_event(wrong, s + 0.7) == [] and ctl.rejected["InvalidClaim"] == 1
    vouched = BlockSeen(slot, 1, ranking[1], claim, header, beta)
    assert ctl.on_event(vouched, s + 0.7) == [Abandon(slot, 0)]
    assert ctl.canonical(slot) == (1, header.block_hash())
