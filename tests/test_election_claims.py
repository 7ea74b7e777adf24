"""Leadership claims: make, verify (every rejection rule), bulk checks, encodings."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vrf
from election import (
    ElectionConfig,
    InvalidClaim,
    LeaderClaim,
    MalformedData,
    Schedule,
    TimeoutCertificate,
    TimeoutVote,
    check_claim_static,
    make_claim,
    verify_claim,
    verify_claims,
)
from election.dev.keys import dev_table

TABLE, KEYS = dev_table([10, 20, 30, 40, 50], b"claims")
CONFIG = ElectionConfig(b"claim-chain", epoch_length=16, backups=2)
EPOCH = 5
SCHED = Schedule(CONFIG, TABLE, EPOCH, b"\x07" * 32)
SLOT = SCHED.first_slot + 3
RANKING = SCHED.ranking(SLOT)


def cert_for(slot: int, rank: int, voters: list[str] | None = None, epoch: int = EPOCH) -> TimeoutCertificate:
    voters = voters if voters is not None else ["v0001", "v0002", "v0003", "v0004"]  # 140 of 150
    return TimeoutCertificate(TimeoutVote.sign(CONFIG, TABLE, epoch, slot, rank, v, KEYS[v].vote_seed) for v in voters)


@pytest.fixture(scope="module")
def primary() -> LeaderClaim:
    lid = RANKING[0]
    return make_claim(SCHED, KEYS[lid].vrf_secret, lid, SLOT)


@pytest.fixture(scope="module")
def backup() -> LeaderClaim:
    bid = RANKING[1]
    return make_claim(SCHED, KEYS[bid].vrf_secret, bid, SLOT, 1, cert_for(SLOT, 1))


def test_primary_claim_verifies(primary: LeaderClaim) -> None:
    beta = verify_claim(primary, SCHED)
    assert len(beta) == 64 and beta == vrf.proof_to_hash(primary.proof, CONFIG.suite)
    key, alpha, proof = check_claim_static(primary, SCHED)
    assert key == TABLE[primary.validator_id].vrf_public_key and alpha == SCHED.slot_input(SLOT)
    assert proof == primary.proof


def test_backup_claim_verifies(backup: LeaderClaim) -> None:
    assert verify_claim(backup, SCHED) == vrf.proof_to_hash(backup.proof, CONFIG.suite)


def test_wrong_chain(primary: LeaderClaim) -> None:
    with pytest.raises(InvalidClaim, match="wrong chain"):
        verify_claim(dataclasses.replace(primary, chain_id=b"other"), SCHED)


def test_wrong_epoch(primary: LeaderClaim) -> None:
    with pytest.raises(InvalidClaim, match="wrong epoch"):
        verify_claim(dataclasses.replace(primary, epoch=EPOCH + 1), SCHED)


def test_wrong_slot(primary: LeaderClaim) -> None:
    with pytest.raises(InvalidClaim, match="wrong slot"):
        verify_claim(dataclasses.replace(primary, slot=SCHED.first_slot + 16), SCHED)
    # Same leader at another slot of the epoch: the proof is over the other slot's input.
    other = next(s for s in SCHED.slots if s != SLOT and SCHED.leader(s) == primary.validator_id)
    with pytest.raises(InvalidClaim, match="VRF proof"):
        verify_claim(dataclasses.replace(primary, slot=other), SCHED)


def test_wrong_validator(primary: LeaderClaim) -> None:
    with pytest.raises(InvalidClaim, match="wrong validator"):
        verify_claim(dataclasses.replace(primary, validator_id=RANKING[1]), SCHED)
    with pytest.raises(InvalidClaim, match="wrong validator"):
        verify_claim(dataclasses.replace(primary, validator_id="ghost"), SCHED)


def test_wrong_rank(primary: LeaderClaim, backup: LeaderClaim) -> None:
    with pytest.raises(InvalidClaim, match="wrong rank"):
        verify_claim(dataclasses.replace(primary, rank=3), SCHED)
    with pytest.raises(InvalidClaim, match="wrong validator"):  # primary claiming rank 1
        verify_claim(dataclasses.replace(primary, rank=1, certificate=cert_for(SLOT, 1)), SCHED)
    with pytest.raises(InvalidClaim, match="wrong validator"):  # backup claiming rank 0
        verify_claim(dataclasses.replace(backup, rank=0, certificate=None), SCHED)


def test_wrong_key(primary: LeaderClaim) -> None:
    # A proof by another validator's key for the right input.
    stranger = KEYS[RANKING[1]].vrf_secret
    forged = dataclasses.replace(primary, proof=stranger.prove(SCHED.slot_input(SLOT), CONFIG.suite))
    with pytest.raises(InvalidClaim, match="VRF proof"):
        verify_claim(forged, SCHED)


def test_tampered_proof(primary: LeaderClaim) -> None:
    for i in (0, 40, 79):
        bad = bytearray(primary.proof)
        bad[i] ^= 1
        with pytest.raises(InvalidClaim, match="VRF proof"):
            verify_claim(dataclasses.replace(primary, proof=bytes(bad)), SCHED)


def test_other_suite_proof(primary: LeaderClaim) -> None:
    lid = RANKING[0]
    ell2 = KEYS[lid].vrf_secret.prove(SCHED.slot_input(SLOT), vrf.Suite.EDWARDS25519_SHA512_ELL2)
    with pytest.raises(InvalidClaim, match="VRF proof"):
        verify_claim(dataclasses.replace(primary, proof=ell2), SCHED)


def test_certificate_rules(primary: LeaderClaim, backup: LeaderClaim) -> None:
    with pytest.raises(InvalidClaim, match="missing timeout certificate"):
        verify_claim(dataclasses.replace(backup, certificate=None), SCHED)
    with pytest.raises(InvalidClaim, match="must not carry"):
        verify_claim(dataclasses.replace(primary, certificate=cert_for(SLOT, 1)), SCHED)
    with pytest.raises(InvalidClaim, match="certificate is for epoch .* slot .* rank 2"):
        verify_claim(dataclasses.replace(backup, certificate=cert_for(SLOT, 2)), SCHED)
    with pytest.raises(InvalidClaim, match="certificate is for"):
        verify_claim(dataclasses.replace(backup, certificate=cert_for(SLOT + 1, 1)), SCHED)
    with pytest.raises(InvalidClaim, match="certificate is for"):
        other_epoch_slot = SLOT + 16
        verify_claim(dataclasses.replace(backup, certificate=cert_for(other_epoch_slot, 1, epoch=EPOCH + 1)), SCHED)
    with pytest.raises(InvalidClaim, match="invalid certificate.*of 150 stake"):
        verify_claim(dataclasses.replace(backup, certificate=cert_for(SLOT, 1, ["v0000", "v0004", "v0003"])), SCHED)
    forged_votes = list(cert_for(SLOT, 1).votes)
    forged_votes[0] = dataclasses.replace(forged_votes[0], signature=bytes(64))
    with pytest.raises(InvalidClaim, match="bad signature"):
        verify_claim(dataclasses.replace(backup, certificate=TimeoutCertificate(forged_votes)), SCHED)


def test_make_claim_rejects() -> None:
    lid, bid = RANKING[0], RANKING[1]
    with pytest.raises(InvalidClaim, match="does not match"):
        make_claim(SCHED, KEYS[bid].vrf_secret, lid, SLOT)
    with pytest.raises(InvalidClaim, match="not in the stake table"):
        make_claim(SCHED, KEYS[lid].vrf_secret, "ghost", SLOT)
    with pytest.raises(InvalidClaim, match="wrong validator"):
        make_claim(SCHED, KEYS[bid].vrf_secret, bid, SLOT)
    with pytest.raises(InvalidClaim, match="missing"):
        make_claim(SCHED, KEYS[bid].vrf_secret, bid, SLOT, 1)
    with pytest.raises(InvalidClaim, match="not in epoch"):
        make_claim(SCHED, KEYS[lid].vrf_secret, lid, SCHED.first_slot - 1)


def test_verify_claims_bulk(primary: LeaderClaim, backup: LeaderClaim) -> None:
    bad = bytearray(primary.proof)
    bad[5] ^= 0x80
    claims = [primary, dataclasses.replace(primary, epoch=0), backup, dataclasses.replace(primary, proof=bytes(bad))]
    out = verify_claims(claims, SCHED)
    assert out[0] == verify_claim(primary, SCHED) and out[2] == verify_claim(backup, SCHED)
    assert isinstance(out[1], InvalidClaim) and "wrong epoch" in str(out[1])
    assert isinstance(out[3], InvalidClaim) and "VRF proof" in str(out[3])


def test_encodings(primary: LeaderClaim, backup: LeaderClaim) -> None:
    for c in (primary, backup):
        assert LeaderClaim.from_bytes(c.to_bytes()) == c
        assert LeaderClaim.from_json(c.to_json()) == c
        assert LeaderClaim.from_dict(json.loads(c.to_json())) == c
    enc = primary.to_bytes()
    assert enc[0] == 1 and enc[-1] == 0 and len(enc) == 1 + 1 + 11 + 8 + 8 + 1 + 1 + 5 + 80 + 1


def test_malformed_claim_bytes(primary: LeaderClaim, backup: LeaderClaim) -> None:
    for c in (primary, backup):
        enc = c.to_bytes()
        for cut in range(len(enc)):
            with pytest.raises(MalformedData):
                LeaderClaim.from_bytes(enc[:cut])
        with pytest.raises(MalformedData, match="trailing"):
            LeaderClaim.from_bytes(enc + b"\x00")
    enc = primary.to_bytes()
    with pytest.raises(MalformedData, match="version"):
        LeaderClaim.from_bytes(b"\x02" + enc[1:])
    with pytest.raises(MalformedData, match="flag"):
        LeaderClaim.from_bytes(enc[:-1] + b"\x02")
    with pytest.raises(MalformedData, match="chain_id"):  # zero-length chain id
        LeaderClaim.from_bytes(b"\x01\x00" + enc[2 + 11 :])
    with pytest.raises(MalformedData):
        LeaderClaim.from_bytes(None)  # type: ignore[arg-type]


def test_malformed_claim_json(primary: LeaderClaim) -> None:
    d = primary.to_dict()
    for key, value in (
        ("epoch", True),
        ("epoch", 2**64),
        ("slot", 1.5),
        ("rank", 256),
        ("rank", -1),
        ("proof", "00" * 79),
        ("proof", "AA" * 80),
        ("validator_id", ""),
        ("validator_id", 3),
        ("chain_id", ""),
        ("certificate", "x"),
        ("certificate", {}),
    ):
        with pytest.raises(MalformedData):
            LeaderClaim.from_dict(dict(d, **{key: value}))
    with pytest.raises(MalformedData, match="unknown"):
        LeaderClaim.from_dict(dict(d, extra=None))
    with pytest.raises(MalformedData, match="missing"):
        LeaderClaim.from_dict({k: v for k, v in d.items() if k != "certificate"})
    for text in ("", "null", "[]", "{", '{"epoch": NaN}', b"\xff"):
        with pytest.raises(MalformedData):
            LeaderClaim.from_json(text)


def test_not_a_claim() -> None:
    with pytest.raises(InvalidClaim, match="LeaderClaim"):
        verify_claim(b"bytes", SCHED)  # type: ignore[arg-type]


def test_constructor_shapes() -> None:
    ok = dict(chain_id=b"c", epoch=0, slot=0, rank=0, validator_id="a", proof=bytes(80))
    for key, value in (
        ("chain_id", b""),
        ("chain_id", "c"),
        ("epoch", -1),
        ("slot", 2**64),
        ("rank", 256),
        ("rank", False),
        ("validator_id", ""),
        ("proof", bytes(79)),
        ("certificate", "x"),
    ):
        with pytest.raises(InvalidClaim):
            LeaderClaim(**dict(ok, **{key: value}))  # type: ignore[arg-type]


ident = st.text(min_size=1, max_size=20).filter(
    lambda s: all(0x20 <= ord(c) < 0x7F or 0xA0 <= ord(c) < 0xD800 for c in s) and len(s.encode()) <= 64
)


@settings(max_examples=80, deadline=None)
@given(
    st.binary(min_size=1, max_size=64),
    st.integers(0, 2**64 - 1),
    st.integers(0, 2**64 - 1),
    st.integers(0, 255),
    ident,
    st.binary(min_size=80, max_size=80),
    st.none()
    | st.tuples(
        st.lists(ident, min_size=1, max_size=4, unique=True), st.integers(1, 255), st.binary(min_size=32, max_size=32)
    ),
)
def test_claim_round_trips(
    chain: bytes,
    epoch: int,
    slot: int,
    rank: int,
    vid: str,
    proof: bytes,
    cert_spec: tuple[list[str], int, bytes] | None,
) -> None:
    cert = None
    if cert_spec is not None:
        voters, crank, digest = cert_spec
        cert = TimeoutCertificate(
            TimeoutVote(chain, epoch, digest, slot, crank, None if i % 2 else b"p" * i + b"q", v, bytes([i]) * 64)
            for i, v in enumerate(voters)
        )
    c = LeaderClaim(chain, epoch, slot, rank, vid, proof, cert)
    assert LeaderClaim.from_bytes(c.to_bytes()) == c
    assert LeaderClaim.from_json(c.to_json()) == c


def test_rejections_carry_stable_codes(primary: LeaderClaim, backup: LeaderClaim) -> None:
    """Every rule has its machine-readable code (reports key on it, not on the wording)."""
    stranger = KEYS[RANKING[1]].vrf_secret
    cases = {
        "wrong_chain": dataclasses.replace(primary, chain_id=b"other"),
        "wrong_epoch": dataclasses.replace(primary, epoch=EPOCH + 1),
        "wrong_slot": dataclasses.replace(primary, slot=SCHED.first_slot + 16),
        "wrong_rank": dataclasses.replace(primary, rank=3),
        "wrong_leader": dataclasses.replace(primary, validator_id=RANKING[1]),
        "stray_certificate": dataclasses.replace(primary, certificate=cert_for(SLOT, 1)),
        "missing_certificate": dataclasses.replace(backup, certificate=None),
        "certificate_mismatch": dataclasses.replace(backup, certificate=cert_for(SLOT, 2)),
        "invalid_certificate": dataclasses.replace(backup, certificate=cert_for(SLOT, 1, ["v0000", "v0004"])),
        "invalid_proof": dataclasses.replace(primary, proof=stranger.prove(SCHED.slot_input(SLOT), CONFIG.suite)),
    }
    for code, claim in cases.items():
        with pytest.raises(InvalidClaim) as exc:
            verify_claim(claim, SCHED)
        assert exc.value.code == code, (code, str(exc.value))
    assert InvalidClaim("free text").code == "invalid_claim"
    import pickle

    again = pickle.loads(pickle.dumps(InvalidClaim("m", "wrong_rank")))
    assert (str(again), again.code) == ("m", "wrong_rank")


def test_audit_reason_codes_cover_every_claim_code() -> None:
    from election.chain.audit import REASON_CODES

    for code in ("wrong_chain", "wrong_epoch", "wrong_slot", "wrong_rank", "wrong_leader", "stray_certificate",
                 "missing_certificate", "certificate_mismatch", "invalid_certificate", "invalid_proof",
                 "invalid_claim"):
        assert code in REASON_CODES
