"""P-256 VRF prove / verify / proof_to_hash against ``cryptography``'s (OpenSSL) ECDSA P-256
sign / verify in the same run.

An ECVRF-P256 proof costs two variable-base and one fixed-base scalar multiplication plus
hashing to the curve; an ECDSA signature one fixed-base multiplication.  Verification is two
double-scalar multiplications plus hashing to the curve against ECDSA's one.  OpenSSL's
P-256 is assembly; the C core here is portable C.  Run with:

    pytest benches/bench_vrf_p256.py --benchmark-enable
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

import vrf
from vrf import reference

SCALAR = bytes(range(1, 33))
MSG = b"chain-1/epoch-7/slot-123456"
SK = vrf.P256SecretKey(SCALAR)
PK = SK.public_key
ECDSA_SK = SK.to_cryptography()  # the anchor signs with its own copy; never sign with a VRF key in real use
ECDSA_PK = ECDSA_SK.public_key()
ECDSA = ec.ECDSA(hashes.SHA256())
SIG = ECDSA_SK.sign(MSG, ECDSA)
SUITES = [vrf.Suite.P256_SHA256_TAI, vrf.Suite.P256_SHA256_SSWU]
IDS = ["tai", "sswu"]


def test_anchor_ecdsa_p256_sign(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark(ECDSA_SK.sign, MSG, ECDSA)


def test_anchor_ecdsa_p256_verify(benchmark) -> None:  # type: ignore[no-untyped-def]
    assert benchmark(ECDSA_PK.verify, SIG, MSG, ECDSA) is None


@pytest.mark.parametrize("suite", SUITES, ids=IDS)
def test_p256_prove(benchmark, suite) -> None:  # type: ignore[no-untyped-def]
    benchmark.extra_info["anchor"] = "test_anchor_ecdsa_p256_sign"
    assert len(benchmark(SK.prove, MSG, suite)) == 81


@pytest.mark.parametrize("suite", SUITES, ids=IDS)
def test_p256_verify(benchmark, suite) -> None:  # type: ignore[no-untyped-def]
    pi = SK.prove(MSG, suite)
    benchmark.extra_info["anchor"] = "test_anchor_ecdsa_p256_verify"
    assert len(benchmark(PK.verify, MSG, pi, suite)) == 32


@pytest.mark.parametrize("suite", SUITES, ids=IDS)
def test_p256_verify_from_bytes_key(benchmark, suite) -> None:  # type: ignore[no-untyped-def]
    """Verification including decoding the key (a key seen for the first time)."""
    pi = SK.prove(MSG, suite)
    raw = PK.to_bytes()
    benchmark.extra_info["anchor"] = "test_anchor_ecdsa_p256_verify"
    benchmark(lambda: vrf.P256PublicKey(raw).verify(MSG, pi, suite))


@pytest.mark.parametrize("suite", SUITES, ids=IDS)
def test_p256_proof_to_hash(benchmark, suite) -> None:  # type: ignore[no-untyped-def]
    pi = SK.prove(MSG, suite)
    benchmark.extra_info["anchor"] = "test_anchor_ecdsa_p256_verify"
    benchmark(vrf.proof_to_hash, pi, suite)


def test_p256_reference_prove(benchmark) -> None:  # type: ignore[no-untyped-def]
    """The pure-Python reference, to show the C core's speed-up (anchor: C prove, TAI)."""
    benchmark.extra_info["anchor"] = "test_p256_prove[tai]"
    benchmark.pedantic(reference.p256_prove, args=(SCALAR, MSG, 1), rounds=3, iterations=1)
