"""Claims name their mode: encodings, checks by mode, the secret fork choice, and the vectors.

The vector checks here recompute every verdict from the claim bytes with the library's
rules objects, independently of the generator's code path (which builds the claims).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import vrf
from election import (
    ElectionConfig,
    InvalidClaim,
    LeaderClaim,
    MalformedData,
    Schedule,
    SecretEpoch,
    StakeTable,
    WindowedSchedule,
    WindowNotRevealed,
    make_claim,
    make_rules,
    verify_claim,
    verify_claims,
)
from election.dev.keys import dev_validators
from election.rules.blocks import SignedBlock, check_block_static
from election.rules.claims import check_claim_output
from election.rules.forkchoice import canonical_race_index, choose_race, prefer_race
from election.rules.headers import make_header
from election.rules.secret import RaceEntry

VECTORS = Path(__file__).resolve().parent / "vectors"
MODES: dict[str, Any] = json.loads((VECTORS / "modes.json").read_text())
DATA: dict[str, Any] = MODES["claims"]
CONFIGS = {k: ElectionConfig.from_dict(v) for k, v in MODES["configs"].items()}
BASE_TABLES = {t["name"]: StakeTable.from_dict(t["table"])
               for t in json.loads((VECTORS / "election.json").read_text())["tables"]}

DEVS = dev_validators([10, 20, 30, 40], b"mode-claims")
TABLE = StakeTable(d.validator for d in DEVS)
KEYS = {d.id: d for d in DEVS}
SEED = bytes(range(32))
SECRET = ElectionConfig(b"mode-claims", epoch_length=16, mode="secret", proposers=2)
WINDOWED = ElectionConfig(b"mode-claims", epoch_length=16, backups=2, seed_cutoff=8, mode="windowed", window=4)
ROTATION = ElectionConfig(b"mode-claims", epoch_length=16, backups=2)


def secret_claim(slot: int, vid: str, rules: SecretEpoch) -> LeaderClaim:
    proof = KEYS[vid].vrf_secret.prove(rules.slot_input(slot), SECRET.suite)
    return LeaderClaim(SECRET.chain_id, rules.epoch, slot, 0, vid, proof, None, "secret")


def eligible_pair(rules: SecretEpoch) -> tuple[int, list[str], list[str]]:
    """A slot with at least one eligible and one ineligible validator."""
    for slot in rules.slots:
        ok, bad = [], []
        for d in DEVS:
            beta = vrf.proof_to_hash(secret_claim(slot, d.id, rules).proof, SECRET.suite)
            (ok if rules.eligible(rules.entry(d.id, beta)) else bad).append(d.id)
        if ok and bad:
            return slot, ok, bad
    raise AssertionError("no mixed slot")


# -- encodings --------------------------------------------------------------------------

def test_rotation_claim_is_version_1_and_mode_claims_version_2() -> None:
    rot = LeaderClaim(b"c", 0, 1, 0, "v0000", bytes(80))
    assert rot.to_bytes()[0] == 1 and "mode" not in rot.to_dict()
    for mode, byte in (("windowed", 1), ("secret", 2)):
        c = LeaderClaim(b"c", 0, 1, 0, "v0000", bytes(80), None, mode)
        data = c.to_bytes()
        assert data[:2] == bytes([2, byte]) and data[2:] == rot.to_bytes()[1:]
        assert LeaderClaim.from_bytes(data) == c and LeaderClaim.from_json(c.to_json()) == c
        assert c.to_dict()["mode"] == mode


@pytest.mark.parametrize("prefix", [b"\x02\x00", b"\x02\x03", b"\x03\x01"])
def test_bad_version_or_mode_byte_is_malformed(prefix: bytes) -> None:
    data = prefix + LeaderClaim(b"c", 0, 1, 0, "v0000", bytes(80)).to_bytes()[1:]
    with pytest.raises(MalformedData):
        LeaderClaim.from_bytes(data)


def test_json_mode_rotation_is_not_canonical() -> None:
    d = LeaderClaim(b"c", 0, 1, 0, "v0000", bytes(80)).to_dict()
    d["mode"] = "rotation"
    with pytest.raises(MalformedData):
        LeaderClaim.from_dict(d)
    with pytest.raises(InvalidClaim):
        LeaderClaim(b"c", 0, 1, 0, "v0000", bytes(80), None, "sortition")


# -- checks by mode -----------------------------------------------------------------------

def test_secret_claims_valid_when_eligible_only() -> None:
    rules = SecretEpoch(SECRET, TABLE, 1, SEED)
    slot, ok, bad = eligible_pair(rules)
    for vid in ok:
        claim = make_claim(rules, KEYS[vid].vrf_secret, vid, slot)
        assert claim.mode == "secret" and claim.rank == 0
        beta = verify_claim(claim, rules)
        assert beta == vrf.proof_to_hash(claim.proof, SECRET.suite)
    for vid in bad:
        with pytest.raises(InvalidClaim) as exc:
            verify_claim(secret_claim(slot, vid, rules), rules)
        assert exc.value.code == "not_eligible"
        with pytest.raises(InvalidClaim) as exc:
            make_claim(rules, KEYS[vid].vrf_secret, vid, slot)
        assert exc.value.code == "not_eligible"
    results = verify_claims([secret_claim(slot, ok[0], rules), secret_claim(slot, bad[0], rules)], rules)
    assert isinstance(results[0], bytes)
    assert isinstance(results[1], InvalidClaim) and results[1].code == "not_eligible"


def test_secret_claim_rules_in_order() -> None:
    rules = SecretEpoch(SECRET, TABLE, 1, SEED)
    slot, ok, _ = eligible_pair(rules)
    good = secret_claim(slot, ok[0], rules)
    cases = {
        "wrong_mode": LeaderClaim(good.chain_id, 1, slot, 0, ok[0], good.proof, None, "windowed"),
        "wrong_epoch": LeaderClaim(good.chain_id, 2, slot, 0, ok[0], good.proof, None, "secret"),
        "wrong_slot": LeaderClaim(good.chain_id, 1, slot + 16, 0, ok[0], good.proof, None, "secret"),
        "wrong_rank": LeaderClaim(good.chain_id, 1, slot, 1, ok[0], good.proof, None, "secret"),
        "wrong_leader": LeaderClaim(good.chain_id, 1, slot, 0, "v9999", good.proof, None, "secret"),
        "invalid_proof": LeaderClaim(good.chain_id, 1, slot + 1, 0, ok[0], good.proof, None, "secret"),
    }
    for code, claim in cases.items():
        with pytest.raises(InvalidClaim) as exc:
            verify_claim(claim, rules)
        assert exc.value.code == code, code


def test_wrong_mode_between_ranked_modes() -> None:
    rot = Schedule(ROTATION, TABLE, 0, SEED)
    w = WindowedSchedule(WINDOWED, TABLE, 0, SEED, [bytes([j]) * 32 for j in range(4)])
    slot = 5
    lead = w.leader(slot)
    claim = make_claim(w, KEYS[lead].vrf_secret, lead, slot)
    assert claim.mode == "windowed" and verify_claim(claim, w)
    as_rotation = LeaderClaim(claim.chain_id, 0, slot, 0, lead, claim.proof)
    with pytest.raises(InvalidClaim) as exc:
        verify_claim(as_rotation, w)
    assert exc.value.code == "wrong_mode"
    with pytest.raises(InvalidClaim) as exc:
        verify_claim(claim, rot)
    assert exc.value.code == "wrong_mode"


def test_unrevealed_window_is_not_checkable_yet() -> None:
    full = WindowedSchedule(WINDOWED, TABLE, 0, SEED, [bytes([j]) * 32 for j in range(4)])
    part = WindowedSchedule(WINDOWED, TABLE, 0, SEED, [bytes([0]) * 32])
    slot = 6  # window 1
    lead = full.leader(slot)
    claim = make_claim(full, KEYS[lead].vrf_secret, lead, slot)
    with pytest.raises(WindowNotRevealed):
        verify_claim(claim, part)
    part.reveal(bytes([1]) * 32)
    assert verify_claim(claim, part) == vrf.proof_to_hash(claim.proof, WINDOWED.suite)


def test_secret_block_static_and_output() -> None:
    rules = make_rules(SECRET, TABLE, 1, SEED)
    assert isinstance(rules, SecretEpoch)
    slot, ok, bad = eligible_pair(rules)
    for vid, expect_ok in ((ok[0], True), (bad[0], False)):
        claim = secret_claim(slot, vid, rules)
        block = SignedBlock(claim, make_header(claim, bytes(32), bytes(32), KEYS[vid].vote_seed))
        key, alpha, proof, h = check_block_static(block, rules)
        beta = key.verify(alpha, proof, SECRET.suite)
        assert len(h) == 32
        if expect_ok:
            check_claim_output(claim, rules, beta)
        else:
            with pytest.raises(InvalidClaim):
                check_claim_output(claim, rules, beta)


# -- secret fork choice ----------------------------------------------------------------------

def test_race_fork_choice_is_order_free_and_ties_by_hash() -> None:
    entries = [RaceEntry(f"v{i:04d}", bytes([i * 37 % 256]) * 64, 10 + i) for i in range(5)]
    cands = [(e, bytes([i]) * 32) for i, e in enumerate(entries)]
    best = canonical_race_index(cands)
    for e, _ in cands:
        assert not prefer_race((e, b"\x00" * 32), cands[best]) or e == cands[best][0]
    assert choose_race([(e, h, i) for i, (e, h) in enumerate(reversed(cands))]) == len(cands) - 1 - best
    # The same entry twice (equivocation): the smaller hash.
    e = entries[0]
    assert canonical_race_index([(e, b"\x02" * 32), (e, b"\x01" * 32)]) == 1
    with pytest.raises(ValueError):
        canonical_race_index([])


# -- vectors --------------------------------------------------------------------------------

def test_windowed_claim_vectors() -> None:
    vec = DATA["windowed"]
    config, table = CONFIGS[vec["config"]], BASE_TABLES[vec["table"]]
    sched = WindowedSchedule(config, table, vec["epoch"], bytes.fromhex(vec["seed"]),
                             [bytes.fromhex(x) for x in vec["window_seeds"]])
    for v in vec["claims"]:
        claim = LeaderClaim.from_bytes(bytes.fromhex(v["encoding"]))
        assert claim.to_json() == v["json"] and LeaderClaim.from_dict(v["claim"]) == claim
        try:
            got, beta = "valid", verify_claim(claim, sched, require_seed=True).hex()
        except InvalidClaim as exc:
            got, beta = exc.code, ""
        assert (got, beta) == (v["verdict"], v["beta"])


def test_secret_claim_vectors_and_fork_choice() -> None:
    vec = DATA["secret"]
    config, table = CONFIGS[vec["config"]], BASE_TABLES[vec["table"]]
    rules = SecretEpoch(config, table, vec["epoch"], bytes.fromhex(vec["seed"]))
    valid: dict[str, RaceEntry] = {}
    for v in vec["claims"]:
        claim = LeaderClaim.from_bytes(bytes.fromhex(v["encoding"]))
        assert claim.mode == "secret" and claim.slot == vec["slot"]
        try:
            beta = verify_claim(claim, rules)
            got = "valid"
            valid[claim.validator_id] = rules.entry(claim.validator_id, beta)
        except InvalidClaim as exc:
            got = exc.code
        assert got == v["verdict"]
    fork = vec["fork_choice"]
    cands = [(valid[vid], bytes.fromhex(h)) for vid, h in fork["candidates"]]
    assert {vid for vid, _ in fork["candidates"]} == set(valid)
    assert canonical_race_index(cands) == fork["canonical"]


def test_secret_claim_with_a_certificate_is_stray() -> None:
    rules = SecretEpoch(SECRET, TABLE, 1, SEED)
    slot, ok, _ = eligible_pair(rules)
    good = secret_claim(slot, ok[0], rules)
    backup = LeaderClaim.from_dict(DATA["windowed"]["claims"][1]["claim"])
    assert backup.certificate is not None
    stray = LeaderClaim(good.chain_id, 1, slot, 0, ok[0], good.proof, backup.certificate, "secret")
    with pytest.raises(InvalidClaim) as exc:
        verify_claim(stray, rules)
    assert exc.value.code == "stray_certificate"
