"""Slot safety: one canonical block per slot among honest nodes, whatever the timing.

Drives whole clusters of :class:`FailoverController` (real keys, proofs and signatures) on
the virtual network of :mod:`election.dev.testing` through the failures a five-process
loopback trial reproduced: a stalled primary that wakes up after a certified takeover, a
withholding primary that publishes after the backup, a primary restarted inside its own
window (with and without its signing guard) and a crash between signing and sending.
A hypothesis test then draws random delays, stalls, restarts and clock skews.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from election import ElectionConfig
from election.dev.testing import FailoverCluster
from election.node.failover import EvidenceFound, Guard
from election.node.guard import SigningGuard
from election.rules.evidence import HeaderEquivocation, verify_evidence
from election.rules.headers import make_header

CONFIG = ElectionConfig(b"slot-safety", epoch_length=20, slot_duration_ms=2000, failover_timeout_ms=500, backups=3)
SLOT_S = 2.0
T = 0.5
EQUAL = [10] * 7


def start(slot: int) -> float:
    return slot * SLOT_S


def memory_guards(chain: bytes = CONFIG.chain_id) -> Callable[[str], Guard]:
    return lambda vid: SigningGuard(":memory:", chain_id=chain, validator_id=vid)


def check_one_canonical_block(c: FailoverCluster, slots: range, honest: set[str] | None = None) -> None:
    """Every honest node that saw a block of a slot picks the cluster-wide fork choice, and
    no honest validator published two different blocks for one slot."""
    honest = set(c.ids) if honest is None else honest
    for slot in slots:
        blocks = c.blocks.get(slot, [])
        best = c.best_block(slot)
        by_validator: dict[str, set[bytes]] = {}
        for b in blocks:
            by_validator.setdefault(b.claim.validator_id, set()).add(b.block_hash)
        for vid, hashes in by_validator.items():
            if vid in honest:
                assert len(hashes) == 1, f"slot {slot}: honest {vid} published {len(hashes)} different blocks"
        if best is None:
            continue
        for vid in honest:
            if vid in c.net.crashed:
                continue
            view = c.controller(vid).canonical(slot)
            if view is not None:
                assert view == (best.claim.rank, best.block_hash), f"slot {slot}: {vid} picks {view}"


def test_stalled_primary_wakes_after_certified_takeover_and_stays_quiet() -> None:
    """Failure 1: the primary is frozen from just before its slot until after the backup's
    certified block; on waking it neither produces rank 0 nor accepts a lower rank."""
    c = FailoverCluster(EQUAL, CONFIG)
    slot = 5
    sched = c.schedule(0)
    leader = sched.leader(slot)
    c.stall(leader, start(slot) - 0.05, start(slot) + T + 0.3)
    c.run(start(slot + 1) + 0.5)
    assert [b.claim.rank for b in c.blocks[slot]] == [1]
    assert all(b.claim.validator_id != leader for b in c.blocks[slot])
    check_one_canonical_block(c, range(slot, slot + 1))
    assert c.controller(leader).canonical(slot) == (1, c.blocks[slot][0].block_hash)


def test_slow_builder_is_refused_past_its_deadline() -> None:
    """A primary that took longer than its window to build gets PastDeadline, not a block."""
    c = FailoverCluster(EQUAL, CONFIG)
    slot = 6
    leader = c.schedule(0).leader(slot)
    c.build_delay[leader] = T + 0.05
    c.run(start(slot + 1))
    assert (start(slot) + T + 0.05, leader, "past_deadline") in c.refused
    assert [b.claim.rank for b in c.blocks[slot]] == [1]
    check_one_canonical_block(c, range(slot, slot + 1))
    led = [s for s in range(slot + 1) if c.schedule(0).leader(s) == leader]  # the delay hits each of them
    assert c.controller(leader).rejected.get("past_deadline") == len(led)
    assert all(b.claim.validator_id != leader for s in led for b in c.blocks.get(s, []))


def test_withholding_primary_cannot_override_the_backup() -> None:
    """Failure 2: a primary that waits for the backup's block (and beta) and then publishes
    its own rank-0 block is superseded everywhere: its choice had to be made blind."""
    c = FailoverCluster(EQUAL, CONFIG)
    slot = 7
    sched = c.schedule(0)
    leader = sched.leader(slot)
    c.withholding.add(leader)
    c.run(start(slot) + T + 0.2)
    backup = c.best_block(slot)
    assert backup is not None and backup.claim.rank == 1
    # The adversary now publishes its own block, signed by hand (no controller rule stops it).
    from election import make_claim
    late = make_claim(sched, c.secrets[leader].vrf_secret, leader, slot)
    header = make_header(late, bytes(32), bytes(32), c.secrets[leader].vote_seed)
    c.send_block(leader, start(slot) + T + 0.2, late, header)
    c.run(start(slot + 1) + 0.5)
    assert c.best_block(slot) is backup
    check_one_canonical_block(c, range(slot, slot + 1), honest=set(c.ids) - {leader})


def test_restart_after_the_window_does_not_produce_again() -> None:
    """Failure 3 with the trial's timing (T = 120 ms, restart at S + 250 ms): the window is over."""
    config = ElectionConfig(b"slot-safety", epoch_length=20, slot_duration_ms=400, failover_timeout_ms=120, backups=3)
    c = FailoverCluster(EQUAL, config, guard_factory=memory_guards())
    slot = 9
    s = slot * 0.4
    leader = c.schedule(0).leader(slot)
    c.crash(leader, s + 0.01)
    c.recover(leader, s + 0.25)
    c.run(s + 1.2)
    assert [b.claim.rank for b in c.blocks[slot] if b.claim.validator_id == leader] == [0]
    assert len({b.block_hash for b in c.blocks[slot] if b.claim.validator_id == leader}) == 1


def _restart_in_window(guarded: bool) -> FailoverCluster:
    c = FailoverCluster(EQUAL, CONFIG, guard_factory=memory_guards() if guarded else None)
    slot = 4
    leader = c.schedule(0).leader(slot)
    c.crash(leader, start(slot) + 0.01)  # after it published its block
    c.recover(leader, start(slot) + 0.2)  # it builds another payload (new transactions) for the slot
    c.run(start(slot + 1))
    return c


def test_restart_inside_the_window_is_stopped_by_the_guard() -> None:
    """Failure 3 inside the window: the guard refuses a second, different header; without
    it the restarted primary equivocates (the negative control shows the guard is needed)."""
    c = _restart_in_window(guarded=True)
    slot = 4
    leader = c.schedule(0).leader(slot)
    assert len({b.block_hash for b in c.blocks[slot] if b.claim.validator_id == leader}) == 1
    assert any(code == "double_sign" and vid == leader for _, vid, code in c.refused)
    check_one_canonical_block(c, range(slot, slot + 1))

    bare = _restart_in_window(guarded=False)
    hashes = {b.block_hash for b in bare.blocks[slot] if b.claim.validator_id == leader}
    assert len(hashes) == 2  # two blocks for one slot by one validator: provable equivocation
    found = [a.evidence for _, _, a in bare.log if isinstance(a, EvidenceFound)]
    assert found and all(isinstance(e, HeaderEquivocation) for e in found)
    for e in found:
        verify_evidence(e, bare.table, CONFIG)
    # The fork choice still settles the slot identically everywhere.
    check_one_canonical_block(bare, range(slot, slot + 1), honest=set(bare.ids) - {leader})


def test_crash_between_signing_and_sending() -> None:
    """The header is in the guard before the signature leaves; after the restart the node may
    send that very block again but never another one."""
    c = FailoverCluster(EQUAL, CONFIG, guard_factory=memory_guards())
    slot = 8
    leader = c.schedule(0).leader(slot)
    c.crash_after_sign.add(leader)
    c.at(start(slot) + 0.05, lambda: c.crash_after_sign.discard(leader))
    c.recover(leader, start(slot) + 0.1)  # inside its window, with a new payload
    c.run(start(slot + 1) + 0.5)
    guard = c.guards[leader]
    assert isinstance(guard, SigningGuard)
    assert guard.signed("header", slot, 0) is not None  # recorded before the crash
    assert any(code == "double_sign" and vid == leader for _, vid, code in c.refused)
    assert all(b.claim.validator_id != leader for b in c.blocks.get(slot, []))  # never sent, never re-signed
    best = c.best_block(slot)
    assert best is not None and best.claim.rank == 1  # the backup filled the slot
    check_one_canonical_block(c, range(slot, slot + 1))


def test_heartbeats_from_strangers_are_dropped_and_counted() -> None:
    """Failure 6: ids outside every installed table get no failure detector."""
    c = FailoverCluster(EQUAL, CONFIG)
    from election.node.failover import Heartbeat
    ctl = c.controller(c.ids[0])
    for i in range(2000):
        ctl.on_event(Heartbeat(f"stranger-{i}"), 0.001 * i)
    assert ctl.rejected["unknown_sender"] == 2000
    assert all(ctl.detector(f"stranger-{i}") is None for i in range(0, 2000, 97))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    latency=st.floats(0.001, 0.2),
    jitter=st.floats(0.0, 0.05),
    net_seed=st.integers(0, 2**16),
    skews=st.lists(st.floats(-T / 2, T / 2), min_size=7, max_size=7),
    stall=st.tuples(st.integers(0, 6), st.integers(1, 5), st.floats(0.0, 1.9), st.floats(0.05, 1.5)),
    restart=st.tuples(st.integers(0, 6), st.integers(1, 5), st.floats(0.0, 1.9), st.floats(0.01, 0.6)),
    primary_restart=st.one_of(st.none(), st.tuples(st.integers(1, 5), st.floats(0.005, 0.2), st.floats(0.01, 0.2))),
    crash=st.one_of(st.none(), st.integers(0, 6)),
)
def test_random_timing_never_gives_two_canonical_blocks(latency: float, jitter: float, net_seed: int,
                                                       skews: list[float], stall: tuple[int, int, float, float],
                                                       restart: tuple[int, int, float, float],
                                                       primary_restart: tuple[int, float, float] | None,
                                                       crash: int | None) -> None:
    ids = [f"v{i:04d}" for i in range(7)]
    kw: dict[str, Any] = {"latency": latency, "jitter": jitter, "net_seed": net_seed,
                          "skew": dict(zip(ids, skews, strict=True)), "guard_factory": memory_guards()}
    c = FailoverCluster(EQUAL, CONFIG, **kw)
    node, slot, offset, length = stall
    c.stall(ids[node], start(slot) + offset, start(slot) + offset + length)
    rnode, rslot, roffset, down = restart
    c.crash(ids[rnode], start(rslot) + roffset)
    c.recover(ids[rnode], start(rslot) + roffset + down)
    if primary_restart is not None:  # a slot's primary restarts inside its own window, after publishing
        pslot, poffset, pdown = primary_restart
        leader = c.schedule(0).leader(pslot)
        c.crash(leader, start(pslot) + poffset)
        c.recover(leader, start(pslot) + poffset + pdown)
    if crash is not None:
        c.crash(ids[crash], start(2))
    c.run(start(8))
    c.run(start(8) + 3.0)  # quiescence: everything in flight is delivered
    check_one_canonical_block(c, range(0, 7))
