"""Signed block headers, blocks, equivocation evidence, and the version-2 audit with observed blocks."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from election import ElectionConfig, Schedule, TimeoutCertificate, make_claim
from election.chain.audit import REASON_CODES, audit
from election.chain.formats import GenesisFile, HistoryRecord, HistoryWriter, parse_history_line
from election.cli import main
from election.dev.chains import certificate_for, dev_history
from election.dev.keys import dev_table
from election.rules.blocks import SignedBlock, check_block_static
from election.rules.errors import InvalidCertificate, InvalidClaim, MalformedData
from election.rules.evidence import (
    HeaderEquivocation,
    InvalidEvidence,
    ProduceAfterVote,
    VoteEquivocation,
    evidence_from_bytes,
    evidence_from_dict,
    evidence_to_bytes,
    evidence_to_dict,
    verify_evidence,
)
from election.rules.forkchoice import canonical_index, deadline_ms, prefer, window_ms
from election.rules.headers import (
    GENESIS_PARENT,
    HEADER_REASONS,
    BlockHeader,
    InvalidHeader,
    SignedHeader,
    claim_digest,
    make_header,
    verify_header,
)
from election.rules.votes import TimeoutVote

CONFIG = ElectionConfig(b"headers-test", epoch_length=12, backups=2, seed_cutoff=8)
TABLE, KEYS = dev_table([10, 20, 30, 40], b"headers")
SEED = bytes(range(32))
SCHED = Schedule(CONFIG, TABLE, 0, SEED)
GENESIS = GenesisFile.single(CONFIG, SEED, TABLE)
PAYLOAD = b"\x07" * 32


def claim_at(slot: int, rank: int = 0) -> tuple[str, object]:
    vid = SCHED.at_rank(slot, rank)
    cert = certificate_for(SCHED, KEYS, slot, rank, GENESIS_PARENT, bind_seed=True) if rank else None
    return vid, make_claim(SCHED, KEYS[vid].vrf_secret, vid, slot, rank, cert)


def signed_block(slot: int, rank: int = 0, payload: bytes = PAYLOAD) -> SignedBlock:
    vid, claim = claim_at(slot, rank)
    assert not isinstance(claim, str)
    return SignedBlock(claim, make_header(claim, GENESIS_PARENT, payload, KEYS[vid].vote_seed))  # type: ignore[arg-type]


# -- headers -----------------------------------------------------------------------------
def test_header_binds_claim_and_producer() -> None:
    b = signed_block(3)
    assert b.header is not None
    assert verify_header(b.header, b.claim, TABLE) == b.block_hash()
    assert b.header.header.claim_digest == claim_digest(b.claim)
    # The hash does not depend on the signature; the encodings round-trip exactly.
    other_sig = SignedHeader(b.header.header, bytes(64))
    assert other_sig.block_hash() == b.block_hash()
    assert SignedHeader.from_bytes(b.header.to_bytes()) == b.header
    assert SignedHeader.from_dict(json.loads(json.dumps(b.header.to_dict()))) == b.header
    assert SignedBlock.from_bytes(b.to_bytes()) == b
    assert SignedBlock.from_dict(b.to_dict()) == b
    key, alpha, proof, h = check_block_static(b, SCHED)
    assert h == b.block_hash() and key.verify(alpha, proof, CONFIG.suite)


def test_header_rejection_rules_each_with_its_code() -> None:
    b = signed_block(4)
    assert b.header is not None
    with pytest.raises(InvalidHeader) as e:
        verify_header(None, b.claim, TABLE)
    assert e.value.code == "header_missing"
    bad = bytearray(b.header.signature)
    bad[5] ^= 1
    with pytest.raises(InvalidHeader) as e:
        verify_header(SignedHeader(b.header.header, bytes(bad)), b.claim, TABLE)
    assert e.value.code == "header_signature"
    thief = next(v for v in TABLE.ids if v != b.validator_id)  # signed by another validator's key
    with pytest.raises(InvalidHeader) as e:
        verify_header(make_header(b.claim, GENESIS_PARENT, PAYLOAD, KEYS[thief].vote_seed), b.claim, TABLE)
    assert e.value.code == "header_signature"
    other = signed_block(5)  # a valid header, but for another claim
    with pytest.raises(InvalidHeader) as e:
        verify_header(other.header, b.claim, TABLE)
    assert e.value.code == "header_mismatch"
    swapped = dataclasses.replace(b.header.header, claim_digest=bytes(32))
    with pytest.raises(InvalidHeader) as e:
        verify_header(SignedHeader(swapped, b.header.signature), b.claim, TABLE)
    assert e.value.code == "header_mismatch"
    assert set(HEADER_REASONS) <= set(REASON_CODES)


def test_header_parsing_is_strict() -> None:
    b = signed_block(2)
    assert b.header is not None
    data = b.header.to_bytes()
    for broken in (data[:-1], data + b"\x00"):
        with pytest.raises(MalformedData):
            SignedHeader.from_bytes(broken)
    d = b.header.header.to_dict()
    for key, value in (("slot", True), ("parent_hash", "00"), ("payload_digest", "AB" * 32)):
        with pytest.raises(MalformedData):
            BlockHeader.from_dict({**d, key: value})
    with pytest.raises(MalformedData):
        BlockHeader.from_dict({**d, "extra": 1})
    with pytest.raises(MalformedData):
        SignedBlock.from_bytes(b.to_bytes()[:4] + b"\xff" + b.to_bytes()[5:])


def test_block_check_requires_seed_bound_certificates() -> None:
    vid = SCHED.at_rank(6, 1)
    v1 = certificate_for(SCHED, KEYS, 6, 1, GENESIS_PARENT)  # version-1 votes
    claim = make_claim(SCHED, KEYS[vid].vrf_secret, vid, 6, 1, v1)
    block = SignedBlock(claim, make_header(claim, GENESIS_PARENT, PAYLOAD, KEYS[vid].vote_seed))
    with pytest.raises(InvalidClaim) as e:
        check_block_static(block, SCHED)
    assert e.value.code == "unbound_vote"
    other_seed = Schedule(CONFIG, TABLE, 0, bytes(32))
    votes = [TimeoutVote.sign(CONFIG, TABLE, 0, 6, 1, v, KEYS[v].vote_seed, GENESIS_PARENT, seed=other_seed.seed)
             for v in TABLE.ids if v != SCHED.leader(6)]
    wrong = dataclasses.replace(claim, certificate=TimeoutCertificate(votes))
    block = SignedBlock(wrong, make_header(wrong, GENESIS_PARENT, PAYLOAD, KEYS[vid].vote_seed))
    with pytest.raises(InvalidClaim) as e:
        check_block_static(block, SCHED)
    assert e.value.code == "seed_mismatch"


# -- fork choice and windows ---------------------------------------------------------------
def test_fork_choice_prefers_higher_rank_then_smaller_hash() -> None:
    assert prefer((1, b"\xff"), (0, b"\x00")) and not prefer((0, b"\x00"), (1, b"\xff"))
    assert prefer((2, b"\x01"), (2, b"\x02")) and not prefer((2, b"\x02"), (2, b"\x01"))
    assert canonical_index([(0, b"\x05"), (2, b"\x09"), (2, b"\x03"), (1, b"\x00")]) == 2
    with pytest.raises(ValueError):
        canonical_index([])
    assert window_ms(CONFIG, 3, 0) == (3 * CONFIG.slot_duration_ms, 3 * CONFIG.slot_duration_ms + 500)
    assert deadline_ms(CONFIG, 3, 2) == 3 * CONFIG.slot_duration_ms + 3 * CONFIG.failover_timeout_ms


# -- evidence --------------------------------------------------------------------------------
def test_header_equivocation_evidence_verifies_and_round_trips() -> None:
    a, b = signed_block(7), signed_block(7, payload=b"\x08" * 32)
    assert a.header is not None and b.header is not None
    ev = HeaderEquivocation.of(b.header, a.header)
    assert ev == HeaderEquivocation.of(a.header, b.header)  # canonical order
    verify_evidence(ev, TABLE, CONFIG)
    assert evidence_from_bytes(evidence_to_bytes(ev)) == ev
    assert evidence_from_dict(json.loads(json.dumps(evidence_to_dict(ev)))) == ev
    with pytest.raises(InvalidEvidence, match="same block"):
        verify_evidence(HeaderEquivocation(a.header, a.header), TABLE, CONFIG)
    c = signed_block(8)
    assert c.header is not None
    with pytest.raises(InvalidEvidence, match="not for one validator"):
        verify_evidence(HeaderEquivocation(a.header, c.header), TABLE, CONFIG)
    with pytest.raises(InvalidEvidence, match="bad signature"):
        verify_evidence(HeaderEquivocation(a.header, SignedHeader(b.header.header, bytes(64))), TABLE, CONFIG)
    with pytest.raises(MalformedData):
        evidence_from_bytes(evidence_to_bytes(ev)[:-1])
    with pytest.raises(MalformedData):
        evidence_from_dict({**evidence_to_dict(ev), "slot": 99})


def test_vote_equivocation_and_produce_after_vote() -> None:
    voter = TABLE.ids[0]
    v1 = TimeoutVote.sign(CONFIG, TABLE, 0, 9, 1, voter, KEYS[voter].vote_seed, GENESIS_PARENT, seed=SEED)
    v2 = TimeoutVote.sign(CONFIG, TABLE, 0, 9, 1, voter, KEYS[voter].vote_seed, b"\x01" * 32, seed=SEED)
    ev = VoteEquivocation.of(v1, v2)
    verify_evidence(ev, TABLE, CONFIG)
    assert evidence_from_bytes(evidence_to_bytes(ev)) == ev
    with pytest.raises(InvalidEvidence):
        verify_evidence(VoteEquivocation(v1, v1), TABLE, CONFIG)
    with pytest.raises(InvalidEvidence):
        verify_evidence(VoteEquivocation(v1, dataclasses.replace(v2, signature=bytes(64))), TABLE, CONFIG)
    primary = signed_block(9)
    assert primary.header is not None
    own = TimeoutVote.sign(CONFIG, TABLE, 0, 9, 1, primary.validator_id, KEYS[primary.validator_id].vote_seed,
                           GENESIS_PARENT, seed=SEED)
    pav = ProduceAfterVote.of(primary.header, own)
    verify_evidence(pav, TABLE, CONFIG)
    assert evidence_from_bytes(evidence_to_bytes(pav)) == pav
    stranger = next(v for v in TABLE.ids if v != primary.validator_id)
    theirs = TimeoutVote.sign(CONFIG, TABLE, 0, 9, 1, stranger, KEYS[stranger].vote_seed, GENESIS_PARENT, seed=SEED)
    with pytest.raises(InvalidEvidence):  # someone else's vote proves nothing about the producer
        verify_evidence(ProduceAfterVote(primary.header, theirs), TABLE, CONFIG)
    later = TimeoutVote.sign(CONFIG, TABLE, 0, 10, 1, primary.validator_id, KEYS[primary.validator_id].vote_seed,
                             GENESIS_PARENT, seed=SEED)
    with pytest.raises(InvalidEvidence):  # a vote about another slot neither
        verify_evidence(ProduceAfterVote(primary.header, later), TABLE, CONFIG)


# -- the version-2 audit -----------------------------------------------------------------------
def signed_history(last: int = 30) -> list[HistoryRecord]:
    def producer(slot: int, ranking: list[str]) -> int | None:
        return 1 if slot % 5 == 2 else (None if slot % 7 == 3 else 0)
    return list(dev_history(GENESIS, KEYS, last, producer, signed=True))


def test_version2_history_audits_with_authorship_proven() -> None:
    recs = signed_history()
    lines = [r.to_line() for r in recs]
    again = [parse_history_line(x, i + 1) for i, x in enumerate(lines)]
    assert [r.header for r in again] == [r.header for r in recs]
    report = audit(GENESIS, lines)
    assert report.ok and report.valid == len(recs) and report.history_version == 2
    assert report.authorship == "proven" and report.stale_parents == 0
    assert report.takeovers > 0
    v1 = audit(GENESIS, [r.to_line() for r in dev_history(GENESIS, KEYS, 30)])
    assert v1.ok and v1.authorship == "not proven" and "not proven" in v1.summary_text()


def _tampered(recs: list[HistoryRecord], i: int, **changes: object) -> list[str]:
    lines = [r.to_line() for r in recs]
    obj = json.loads(lines[i])
    for k, v in changes.items():
        if v is None:
            del obj[k]
        elif k == "header":
            obj["header"] = {**obj["header"], **v}  # type: ignore[dict-item]
        else:
            obj[k] = v
    obj.pop("block_hash", None)
    lines[i] = json.dumps(obj) + "\n"
    return lines


@pytest.mark.parametrize("change, code", [
    ({"header": None}, "header_missing"),
    ({"header": {"signature": "00" * 64}}, "header_signature"),
    ({"header": {"payload_digest": "11" * 32}}, "header_signature"),
])
def test_version2_audit_rejects_unbound_blocks(change: dict[str, object], code: str) -> None:
    recs = signed_history(11)  # one epoch: an invalid block would change the next seed
    report = audit(GENESIS, _tampered(recs, 3, **change))
    assert not report.ok and report.invalid_by_code == {code: 1}
    assert report.invalid_blocks[0].line == 4


def test_version2_audit_rejects_a_header_by_another_validator() -> None:
    recs = signed_history(11)
    r = recs[2]
    thief = next(v for v in TABLE.ids if v != r.claim.validator_id)
    assert r.header is not None
    forged = make_header(r.claim, r.header.header.parent_hash, r.header.header.payload_digest, KEYS[thief].vote_seed)
    recs[2] = HistoryRecord.signed(r.claim, forged)
    report = audit(GENESIS, [x.to_line() for x in recs])
    assert report.invalid_by_code == {"header_signature": 1}


def test_observed_equivocation_and_superseding_block(tmp_path: Path) -> None:
    recs = signed_history(20)
    history = tmp_path / "history.jsonl"
    with HistoryWriter(history) as w:
        for r in recs:
            w.write_record(r)
    genesis = tmp_path / "genesis.json"
    genesis.write_text(GENESIS.to_json())
    # 1) the producer of one slot signed a second block with other contents
    r = recs[4]
    assert r.header is not None
    twin = make_header(r.claim, r.header.header.parent_hash, b"\x99" * 32, KEYS[r.claim.validator_id].vote_seed)
    # 2) a certified rank-1 block for a slot the history gives to rank 0
    slot = next(x.claim.slot for x in recs if x.claim.rank == 0 and x.claim.slot > 8)
    sched = SCHED
    backup = sched.at_rank(slot, 1)
    cert = certificate_for(sched, KEYS, slot, 1, GENESIS_PARENT, bind_seed=True)
    claim = make_claim(sched, KEYS[backup].vrf_secret, backup, slot, 1, cert)
    takeover = make_header(claim, GENESIS_PARENT, PAYLOAD, KEYS[backup].vote_seed)
    observed = tmp_path / "observed.jsonl"
    with HistoryWriter(observed) as w:
        w.write(r.claim, header=twin)
        w.write(claim, header=takeover)
    report = audit(genesis, history, observed=observed)
    assert not report.ok
    kinds = sorted(e["kind"] for e in report.equivocations)
    assert "header_equivocation" in kinds
    ev = evidence_from_dict(next(e for e in report.equivocations if e["kind"] == "header_equivocation"))
    verify_evidence(ev, TABLE, CONFIG)
    assert ev.validator_id == r.claim.validator_id and ev.slot == r.claim.slot
    assert report.invalid_by_code.get("superseded") == 1
    assert report.observed is not None and report.observed["valid"] == 2 and report.observed["superseding"] == 1
    assert main(["audit", str(genesis), str(history), "--observed", str(observed), "--json"]) == 1
    assert main(["audit", str(genesis), str(history)]) == 0


def test_observed_file_is_parsed_strictly(tmp_path: Path) -> None:
    observed = tmp_path / "observed.jsonl"
    observed.write_text("{}\n")
    genesis = tmp_path / "genesis.json"
    genesis.write_text(GENESIS.to_json())
    history = tmp_path / "history.jsonl"
    history.write_text("".join(r.to_line() for r in signed_history(6)))
    assert main(["audit", str(genesis), str(history), "--observed", str(observed)]) == 2


def test_certificate_verify_counts_each_voter_once_even_when_built_around_the_constructor() -> None:
    """Failure 7: a certificate assembled without its constructor (``__new__``) with one vote
    repeated must not count that stake twice."""
    slot = 6
    heavy = max(TABLE.ids, key=lambda v: TABLE[v].stake)  # 40 of 100: twice would be 80 > 2/3
    vote = TimeoutVote.sign(CONFIG, TABLE, 0, slot, 1, heavy, KEYS[heavy].vote_seed, GENESIS_PARENT, seed=SEED)
    honest = TimeoutCertificate([vote])
    forged = object.__new__(TimeoutCertificate)
    for name in ("chain_id", "epoch", "table_digest", "slot", "rank", "seed"):
        object.__setattr__(forged, name, getattr(honest, name))
    object.__setattr__(forged, "_votes", (vote, vote))
    with pytest.raises(InvalidCertificate) as e:
        forged.verify(TABLE, CONFIG, SEED)
    assert e.value.code == "duplicate_voter"
    with pytest.raises(InvalidCertificate) as e:
        honest.verify(TABLE, CONFIG, SEED)
    assert e.value.code == "no_quorum"


@pytest.mark.parametrize("mutate, words", [
    (lambda o: o["header"].pop("signature"), "missing"),
    (lambda o: o["header"].update(extra="00"), "unknown"),
    (lambda o: o["header"].update(parent_hash="00" * 31), "parent_hash"),
    (lambda o: o["header"].update(signature="AB" * 64), "signature"),
    (lambda o: o.update(parent_hash="00" * 32), "parent_hash"),
    (lambda o: o.update(block_hash="11" * 32), "block_hash"),
    (lambda o: o.update(header=[]), "header"),
])
def test_version2_line_parsing_is_strict(mutate: object, words: str) -> None:
    """Every malformed version-2 header on a history line is a MalformedLine naming the
    field, never a crash or a silently different block."""
    from election.chain.formats import MalformedLine
    obj = json.loads(signed_history(3)[1].to_line())
    mutate(obj)  # type: ignore[operator]
    with pytest.raises(MalformedLine, match=words):
        parse_history_line(json.dumps(obj, separators=(",", ":")) + "\n", 2)


def test_make_header_refuses_bad_key_arguments() -> None:
    _, claim = claim_at(2)
    for bad in (b"\x01" * 31, "seed" * 8, None):
        with pytest.raises(TypeError):
            make_header(claim, GENESIS_PARENT, PAYLOAD, bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):  # both a key and a signer
        make_header(claim, GENESIS_PARENT, PAYLOAD, b"\x01" * 32, signer=lambda m: bytes(64))  # type: ignore[arg-type]
    with pytest.raises(MalformedData):  # a hash of the wrong length
        make_header(claim, b"\x00" * 31, PAYLOAD, b"\x01" * 32)  # type: ignore[arg-type]
