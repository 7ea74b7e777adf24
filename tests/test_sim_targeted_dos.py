"""The targeted-DoS attacker: what each election mode lets it predict, and what it hits."""

from __future__ import annotations

import pytest

from election import ElectionConfig, Schedule
from election.dev.keys import dev_table
from election.rules.windowed import WindowedSchedule
from election.sim.faults import FaultSpecError, TargetedDoS, prediction_slot

TABLE, _ = dev_table([1, 2, 3, 5, 8, 13, 21], b"dos")
ROT = ElectionConfig(b"dos", epoch_length=60, seed_cutoff=40, backups=2)
WIN = ElectionConfig(b"dos", epoch_length=60, seed_cutoff=40, backups=2, mode="windowed", window=10)
SEC = ElectionConfig(b"dos", epoch_length=60, mode="secret", proposers=3)
SEED = bytes(32)


def _windowed(epoch: int) -> WindowedSchedule:
    return WindowedSchedule(WIN, TABLE, epoch, SEED, [bytes([epoch, j]) * 16 for j in range(6)])


def test_prediction_slot_by_mode() -> None:
    assert prediction_slot(ROT, 0) == -20 and prediction_slot(ROT, 59) == -20
    assert prediction_slot(ROT, 60) == 40 and prediction_slot(ROT, 179) == 100
    assert [prediction_slot(WIN, x) for x in (0, 9, 10, 19, 20, 65)] == [-10, -10, 0, 0, 10, 50]
    assert all(prediction_slot(SEC, x) is None for x in (0, 1, 10**6))
    # Windowed lookahead is between W and 2W - 1 slots.
    assert all(10 <= x - (prediction_slot(WIN, x) or 0) <= 19 for x in range(20, 200))


@pytest.mark.parametrize("lead", [0, 5, 10, 11, 15, 19, 20, 25, 40, 80])
def test_predictable_fraction_windowed_vs_rotation(lead: int) -> None:
    slots = range(60, 180)  # epochs 1 and 2
    dos = TargetedDoS(budget=1, lead=lead)
    win = sum(dos.predicts(WIN, x) for x in slots)
    # Window g is known from slot (g - 1) W: a slot at offset k in its window is known W + k ahead.
    assert win == len(slots) * max(0, min(10, 20 - lead)) // 10
    rot = sum(dos.predicts(ROT, x) for x in slots)
    assert rot == sum(1 for x in slots if x - prediction_slot(ROT, x) >= lead)  # type: ignore[operator]
    assert rot == len(slots) if lead <= 20 else rot < len(slots)  # rotation: L - c = 20 slots at least
    assert not any(dos.predicts(SEC, x) for x in slots)


def test_hits_by_mode_and_budget() -> None:
    rot = Schedule(ROT, TABLE, 1, SEED)
    win = _windowed(1)
    for budget in (1, 2, 3):
        dos = TargetedDoS(budget=budget, lead=15)
        r = dos.run(ROT, rot.slots, rot.ranking)
        w = dos.run(WIN, win.slots, win.ranking)
        s = dos.run(SEC, range(60, 120), lambda x: pytest.fail("secret mode: nothing to rank"))
        assert r.slots == w.slots == s.slots == 60
        # Rotation: every slot predicted (the epoch is public 20 slots before it starts + more).
        assert r.predicted == r.primary_down == 60 and r.all_down == (60 if budget >= 3 else 0)
        # Windowed with a 15-slot preparation: only the last 5 slots of each 10-slot window.
        assert w.predicted == w.primary_down == 30 and w.all_down == (30 if budget >= 3 else 0)
        assert s.predicted == s.primary_down == s.all_down == 0
    # A lead of at most W: windowed mode protects nothing against this attacker.
    fast = TargetedDoS(budget=1, lead=10).run(WIN, win.slots, win.ranking)
    assert fast.primary_down == 60
    assert TargetedDoS(budget=0).run(ROT, rot.slots, rot.ranking).primary_down == 0


def test_targets_are_the_first_ranks() -> None:
    rot = Schedule(ROT, TABLE, 1, SEED)
    x = 70
    assert TargetedDoS(budget=2).targets(ROT, x, rot.ranking(x)) == frozenset(rot.ranking(x)[:2])
    assert TargetedDoS(budget=2).targets(SEC, x, rot.ranking(x)) == frozenset()


def test_bad_parameters() -> None:
    for kwargs in ({"budget": -1}, {"budget": 1, "lead": -1}, {"budget": True}, {"budget": 1.0}):
        with pytest.raises(FaultSpecError):
            TargetedDoS(**kwargs)  # type: ignore[arg-type]
