"""Slot inputs and VRF-chained epoch seeds."""

from __future__ import annotations

import hashlib

import pytest

from election import ElectionConfig, InvalidConfig, InvalidSlot, MalformedData, SeedAccumulator, next_seed, slot_input

CONFIG = ElectionConfig(b"seed-chain", epoch_length=12, seed_cutoff=8)
SEED = bytes(range(32))


def beta(i: int) -> bytes:
    return hashlib.sha512(b"beta%d" % i).digest()


def test_slot_input_layout() -> None:
    alpha = slot_input(CONFIG, 2, SEED, 30)
    assert alpha == b"\x14seqvrf/v1/slot-input" + b"\x0aseed-chain" + (2).to_bytes(8, "big") + SEED + (30).to_bytes(
        8, "big"
    )
    assert len({slot_input(CONFIG, 2, SEED, s) for s in range(24, 36)}) == 12


def test_slot_input_rejects() -> None:
    with pytest.raises(InvalidSlot):
        slot_input(CONFIG, 2, SEED, 36)
    with pytest.raises(InvalidSlot):
        slot_input(CONFIG, -1, SEED, 0)
    with pytest.raises(InvalidConfig):
        slot_input(CONFIG, 2, SEED[:31], 30)


def test_next_seed_layout() -> None:
    blocks = [(24, beta(0)), (27, beta(1)), (31, beta(2))]
    h = hashlib.sha512(
        b"\x14seqvrf/v1/epoch-seed" + b"\x0aseed-chain" + (2).to_bytes(8, "big") + SEED + (8).to_bytes(4, "big")
    )
    for slot, b in blocks:
        h.update(slot.to_bytes(8, "big") + b)
    h.update((3).to_bytes(8, "big"))
    assert next_seed(CONFIG, 2, SEED, blocks) == h.digest()[:32]


def test_cutoff_and_accumulator() -> None:
    acc = SeedAccumulator(CONFIG, 2, SEED)
    included = [acc.add(s, beta(s)) for s in (24, 25, 31, 32, 35)]
    assert included == [True, True, True, False, False] and acc.count == 3
    assert acc.finish() == next_seed(CONFIG, 2, SEED, [(24, beta(24)), (25, beta(25)), (31, beta(31))])
    assert acc.finish() == next_seed(CONFIG, 2, SEED, [(s, beta(s)) for s in (24, 25, 31, 32, 35)])


def test_every_input_matters() -> None:
    base = next_seed(CONFIG, 2, SEED, [(24, beta(0))])
    assert next_seed(CONFIG, 2, SEED, [(25, beta(0))]) != base
    assert next_seed(CONFIG, 2, SEED, [(24, beta(1))]) != base
    assert next_seed(CONFIG, 2, SEED, []) != base
    assert next_seed(CONFIG, 3, SEED, [(36, beta(0))]) != next_seed(CONFIG, 2, SEED, [(24, beta(0))])
    assert next_seed(CONFIG, 2, bytes(32), [(24, beta(0))]) != base
    other = ElectionConfig(b"other", epoch_length=12, seed_cutoff=8)
    assert next_seed(other, 2, SEED, [(24, beta(0))]) != base


def test_withholding_changes_seed() -> None:
    # A leader's only lever: publish (its beta counts) or withhold (it does not).
    with_block = next_seed(CONFIG, 0, SEED, [(0, beta(0)), (1, beta(1))])
    without = next_seed(CONFIG, 0, SEED, [(1, beta(1))])
    assert with_block != without and len(with_block) == 32


def test_accumulator_rejects() -> None:
    acc = SeedAccumulator(CONFIG, 2, SEED)
    acc.add(26, beta(0))
    with pytest.raises(InvalidSlot, match="increase"):
        acc.add(26, beta(1))
    with pytest.raises(InvalidSlot, match="increase"):
        acc.add(25, beta(1))
    with pytest.raises(InvalidSlot, match="not in epoch"):
        acc.add(36, beta(1))
    with pytest.raises(MalformedData, match="64 bytes"):
        acc.add(27, beta(1)[:63])
    with pytest.raises(InvalidConfig):
        SeedAccumulator(CONFIG, 0, b"")
