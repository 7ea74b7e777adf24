"""VRF prove / verify / proof_to_hash against PyNaCl Ed25519 sign / verify in the same run."""

from __future__ import annotations

import json
import threading

import nacl.bindings as sodium
import pytest

import vrf
from vrf import reference

SEED = bytes(range(32))
MSG = b"chain-1/epoch-7/slot-123456"
SK = vrf.SecretKey(SEED)
PK = SK.public_key
SODIUM_PK, SODIUM_SK = sodium.crypto_sign_seed_keypair(SEED)
SIGNED = sodium.crypto_sign(MSG, SODIUM_SK)
SUITES = [vrf.Suite.EDWARDS25519_SHA512_TAI, vrf.Suite.EDWARDS25519_SHA512_ELL2]
BATCH = 2000


def test_anchor_ed25519_sign(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark(sodium.crypto_sign, MSG, SODIUM_SK)


def test_anchor_ed25519_verify(benchmark) -> None:  # type: ignore[no-untyped-def]
    assert benchmark(sodium.crypto_sign_open, SIGNED, SODIUM_PK) == MSG


@pytest.mark.parametrize("suite", SUITES, ids=["tai", "ell2"])
def test_prove(benchmark, suite) -> None:  # type: ignore[no-untyped-def]
    benchmark.extra_info["anchor"] = "test_anchor_ed25519_sign"
    benchmark(SK.prove, MSG, suite)


@pytest.mark.parametrize("suite", SUITES, ids=["tai", "ell2"])
def test_verify(benchmark, suite) -> None:  # type: ignore[no-untyped-def]
    pi = SK.prove(MSG, suite)
    benchmark.extra_info["anchor"] = "test_anchor_ed25519_verify"
    assert len(benchmark(PK.verify, MSG, pi, suite)) == 64


@pytest.mark.parametrize("suite", SUITES, ids=["tai", "ell2"])
def test_verify_from_bytes_key(benchmark, suite) -> None:  # type: ignore[no-untyped-def]
    """Verification including key decoding and validation (a key seen for the first time)."""
    pi = SK.prove(MSG, suite)
    raw = bytes(PK)
    benchmark.extra_info["anchor"] = "test_anchor_ed25519_verify"
    benchmark(lambda: vrf.PublicKey(raw).verify(MSG, pi, suite))


@pytest.mark.parametrize("suite", SUITES, ids=["tai", "ell2"])
def test_proof_to_hash(benchmark, suite) -> None:  # type: ignore[no-untyped-def]
    pi = SK.prove(MSG, suite)
    benchmark.extra_info["anchor"] = "test_anchor_ed25519_verify"
    benchmark(vrf.proof_to_hash, pi, suite)


def test_reference_prove(benchmark) -> None:  # type: ignore[no-untyped-def]
    """The pure-Python reference, to show the C core's speed-up (anchor: C prove, TAI)."""
    benchmark.extra_info["anchor"] = "test_prove[tai]"
    benchmark.pedantic(reference.prove, args=(SEED, MSG, 3), rounds=5, iterations=1)


def test_reference_verify(benchmark) -> None:  # type: ignore[no-untyped-def]
    pi = SK.prove(MSG)
    benchmark.extra_info["anchor"] = "test_verify[tai]"
    benchmark.pedantic(reference.verify, args=(bytes(PK), MSG, pi, 3), rounds=5, iterations=1)


def _batch() -> list[tuple[vrf.PublicKey, bytes, bytes]]:
    keys = [vrf.SecretKey(bytes([i]) * 32) for i in range(1, 17)]
    return [(k.public_key, i.to_bytes(8, "big"), k.prove(i.to_bytes(8, "big"))) for i, k in
            ((i, keys[i % 16]) for i in range(BATCH))]


ITEMS = _batch()


@pytest.mark.parametrize("workers", [1, 2])
def test_verify_many(benchmark, workers) -> None:  # type: ignore[no-untyped-def]
    """Per-item time of verify_many on a 2,000-proof batch (anchor: 1 worker)."""
    benchmark.extra_info["per_call"] = BATCH
    if workers > 1:
        benchmark.extra_info["anchor"] = "test_verify_many[1]"
    out = benchmark.pedantic(vrf.verify_many, args=(ITEMS,), kwargs={"workers": workers}, rounds=5, iterations=1)
    assert all(b is not None for b in out)


def _busy_main_thread_verify() -> None:
    """verify_many on 2 threads while the calling process keeps one Python thread busy.

    A sequencer verifies claims while its own Python code runs; each C call of verify_many
    must re-take the GIL from that busy thread, so proofs are verified in chunks per C call.
    """
    done = threading.Event()
    result: list[list[bytes | None]] = []

    def verify() -> None:
        result.append(vrf.verify_many(ITEMS, workers=2))
        done.set()

    worker = threading.Thread(target=verify)
    worker.start()
    line = '{"slot": 1, "claim": {"proof": "' + "ab" * 80 + '"}}'
    while not done.is_set():
        json.loads(line)  # the busy Python thread
    worker.join()
    assert all(b is not None for b in result[0])


def test_verify_many_busy_main_thread(benchmark) -> None:  # type: ignore[no-untyped-def]
    """Per-item time with a busy Python thread beside the 2 verifier threads (anchor: idle, 2 workers)."""
    benchmark.extra_info["per_call"] = BATCH
    benchmark.extra_info["anchor"] = "test_verify_many[2]"
    benchmark.pedantic(_busy_main_thread_verify, rounds=3, iterations=1)
