"""tests/vectors/slot_safety.json: version-2 votes, signed headers, blocks and evidence are
reproduced by the generator byte for byte, and each value is recomputed here from its inputs
(the header hash and tags by hand, from docs/spec.md sections 8, 15 and 17)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

from nacl.signing import VerifyKey

from election import ElectionConfig, LeaderClaim, StakeTable, TimeoutCertificate, TimeoutVote
from election.rules.blocks import SignedBlock
from election.rules.evidence import evidence_from_bytes, verify_evidence
from election.rules.forkchoice import canonical_index, window_ms

VECTORS = Path(__file__).resolve().parent / "vectors"
DATA: dict[str, Any] = json.loads((VECTORS / "slot_safety.json").read_text())
ELECTION: dict[str, Any] = json.loads((VECTORS / "election.json").read_text())
CONFIG = ElectionConfig.from_dict(DATA["config"])
TABLE = StakeTable.from_dict(next(t["table"] for t in ELECTION["tables"] if t["name"] == DATA["table"]))
SEED = bytes.fromhex(DATA["seed"])


def tag(name: str) -> bytes:
    return bytes([len(name)]) + name.encode()


def test_generator_reproduces_file_byte_for_byte() -> None:
    spec = importlib.util.spec_from_file_location("election_vectors_generate", VECTORS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render_safety() == (VECTORS / "slot_safety.json").read_text()


def test_version2_votes_and_certificate() -> None:
    for item in DATA["votes_v2"]:
        vote = TimeoutVote.from_dict(item["vote"])
        assert vote.seed == SEED and vote.message().hex() == item["message"]
        assert bytes.fromhex(item["message"]).startswith(tag("seqvrf/v2/timeout-vote"))
        assert vote.to_bytes().hex() == item["encoding"] and item["encoding"].startswith("ff02")
        assert TimeoutVote.from_bytes(bytes.fromhex(item["encoding"])) == vote
        vote.verify(TABLE, CONFIG, SEED)
    cert = TimeoutCertificate.from_bytes(bytes.fromhex(DATA["certificate_v2"]["encoding"]))
    assert cert == TimeoutCertificate.from_dict(DATA["certificate_v2"]["json"]) and cert.seed == SEED
    cert.verify(TABLE, CONFIG, SEED)


def test_headers_and_blocks() -> None:
    for b in DATA["blocks"]:
        claim = LeaderClaim.from_bytes(bytes.fromhex(b["claim_encoding"]))
        digest = hashlib.sha512(tag("seqvrf/v1/claim-digest") + bytes.fromhex(b["claim_encoding"])).digest()[:32]
        assert digest.hex() == b["claim_digest"]
        body = bytes.fromhex(b["header_body"])
        vid = claim.validator_id.encode()
        expected = (bytes([len(CONFIG.chain_id)]) + CONFIG.chain_id + claim.epoch.to_bytes(8, "big")
                    + claim.slot.to_bytes(8, "big") + bytes([claim.rank]) + bytes([len(vid)]) + vid
                    + bytes.fromhex(b["parent_hash"]) + bytes.fromhex(b["payload_digest"]) + digest)
        assert body == expected
        assert b["message"] == (tag("seqvrf/v1/block-header") + body).hex()
        assert hashlib.sha512(tag("seqvrf/v1/block-hash") + body).digest()[:32].hex() == b["block_hash"]
        VerifyKey(TABLE[claim.validator_id].vote_key).verify(bytes.fromhex(b["message"]), bytes.fromhex(b["signature"]))
        block = SignedBlock.from_bytes(bytes.fromhex(b["signed_block"]))
        assert block.claim == claim and block.block_hash().hex() == b["block_hash"]


def test_evidence_verifies() -> None:
    kinds = []
    for e in DATA["evidence"]:
        ev = evidence_from_bytes(bytes.fromhex(e["encoding"]))
        assert bytes.fromhex(e["encoding"]).startswith(tag("seqvrf/v1/evidence"))
        assert (ev.kind, ev.validator_id, ev.slot) == (e["kind"], e["validator_id"], e["slot"])
        verify_evidence(ev, TABLE, CONFIG)
        kinds.append(ev.kind)
    assert kinds == ["header_equivocation", "vote_equivocation", "produce_after_vote"]


def test_windows_and_fork_choice() -> None:
    for r, (start, end) in DATA["windows_ms"].items():
        s = DATA["slot"] * CONFIG.slot_duration_ms
        assert (start, end) == (s + int(r) * CONFIG.failover_timeout_ms, s + (int(r) + 1) * CONFIG.failover_timeout_ms)
        assert window_ms(CONFIG, DATA["slot"], int(r)) == (start, end)
    cands = [(r, bytes.fromhex(h)) for r, h in DATA["fork_choice"]["candidates"]]
    assert canonical_index(cands) == DATA["fork_choice"]["canonical"] == 1  # the certified rank 1
