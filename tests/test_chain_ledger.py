"""The epoch ledger: seed chaining, tables (with the inactivity rule), rules, window reveals.

Each result is compared with the rules functions it must equal (``next_seed``,
``window_seed``, ``make_rules``, ``InactivityState``), never with the ledger itself.
"""

from __future__ import annotations

import hashlib

import pytest

from election.chain.formats import GenesisFile
from election.chain.ledger import EpochLedger, LedgerError
from election.dev.keys import dev_table
from election.rules.config import ElectionConfig
from election.rules.errors import InvalidConfig
from election.rules.inactivity import InactivityError, InactivityState, epoch_outcomes
from election.rules.schedule import Schedule
from election.rules.seeds import next_seed
from election.rules.windowed import WindowedSchedule, window_seed, window_source

ROTATION = ElectionConfig(b"ledger", epoch_length=8, slot_duration_ms=1000, failover_timeout_ms=200,
                          backups=1, seed_cutoff=4)
WINDOWED = ElectionConfig(b"ledger-w", epoch_length=12, slot_duration_ms=1000, failover_timeout_ms=200,
                          backups=1, seed_cutoff=6, mode="windowed", window=3)
TABLE, _ = dev_table([5, 3, 2, 1], b"ledger")
SEED = bytes(range(32))


def beta(slot: int) -> bytes:
    return hashlib.sha512(b"beta" + slot.to_bytes(8, "big")).digest()


def test_seed_chain_equals_next_seed_and_is_fixed_once() -> None:
    led = EpochLedger(GenesisFile.single(ROTATION, SEED, TABLE))
    assert led.seed(0) == SEED and led.seed(1) is None and led.rules(1) is None
    betas = [(s, beta(s)) for s in (0, 2, 3, 5)]  # slot 5 is past the cutoff: ignored
    s1 = led.fix_seed(0, betas)
    assert s1 == next_seed(ROTATION, 0, SEED, betas[:3])
    assert led.fix_seed(0, []) == s1  # fixed: other inputs change nothing
    acc = led.seed_accumulator(1)
    acc.add(9, beta(9))
    assert led.fix_seed(1, acc) == next_seed(ROTATION, 1, s1, [(9, beta(9))])
    assert led.newest_seed_epoch() == 2 and led.seeds == {0: SEED, 1: s1, 2: led.seed(2)}
    with pytest.raises(KeyError):
        led.fix_seed(5, [])
    with pytest.raises(LedgerError):
        led.fix_seed(2, led.seed_accumulator(1))  # another epoch's accumulator
    with pytest.raises(LedgerError):
        led.set_seed(1, bytes(32))
    with pytest.raises(InvalidConfig):
        led.set_seed(7, b"short")
    led.set_seed(1, s1)  # the same seed again is fine
    led.forget_before(2)
    assert sorted(led.seeds) == [2]


def test_given_seeds_and_rules_once_per_epoch() -> None:
    gen = GenesisFile.single(ROTATION, SEED, TABLE)
    led = EpochLedger(gen, seeds={-1: bytes(32), 3: bytes(32)})
    assert sorted(led.seeds) == [0, 3]
    with pytest.raises(LedgerError):
        EpochLedger(gen, seeds={0: bytes(32)})
    r = led.rules(3)
    assert isinstance(r, Schedule) and r is led.rules(3)
    assert r.leaders() == Schedule(ROTATION, TABLE, 3, bytes(32)).leaders()


def test_windows_reveal_in_order_from_their_source_betas() -> None:
    led = EpochLedger(GenesisFile.single(WINDOWED, SEED, TABLE))
    asked: list[range] = []

    def betas_of(slots: range) -> list[tuple[int, bytes]]:
        asked.append(slots)
        return [(x, beta(x)) for x in slots if x % 2]

    sched = led.rules(0)
    assert isinstance(sched, WindowedSchedule) and led.revealed(0) == 0
    prev = None
    for j in range(4):
        got = led.reveal_next(0, betas_of)
        src = window_source(WINDOWED, 0, j)
        prev = window_seed(WINDOWED, 0, SEED, j, prev, [(x, beta(x)) for x in src if x % 2])
        assert got == prev and led.revealed(0) == j + 1
    assert asked == [window_source(WINDOWED, 0, j) for j in (2, 3)]  # windows 0 and 1: nothing before slot 0
    assert sched.window_seeds[-1] == prev
    with pytest.raises(InvalidConfig):
        led.reveal_next(0, betas_of)  # every window revealed
    with pytest.raises(KeyError):
        led.reveal_next(1, betas_of)
    for x in range(36):
        e, j = led.dependent_window(x)
        assert x in window_source(WINDOWED, e, j)
    with pytest.raises(InvalidConfig):
        EpochLedger(GenesisFile.single(ROTATION, SEED, TABLE)).reveal_next(0, betas_of)
    with pytest.raises(InvalidConfig):
        EpochLedger(GenesisFile.single(ROTATION, SEED, TABLE)).dependent_window(0)


def test_sources_before_a_later_start_epoch_feed_nothing() -> None:
    gen = GenesisFile(WINDOWED, SEED, ((2, TABLE),), start_epoch=2)
    led = EpochLedger(gen)

    def betas_of(slots: range) -> list[tuple[int, bytes]]:
        assert slots.start >= WINDOWED.first_slot(2)
        return []

    assert led.rules(1) is None
    assert led.reveal_next(2, betas_of) == window_seed(WINDOWED, 2, SEED, 0, None, [])


def test_inactivity_tables_need_recorded_outcomes() -> None:
    config = ElectionConfig(b"ledger-i", epoch_length=8, slot_duration_ms=1000, failover_timeout_ms=200,
                            backups=1, seed_cutoff=4, inactivity_threshold=50)
    led = EpochLedger(GenesisFile.single(config, SEED, TABLE))
    assert led.table(0) == TABLE and led.table(1) == TABLE
    with pytest.raises(InactivityError):
        led.table(2)
    counts = Schedule(config, TABLE, 0, SEED).counts()
    top = max(counts, key=lambda v: counts[v])
    blocks = [(0, v) for v, n in counts.items() if v != top for _ in range(n)]
    led.record(0, counts, blocks)
    t2 = led.table(2)
    assert t2[top].stake < TABLE[top].stake  # missed every primary slot: reduced
    assert led.inactivity is not None and led.inactivity.reduced(2) == {top}
    counts1 = list(Schedule(config, TABLE, 1, SEED).counts().values())
    led.record_empty(1, led.table(1), counts1)
    ref = InactivityState(config, GenesisFile.single(config, SEED, TABLE).table_for, 0)
    ref.record(0, epoch_outcomes(counts, blocks))
    ref.record_empty(1, TABLE.ids, counts1)
    assert led.inactivity.reduced(3) == ref.reduced(3) and led.table(3) == ref.table(3)
    # Off, the ledger records nothing and every table is the genesis one.
    off = EpochLedger(GenesisFile.single(ROTATION, SEED, TABLE))
    off.record(0, counts, blocks)
    assert off.inactivity is None and off.table(5) == TABLE
