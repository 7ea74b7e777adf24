"""Regenerate the seed corpora in fuzz/corpus/<target>/ from real encodings.

    python fuzz/make_corpus.py

Deterministic: the same code gives the same files.  Sources: the RFC 9381 vectors,
tests/vectors/election.json and a small development chain built by the library itself.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

from nacl.signing import SigningKey

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
sys.path.insert(0, str(ROOT))

import vrf  # noqa: E402
from election import ElectionConfig, LeaderClaim, StakeTable, TimeoutCertificate, TimeoutVote  # noqa: E402
from election.chain.formats import GenesisFile, HistoryRecord  # noqa: E402
from election.dev.chains import dev_history  # noqa: E402
from election.dev.keys import dev_table  # noqa: E402
from election.node.guard import KIND_HEADER, KIND_VOTE, SigningGuard  # noqa: E402


def write(target: str, items: list[bytes]) -> None:
    d = CORPUS / target
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    for item in items:
        (d / hashlib.sha1(item).hexdigest()).write_bytes(item)


def main() -> None:
    rfc = json.loads((ROOT / "tests/vectors/rfc9381_edwards25519.json").read_text())
    ev = json.loads((ROOT / "tests/vectors/election.json").read_text())

    # vrf_verify: ctl || pk || pi || alpha
    verify = []
    for i, v in enumerate(rfc):
        suite_bit = 0 if v["suite"].endswith("TAI") else 1
        verify.append(bytes([suite_bit | 6 * (i & 1)]) + bytes.fromhex(v["pk"] + v["pi"] + v["alpha"]))
    verify.append(b"\x06" + bytes(112))
    write("vrf_verify", verify)

    # vrf_differential: one seed per mode (mode byte, suite byte, then mode data)
    diff = []
    v = rfc[0]
    for suite in (0, 1):
        diff.append(bytes([0, suite]) + bytes.fromhex(v["pk"]))
        diff.append(bytes([1, suite]) + bytes.fromhex(v["pi"]))
        diff.append(bytes([2, suite, 3, 2, 40, 0x55, 1]))
        diff.append(bytes([3, suite, 2, 1, 5]))
        diff.append(bytes([4, suite]) + bytes.fromhex(v["pk"] + v["pi"]) + b"abc")
        diff.append(bytes([5, suite, 0]) + bytes(32) + bytes([3]) + b"abc")
    write("vrf_differential", diff)

    # c_vrf (fuzz/c/fuzz_vrf.c): op byte then the op's data
    cv = []
    for v in rfc:
        suite = 0 if v["suite"].endswith("TAI") else 1
        cv.append(bytes([0x82 | suite]) + bytes.fromhex(v["pk"] + v["pi"] + v["alpha"]))
        cv.append(bytes([8 | suite]) + bytes.fromhex(v["pi"]))
        cv.append(bytes([4]) + bytes.fromhex(v["pk"]))
        cv.append(bytes([12 | suite]) + bytes.fromhex(v["pk"] + v["alpha"]))
        cv.append(bytes([16]) + bytes.fromhex(v["x"] + v["k"] + v["pk"]))
        cv.append(bytes([20]) + bytes.fromhex(v["k_string"]))
    # P-256 ops of the C harness (op >= 0xC0): verify, key, proof_to_hash, hash to curve
    p256_sk = vrf.P256SecretKey(bytes.fromhex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"))
    p256_pk = p256_sk.public_key.to_bytes()
    for suite_bit, suite in enumerate((vrf.Suite.P256_SHA256_TAI, vrf.Suite.P256_SHA256_SSWU)):
        pi = p256_sk.prove(b"sample", suite)
        cv.append(bytes([0xC2 | suite_bit]) + p256_pk + pi + b"sample")
        cv.append(bytes([0xC4 | suite_bit]) + p256_pk)
        cv.append(bytes([0xC8 | suite_bit]) + pi)
        cv.append(bytes([0xCC | suite_bit]) + p256_pk + bytes(31) + b"\x07" + b"sample")
    write("c_vrf", cv)

    tables = ev["tables"]
    write("stake_bytes", [bytes.fromhex(t["encoding"]) for t in tables])
    write("stake_json", [json.dumps(t["table"]).encode() for t in tables]
          + [StakeTable.from_dict(tables[0]["table"]).to_json().encode()])
    write("config_json", [json.dumps(c).encode() for c in ev["configs"].values()])

    claims = ev["claims"]["items"]
    write("claim", [bytes.fromhex(c["encoding"]) for c in claims] + [c["json"].encode() for c in claims])

    votes = ev["votes"]
    vitems = []
    for it in votes["items"]:
        vitems.append(b"\x00" + bytes.fromhex(it["encoding"]))
        vitems.append(b"\x01" + TimeoutVote.from_dict(it["vote"]).to_json().encode())
    vitems.append(b"\x02" + bytes.fromhex(votes["certificate_encoding"]))
    vitems.append(b"\x03" + TimeoutCertificate.from_dict(votes["certificate"]).to_json().encode())
    write("votes", vitems)

    table, keys = dev_table([10, 20, 30, 40], b"fuzz")
    table2, _ = dev_table([11, 21, 31, 41], b"fuzz")
    config = ElectionConfig(b"fuzz-chain", epoch_length=8, backups=2, seed_cutoff=6)
    genesis = GenesisFile(config, bytes(range(32)), ((0, table), (2, table2)))
    # hostile genesis files (docs/audit.md, "Bounds"): a 2^32 - 1 slot epoch, one past the
    # 2^20 bound, a start epoch at the last whole epoch below 2^64
    hostile_genesis = []
    for key, value in (("epoch_length", 2**32 - 1), ("epoch_length", 2**20 + 1)):
        d = json.loads(genesis.to_json())
        d["config"][key] = value
        hostile_genesis.append(json.dumps(d).encode())
    d = json.loads(genesis.to_json())
    d["start_epoch"] = d["stake_tables"][0]["from_epoch"] = 2**61 - 1
    d["stake_tables"] = d["stake_tables"][:1]
    hostile_genesis.append(json.dumps(d).encode())
    write("genesis", [genesis.to_json().encode(), genesis.to_json(indent=None).encode(), *hostile_genesis])

    def producer(slot: int, ranking: list[str]) -> int | None:
        return None if slot % 5 == 4 else (1 if slot % 7 == 3 else 0)

    records = list(dev_history(genesis, keys, 20, producer))
    lines_json = [r.to_line("json").encode() for r in records]
    lines_hex = [r.to_line("hex").encode() for r in records]
    signed = list(dev_history(genesis, keys, 20, producer, signed=True))  # version 2: signed headers
    v2_json = [r.to_line("json").encode() for r in signed]
    v2_hex = [r.to_line("hex").encode() for r in signed]
    write("history", [b"".join(lines_json[:3]), b"".join(lines_hex[:3]), lines_json[3], lines_hex[4],
                      lines_json[0].replace(b"\n", b"\r\n"), b" " + lines_json[1], lines_json[2][:-1],
                      b"".join(v2_json[:3]), v2_hex[3]])
    # audit (fuzz_audit.py uses this genesis): whole histories, a prefix, a gap, a reordering
    # ... and hostile ones: a block 4,097 epochs ahead (the walk through empty epochs), a
    # block at slot 2^64 - 1, CRLF line ends, a leading space, no final newline, a line with
    # a 300-vote certificate (past the line limit of a 4-validator genesis), nothing at all
    def far(slot: int) -> bytes:
        claim = LeaderClaim(config.chain_id, slot // 8, slot, 0, "v0000", bytes(80))
        return HistoryRecord(slot, claim).to_line().encode()

    cert_obj = json.loads(lines_json[[r.claim.rank for r in records].index(1)])
    vote = cert_obj["claim"]["certificate"]["votes"][0]
    cert_obj["claim"]["certificate"]["votes"] = [{**vote, "voter_id": f"w{i:04d}"} for i in range(300)]
    hostile = [
        lines_json[0] + far(4097 * 8),
        lines_json[0] + far(2**64 - 1),
        b"".join(lines_json[:4]).replace(b"\n", b"\r\n"),
        b" " + lines_json[0] + lines_json[1],
        b"".join(lines_json[:3])[:-1],
        lines_json[0] + json.dumps(cert_obj, separators=(",", ":")).encode() + b"\n",
        b"",
    ]
    write("audit", [b"".join(lines_json), b"".join(lines_hex[:6]), b"".join(lines_json[:2] + lines_json[4:8]),
                    b"".join([lines_hex[1], lines_hex[0]]), b"".join(v2_json), b"".join(v2_hex[:5]), *hostile])
    # blocks (fuzz_blocks.py): op byte 0 signed block, 1 signed header, 2 evidence, 3 signed-block JSON
    from election.rules.blocks import SignedBlock
    from election.rules.evidence import HeaderEquivocation, evidence_to_bytes
    from election.rules.headers import make_header
    blocks = [SignedBlock(r.claim, r.header) for r in signed[:4]]
    items = [b"\x00" + b.to_bytes() for b in blocks] + [b"\x03" + b.to_json().encode() for b in blocks[:2]]
    items += [b"\x01" + b.header.to_bytes() for b in blocks[:2] if b.header is not None]
    first = blocks[0]
    assert first.header is not None
    twin = make_header(first.claim, first.header.header.parent_hash, bytes(32), keys[first.validator_id].vote_seed)
    items.append(b"\x02" + evidence_to_bytes(HeaderEquivocation.of(first.header, twin)))
    write("blocks", items)
    # claims with certificates (rank 1) from the chain, for the claim target too
    extra = [r.claim for r in records if r.claim.rank > 0][:2]
    d = CORPUS / "claim"
    for c in extra:
        for item in (c.to_bytes(), c.to_json().encode()):
            (d / hashlib.sha1(item).hexdigest()).write_bytes(item)
    # vrf_p256_verify: ctl || pk(33) || pi(81) || alpha; RFC 9381 examples 10-15 (the key
    # c9af...6721 over "sample" and "test", both suites), honest proofs with the reference
    # oracle bits (0xA8), and the XOR-into-honest mode with no change (0x10)
    p256 = []
    rfc_sk = vrf.P256SecretKey(bytes.fromhex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"))
    for suite_bit, suite in enumerate((vrf.Suite.P256_SHA256_TAI, vrf.Suite.P256_SHA256_SSWU)):
        for alpha in (b"sample", b"test"):
            pi = rfc_sk.prove(alpha, suite)
            p256.append(bytes([suite_bit | 0x06]) + rfc_sk.public_key.to_bytes() + pi + alpha)
            p256.append(bytes([suite_bit | 0xAE]) + rfc_sk.public_key.to_bytes() + pi + alpha)
        p256.append(bytes([suite_bit | 0x10]) + bytes(114))
        p256.append(bytes([suite_bit | 0x50]) + bytes(114))
    p256.append(b"\x02" + bytes(33))
    write("vrf_p256_verify", p256)
    _ = (vrf, LeaderClaim)

    # guard_import (fuzz_guard_import.py uses this chain and validator): signing histories
    signer = SigningKey(keys[table.ids[0]].vote_seed)
    histories = []
    with SigningGuard(":memory:", chain_id=b"fuzz-chain", validator_id="fuzz-validator") as guard:
        histories.append(json.dumps(guard.export_json(), sort_keys=True).encode())
        for slot in range(3, 9):
            guard.sign(KIND_VOTE, 0, slot, 1, b"vote %d" % slot, lambda m: signer.sign(m).signature)
            if slot % 2:
                guard.sign(KIND_HEADER, 0, slot, 1 + slot % 3, b"header %d" % slot, lambda m: signer.sign(m).signature)
        histories.append(json.dumps(guard.export_json(), sort_keys=True).encode())
        guard.prune(5)
        histories.append(json.dumps(guard.export_json(), indent=1).encode())
    write("guard_import", histories)

    # wire: one encoded message of each type (blocks with headers, a certificate, a sync answer)
    from election.dev.blocks import dev_block
    from election.node import wire
    from election.rules.evidence import HeaderEquivocation
    from election.rules.schedule import Schedule

    wtable, wkeys = dev_table([1, 2, 3], b"fuzz-wire")
    wcfg = ElectionConfig(chain_id=b"fuzz-wire", epoch_length=8, backups=1)
    wsched = Schedule(wcfg, wtable, 0, bytes(32))
    b0, b1, b2 = (dev_block(wsched, wkeys, 2), dev_block(wsched, wkeys, 2, rank=1),
                  dev_block(wsched, wkeys, 2, salt=b"x"))
    wid = wtable.ids[0]
    msgs: list[wire.Message] = [
        wire.sign_heartbeat(SigningKey(wkeys[wid].vote_seed), wcfg.chain_id, wid, 1, 1000),
        wire.BlockMsg(b0, b"payload"), wire.BlockMsg(b1),
        wire.VoteMsg(b1.claim.certificate.votes[0]),  # type: ignore[union-attr]
        wire.EvidenceMsg(HeaderEquivocation.of(b0.header, b2.header)),  # type: ignore[arg-type]
        wire.SyncRequest(wid, 5, 0, 8),
        wire.SyncResponse(wid, 5, 0, 8, 2, 2, True, (b0, b1)),
    ]
    write("wire", [wire.encode(m) for m in msgs])


if __name__ == "__main__":
    main()
