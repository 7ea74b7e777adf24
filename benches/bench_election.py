"""Election layer costs, each beside an anchor measured in the same run.

- Schedule construction for one epoch of 43,200 slots with 1,000 validators (anchor:
  one bare VRF verify, to put a whole epoch's precomputation in "verifies" units).
- ``verify_claim`` of a rank-0 claim against a bare ``PublicKey.verify`` of the same
  proof: the ratio is the election layer's overhead.
- ``check_claim_static`` (every non-VRF check), ``ranking(slot)``, ``leader(slot)``.
- A rank-1 claim with a 7-vote certificate (anchor: PyNaCl Ed25519 verify).

Run: ``pytest benches/bench_election.py --benchmark-enable``
"""

from __future__ import annotations

import random

import nacl.bindings as sodium

import vrf
from election import (
    ElectionConfig,
    Schedule,
    StakeTable,
    TimeoutCertificate,
    TimeoutVote,
    check_claim_static,
    make_claim,
    verify_claim,
)
from election.dev.keys import dev_table, dev_validators

SEED = bytes(range(32))
RNG = random.Random(2024)
BIG_TABLE = StakeTable(d.validator for d in dev_validators([RNG.randrange(1, 10**12) for _ in range(1000)], b"bench"))
BIG_CONFIG = ElectionConfig(b"bench-chain", epoch_length=43_200, backups=3)
BIG_SCHEDULE = Schedule(BIG_CONFIG, BIG_TABLE, 11, SEED)

TABLE, KEYS = dev_table([RNG.randrange(1, 1000) for _ in range(10)], b"bench-small")
CONFIG = ElectionConfig(b"bench-chain", epoch_length=43_200, backups=3)
SCHED = Schedule(CONFIG, TABLE, 4, SEED)
SLOT = SCHED.first_slot + 1234
RANKING = SCHED.ranking(SLOT)
CLAIM = make_claim(SCHED, KEYS[RANKING[0]].vrf_secret, RANKING[0], SLOT)
PK = TABLE[RANKING[0]].vrf_public_key
ALPHA = SCHED.slot_input(SLOT)
_VOTERS = [v for v in TABLE.ids if v != RANKING[0]]
CERT = TimeoutCertificate(TimeoutVote.sign(CONFIG, TABLE, 4, SLOT, 1, v, KEYS[v].vote_seed) for v in _VOTERS)
BACKUP = make_claim(SCHED, KEYS[RANKING[1]].vrf_secret, RANKING[1], SLOT, 1, CERT)

MSG = b"x" * 64
SODIUM_PK, SODIUM_SK = sodium.crypto_sign_seed_keypair(SEED)
SIGNED = sodium.crypto_sign(MSG, SODIUM_SK)


def test_election_anchor_ed25519_verify(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark(sodium.crypto_sign_open, SIGNED, SODIUM_PK)


def test_election_anchor_vrf_verify(benchmark) -> None:  # type: ignore[no-untyped-def]
    """Bare VRF verify with a parsed key: the floor for verify_claim."""
    benchmark.extra_info["anchor"] = "test_election_anchor_ed25519_verify"
    assert len(benchmark(PK.verify, ALPHA, CLAIM.proof, CONFIG.suite)) == 64


def test_schedule_build_43200x1000(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark.extra_info["anchor"] = "test_election_anchor_vrf_verify"
    s = benchmark.pedantic(Schedule, args=(BIG_CONFIG, BIG_TABLE, 12, SEED), rounds=5, iterations=1)
    assert len(s.leaders()) == 43_200


def test_verify_claim_rank0(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark.extra_info["anchor"] = "test_election_anchor_vrf_verify"
    assert len(benchmark(verify_claim, CLAIM, SCHED)) == 64


def test_check_claim_static_rank0(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark.extra_info["anchor"] = "test_election_anchor_vrf_verify"
    benchmark(check_claim_static, CLAIM, SCHED)


def test_verify_claim_rank1_with_certificate(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark.extra_info["anchor"] = "test_election_anchor_ed25519_verify"
    benchmark.extra_info["per_call"] = len(CERT.votes) + 1
    assert len(benchmark(verify_claim, BACKUP, SCHED)) == 64


def test_ranking_uncached_1000_validators(benchmark) -> None:  # type: ignore[no-untyped-def]
    slots = iter(range(BIG_SCHEDULE.first_slot, BIG_SCHEDULE.first_slot + 43_200))

    def one() -> list[str]:
        return BIG_SCHEDULE.ranking(next(slots))

    benchmark.extra_info["anchor"] = "test_election_anchor_vrf_verify"
    benchmark.pedantic(one, rounds=2000, iterations=1)


def test_leader_lookup(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark.extra_info["anchor"] = "test_election_anchor_vrf_verify"
    benchmark(BIG_SCHEDULE.leader, BIG_SCHEDULE.first_slot + 40_000)


def test_vrf_public_key_parse(benchmark) -> None:  # type: ignore[no-untyped-def]
    """What verify_claim avoids by keeping parsed keys in the StakeTable."""
    raw = bytes(PK)
    benchmark.extra_info["anchor"] = "test_election_anchor_vrf_verify"
    benchmark(vrf.PublicKey, raw)
