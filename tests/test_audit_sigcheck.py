"""Deferred Ed25519 checks give exactly the one-at-a-time verdicts, in rule order."""

from __future__ import annotations

import dataclasses
import functools

import pytest

from election import Schedule, TimeoutCertificate
from election.chain.audit import audit
from election.chain.formats import HistoryRecord
from election.chain.sigcheck import verify_signatures
from election.dev.chains import dev_history
from election.rules.blocks import SignedBlock, check_block_static, collect_block_static
from election.rules.claims import LeaderClaim, check_claim_static, collect_claim_static
from election.rules.errors import ElectionError
from election.rules.headers import SignedHeader, make_header
from election.rules.votes import TimeoutVote
from tests.audit_chain import GENESIS, KEYS, producer

BAD_SIG = bytes(64)


@functools.cache
def signed_records() -> tuple[HistoryRecord, ...]:
    return tuple(dev_history(GENESIS, KEYS, 63, producer(), signed=True))


def schedule_for(rec: HistoryRecord, seed: bytes | None = None) -> Schedule:
    """The record's epoch schedule (with its real seed unless ``seed`` is given)."""
    epoch = rec.claim.slot // GENESIS.config.epoch_length
    if seed is None:
        seed = GENESIS.initial_seed
        for e in range(GENESIS.start_epoch, epoch):  # the dev chain's seeds, recomputed by an audit
            seed = audit(GENESIS, [r.to_line() for r in signed_records()
                                   if r.claim.slot < (e + 1) * 32]).epochs[-1].next_seed
    return Schedule(GENESIS.config, GENESIS.table_for(epoch), epoch, seed)


def with_votes(rec: HistoryRecord, change: dict[int, dict[str, object]], resign_header: bool = True,
               header_sig: bytes | None = None) -> SignedBlock:
    """The record's block with votes changed (by index) and the header re-signed over the new claim."""
    cert = rec.claim.certificate
    assert cert is not None
    votes = [dataclasses.replace(v, **change.get(i, {})) for i, v in enumerate(cert.votes)]
    claim = dataclasses.replace(rec.claim, certificate=TimeoutCertificate(votes))
    assert rec.header is not None
    h = rec.header.header
    header = make_header(claim, h.parent_hash, h.payload_digest, KEYS[claim.validator_id].vote_seed)
    if header_sig is not None:
        header = dataclasses.replace(header, signature=header_sig)
    return SignedBlock(claim, header)


def one_at_a_time(block: SignedBlock, sched: Schedule) -> tuple[str, str] | None:
    try:
        check_block_static(block, sched)
    except ElectionError as exc:
        return getattr(exc, "code", "?"), str(exc)
    return None


def deferred(block: SignedBlock, sched: Schedule) -> tuple[str, str] | None:
    try:
        _, _, d = collect_block_static(block, sched)
    except ElectionError as exc:
        return getattr(exc, "code", "?"), str(exc)
    err = d.resolve(verify_signatures(d.items, workers=2))
    return None if err is None else (getattr(err, "code", "?"), str(err))


def test_deferred_checks_break_the_same_first_rule() -> None:
    takeovers = [r for r in signed_records() if r.claim.rank > 0 and r.claim.slot < 32]
    assert takeovers, "the test chain must have takeovers in epoch 0"
    rec = takeovers[0]
    sched = schedule_for(rec)
    other = schedule_for(rec, bytes(32))  # another seed: seed-bound votes mismatch, another leader
    n = len(rec.claim.certificate.votes)  # type: ignore[union-attr]
    assert n >= 3
    cases = {
        "valid": with_votes(rec, {}),
        "bad vote then unknown voter": with_votes(rec, {1: {"signature": BAD_SIG}, 2: {"voter_id": "zz-nobody"}}),
        "good votes then unknown voter": with_votes(rec, {n - 1: {"voter_id": "zz-nobody"}}),
        "unknown voter first": with_votes(rec, {0: {"voter_id": "a-nobody"}, 1: {"signature": BAD_SIG}}),
        "bad header sig and bad vote": with_votes(rec, {0: {"signature": BAD_SIG}}, header_sig=BAD_SIG),
        "bad last vote": with_votes(rec, {n - 1: {"signature": BAD_SIG}}),
        "under quorum": SignedBlock(*_dropped_votes(rec)),
    }
    seen_codes = set()
    reasons: list[str] = []
    for name, block in cases.items():
        for s in (sched, other):
            want = one_at_a_time(block, s)
            assert deferred(block, s) == want, (name, s.seed.hex()[:8])
            seen_codes.add(None if want is None else want[0])
            reasons.append("" if want is None else want[1])
    # under the other seed's schedule another validator is the rightful one
    assert {None, "invalid_certificate", "header_signature", "wrong_leader"} <= seen_codes
    assert any("strictly more than 2/3" in r for r in reasons)  # the quorum rule, after every vote
    assert any("not in the stake table" in r for r in reasons)


def _dropped_votes(rec: HistoryRecord) -> tuple[LeaderClaim, SignedHeader]:
    cert = rec.claim.certificate
    assert cert is not None and rec.header is not None
    claim = dataclasses.replace(rec.claim, certificate=TimeoutCertificate(cert.votes[:1]))
    h = rec.header.header
    return claim, make_header(claim, h.parent_hash, h.payload_digest, KEYS[claim.validator_id].vote_seed)


def test_header_signature_comes_before_a_claim_rule() -> None:
    rec = signed_records()[0]
    assert rec.header is not None
    block = SignedBlock(rec.claim, dataclasses.replace(rec.header, signature=BAD_SIG))
    wrong = schedule_for(rec, bytes(32))  # another leader: wrong_leader after the header
    want = one_at_a_time(block, wrong)
    assert want is not None and want[0] == "header_signature"
    assert deferred(block, wrong) == want
    good = SignedBlock(rec.claim, rec.header)
    want = one_at_a_time(good, wrong)
    assert want is not None and want[0] in ("wrong_leader", "wrong_rank")
    assert deferred(good, wrong) == want


def test_version1_claim_collect_matches_check() -> None:
    recs = [r for r in dev_history(GENESIS, KEYS, 31, producer()) if r.claim.rank > 0]
    rec = recs[0]
    sched = schedule_for(rec)
    cert = rec.claim.certificate
    assert cert is not None
    bad = dataclasses.replace(rec.claim, certificate=TimeoutCertificate(
        [dataclasses.replace(v, signature=BAD_SIG) if i == 1 else v for i, v in enumerate(cert.votes)]))
    with pytest.raises(ElectionError) as info:
        check_claim_static(bad, sched)
    _, d = collect_claim_static(bad, sched)
    err = d.resolve(verify_signatures(d.items, workers=1))
    assert err is not None and str(err) == str(info.value) and err.code == "invalid_certificate"  # type: ignore[attr-defined]
    _, d = collect_claim_static(rec.claim, sched)
    assert len(d.items) == len(cert.votes) and d.resolve([True] * len(d.items)) is None


def test_verify_signatures_matches_one_by_one() -> None:
    votes: list[TimeoutVote] = []
    for r in signed_records():
        if r.claim.certificate is not None:
            votes += r.claim.certificate.votes
    table = GENESIS.table_for(0)
    assert len(votes) >= 20
    items = [v.signature_item(table) for v in (votes * 20)[:200]]
    items[5] = (items[5][0], items[5][1], BAD_SIG)
    items[150] = (items[150][0], items[150][1] + b"x", items[150][2])
    want = [i not in (5, 150) for i in range(len(items))]
    assert verify_signatures(items, workers=3) == want
    assert verify_signatures(items, workers=1) == want
    assert verify_signatures([], workers=2) == []
    with pytest.raises(ValueError):
        verify_signatures(items, workers=0)


def test_audit_reports_the_first_rule_with_batched_signatures() -> None:
    recs = list(signed_records())
    i = next(k for k, r in enumerate(recs) if r.claim.rank > 0)
    block = with_votes(recs[i], {0: {"signature": BAD_SIG}, 1: {"voter_id": "zz-nobody"}})
    recs[i] = HistoryRecord.signed(block.claim, block.header)  # type: ignore[arg-type]
    rep = audit(GENESIS, [r.to_line() for r in recs], workers=2, batch_size=7)
    assert [b.code for b in rep.invalid_blocks][:1] == ["invalid_certificate"]
    assert "bad signature" in rep.invalid_blocks[0].reason
