"""make_schedule dispatches on the mode; both ranked schedules serve the claim checks unchanged."""

from __future__ import annotations

import pytest

from election import ElectionConfig, InvalidClaim, InvalidConfig, LeaderClaim, Schedule, make_claim, verify_claim
from election.dev.keys import dev_table
from election.rules.modes import make_schedule
from election.rules.windowed import WindowedSchedule, WindowNotRevealed

TABLE, KEYS = dev_table([3, 5, 8, 13], b"modes-api")
ROT = ElectionConfig(b"api", epoch_length=40, seed_cutoff=20)
WIN = ElectionConfig(b"api", epoch_length=40, seed_cutoff=20, mode="windowed", window=10)
SEC = ElectionConfig(b"api", epoch_length=40, mode="secret", proposers=3)
SEED = bytes(range(32))


def test_make_schedule_dispatch() -> None:
    assert isinstance(make_schedule(ROT, TABLE, 1, SEED), Schedule)
    w = make_schedule(WIN, TABLE, 1, SEED, [bytes(32)])
    assert isinstance(w, WindowedSchedule) and w.is_revealed(40) and not w.is_revealed(50)
    with pytest.raises(InvalidConfig, match="secret"):
        make_schedule(SEC, TABLE, 1, SEED)
    with pytest.raises(InvalidConfig, match="window_seeds"):
        make_schedule(ROT, TABLE, 1, SEED, [bytes(32)])
    with pytest.raises(InvalidConfig):
        make_schedule("config", TABLE, 1, SEED)  # type: ignore[arg-type]


def test_claims_verify_against_a_windowed_schedule() -> None:
    # The claim checks only use the RankedSchedule interface: a windowed schedule plugs in as is.
    s = make_schedule(WIN, TABLE, 1, SEED, [bytes(32), bytes([1]) * 32])
    for x in (40, 49, 50, 59):
        leader = s.leader(x)
        claim = make_claim(s, KEYS[leader].vrf_secret, leader, x)  # type: ignore[arg-type]
        assert len(verify_claim(claim, s)) == 64  # type: ignore[arg-type]
        other = next(v for v in TABLE.ids if v != leader)
        proof = KEYS[other].vrf_secret.prove(s.slot_input(x), WIN.suite)
        forged = LeaderClaim(WIN.chain_id, 1, x, 0, other, proof, None, "windowed")
        with pytest.raises(InvalidClaim) as err:
            verify_claim(forged, s)  # type: ignore[arg-type]
        assert err.value.code == "wrong_leader"
    # A slot whose window is not revealed cannot be checked yet: the integration must wait for
    # the window seed (WindowNotRevealed is an InvalidSlot, not an InvalidClaim).
    v = TABLE.ids[0]
    early = LeaderClaim(WIN.chain_id, 1, 60, 0, v, KEYS[v].vrf_secret.prove(s.slot_input(60), WIN.suite), None,
                        "windowed")
    with pytest.raises(WindowNotRevealed):
        verify_claim(early, s)  # type: ignore[arg-type]
