#!/usr/bin/env python3
"""Generate tests/vectors/election.json, modes.json, slot_safety.json and inactivity.json from fixed seeds.

Usage: python3 tests/vectors/generate.py [--check]

Every value is produced by the ``election`` package from the fixed inputs below;
tests/test_election_vectors.py and tests/test_election_mode_vectors.py check that the
code still reproduces the committed files byte for byte.  The format is described in
tests/vectors/README.md.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import sys
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import vrf  # noqa: E402
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
from election.rules.secret import RaceEntry, compare_entries, compare_scores, is_eligible, race_ranking, score  # noqa: E402
from election.rules.windowed import WindowedSchedule, window_seed, window_source, windowed_context  # noqa: E402

OUT = Path(__file__).resolve().parent / "election.json"
MODES_OUT = Path(__file__).resolve().parent / "modes.json"
SAFETY_OUT = Path(__file__).resolve().parent / "slot_safety.json"
INACTIVITY_OUT = Path(__file__).resolve().parent / "inactivity.json"


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


# -- modes.json: windowed rotation and secret race -----------------------------------

MODE_CONFIGS = {
    "windowed": ElectionConfig(
        b"seqvrf-vectors-modes", epoch_length=24, backups=2, seed_cutoff=12, mode="windowed", window=6
    ),
    "windowed_big": ElectionConfig(b"seqvrf-vectors-modes-2", epoch_length=120, backups=3, mode="windowed", window=20),
    "secret": ElectionConfig(b"seqvrf-vectors-secret", epoch_length=16, mode="secret", proposers=3),
}


def beta_of(slot: int) -> bytes:
    """A fixed stand-in VRF output of the block at ``slot``: SHA-512("beta %d")."""
    return hashlib.sha512(b"beta %d" % slot).digest()


def produced(slot: int) -> bool:
    """Which slots have a block in the windowed vectors: all but every third."""
    return slot % 3 != 1


def windowed_vectors(tables: dict[str, StakeTable]) -> list[dict[str, Any]]:
    out = []
    for cname, tname, epoch, label in (("windowed", "skewed7", 0, "s0"), ("windowed", "skewed7", 3, "s1"),
                                        ("windowed_big", "big_stakes5", 2**40, "s3")):
        config, table, seed = MODE_CONFIGS[cname], tables[tname], seed_of(label)
        s = WindowedSchedule(config, table, epoch, seed)
        windows = []
        prev: bytes | None = None
        for j in range(s.windows):
            src = window_source(config, epoch, j)
            blocks = [(x, beta_of(x)) for x in src if produced(x)]
            ws = window_seed(config, epoch, seed, j, prev, blocks)
            s.reveal(ws)
            slots = s.window_slots(j)
            windows.append(
                {
                    "window": j,
                    "source": [src.start, src.stop],
                    "blocks": [[x, b.hex()] for x, b in blocks],
                    "window_seed": ws.hex(),
                    "leaders": s.leaders()[j * s.window : (j + 1) * s.window],
                    "remaining": s.remaining(),
                    "rankings": {str(x): s.ranking(x) for x in (slots[0], slots[-1])},
                }
            )
            prev = ws
        out.append(
            {
                "config": cname,
                "table": tname,
                "epoch": epoch,
                "seed": seed.hex(),
                "context": windowed_context(config, table, epoch, seed).hex(),
                "offset": s.offset,
                "counts": s.counts(),
                "windows": windows,
            }
        )
    return out


def _odd_near(x: Decimal) -> int:
    return min(max(int(x.to_integral_value()) | 1, 1), 2**513 - 1)


def _beta_for(m: int) -> bytes:
    return (m >> 1).to_bytes(64, "big")


def secret_vectors(tables: dict[str, StakeTable], secrets: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rng = random.Random(9381)
    two513 = Decimal(2**513)
    comparisons = []
    pairs: list[tuple[bytes, int, bytes, int, str]] = []
    for _ in range(6):
        pairs.append((rng.randbytes(64), rng.randrange(1, 2**64), rng.randbytes(64), rng.randrange(1, 2**64), "random"))
    with localcontext() as ctx:
        ctx.prec = 360
        for sa, sb in ((2, 1), (3, 5), (2**64 - 1, 2**63), (7, 7)):
            mb = 2 * rng.getrandbits(512) + 1
            centre = _odd_near(((Decimal(mb) / two513).ln() * sa / sb).exp() * two513)
            for delta in (-2, 0, 2):
                pairs.append((_beta_for(centre + delta), sa, _beta_for(mb), sb, "near_tie"))
    b = rng.randbytes(64)
    pairs.append((b, 9, b, 9, "equal"))
    for ba, sa, bb, sb, kind in pairs:
        comparisons.append(
            {"kind": kind, "a": {"beta": ba.hex(), "stake": sa}, "b": {"beta": bb.hex(), "stake": sb},
             "result": compare_scores(score(ba, sa), score(bb, sb))}
        )
    eligibility = []
    cases: list[tuple[bytes, int, int, int, str]] = []
    for _ in range(6):
        total = rng.randrange(1, 2**64)
        cases.append((rng.randbytes(64), rng.randrange(1, total + 1), total, rng.randrange(1, 256), "random"))
    with localcontext() as ctx:
        ctx.prec = 360
        for stake, total, k in ((1, 4, 3), (5, 20, 1), (2**63, 2**64 - 1, 255)):
            centre = _odd_near((-Decimal(k * stake) / total).exp() * two513)
            for delta in (-2, 0, 2):
                cases.append((_beta_for(centre + delta), stake, total, k, "near_threshold"))
    for beta, stake, total, k, kind in cases:
        eligibility.append({"kind": kind, "beta": beta.hex(), "stake": stake, "total": total, "proposers": k,
                            "eligible": is_eligible(beta, stake, total, k)})
    # A real race: every validator's VRF output over the slot's input, with dev keys.
    config, table, keys = MODE_CONFIGS["secret"], tables["skewed7"], secrets["skewed7"]
    epoch, seed = 2, seed_of("s2")
    races = []
    for slot in (32, 33, 40, 47):
        alpha = slot_input(config, epoch, seed, slot)
        proofs = {v.id: keys[v.id].vrf_secret.prove(alpha, config.suite) for v in table}
        entries = [RaceEntry(v.id, vrf.proof_to_hash(proofs[v.id], config.suite), v.stake) for v in table]
        assert config.proposers is not None
        ranking = race_ranking(entries, table.total_stake, config.proposers)
        order = sorted(entries, key=functools.cmp_to_key(compare_entries))
        races.append(
            {
                "slot": slot,
                "alpha": alpha.hex(),
                "betas": {e.validator_id: e.beta.hex() for e in entries},
                "order": [e.validator_id for e in order],
                "ranking": [e.validator_id for e in ranking],
            }
        )
    return {
        "comparisons": comparisons,
        "eligibility": eligibility,
        "races": {"config": "secret", "table": "skewed7", "epoch": epoch, "seed": seed.hex(), "slots": races},
    }


def _claim_vec(c: LeaderClaim, rules: Any, expect: str) -> dict[str, Any]:
    """A claim's forms and its verdict under ``rules``: ``"valid"`` and its beta, or the code."""
    from election import InvalidClaim
    from election import verify_claim as verify

    try:
        beta = verify(c, rules, require_seed=True).hex()
        verdict = "valid"
    except InvalidClaim as exc:
        beta, verdict = "", exc.code
    assert verdict == expect, (verdict, expect)
    assert LeaderClaim.from_bytes(c.to_bytes()) == c and LeaderClaim.from_json(c.to_json()) == c
    return {"claim": c.to_dict(), "encoding": c.to_bytes().hex(), "json": c.to_json(), "verdict": verdict,
            "beta": beta}


def claim_vectors(tables: dict[str, StakeTable], secrets: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Claims of each non-rotation mode (version 2, mode byte), with their verdicts, and a
    secret slot's fork choice."""
    from election import SecretEpoch, TimeoutCertificate, TimeoutVote
    from election.rules.forkchoice import canonical_race_index

    table, keys = tables["skewed7"], secrets["skewed7"]
    # Windowed: epoch 0, every window revealed from the stand-in betas.
    config, epoch, seed = MODE_CONFIGS["windowed"], 0, seed_of("s0")
    w = WindowedSchedule(config, table, epoch, seed)
    prev: bytes | None = None
    for j in range(w.windows):
        prev = window_seed(config, epoch, seed, j, prev,
                           [(x, beta_of(x)) for x in window_source(config, epoch, j) if produced(x)])
        w.reveal(prev)
    slot = next(x for x in w.slots if x >= w.first_slot + 13 and w.leader(x) != "v0006")  # the whale votes
    ranking = w.ranking(slot)
    votes = [TimeoutVote.sign(config, table, epoch, slot, 1, v, keys[v].vote_seed, None, seed)
             for v in table.ids if v != ranking[0]]
    cert = TimeoutCertificate(votes)
    primary = make_claim(w, keys[ranking[0]].vrf_secret, ranking[0], slot)
    backup = make_claim(w, keys[ranking[1]].vrf_secret, ranking[1], slot, 1, cert)
    as_rotation = LeaderClaim(primary.chain_id, epoch, slot, 0, primary.validator_id, primary.proof, None)
    windowed = {"config": "windowed", "table": "skewed7", "epoch": epoch, "seed": seed.hex(),
                "window_seeds": [x.hex() for x in w.window_seeds],
                "claims": [_claim_vec(primary, w, "valid"), _claim_vec(backup, w, "valid"),
                           _claim_vec(as_rotation, w, "wrong_mode")]}
    # Secret: every validator's claim of one slot; the eligible ones race.
    sconfig, sepoch, sseed = MODE_CONFIGS["secret"], 2, seed_of("s2")
    rules = SecretEpoch(sconfig, table, sepoch, sseed)
    # The first slot with at least two eligible validators and one not eligible.
    def eligible_count(x: int) -> int:
        a = rules.slot_input(x)
        return sum(rules.eligible(rules.entry(v.id, vrf.proof_to_hash(
            keys[v.id].vrf_secret.prove(a, sconfig.suite), sconfig.suite))) for v in table)
    slot = next(x for x in rules.slots if 2 <= eligible_count(x) < len(table))
    alpha = rules.slot_input(slot)
    claims, entries = [], []
    for v in table:
        c = LeaderClaim(sconfig.chain_id, sepoch, slot, 0, v.id, keys[v.id].vrf_secret.prove(alpha, sconfig.suite),
                        None, "secret")
        e = rules.entry(v.id, vrf.proof_to_hash(c.proof, sconfig.suite))
        ok = rules.eligible(e)
        claims.append(_claim_vec(c, rules, "valid" if ok else "not_eligible"))
        if ok:
            entries.append((e, hashlib.sha256(c.to_bytes()).digest()))
    assert len(entries) >= 2 and len(claims) > len(entries)
    fork = {"candidates": [[e.validator_id, h.hex()] for e, h in entries],
            "canonical": canonical_race_index(entries)}
    secret = {"config": "secret", "table": "skewed7", "epoch": sepoch, "seed": sseed.hex(), "slot": slot,
              "claims": claims, "fork_choice": fork}
    return {"windowed": windowed, "secret": secret}


def build_modes() -> dict[str, Any]:
    """Compute every mode vector."""
    tables: dict[str, StakeTable] = {}
    secrets: dict[str, dict[str, Any]] = {}
    for name, (stakes, dev_seed) in TABLES.items():
        devs = dev_validators(stakes, dev_seed)
        tables[name] = StakeTable(d.validator for d in devs)
        secrets[name] = {d.id: d for d in devs}
    return {
        "description": "seqvrf election mode vectors (windowed, secret); format in tests/vectors/README.md",
        "configs": {k: c.to_dict() for k, c in MODE_CONFIGS.items()},
        "windowed": windowed_vectors(tables),
        "secret": secret_vectors(tables, secrets),
        "claims": claim_vectors(tables, secrets),
    }


def render_modes() -> str:
    """The exact text of modes.json."""
    return json.dumps(build_modes(), indent=1, sort_keys=True) + "\n"


# -- slot_safety.json: version-2 votes, signed headers, blocks, evidence ----------------------


def build_safety() -> dict[str, Any]:
    from election.rules.blocks import SignedBlock
    from election.rules.evidence import (
        HeaderEquivocation,
        ProduceAfterVote,
        VoteEquivocation,
        evidence_to_bytes,
        evidence_to_dict,
    )
    from election.rules.forkchoice import canonical_index, window_ms
    from election.rules.headers import GENESIS_PARENT, claim_digest, make_header

    config = ElectionConfig(b"seqvrf-vectors", epoch_length=12, slot_duration_ms=2000, failover_timeout_ms=500,
                            backups=2, seed_cutoff=8)
    stakes, dev_seed = TABLES["equal4"]
    devs = dev_validators(stakes, dev_seed)
    table = StakeTable([d.validator for d in devs])
    keys = {d.id: d for d in devs}
    seed = seed_of("s1")
    sched = Schedule(config, table, 0, seed)
    slot = 5
    ranking = sched.ranking(slot)
    parent = hashlib.sha512(b"parent").digest()[:32]
    payload = hashlib.sha512(b"payload").digest()[:32]
    votes = [TimeoutVote.sign(config, table, 0, slot, 1, v, keys[v].vote_seed, parent, seed=seed)
             for v in table.ids if v != ranking[0]]
    vote_items = [{"vote": v.to_dict(), "message": v.message().hex(), "encoding": v.to_bytes().hex()}
                  for v in votes[:2]]
    cert = TimeoutCertificate(votes)
    primary = make_claim(sched, keys[ranking[0]].vrf_secret, ranking[0], slot)
    backup = make_claim(sched, keys[ranking[1]].vrf_secret, ranking[1], slot, 1, cert)
    blocks = []
    for claim in (primary, backup):
        h = make_header(claim, parent, payload, keys[claim.validator_id].vote_seed)
        blocks.append({"claim_encoding": claim.to_bytes().hex(), "claim_digest": claim_digest(claim).hex(),
                       "parent_hash": parent.hex(), "payload_digest": payload.hex(),
                       "header_body": h.header.body().hex(), "message": h.header.message().hex(),
                       "signature": h.signature.hex(), "block_hash": h.block_hash().hex(),
                       "signed_block": SignedBlock(claim, h).to_bytes().hex()})
    twin = make_header(primary, parent, hashlib.sha512(b"other payload").digest()[:32],
                       keys[ranking[0]].vote_seed)
    first = make_header(primary, parent, payload, keys[ranking[0]].vote_seed)
    other_vote = TimeoutVote.sign(config, table, 0, slot, 1, votes[0].voter_id, keys[votes[0].voter_id].vote_seed,
                                  GENESIS_PARENT, seed=seed)
    own_vote = TimeoutVote.sign(config, table, 0, slot, 1, ranking[0], keys[ranking[0]].vote_seed, parent, seed=seed)
    evidence = [HeaderEquivocation.of(first, twin), VoteEquivocation.of(votes[0], other_vote),
                ProduceAfterVote.of(first, own_vote)]
    fork = [(0, bytes.fromhex(blocks[0]["block_hash"])), (1, bytes.fromhex(blocks[1]["block_hash"])),
            (0, twin.block_hash())]
    return {
        "config": config.to_dict(), "table": "equal4", "epoch": 0, "seed": seed.hex(), "slot": slot,
        "ranking": list(ranking),
        "votes_v2": vote_items,
        "certificate_v2": {"json": cert.to_dict(), "encoding": cert.to_bytes().hex()},
        "blocks": blocks,
        "evidence": [{**evidence_to_dict(e), "encoding": evidence_to_bytes(e).hex()} for e in evidence],
        "windows_ms": {str(r): list(window_ms(config, slot, r)) for r in range(config.backups + 1)},
        "fork_choice": {"candidates": [[r, h.hex()] for r, h in fork], "canonical": canonical_index(fork)},
    }


def render_safety() -> str:
    """The exact text of slot_safety.json."""
    return json.dumps(build_safety(), indent=1, sort_keys=True) + "\n"


# -- inactivity.json: the inactivity rule (docs/spec.md section 19) ---------------------------

# Epoch outcomes fed in order: (epoch, {id index: (scheduled, missed, produced)}, l1_finalized_epoch).
# An index absent from an epoch has no primary slot and no block in it.
INACTIVITY_STEPS: list[tuple[int, dict[int, tuple[int, int, int]], int | None]] = [
    (0, {0: (3, 0, 3), 1: (4, 0, 5), 2: (5, 0, 5), 3: (6, 0, 6), 4: (2, 0, 2)}, 0),
    (1, {0: (3, 3, 0), 1: (4, 2, 2), 2: (5, 0, 5), 3: (6, 0, 6), 4: (2, 1, 1)}, 1),  # 0 all missed; 1, 4 half
    (2, {0: (1, 1, 0), 1: (2, 0, 2), 2: (5, 1, 4), 3: (6, 0, 7), 5: (0, 0, 1)}, 2),   # 4: no slot, no block: stays
    (3, {0: (1, 0, 1), 1: (4, 1, 3), 2: (5, 0, 5), 3: (6, 0, 6)}, 2),                 # 0 back; l1 lags: gated
    (4, {i: (2, 2, 0) for i in range(6)}, 4),                                          # everyone missed: nobody
    (5, {0: (2, 0, 2), 1: (2, 0, 2), 2: (2, 0, 2), 3: (2, 2, 0), 4: (0, 0, 0), 5: (1, 1, 0)}, 5),
]


def build_inactivity() -> dict[str, Any]:
    from election.rules.inactivity import InactivityState, Outcome

    stakes = [100, 250, 400, 800, 37, 1200]
    devs = dev_validators(stakes, b"inactivity")
    table = StakeTable([d.validator for d in devs])
    ids = [d.id for d in devs]
    out: dict[str, Any] = {"table": table.to_dict(), "base_digest": table.digest().hex(), "runs": []}
    for name, finality, divisor in (("chain", "chain", 8), ("l1", "l1", 8)):
        config = ElectionConfig(b"seqvrf-vectors", epoch_length=200, backups=2, seed_cutoff=120,
                                inactivity_threshold=50, inactivity_divisor=divisor, inactivity_finality=finality)
        state = InactivityState(config, lambda e: table)
        epochs = []
        for epoch, raw, l1 in INACTIVITY_STEPS:
            outcomes = {ids[i]: Outcome(*o) for i, o in raw.items()}
            state.record(epoch, outcomes, l1)
            eff = state.table(epoch + 2)
            sched = Schedule(config, eff, epoch + 2, seed_of(f"inactivity {epoch + 2}"))
            epochs.append({
                "outcomes_epoch": epoch,
                "outcomes": {ids[i]: list(o) for i, o in sorted(raw.items())},
                "l1_finalized_epoch": l1,
                "epoch": epoch + 2,
                "reduced": sorted(state.reduced(epoch + 2)),
                "stakes": list(eff.stakes),
                "digest": eff.digest().hex(),
                "seed": sched.seed.hex(),
                "counts": [sched.counts()[v] for v in ids],
                "leaders_first_24": sched.leaders()[:24],
            })
        out["runs"].append({"name": name, "config": config.to_dict(), "epochs": epochs})
    return out


def render_inactivity() -> str:
    """The exact text of inactivity.json."""
    return json.dumps(build_inactivity(), indent=1, sort_keys=True) + "\n"


def main() -> int:
    outputs = ((OUT, render()), (MODES_OUT, render_modes()), (SAFETY_OUT, render_safety()),
               (INACTIVITY_OUT, render_inactivity()))
    if "--check" in sys.argv[1:]:
        ok = True
        for path, text in outputs:
            same = path.exists() and path.read_text() == text
            print(f"{path.name} is up to date" if same else f"{path.name} differs from the generator")
            ok = ok and same
        return 0 if ok else 1
    for path, text in outputs:
        path.write_text(text)
        print(f"wrote {path} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
