"""The certificate fast paths give exactly the slow paths' results.

* ``TimeoutCertificate.from_dict`` parses a well-formed certificate without building each
  vote through its checking constructor (``_certificate_fast``); on anything else it falls
  back to the full checks.  Compared here with the full checks alone (the fast path
  switched off) on valid certificates and on one mutation per rule.
* ``TimeoutCertificate.collect`` checks the fields a certificate's votes share once and
  builds their messages from a shared prefix.  Compared with the one-vote-at-a-time
  reference (the code it replaced) on valid and broken certificates, including ones not
  built by the constructor.
* ``claim_digest`` and ``BlockHeader.body`` remember their last result by identity: never
  for another object.
"""

from __future__ import annotations

import copy
import json
import random

import pytest

from election import ElectionConfig, InvalidCertificate, InvalidVote, MalformedData, TimeoutCertificate, TimeoutVote
from election.dev.keys import dev_table
from election.rules import votes as votes_mod
from election.rules.claims import LeaderClaim
from election.rules.deferred import Deferred
from election.rules.headers import BlockHeader, claim_digest
from election.rules.stake import StakeTable

STAKES = [10, 20, 30, 40, 5, 7]
TABLE, KEYS = dev_table(STAKES, b"fastpath")
OTHER_TABLE, _ = dev_table([1, 2, 3], b"fastpath-other")
CONFIG = ElectionConfig(b"fast-chain", epoch_length=10, backups=3)
EPOCH, SLOT, RANK = 3, 34, 2
SEED = bytes(range(32))


def _cert(voters: list[str], seed: bytes | None = SEED, parents: bool = True) -> TimeoutCertificate:
    return TimeoutCertificate(
        TimeoutVote.sign(CONFIG, TABLE, EPOCH, SLOT, RANK, v, KEYS[v].vote_seed,
                         bytes([i + 1]) * (i + 1) if parents and i % 2 else None, seed=seed)
        for i, v in enumerate(voters))


def _slow_from_dict(d: object, monkeypatch: pytest.MonkeyPatch) -> TimeoutCertificate | str:
    with monkeypatch.context() as m:
        m.setattr(votes_mod, "_certificate_fast", lambda obj: None)
        try:
            return TimeoutCertificate.from_dict(d)
        except MalformedData as exc:
            return f"MalformedData: {exc}"


def _fast_from_dict(d: object) -> TimeoutCertificate | str:
    try:
        return TimeoutCertificate.from_dict(d)
    except MalformedData as exc:
        return f"MalformedData: {exc}"


def _same_cert(a: TimeoutCertificate, b: TimeoutCertificate) -> None:
    assert a == b and a.to_bytes() == b.to_bytes() and a.to_dict() == b.to_dict()
    assert (a.chain_id, a.epoch, a.table_digest, a.slot, a.rank, a.seed) == (
        b.chain_id, b.epoch, b.table_digest, b.slot, b.rank, b.seed)
    for x, y in zip(a.votes, b.votes, strict=True):
        assert type(x) is type(y) is TimeoutVote
        assert vars(x) == vars(y) and x.message() == y.message() and hash(x) == hash(y)


@pytest.mark.parametrize("seed", [SEED, None])
def test_fast_parse_valid_equals_slow(seed: bytes | None, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    for n in (1, 3, 6):
        d = json.loads(_cert(TABLE.ids[:n], seed).to_json())
        rng.shuffle(d["votes"])  # the JSON form takes votes in any order
        assert votes_mod._certificate_fast(d) is not None
        slow = _slow_from_dict(d, monkeypatch)
        assert isinstance(slow, TimeoutCertificate)
        fast = _fast_from_dict(d)
        assert isinstance(fast, TimeoutCertificate)
        _same_cert(fast, slow)


def _mutations() -> list[tuple[str, object]]:
    base = json.loads(_cert(TABLE.ids[:4]).to_json())
    out: list[tuple[str, object]] = [("not a dict", [base]), ("v1 with null seed", {**base, "seed": None})]

    def put(name: str, key: str, value: object) -> None:
        d = copy.deepcopy(base)
        d[key] = value
        out.append((name, d))

    def vote_put(name: str, key: str, value: object, index: int = 2) -> None:
        d = copy.deepcopy(base)
        d["votes"][index][key] = value
        out.append((name, d))

    for key in ("chain_id", "epoch", "table_digest", "slot", "rank", "votes", "seed"):
        d = copy.deepcopy(base)
        del d[key]
        out.append((f"missing {key}", d))
    put("extra key", "extra", 1)
    put("upper-case chain id", "chain_id", base["chain_id"].upper())
    put("empty chain id", "chain_id", "")
    put("long chain id", "chain_id", "ab" * 65)
    put("odd hex", "table_digest", base["table_digest"][:-1])
    put("short digest", "table_digest", "00" * 31)
    put("short seed", "seed", "00" * 31)
    put("seed not str", "seed", 5)
    put("epoch bool", "epoch", True)
    put("epoch negative", "epoch", -1)
    put("epoch too big", "epoch", 2**64)
    put("slot float", "slot", 34.0)
    put("rank 0", "rank", 0)
    put("rank 256", "rank", 256)
    put("votes not list", "votes", {})
    put("no votes", "votes", [])
    vote_put("vote extra key", "x", 1)
    vote_put("voter not str", "voter_id", 7)
    vote_put("voter empty", "voter_id", "")
    vote_put("voter control char", "voter_id", "v\x01")
    vote_put("voter too long", "voter_id", "v" * 65)
    vote_put("surrogate voter", "voter_id", "\ud800")
    vote_put("parent empty", "parent_hash", "")
    vote_put("parent too long", "parent_hash", "aa" * 65)
    vote_put("parent upper", "parent_hash", "AA")
    vote_put("parent int", "parent_hash", 3)
    vote_put("signature short", "signature", "00" * 63)
    vote_put("signature spaces", "signature", "00 " * 64)
    vote_put("duplicate voter", "voter_id", base["votes"][0]["voter_id"])
    d = copy.deepcopy(base)
    del d["votes"][1]["signature"]
    out.append(("vote missing key", d))
    d = copy.deepcopy(base)
    d["votes"][3] = "vote"
    out.append(("vote not an object", d))
    return out


@pytest.mark.parametrize(("name", "d"), _mutations(), ids=[n for n, _ in _mutations()])
def test_fast_parse_malformed_equals_slow(name: str, d: object, monkeypatch: pytest.MonkeyPatch) -> None:
    slow = _slow_from_dict(d, monkeypatch)
    fast = _fast_from_dict(d)
    if isinstance(slow, TimeoutCertificate):  # a mutation the rules accept (e.g. a seed dropped: version 1)
        assert isinstance(fast, TimeoutCertificate)
        _same_cert(fast, slow)
    else:
        assert votes_mod._certificate_fast(d) is None
        assert fast == slow and slow.startswith("MalformedData")


# -- collect ------------------------------------------------------------------------------


def _collect_reference(cert: TimeoutCertificate, table: StakeTable, config: ElectionConfig,
                       seed: bytes | None) -> Deferred:
    """``TimeoutCertificate.collect`` as it was: every rule on every vote, one at a time."""
    out = Deferred()
    where = f"certificate for slot {cert.slot} rank {cert.rank}"
    out_wrap = votes_mod._prefixed(where)
    signed = 0
    seen: set[str] = set()
    for v in cert.votes:
        if v.voter_id in seen:
            out.error = InvalidCertificate(f"{where}: duplicate voter {v.voter_id!r}", "duplicate_voter")
            out.wrap_items(out_wrap)
            return out
        seen.add(v.voter_id)
        try:
            item = v.check_unsigned(table, config, seed)
        except InvalidVote as exc:
            code = exc.code if exc.code in ("seed_mismatch", "unbound_vote") else "invalid_certificate"
            out.error = InvalidCertificate(f"{where}: {exc}", code)
            out.wrap_items(out_wrap)
            return out
        out.add(item, v._bad_signature)
        signed += table[v.voter_id].stake
    if not votes_mod.is_quorum(signed, table.total_stake):
        out.error = InvalidCertificate(
            f"{where}: voters hold {signed} of "
            f"{table.total_stake} stake; expected strictly more than 2/3 (3*signed > 2*total)",
            "no_quorum",
        )
    out.wrap_items(out_wrap)
    return out


def _outcome(d: Deferred) -> tuple[object, ...]:
    def err(e: object) -> object:
        return None if e is None else (type(e).__name__, str(e), getattr(e, "code", None))

    failures = []
    for i in range(len(d.items)):  # each signature failing alone: the error it yields
        ok = [True] * len(d.items)
        ok[i] = False
        failures.append(err(d.resolve(ok)))
    return (list(d.items), err(d.error), err(d.resolve([True] * len(d.items))), failures)


def _bypass(votes: list[TimeoutVote]) -> TimeoutCertificate:
    """A certificate assembled without the constructor (mixed fields, duplicates allowed)."""
    cert = object.__new__(TimeoutCertificate)
    cert._votes = tuple(votes)
    first = votes[0]
    cert.chain_id, cert.epoch, cert.table_digest = first.chain_id, first.epoch, first.table_digest
    cert.slot, cert.rank, cert.seed = first.slot, first.rank, first.seed
    return cert


def _collect_cases() -> list[tuple[str, TimeoutCertificate, StakeTable, bytes | None]]:
    ids = list(TABLE.ids)
    good = _cert(ids)
    stranger = TimeoutVote._prechecked(CONFIG.chain_id, EPOCH, TABLE.digest(), SLOT, RANK, None, "v9999-zz",
                                       bytes(64), SEED)
    later_slot = TimeoutVote.sign(CONFIG, TABLE, EPOCH, SLOT + 1, RANK, ids[3], KEYS[ids[3]].vote_seed, seed=SEED)
    other_seed = TimeoutVote.sign(CONFIG, TABLE, EPOCH, SLOT, RANK, ids[4], KEYS[ids[4]].vote_seed,
                                  seed=bytes(32))
    return [
        ("valid", good, TABLE, SEED),
        ("valid, seed not required", good, TABLE, None),
        ("version 1", _cert(ids, seed=None), TABLE, None),
        ("version 1 where a seed is required", _cert(ids, seed=None), TABLE, SEED),
        ("seed mismatch", good, TABLE, bytes(32)),
        ("wrong table", good, OTHER_TABLE, SEED),
        ("under quorum", _cert(ids[:2]), TABLE, SEED),
        ("unknown voter after good votes", TimeoutCertificate([*good.votes, stranger]), TABLE, SEED),
        ("mixed slots (no constructor)", _bypass([*good.votes[:3], later_slot, *good.votes[4:]]), TABLE, SEED),
        ("mixed seeds (no constructor)", _bypass([*good.votes[:4], other_seed]), TABLE, SEED),
        ("duplicate voter (no constructor)", _bypass([*good.votes[:3], good.votes[1]]), TABLE, SEED),
        ("one vote (no constructor)", _bypass([good.votes[0]]), TABLE, SEED),
    ]


@pytest.mark.parametrize(("name", "cert", "table", "seed"), _collect_cases(), ids=[c[0] for c in _collect_cases()])
def test_collect_equals_reference(name: str, cert: TimeoutCertificate, table: StakeTable, seed: bytes | None) -> None:
    assert _outcome(cert.collect(table, CONFIG, seed)) == _outcome(_collect_reference(cert, table, CONFIG, seed))


def test_collect_valid_items_are_the_votes_own() -> None:
    cert = _cert(list(TABLE.ids))
    d = cert.collect(TABLE, CONFIG, SEED)
    assert d.error is None
    assert d.items == [v.check_unsigned(TABLE, CONFIG, SEED) for v in cert.votes]
    assert all(votes_mod.verify_signature(item) for item in d.items)


# -- memos -------------------------------------------------------------------------------


def test_claim_digest_and_body_memos_are_by_identity() -> None:
    cert = _cert(list(TABLE.ids))
    a = LeaderClaim(CONFIG.chain_id, EPOCH, SLOT, RANK, "v0001", bytes(80), cert)
    b = LeaderClaim(CONFIG.chain_id, EPOCH, SLOT, RANK, "v0001", b"\x01" * 80, cert)
    da, db = claim_digest(a), claim_digest(b)
    assert da != db and claim_digest(a) == da and claim_digest(b) == db
    h1 = BlockHeader.for_claim(a, bytes(32), bytes(32))
    h2 = BlockHeader.for_claim(a, b"\x01" * 32, bytes(32))
    b1, b2 = h1.body(), h2.body()
    assert b1 != b2 and h1.body() == b1 and h2.body() == b2 and h1.block_hash() != h2.block_hash()
    assert h1.message().endswith(b1)
