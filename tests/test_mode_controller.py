"""The failover controller in windowed and secret mode, on the in-memory cluster.

Windowed: the ladder runs on the windowed schedule, windows are revealed from the settled
blocks, every slot is filled (with a validator down, by takeover) and no slot has two
canonical blocks.  Secret: no votes; a slot is filled exactly when some validator is
eligible; every node's canonical block is the best race entry; a beaten producer abandons.
"""

from __future__ import annotations

import pytest

import vrf
from election import ElectionConfig, SecretEpoch, WindowedSchedule, make_claim, verify_claim
from election.dev.keys import dev_table
from election.dev.testing import FailoverCluster
from election.node.failover import Abandon, BlockSeen, BroadcastVote, FailoverController, Produce, Superseded
from election.rules.forkchoice import prefer_race
from election.rules.headers import make_header

WINDOWED = ElectionConfig(b"ctl-windowed", epoch_length=16, slot_duration_ms=1000, failover_timeout_ms=200,
                          backups=2, seed_cutoff=8, mode="windowed", window=4)
SECRET = ElectionConfig(b"ctl-secret", epoch_length=16, slot_duration_ms=1000, failover_timeout_ms=200,
                        mode="secret", proposers=3)
STAKES = [10, 10, 10, 10, 10]


def run_checking(c: FailoverCluster, slots: range, down: set[str]) -> None:
    """Run slot by slot; once a slot's ladder is over, every live node's canonical block is
    the cluster-wide fork choice (checked before the controllers prune the slot)."""
    for slot in slots:
        c.run(slot + 0.95)
        best = c.best_block(slot)
        if best is None:
            continue
        for vid in c.ids:
            if vid in down:
                continue
            assert c.controller(vid).canonical(slot) == (best.claim.rank, best.block_hash), (slot, vid)


def test_windowed_cluster_fills_every_slot_and_reveals_windows() -> None:
    c = FailoverCluster(STAKES, WINDOWED, key_seed=b"ctl-w")
    down = c.ids[1]
    c.crash(down)
    run_checking(c, range(0, 32), {down})  # two epochs
    for epoch in (0, 1):
        sched = c.schedule(epoch)
        assert isinstance(sched, WindowedSchedule) and sched.revealed == sched.windows
    led_by_down = 0
    for slot in range(1, 31):
        blocks = c.blocks.get(slot, [])
        assert blocks, f"slot {slot} empty"
        sched = c.schedule(slot // 16)
        assert isinstance(sched, WindowedSchedule)
        for b in blocks:
            assert b.claim.mode == "windowed"
            assert len(verify_claim(b.claim, sched)) == 64
        if sched.leader(slot) == down:
            led_by_down += 1
            assert {b.claim.rank for b in blocks} == {1}  # a certified takeover
    assert led_by_down > 0


def test_secret_cluster_is_a_race_without_votes() -> None:
    c = FailoverCluster(STAKES, SECRET, key_seed=b"ctl-s")
    run_checking(c, range(0, 16), set())
    assert not any(isinstance(a, BroadcastVote) for _, _, a in c.log)
    rules = c.schedule(0)
    assert isinstance(rules, SecretEpoch)
    filled = 0
    multi = 0
    for slot in range(1, 15):
        alpha = rules.slot_input(slot)
        eligible = set()
        for vid in c.ids:
            beta = vrf.proof_to_hash(c.secrets[vid].vrf_secret.prove(alpha, SECRET.suite), SECRET.suite)
            if rules.eligible(rules.entry(vid, beta)):
                eligible.add(vid)
        blocks = c.blocks.get(slot, [])
        assert {b.claim.validator_id for b in blocks} == eligible, slot
        for b in blocks:
            assert b.claim.mode == "secret" and b.claim.rank == 0
        if blocks:
            filled += 1
            best = c.best_block(slot)
            assert best is not None
            produced_here = {vid for _, vid, a in c.log if isinstance(a, Produce) and a.slot == slot}
            abandoned = {vid for _, vid, a in c.log if isinstance(a, Abandon) and a.slot == slot}
            assert produced_here == eligible
            assert abandoned == eligible - {best.claim.validator_id}
            multi += len(eligible) > 1
    assert filled >= 10 and multi >= 1


def test_secret_controller_abandons_and_refuses_when_a_better_block_arrives() -> None:
    table, secrets = dev_table(STAKES, b"ctl-s2")
    rules = SecretEpoch(SECRET, table, 0, bytes(32))
    # A slot with two eligible validators: ``worse`` loses the race to ``better``.
    for slot in range(1, 16):
        alpha = rules.slot_input(slot)
        entries = []
        for vid in table.ids:
            beta = vrf.proof_to_hash(secrets[vid].vrf_secret.prove(alpha, SECRET.suite), SECRET.suite)
            e = rules.entry(vid, beta)
            if rules.eligible(e):
                entries.append(e)
        if len(entries) >= 2:
            break
    else:
        raise AssertionError("no slot with two eligible validators")
    better, worse = entries[0], entries[1]
    if prefer_race((worse, b""), (better, b"")):
        better, worse = worse, better
    ctl = FailoverController(SECRET, rules, worse.validator_id, secrets[worse.validator_id].vrf_secret,
                             secrets[worse.validator_id].vote_seed, start_time=0.0)
    start = float(slot)
    produce = [a for a in ctl.tick(start + 0.01) if isinstance(a, Produce)]
    assert len(produce) == 1 and produce[0].deadline == start + 0.2 and produce[0].certificate is None
    # Not eligible: the other validators of the slot get no Produce.
    loser = next(v for v in table.ids if v not in {e.validator_id for e in entries})
    other = FailoverController(SECRET, rules, loser, secrets[loser].vrf_secret, secrets[loser].vote_seed,
                               start_time=0.0)
    assert not [a for a in other.tick(start + 0.01) if isinstance(a, Produce)]
    # The better block arrives before ``worse`` signs: Abandon, then Superseded.
    claim = make_claim(rules, secrets[better.validator_id].vrf_secret, better.validator_id, slot)
    header = make_header(claim, bytes(32), bytes(32), secrets[better.validator_id].vote_seed)
    actions = ctl.on_event(BlockSeen.from_claim(claim, header), start + 0.02)
    assert any(isinstance(a, Abandon) and a.slot == slot for a in actions)
    assert ctl.canonical(slot) == (0, header.block_hash())
    with pytest.raises(Superseded):
        ctl.sign_header(produce[0], bytes(32), start + 0.03)
    # A vouched block without its output cannot be ranked: refused.
    before = ctl.rejected.get("InvalidClaim", 0)
    ctl.on_event(BlockSeen(slot, 0, loser), start + 0.04)
    assert ctl.rejected.get("InvalidClaim", 0) == before + 1


def test_windowed_block_of_an_unrevealed_window_is_kept_then_checked() -> None:
    table, secrets = dev_table(STAKES, b"ctl-w2")
    seeds = [bytes([j]) * 32 for j in range(4)]
    full = WindowedSchedule(WINDOWED, table, 0, bytes(32), seeds)
    part = WindowedSchedule(WINDOWED, table, 0, bytes(32), seeds[:1])
    slot = 5  # window 1
    lead = full.leader(slot)
    me = next(v for v in table.ids if v != lead)
    ctl = FailoverController(WINDOWED, part, me, secrets[me].vrf_secret, secrets[me].vote_seed, start_time=0.0)
    assert not ctl.tick(float(slot))  # nothing to produce or vote for before the reveal
    claim = make_claim(full, secrets[lead].vrf_secret, lead, slot)
    header = make_header(claim, bytes(32), bytes(32), secrets[lead].vote_seed)
    ctl.on_event(BlockSeen.from_claim(claim, header), slot + 0.01)
    assert ctl.canonical(slot) is None and not ctl.rejected  # not checkable yet, not invalid
    part.reveal(seeds[1])
    ctl.tick(slot + 0.02)
    assert ctl.canonical(slot) == (0, header.block_hash())
    # A forged block of a revealed window is refused at once.
    other = next(v for v in table.ids if v not in (lead, me))
    forged = make_claim(full, secrets[lead].vrf_secret, lead, slot)
    bad = type(forged)(forged.chain_id, 0, slot, 0, other, forged.proof, None, "windowed")
    ctl.on_event(BlockSeen.from_claim(bad, make_header(bad, bytes(32), bytes(32), secrets[other].vote_seed)),
                 slot + 0.03)
    assert ctl.rejected.get("InvalidClaim") == 1
