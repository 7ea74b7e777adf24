"""ElectionConfig: validation, slot arithmetic, JSON round trips and malformed JSON."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vrf
from election import ElectionConfig, InvalidConfig, InvalidSlot, MalformedData
from election.rules.config import ELECTION_SUITES


@settings(max_examples=100, deadline=None)
@given(
    st.binary(min_size=1, max_size=64),
    st.integers(1, 2**20),
    st.integers(1, 2**32 - 1),
    st.integers(1, 2**32 - 1),
    st.integers(0, 255),
    st.data(),
    st.sampled_from(list(ELECTION_SUITES)),
)
def test_round_trip(
    chain: bytes, length: int, slot_ms: int, fo_ms: int, backups: int, data: st.DataObject, suite: vrf.Suite
) -> None:
    cutoff = data.draw(st.none() | st.integers(1, length))
    c = ElectionConfig(chain, length, slot_ms, fo_ms, backups, cutoff, suite)
    assert ElectionConfig.from_json(c.to_json()) == c
    assert c.cutoff == (cutoff if cutoff is not None else max(1, 2 * length // 3))


def test_config_validation() -> None:
    for kwargs in (
        {"chain_id": b""},
        {"chain_id": "x"},
        {"chain_id": b"x", "epoch_length": 0},
        {"chain_id": b"x", "epoch_length": 2**20 + 1},  # MAX_EPOCH_LENGTH: a schedule's size is bounded
        {"chain_id": b"x", "epoch_length": 2**32 - 1},
        {"chain_id": b"x", "backups": 256},
        {"chain_id": b"x", "backups": True},
        {"chain_id": b"x", "epoch_length": 10, "seed_cutoff": 11},
        {"chain_id": b"x", "seed_cutoff": 0},
        {"chain_id": b"x", "suite": 9},
        {"chain_id": b"x", "slot_duration_ms": 0},
        {"chain_id": b"x", "failover_timeout_ms": -1},
    ):
        with pytest.raises(InvalidConfig):
            ElectionConfig(**kwargs)  # type: ignore[arg-type]
    c = ElectionConfig(b"x", epoch_length=30)
    assert c.seed_cutoff == 20 and ElectionConfig.from_json(c.to_json()) == c
    assert c.epoch_of(61) == 2 and c.first_slot(2) == 60 and c.slots(2) == range(60, 90)
    assert ElectionConfig(b"x", epoch_length=1).seed_cutoff == 1
    assert ElectionConfig(b"x", epoch_length=2**20).epoch_length == 2**20


def test_only_the_rfc_edwards25519_suites_configure_an_election() -> None:
    """P-256 suites need other keys; the draft-03 suites are for interop, not new elections."""
    assert set(ELECTION_SUITES) == {vrf.Suite.EDWARDS25519_SHA512_TAI, vrf.Suite.EDWARDS25519_SHA512_ELL2}
    good = ElectionConfig(b"x", epoch_length=30).to_dict()
    for suite in set(vrf.Suite) - set(ELECTION_SUITES):
        with pytest.raises(InvalidConfig, match="suite"):
            ElectionConfig(b"x", suite=suite)
        with pytest.raises(InvalidConfig, match="suite"):
            ElectionConfig.from_dict({**good, "suite": int(suite)})
    for suite in ELECTION_SUITES:
        assert ElectionConfig.from_dict({**good, "suite": int(suite)}).suite is suite


def test_package_example() -> None:
    import doctest

    import election

    assert doctest.testmod(election, raise_on_error=True).attempted >= 8


def test_slot_arithmetic() -> None:
    c = ElectionConfig(b"x", epoch_length=10, slot_duration_ms=250)
    assert c.epoch_of(0) == 0 and c.epoch_of(19) == 1 and c.slot_offset_ms(4) == 1000
    assert c.takeover_offset_ms(4, 0) == 1000 and c.takeover_offset_ms(4, 2) == 2000
    with pytest.raises(InvalidSlot):
        c.takeover_offset_ms(4, 4)
    with pytest.raises(InvalidSlot):
        c.epoch_of(-1)
    with pytest.raises(InvalidSlot):
        c.first_slot(2**64 // 10)


def test_malformed_json() -> None:
    d = ElectionConfig(b"x").to_dict()
    for key, value in (
        ("epoch_length", 1.0),
        ("backups", True),
        ("suite", 1),
        ("suite", "3"),
        ("chain_id", "zz"),
        ("seed_cutoff", None),
        ("epoch_length", 2**33),
    ):
        with pytest.raises((MalformedData, InvalidConfig)):
            ElectionConfig.from_dict(dict(d, **{key: value}))
    with pytest.raises(MalformedData, match="unknown"):
        ElectionConfig.from_dict(dict(d, extra=1))
    with pytest.raises(MalformedData, match="missing"):
        ElectionConfig.from_dict({k: v for k, v in d.items() if k != "suite"})
    for text in ("", "[]", json.dumps(d)[:-1], '{"chain_id": "78", "chain_id": "79"}'):
        with pytest.raises(MalformedData):
            ElectionConfig.from_json(text)
