"""Validators and stake tables: rules, canonical order, digest, encodings."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from election import InvalidStakeTable, MalformedData, StakeTable, Validator
from election.dev.keys import dev_validators

DEVS = dev_validators([5, 7, 11, 13, 17, 19, 23, 29])
V = [d.validator for d in DEVS]
K = [(v.vrf_key, v.vote_key) for v in V]


def mk(i: int, vid: str | None = None, stake: int = 1) -> Validator:
    return Validator(vid if vid is not None else V[i].id, K[i][0], K[i][1], stake)


def test_canonical_order_and_lookup() -> None:
    t = StakeTable(reversed(V[:4]))
    assert t.ids == ("v0000", "v0001", "v0002", "v0003")
    assert t.total_stake == 5 + 7 + 11 + 13
    assert t.cumulative_stakes == (5, 12, 23, 36)
    assert t["v0002"].stake == 11 and t.index("v0002") == 2
    assert "v0001" in t and "zz" not in t and t.get("zz") is None
    assert t == StakeTable(V[:4]) and hash(t) == hash(StakeTable(V[:4]))
    assert len(t.digest()) == 32
    assert t.expected_slots("v0000", 36) == 5


def test_canonical_order_is_by_utf8_bytes() -> None:
    # U+00E9 (2 bytes: c3 a9) sorts after "z" (7a) by bytes.
    t = StakeTable([mk(0, "\u00e9"), mk(1, "z"), mk(2, "Z")])
    assert t.ids == ("Z", "z", "\u00e9")


def test_digest_pins_every_field() -> None:
    base = StakeTable(V[:3]).digest()
    assert StakeTable([mk(0, stake=6), V[1], V[2]]).digest() != base
    assert StakeTable([mk(0, "other", 5), V[1], V[2]]).digest() != base
    swapped = Validator(V[0].id, K[0][1], K[0][0], 5)
    assert StakeTable([swapped, V[1], V[2]]).digest() != base


@pytest.mark.parametrize("stake", [0, -1, 2**64, True, 1.0, "1"])
def test_bad_stake(stake: object) -> None:
    with pytest.raises(InvalidStakeTable, match="stake"):
        Validator("a", K[0][0], K[0][1], stake)  # type: ignore[arg-type]


@pytest.mark.parametrize("vid", ["", "x" * 65, "\u00e9" * 33, "a\nb", "a\x7f", "\ud800", 7])
def test_bad_id(vid: object) -> None:
    with pytest.raises(InvalidStakeTable):
        Validator(vid, K[0][0], K[0][1], 1)  # type: ignore[arg-type]


def test_max_id_ok() -> None:
    assert Validator("x" * 64, K[0][0], K[0][1], 1).id_bytes == b"x" * 64


def test_bad_keys() -> None:
    with pytest.raises(InvalidStakeTable, match="32 bytes"):
        Validator("a", K[0][0][:31], K[0][1], 1)
    with pytest.raises(InvalidStakeTable, match="differ"):
        Validator("a", K[0][0], K[0][0], 1)
    small_order = bytes(32)  # encodes a point of small order (y = 0)
    with pytest.raises(InvalidStakeTable, match="vrf_key"):
        Validator("a", small_order, K[0][1], 1)
    identity = b"\x01" + bytes(31)
    with pytest.raises(InvalidStakeTable, match="vote_key"):
        Validator("a", K[0][0], identity, 1)
    not_on_curve = b"\x02" + bytes(31)
    with pytest.raises(InvalidStakeTable):
        Validator("a", not_on_curve, K[0][1], 1)


def test_table_rejections() -> None:
    with pytest.raises(InvalidStakeTable, match="at least one"):
        StakeTable([])
    with pytest.raises(InvalidStakeTable, match="duplicate validator id"):
        StakeTable([mk(0, "a"), mk(1, "a")])
    with pytest.raises(InvalidStakeTable, match="already used"):
        StakeTable([mk(0, "a"), mk(0, "b")])
    cross = Validator("b", K[1][0], K[0][0], 1)  # b's vote key is a's VRF key
    with pytest.raises(InvalidStakeTable, match="already used"):
        StakeTable([mk(0, "a"), cross])
    with pytest.raises(InvalidStakeTable, match="total stake"):
        StakeTable([mk(0, stake=2**63), mk(1, stake=2**63)])
    with pytest.raises(InvalidStakeTable, match="Validator objects"):
        StakeTable(["a"])  # type: ignore[list-item]


def test_round_trips() -> None:
    t = StakeTable(V)
    assert StakeTable.from_bytes(t.to_bytes()) == t
    assert StakeTable.from_json(t.to_json()) == t
    assert StakeTable.from_dict(json.loads(t.to_json())).digest() == t.digest()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, len(V) - 1), st.integers(1, 2**40)), min_size=1, max_size=8, unique_by=lambda x: x[0]
    )
)
def test_round_trip_property(picks: list[tuple[int, int]]) -> None:
    t = StakeTable(mk(i, stake=s) for i, s in picks)
    assert StakeTable.from_bytes(t.to_bytes()) == t
    assert StakeTable.from_json(t.to_json()) == t


def test_malformed_bytes() -> None:
    enc = StakeTable(V[:3]).to_bytes()
    for bad in (enc[:-1], enc + b"\x00", b"", b"\x00" + enc[1:]):
        with pytest.raises(MalformedData):
            StakeTable.from_bytes(bad)
    # Swap the order of two validators: a valid table, but not canonical bytes.
    t = StakeTable(V[:2])
    head = enc[: len(enc) - 3 * (1 + 5 + 32 + 32 + 8)]
    recs = [v.to_bytes() for v in t]
    with pytest.raises(MalformedData, match="canonical order"):
        StakeTable.from_bytes(head[:-4] + (2).to_bytes(4, "big") + recs[1] + recs[0])
    with pytest.raises(MalformedData):
        StakeTable.from_bytes("text")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        "{}",
        '{"validators": {}}',
        '{"validators": [], "x": 1}',
        "{'validators': []}",
        '{"validators": [{"id": "a"}]}',
        '{"validators": [{"id": "a", "vrf_key": "00", "vote_key": "00", "stake": 1}]}',
        '{"validators": [], "validators": []}',
        "NaN",
    ],
)
def test_malformed_json(text: str) -> None:
    with pytest.raises((MalformedData, InvalidStakeTable)):
        StakeTable.from_json(text)


def test_json_type_errors() -> None:
    d = StakeTable(V[:1]).to_dict()
    for key, value in (("stake", True), ("stake", 1.5), ("stake", "5"), ("id", 5), ("vrf_key", K[0][0].hex().upper())):
        bad = json.loads(json.dumps(d))
        bad["validators"][0][key] = value
        with pytest.raises(MalformedData, match=key):
            StakeTable.from_dict(bad)
    with pytest.raises(InvalidStakeTable, match="at least one"):
        StakeTable.from_json('{"validators": []}')


def _with_torsion(key: bytes) -> bytes:
    """The same secret's key plus a point of order 8: other bytes, same x."""
    from vrf import reference as R

    t = R.string_to_point(bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"))
    p = R.string_to_point(key)
    assert t is not None and p is not None
    return R.point_to_string(R.point_add(p, t))


def test_keys_with_a_small_order_component_rejected() -> None:
    vrf_key, vote_key = K[0]
    disguised = _with_torsion(vrf_key)
    assert disguised != vrf_key
    # The VRF itself accepts such a key (RFC 9381 5.4.5 only rejects small-order keys) ...
    import vrf

    vrf.PublicKey(disguised)
    # ... but a stake table does not: it would hide a reused key (vote key = VRF key + T).
    with pytest.raises(InvalidStakeTable, match="vote_key .* prime-order subgroup"):
        Validator("a", vrf_key, disguised, 1)
    with pytest.raises(InvalidStakeTable, match="vrf_key .* prime-order subgroup"):
        Validator("a", _with_torsion(vote_key), vote_key, 1)
    assert Validator("a", vrf_key, vote_key, 1).vrf_key == vrf_key  # honest keys pass
