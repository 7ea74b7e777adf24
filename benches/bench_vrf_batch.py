"""Batch verification vs one-by-one, as ratios measured in the same run, interleaved.

Each round times the one-by-one baseline and the batch on the same items back to back (8
alternations per round at n = 64), so both see the same machine load; the ratio per round is
(batch time / n) / (single time / n).
The summary prints the range of ratios over the rounds.  Goals: VRF batch <= 0.6x our single
verify at n = 64 and <= 0.45x at n = 1,024; Ed25519 batch <= 0.5x PyNaCl's single verify at
n = 64.  Run with ``pytest benches/bench_vrf_batch.py --benchmark-enable``.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

import nacl.signing
import pytest

import vrf

ELL2 = vrf.Suite.EDWARDS25519_SHA512_ELL2
KEYS = [vrf.SecretKey(bytes([i + 1]) * 32) for i in range(64)]  # 64 validators, mixed keys
NACL_KEYS = [nacl.signing.SigningKey(bytes([i + 1]) * 32) for i in range(64)]
ROUNDS = {64: 15, 1024: 5}
INNER = {64: 8, 1024: 1}


def _interleaved(benchmark, n: int, single: Callable[[], object], batch: Callable[[], object],  # type: ignore[no-untyped-def]
                 baseline: str) -> None:
    ratios: list[float] = []

    def one_round() -> None:
        # INNER alternations of (single, batch) per round, so a round of small batches lasts
        # long enough (~0.3 s) that a burst of load from other processes hits both sides
        t_single = t_batch = 0.0
        for _ in range(INNER[n]):
            t0 = time.perf_counter()
            single()
            t1 = time.perf_counter()
            batch()
            t2 = time.perf_counter()
            t_single += t1 - t0
            t_batch += t2 - t1
        ratios.append(t_batch / t_single)

    single()
    batch()  # warm up (tables, caches)
    benchmark.pedantic(one_round, rounds=ROUNDS[n], iterations=1)
    benchmark.extra_info["per_call"] = 2 * n * INNER[n]
    benchmark.extra_info["ratio_range"] = (min(ratios), statistics.median(ratios), max(ratios))
    benchmark.extra_info["baseline"] = baseline


@pytest.mark.parametrize("n", [64, 1024])
def test_vrf_verify_batch_vs_single(benchmark, n: int) -> None:  # type: ignore[no-untyped-def]
    alphas = [os.urandom(24) for _ in range(n)]
    keys = [KEYS[i % 64] for i in range(n)]
    single_items = [(k.public_key, a, k.prove(a, ELL2)) for k, a in zip(keys, alphas, strict=True)]
    batch_items = [
        (k.public_key, a, k.prove(a, ELL2, batch_compatible=True)) for k, a in zip(keys, alphas, strict=True)
    ]

    def single() -> None:
        for pk, a, p in single_items:
            pk.verify(a, p, ELL2)

    def batch() -> None:
        assert None not in vrf.verify_batch(batch_items, ELL2)

    _interleaved(benchmark, n, single, batch, "PublicKey.verify (80-byte ELL2 proofs, one by one)")


@pytest.mark.parametrize("n", [64, 1024])
def test_ed25519_verify_batch_vs_pynacl(benchmark, n: int) -> None:  # type: ignore[no-untyped-def]
    items = []
    for i in range(n):
        sk = NACL_KEYS[i % 64]
        msg = os.urandom(64)
        items.append((bytes(sk.verify_key), msg, sk.sign(msg).signature))
    vks = [nacl.signing.VerifyKey(pk) for pk, _, _ in items]

    def single() -> None:
        for vk, (_, msg, sig) in zip(vks, items, strict=True):
            vk.verify(msg, sig)

    def batch() -> None:
        assert all(vrf.ed25519_verify_batch(items))

    _interleaved(benchmark, n, single, batch, "PyNaCl VerifyKey.verify, one by one")
