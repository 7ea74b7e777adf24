"""Timeout votes and certificates: signing, encodings, every rejection rule."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from election import (
    ElectionConfig,
    InvalidCertificate,
    InvalidVote,
    MalformedData,
    TimeoutCertificate,
    TimeoutVote,
    is_quorum,
)
from election.dev.keys import dev_table
from election.rules.votes import vote_message

STAKES = [10, 20, 30, 40]  # total 100: quorum needs > 66.67
TABLE, KEYS = dev_table(STAKES, b"votes")
CONFIG = ElectionConfig(b"vote-chain", epoch_length=10, backups=3)
EPOCH, SLOT, RANK = 3, 34, 1


def vote(vid: str, slot: int = SLOT, rank: int = RANK, epoch: int = EPOCH, parent: bytes | None = None) -> TimeoutVote:
    return TimeoutVote.sign(CONFIG, TABLE, epoch, slot, rank, vid, KEYS[vid].vote_seed, parent)


def test_quorum_rule() -> None:
    assert is_quorum(67, 100) and not is_quorum(66, 100)
    assert not is_quorum(2, 3) and is_quorum(3, 3)
    assert is_quorum(2 * 10**18 + 1, 3 * 10**18) and not is_quorum(2 * 10**18, 3 * 10**18)


def test_sign_and_verify() -> None:
    v = vote("v0000", parent=b"\xaa" * 32)
    v.verify(TABLE, CONFIG)
    assert v.message() == vote_message(CONFIG.chain_id, EPOCH, TABLE.digest(), SLOT, RANK, b"\xaa" * 32, "v0000")
    assert v.message().startswith(b"\x16seqvrf/v1/timeout-vote\x0avote-chain")


def test_sign_rejects() -> None:
    with pytest.raises(InvalidVote, match="not in the stake table"):
        TimeoutVote.sign(CONFIG, TABLE, EPOCH, SLOT, RANK, "nobody", bytes(32))
    with pytest.raises(InvalidVote, match="does not match"):
        TimeoutVote.sign(CONFIG, TABLE, EPOCH, SLOT, RANK, "v0000", KEYS["v0001"].vote_seed)
    with pytest.raises(InvalidVote, match="does not match"):  # the VRF key must never sign votes
        TimeoutVote.sign(CONFIG, TABLE, EPOCH, SLOT, RANK, "v0000", KEYS["v0000"].vrf_seed)
    with pytest.raises(InvalidVote, match="rank"):
        vote("v0000", rank=0)


def test_vote_verify_rejects() -> None:
    v = vote("v0001")
    other_chain = ElectionConfig(b"other", epoch_length=10, backups=3)
    with pytest.raises(InvalidVote, match="chain_id"):
        v.verify(TABLE, other_chain)
    other_table, _ = dev_table(STAKES, b"other")
    with pytest.raises(InvalidVote, match="table digest"):
        v.verify(other_table, CONFIG)
    with pytest.raises(InvalidVote, match="bad signature"):
        dataclasses.replace(v, slot=SLOT + 1).verify(TABLE, CONFIG)
    with pytest.raises(InvalidVote, match="bad signature"):
        dataclasses.replace(v, signature=bytes(64)).verify(TABLE, CONFIG)
    with pytest.raises(InvalidVote, match="bad signature"):
        dataclasses.replace(v, voter_id="v0002").verify(TABLE, CONFIG)
    with pytest.raises(InvalidVote, match="bad signature"):
        dataclasses.replace(v, parent_hash=b"x").verify(TABLE, CONFIG)
    with pytest.raises(InvalidVote, match="not in epoch"):
        dataclasses.replace(v, slot=SLOT + 10).verify(TABLE, CONFIG)
    with pytest.raises(InvalidVote, match="exceeds"):
        dataclasses.replace(v, rank=4).verify(TABLE, CONFIG)
    with pytest.raises(InvalidVote, match="not in the stake table"):
        dataclasses.replace(v, voter_id="ghost").verify(TABLE, CONFIG)


def test_certificate_valid() -> None:
    cert = TimeoutCertificate([vote("v0003"), vote("v0001", parent=b"p"), vote("v0002")])  # 90
    cert.verify(TABLE, CONFIG)
    assert cert.voters == ("v0001", "v0002", "v0003")
    assert cert.signed_stake(TABLE) == 90 and (cert.slot, cert.rank, cert.epoch) == (SLOT, RANK, EPOCH)


def test_certificate_too_little_stake() -> None:
    cert = TimeoutCertificate([vote("v0003"), vote("v0002")])  # 70 > 66.7: ok
    cert.verify(TABLE, CONFIG)
    weak = TimeoutCertificate([vote("v0000"), vote("v0001"), vote("v0002")])  # 60
    with pytest.raises(InvalidCertificate, match="60 of 100"):
        weak.verify(TABLE, CONFIG)
    # Exactly 2/3 is not enough.
    table3, keys3 = dev_table([1, 1, 1], b"thirds")
    votes = [
        TimeoutVote.sign(CONFIG, table3, EPOCH, SLOT, RANK, f"v000{i}", keys3[f"v000{i}"].vote_seed) for i in range(3)
    ]
    with pytest.raises(InvalidCertificate, match="2 of 3"):
        TimeoutCertificate(votes[:2]).verify(table3, CONFIG)
    TimeoutCertificate(votes).verify(table3, CONFIG)


def test_certificate_structural_rejects() -> None:
    with pytest.raises(InvalidCertificate, match="duplicate voter"):
        TimeoutCertificate([vote("v0003"), vote("v0002"), vote("v0003", parent=b"z")])
    with pytest.raises(InvalidCertificate, match="slot 35"):
        TimeoutCertificate([vote("v0003"), vote("v0002", slot=SLOT + 1)])
    with pytest.raises(InvalidCertificate, match="rank 2"):
        TimeoutCertificate([vote("v0003"), vote("v0002", rank=2)])
    with pytest.raises(InvalidCertificate, match="epoch"):
        TimeoutCertificate([vote("v0003"), dataclasses.replace(vote("v0002"), epoch=EPOCH + 1)])
    with pytest.raises(InvalidCertificate, match="at least one"):
        TimeoutCertificate([])
    with pytest.raises(InvalidCertificate, match="TimeoutVote"):
        TimeoutCertificate(["x"])  # type: ignore[list-item]


def test_certificate_bad_signature_or_unknown_voter() -> None:
    good = [vote("v0003"), vote("v0002")]
    forged = dataclasses.replace(vote("v0001"), signature=bytes(64))
    with pytest.raises(InvalidCertificate, match="bad signature"):
        TimeoutCertificate(good + [forged]).verify(TABLE, CONFIG)
    ghost = dataclasses.replace(vote("v0001"), voter_id="ghost")
    with pytest.raises(InvalidCertificate, match="not in the stake table"):
        TimeoutCertificate(good + [ghost]).verify(TABLE, CONFIG)
    other_table, _ = dev_table(STAKES, b"other")
    with pytest.raises(InvalidCertificate, match="table digest"):
        TimeoutCertificate(good).verify(other_table, CONFIG)


ids = st.sampled_from(TABLE.ids)
parents = st.none() | st.binary(min_size=1, max_size=64)


@settings(max_examples=60, deadline=None)
@given(
    st.binary(min_size=1, max_size=64),
    st.integers(0, 2**64 - 1),
    st.binary(min_size=32, max_size=32),
    st.integers(0, 2**64 - 1),
    st.integers(1, 255),
    parents,
    st.text(min_size=1, max_size=16).filter(lambda s: all(ord(c) >= 0xA0 or 0x20 <= ord(c) < 0x7F for c in s)),
    st.binary(min_size=64, max_size=64),
)
def test_vote_round_trips(
    chain: bytes, epoch: int, digest: bytes, slot: int, rank: int, parent: bytes | None, voter: str, sig: bytes
) -> None:
    try:
        voter.encode("utf-8")
    except UnicodeEncodeError:
        return
    v = TimeoutVote(chain, epoch, digest, slot, rank, parent, voter, sig)
    assert TimeoutVote.from_bytes(v.to_bytes()) == v
    assert TimeoutVote.from_json(v.to_json()) == v
    c = TimeoutCertificate([v, dataclasses.replace(v, voter_id=voter + "x", parent_hash=None)])
    assert TimeoutCertificate.from_bytes(c.to_bytes()) == c
    assert TimeoutCertificate.from_json(c.to_json()) == c


def test_malformed_vote_and_certificate_bytes() -> None:
    v = vote("v0000", parent=b"pp")
    enc = v.to_bytes()
    for bad in (enc[:-1], enc + b"\x00", b""):
        with pytest.raises(MalformedData):
            TimeoutVote.from_bytes(bad)
    flag_at = 1 + len(CONFIG.chain_id) + 8 + 32 + 8 + 1
    assert enc[flag_at] == 1
    with pytest.raises(MalformedData, match="flag"):
        TimeoutVote.from_bytes(enc[:flag_at] + b"\x02" + enc[flag_at + 1 :])
    with pytest.raises(MalformedData, match="rank"):  # rank 0 is well-encoded but out of range
        TimeoutVote.from_bytes(enc[: flag_at - 1] + b"\x00" + enc[flag_at:])
    cert = TimeoutCertificate([vote("v0003"), vote("v0002")])
    cenc = cert.to_bytes()
    for bad in (cenc[:-1], cenc + b"\x00"):
        with pytest.raises(MalformedData):
            TimeoutCertificate.from_bytes(bad)
    # Votes out of canonical order are not the canonical encoding.
    head_len = 1 + len(CONFIG.chain_id) + 8 + 32 + 8 + 1 + 2
    rec = 1 + 6 + 64
    a, b = cenc[head_len : head_len + rec], cenc[head_len + rec :]
    with pytest.raises(MalformedData, match="ascending"):
        TimeoutCertificate.from_bytes(cenc[:head_len] + b + a)
    with pytest.raises(MalformedData, match="ascending"):
        TimeoutCertificate.from_bytes(cenc[:head_len] + a + a)


def test_malformed_json() -> None:
    d = vote("v0000").to_dict()
    for key, value in (
        ("epoch", -1),
        ("slot", True),
        ("rank", "1"),
        ("signature", "zz"),
        ("chain_id", 5),
        ("parent_hash", "abc"),
        ("voter_id", None),
        ("table_digest", "00"),
    ):
        bad = dict(d, **{key: value})
        with pytest.raises(MalformedData):
            TimeoutVote.from_dict(bad)
    with pytest.raises(MalformedData, match="unknown"):
        TimeoutVote.from_dict(dict(d, extra=1))
    with pytest.raises(MalformedData, match="missing"):
        TimeoutVote.from_dict({k: d[k] for k in list(d)[1:]})
    for text in ("", "{", "[1]", '{"a":1,"a":2}', "Infinity"):
        with pytest.raises(MalformedData):
            TimeoutVote.from_json(text)
        with pytest.raises(MalformedData):
            TimeoutCertificate.from_json(text)
    cd = TimeoutCertificate([vote("v0003"), vote("v0002")]).to_dict()
    bad = json.loads(json.dumps(cd))
    bad["votes"] = "nope"
    with pytest.raises(MalformedData):
        TimeoutCertificate.from_dict(bad)
    bad["votes"] = [cd["votes"][0], cd["votes"][0]]
    with pytest.raises(MalformedData, match="duplicate voter"):
        TimeoutCertificate.from_dict(bad)
    bad["votes"] = []
    with pytest.raises(MalformedData, match="at least one"):
        TimeoutCertificate.from_dict(bad)
    bad["votes"] = [{"voter_id": "v0001"}]
    with pytest.raises(MalformedData, match="missing"):
        TimeoutCertificate.from_dict(bad)
