"""The failover controller in windowed and secret mode, on the in-memory cluster.

Windowed: the ladder runs on the windowed schedule, windows are revealed from the settled
blocks, every slot is filled (with a validator down, by takeover) and no slot has two
canonical blocks.  Secret: no votes; a slot is filled exactly when some validator is
eligible; every node's canonical block is the best race entry; a beaten producer abandons.
"""

from __future__ import annotations

import vrf
from election import ElectionConfig, SecretEpoch, WindowedSchedule, verify_claim
from election.dev.testing import FailoverCluster
from election.node.failover import Abandon, BroadcastVote, Produce

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
