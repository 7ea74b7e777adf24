#!/usr/bin/env python3
"""Generate tests/vectors/election.json from fixed seeds.

Usage: python3 tests/vectors/generate.py [--check]

Every value is produced by the ``election`` package from the fixed inputs below;
tests/test_election_vectors.py checks that the code still reproduces the committed
file byte for byte.  The format is described in tests/vectors/README.md.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from election import (  # noqa: E402
    ElectionConfig,
    HashStream,
    LeaderClaim,
    Schedule,
    StakeTable,
    TimeoutCertificate,
    TimeoutVote,
    make_claim,
    next_seed,
    slot_input,
    verify_claim,
)
from election.dev.keys import dev_validators  # noqa: E402
from election.rules.hashstream import stream_key  # noqa: E402
from election.rules.schedule import schedule_context  # noqa: E402

OUT = Path(__file__).resolve().parent / "election.json"


def seed_of(label: str) -> bytes:
    """A fixed 32-byte seed: SHA-512(label)[:32]."""
    return hashlib.sha512(label.encode()).digest()[:32]


def hash_stream_vectors() -> list[dict[str, Any]]:
    out = []
    for purpose, context in ((b"primary", b""), (b"backup", b"\x01\x02\x03"), (b"test", bytes(range(40)))):
        key = stream_key(purpose, context)
        s = HashStream(key)
        first = s.read(160)
        ns = [1, 2, 3, 7, 100, 255, 256, 257, 65537, 10**12, 2**64 - 1]
        s2 = HashStream(key)
        draws = [s2.uniform(n) for n in ns]
        out.append(
            {
                "purpose": purpose.hex(),
                "context": context.hex(),
                "key": key.hex(),
                "first_160_bytes": first.hex(),
                "uniform_n": ns,
                "uniform_draws": draws,
            }
        )
    return out


TABLES = {
    "equal4": ([1, 1, 1, 1], b"vectors-equal4"),
    "skewed7": ([1, 2, 3, 5, 8, 13, 100], b"vectors-skewed7"),
    "big_stakes5": ([2**60, 3 * 2**58, 10**17 + 7, 999_999_999_999, 1], b"vectors-big5"),
}

CONFIGS = {
    "small": ElectionConfig(
        b"seqvrf-vectors", epoch_length=16, slot_duration_ms=2000, failover_timeout_ms=500, backups=2, seed_cutoff=10
    ),
    "medium": ElectionConfig(b"seqvrf-vectors-2", epoch_length=64, backups=3),
}


def build() -> dict[str, Any]:
    """Compute every vector."""
    tables: dict[str, StakeTable] = {}
    secrets = {}
    table_vecs = []
    for name, (stakes, dev_seed) in TABLES.items():
        devs = dev_validators(stakes, dev_seed)
        table = StakeTable(d.validator for d in devs)
        tables[name] = table
        secrets[name] = {d.id: d for d in devs}
        table_vecs.append(
            {
                "name": name,
                "dev_seed": dev_seed.hex(),
                "table": table.to_dict(),
                "vrf_secret_seeds": {d.id: d.vrf_seed.hex() for d in devs},
                "vote_secret_seeds": {d.id: d.vote_seed.hex() for d in devs},
                "encoding": table.to_bytes().hex(),
                "digest": table.digest().hex(),
            }
        )

    sched_vecs = []
    for cname, tname, epoch, label in (
        ("small", "equal4", 0, "s0"),
        ("small", "skewed7", 3, "s1"),
        ("medium", "skewed7", 7, "s2"),
        ("medium", "big_stakes5", 2**40, "s3"),
        ("small", "big_stakes5", 1, "s4"),
    ):
        config, table, seed = CONFIGS[cname], tables[tname], seed_of(label)
        s = Schedule(config, table, epoch, seed)
        sample = [
            s.first_slot,
            s.first_slot + 1,
            s.first_slot + config.epoch_length // 2,
            s.first_slot + config.epoch_length - 1,
        ]
        sched_vecs.append(
            {
                "config": cname,
                "table": tname,
                "epoch": epoch,
                "seed": seed.hex(),
                "context": schedule_context(config, table, epoch, seed).hex(),
                "offset": s.offset,
                "counts": s.counts(),
                "leaders": s.leaders(),
                "rankings": {str(x): s.ranking(x) for x in sample},
            }
        )

    input_vecs = []
    for cname, epoch, label, k in (("small", 0, "s0", 0), ("small", 3, "s1", 15), ("medium", 2**40, "s3", 5)):
        config = CONFIGS[cname]
        slot = epoch * config.epoch_length + k
        input_vecs.append(
            {
                "config": cname,
                "epoch": epoch,
                "seed": seed_of(label).hex(),
                "slot": slot,
                "alpha": slot_input(config, epoch, seed_of(label), slot).hex(),
            }
        )

    seed_vecs = []
    for cname, epoch, label, offsets in (
        ("small", 3, "s1", [0, 1, 4, 9, 10, 15]),
        ("small", 0, "s0", []),
        ("medium", 7, "s2", list(range(0, 64, 5))),
    ):
        config = CONFIGS[cname]
        first = epoch * config.epoch_length
        betas = [(first + k, hashlib.sha512(b"beta %d" % (first + k)).digest()) for k in offsets]
        seed_vecs.append(
            {
                "config": cname,
                "epoch": epoch,
                "seed": seed_of(label).hex(),
                "blocks": [[slot, b.hex()] for slot, b in betas],
                "next_seed": next_seed(config, epoch, seed_of(label), betas).hex(),
            }
        )

    # Votes, a certificate and claims on the "small"/"skewed7" schedule of epoch 3.
    config, table, keys = CONFIGS["small"], tables["skewed7"], secrets["skewed7"]
    epoch, seed = 3, seed_of("s1")
    s = Schedule(config, table, epoch, seed)
    slot = next(x for x in s.slots if x >= s.first_slot + 5 and s.leader(x) != "v0006")  # whale votes
    ranking = s.ranking(slot)
    voters = [v for v in table.ids if v != ranking[0]]
    votes = [
        TimeoutVote.sign(config, table, epoch, slot, 1, v, keys[v].vote_seed, None if i % 2 else bytes([i]) * 32)
        for i, v in enumerate(voters)
    ]
    cert = TimeoutCertificate(votes)
    cert.verify(table, config)
    vote_vecs = [{"vote": v.to_dict(), "message": v.message().hex(), "encoding": v.to_bytes().hex()} for v in votes[:3]]
    primary = make_claim(s, keys[ranking[0]].vrf_secret, ranking[0], slot)
    backup = make_claim(s, keys[ranking[1]].vrf_secret, ranking[1], slot, 1, cert)
    claim_vecs = []
    for c in (primary, backup):
        claim_vecs.append(
            {
                "claim": c.to_dict(),
                "encoding": c.to_bytes().hex(),
                "json": c.to_json(),
                "beta": verify_claim(c, s).hex(),
            }
        )
    assert all(LeaderClaim.from_bytes(bytes.fromhex(v["encoding"])).to_json() == v["json"] for v in claim_vecs)

    return {
        "description": "seqvrf election vectors; format in tests/vectors/README.md",
        "configs": {k: c.to_dict() for k, c in CONFIGS.items()},
        "hash_stream": hash_stream_vectors(),
        "tables": table_vecs,
        "schedules": sched_vecs,
        "slot_inputs": input_vecs,
        "next_seeds": seed_vecs,
        "votes": {
            "config": "small",
            "table": "skewed7",
            "epoch": epoch,
            "seed": seed.hex(),
            "slot": slot,
            "items": vote_vecs,
            "certificate": cert.to_dict(),
            "certificate_encoding": cert.to_bytes().hex(),
        },
        "claims": {"config": "small", "table": "skewed7", "epoch": epoch, "seed": seed.hex(), "items": claim_vecs},
    }


def render() -> str:
    """The exact text of election.json."""
    return json.dumps(build(), indent=1, sort_keys=True) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        same = OUT.exists() and OUT.read_text() == text
        print("election.json is up to date" if same else "election.json differs from the generator")
        return 0 if same else 1
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
