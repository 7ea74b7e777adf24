"""draft-03 suites and batch-compatible proofs: vectors byte for byte (C core and reference),
differential tests against the reference, and one negative test per rejection rule."""

from __future__ import annotations

import os
import random
from typing import Any

import pytest
from test_vrf_vectors_extra_data import BATCHCOMPAT, DRAFT03

import vrf
from vrf import reference as R
from vrf._native import ffi, lib

D_TAI = vrf.Suite.DRAFT03_EDWARDS25519_SHA512_TAI
D_ELL2 = vrf.Suite.DRAFT03_EDWARDS25519_SHA512_ELL2
ELL2 = vrf.Suite.EDWARDS25519_SHA512_ELL2
TAI = vrf.Suite.EDWARDS25519_SHA512_TAI


def hx(v: dict[str, Any], k: str) -> bytes:
    return bytes.fromhex(v[k])


def d_suite(v: dict[str, Any]) -> vrf.Suite:
    return D_ELL2 if v["suite"] == "ELL2" else D_TAI


def test_suite_values_cannot_collide_with_rfc_octets() -> None:
    assert int(D_TAI) == 0x103 and int(D_ELL2) == 0x104
    assert all(int(s) <= 0xFF for s in (TAI, ELL2)) and all(int(s) > 0xFF for s in (D_TAI, D_ELL2))
    assert lib.SEQVRF_SUITE_DRAFT03_EDWARDS25519_SHA512_TAI == int(D_TAI)
    assert lib.SEQVRF_SUITE_DRAFT03_EDWARDS25519_SHA512_ELL2 == int(D_ELL2)
    assert D_ELL2.rfc_name == "ECVRF-ED25519-SHA512-Elligator2 (draft-03)"
    assert TAI.rfc_name == "ECVRF-EDWARDS25519-SHA512-TAI"
    assert len(DRAFT03) == 16 and len(BATCHCOMPAT) == 5


@pytest.mark.parametrize("v", DRAFT03, ids=[f"{v['suite']}-{v['example']}" for v in DRAFT03])
def test_draft03_vectors(v: dict[str, Any]) -> None:
    suite = d_suite(v)
    sk = vrf.SecretKey(hx(v, "sk"))
    alpha = hx(v, "alpha")
    assert sk.public_key.to_bytes() == hx(v, "pk")
    pi = sk.prove(alpha, suite)
    assert pi == hx(v, "pi")
    assert sk.public_key.verify(alpha, pi, suite) == hx(v, "beta")
    assert vrf.proof_to_hash(pi, suite) == hx(v, "beta")
    assert vrf.verify_many([(sk.public_key, alpha, pi)], suite, workers=1) == [hx(v, "beta")]
    # the reference, step by step
    assert R.draft03_prove(hx(v, "sk"), alpha, int(suite)) == hx(v, "pi")
    assert R.draft03_verify(hx(v, "pk"), alpha, pi, int(suite)) == hx(v, "beta")
    h_out = ffi.new("uint8_t[32]")
    assert lib.seqvrf_debug_hash_to_curve(h_out, hx(v, "pk"), alpha, len(alpha), int(suite)) == lib.SEQVRF_OK
    assert bytes(h_out) == R.point_to_string(R.draft03_hash_to_curve(int(suite), hx(v, "pk"), alpha))
    if "H" in v:
        assert bytes(h_out) == hx(v, "H")
    if "r" in v:
        assert R.draft03_elligator2_r(0x04, hx(v, "pk"), alpha).to_bytes(32, "little") == hx(v, "r")
    if "ctr" in v:
        assert R.draft03_hash_to_curve_tai(0x03, hx(v, "pk"), alpha)[1] == v["ctr"]


@pytest.mark.parametrize("v", BATCHCOMPAT, ids=[v["example"][:20] for v in BATCHCOMPAT])
def test_batchcompat_vectors(v: dict[str, Any]) -> None:
    sk = vrf.SecretKey(hx(v, "sk"))
    alpha = hx(v, "alpha")
    pi = sk.prove(alpha, ELL2, batch_compatible=True)
    assert len(pi) == 128 and pi == hx(v, "pi")
    assert sk.public_key.verify(alpha, pi, ELL2) == hx(v, "beta")
    assert vrf.proof_to_hash(pi, ELL2) == hx(v, "beta")
    # same beta as the 80-byte RFC 9381 proof of the same input
    assert sk.public_key.verify(alpha, sk.prove(alpha, ELL2), ELL2) == hx(v, "beta")
    assert R.batchcompat_prove(hx(v, "sk"), alpha) == pi
    assert R.batchcompat_verify(hx(v, "pk"), alpha, pi) == hx(v, "beta")
    if "U" in v:
        assert pi[32:64] == hx(v, "U") and pi[64:96] == hx(v, "V")
    assert vrf.verify_batch([(sk.public_key, alpha, pi)], ELL2) == [hx(v, "beta")]


def test_batchcompat_only_for_the_rfc_ell2_suite() -> None:
    sk = vrf.SecretKey(bytes(32))
    for suite in (TAI, D_TAI, D_ELL2):
        with pytest.raises(vrf.InvalidInputType):
            sk.prove(b"x", suite, batch_compatible=True)
        with pytest.raises(vrf.InvalidProof, match="must be 80 bytes"):
            sk.public_key.verify(b"x", sk.prove(b"x", ELL2, batch_compatible=True), suite)
    with pytest.raises(vrf.InvalidInputType):
        sk.prove(b"x", ELL2, batch_compatible=1)  # type: ignore[arg-type]
    out = ffi.new("uint8_t[128]")
    assert lib.seqvrf_prove_batchcompat(out, bytes(32), b"x", 1, int(TAI)) == lib.SEQVRF_ERR_ARG
    with pytest.raises(vrf.InvalidProof, match=r"80 \(or 128\)"):
        sk.public_key.verify(b"x", bytes(100), ELL2)


@pytest.mark.parametrize("suite", [D_TAI, D_ELL2])
def test_draft03_differential_random(suite: vrf.Suite) -> None:
    seed = random.randrange(2**32)
    print("seed", seed)
    rng = random.Random(seed)
    for _ in range(4):
        sk_b = rng.randbytes(32)
        alpha = rng.randbytes(rng.randrange(0, 40))
        sk = vrf.SecretKey(sk_b)
        pi = sk.prove(alpha, suite)
        assert pi == R.draft03_prove(sk_b, alpha, int(suite))
        pk = sk.public_key.to_bytes()
        assert sk.public_key.verify(alpha, pi, suite) == R.draft03_verify(pk, alpha, pi, int(suite))
        # a draft-03 proof is not an RFC 9381 proof, and vice versa
        rfc = TAI if suite == D_TAI else ELL2
        with pytest.raises(vrf.InvalidProof):
            sk.public_key.verify(alpha, pi, rfc)
        with pytest.raises(vrf.InvalidProof):
            sk.public_key.verify(alpha, sk.prove(alpha, rfc), suite)


def test_batchcompat_differential_random() -> None:
    seed = random.randrange(2**32)
    print("seed", seed)
    rng = random.Random(seed)
    for _ in range(4):
        sk_b = rng.randbytes(32)
        alpha = rng.randbytes(rng.randrange(0, 40))
        sk = vrf.SecretKey(sk_b)
        pi = sk.prove(alpha, ELL2, batch_compatible=True)
        assert pi == R.batchcompat_prove(sk_b, alpha)
        assert sk.public_key.verify(alpha, pi, ELL2) == R.batchcompat_verify(sk.public_key.to_bytes(), alpha, pi)


# ---- rejection rules, one mutation each ------------------------------------------------------

SK = vrf.SecretKey(bytes(range(32)))
PK = SK.public_key
SMALL = bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")  # order 8
NOT_ON_CURVE = (2).to_bytes(32, "little")
NON_CANONICAL_Y = (R.P + 1).to_bytes(32, "little")  # y = p + 1 >= p encodes y = 1 non-canonically
Q_BYTES = R.Q.to_bytes(32, "little")


def _rejects(suite: vrf.Suite, alpha: bytes, proof: bytes, pk: bytes | None = None) -> None:
    key = PK if pk is None else vrf.PublicKey(pk, validate=False)
    with pytest.raises((vrf.InvalidProof, vrf.InvalidKey)):
        key.verify(alpha, proof, suite)
    assert vrf.verify_many([(key.to_bytes(), alpha, proof)], suite, workers=1) == [None]
    assert vrf.verify_batch([(key.to_bytes(), alpha, proof)], suite) == [None]


@pytest.mark.parametrize("suite", [D_TAI, D_ELL2])
def test_draft03_rejection_rules(suite: vrf.Suite) -> None:
    pi = SK.prove(b"a", suite)
    PK.verify(b"a", pi, suite)
    _rejects(suite, b"b", pi)  # other input
    _rejects(suite, b"a", NOT_ON_CURVE + pi[32:])  # Gamma not a point
    _rejects(suite, b"a", NON_CANONICAL_Y + pi[32:])  # Gamma non-canonical
    _rejects(suite, b"a", pi[:32] + bytes([pi[32] ^ 1]) + pi[33:])  # c changed
    _rejects(suite, b"a", pi[:48] + Q_BYTES)  # s >= q (stricter than the draft: documented)
    s = int.from_bytes(pi[48:], "little")
    _rejects(suite, b"a", pi[:48] + (s + R.Q).to_bytes(32, "little"))  # s + q: same s mod q, rejected
    with pytest.raises(vrf.InvalidKey):
        vrf.PublicKey(SMALL).verify(b"a", pi, suite)  # small-order key (draft-03 5.6.1)
    assert R.draft03_verify(SMALL, b"a", pi, int(suite)) is None
    with pytest.raises(vrf.InvalidKey):
        vrf.PublicKey(NON_CANONICAL_Y)  # non-canonical key encoding


def test_batchcompat_rejection_rules() -> None:
    pi = SK.prove(b"a", ELL2, batch_compatible=True)
    PK.verify(b"a", pi, ELL2)
    _rejects(ELL2, b"b", pi)
    for off in (0, 32, 64):  # Gamma, U, V: not a point; non-canonical
        _rejects(ELL2, b"a", pi[:off] + NOT_ON_CURVE + pi[off + 32 :])
        _rejects(ELL2, b"a", pi[:off] + NON_CANONICAL_Y + pi[off + 32 :])
    _rejects(ELL2, b"a", pi[:96] + Q_BYTES)  # s >= q
    s = int.from_bytes(pi[96:], "little")
    _rejects(ELL2, b"a", pi[:96] + ((s + 1) % R.Q).to_bytes(32, "little"))  # s changed
    # U or V replaced by another point (here: swapped)
    _rejects(ELL2, b"a", pi[:32] + pi[64:96] + pi[32:64] + pi[96:])
    for off in (32, 64):  # U or V moved by a non-torsion point: equation fails
        moved = R.point_to_string(R.point_add(R.string_to_point(pi[off : off + 32]), R.B))  # type: ignore[arg-type]
        _rejects(ELL2, b"a", pi[:off] + moved + pi[off + 32 :])
    with pytest.raises(vrf.InvalidProof):
        vrf.proof_to_hash(pi[:96] + Q_BYTES, ELL2)


def test_batchcompat_torsion_shifted_u_is_accepted_by_both_paths() -> None:
    """The cofactored rule: U + T (T of small order) passes single AND batch verification,
    with the same beta -- the proof bytes change, beta cannot (documented malleability)."""
    pi = SK.prove(b"a", ELL2, batch_compatible=True)
    beta = PK.verify(b"a", pi, ELL2)
    t = R.string_to_point(SMALL)
    assert t is not None
    shifted_u = R.point_to_string(R.point_add(R.string_to_point(pi[32:64]), t))  # type: ignore[arg-type]
    # the challenge hashes U, so a shifted U changes c: only a prover (knowing k) can re-make s
    x, _ = R.expand_secret(SK.to_bytes())
    k = R.nonce_generation(SK.to_bytes(), R.point_to_string(R.encode_to_curve(4, PK.to_bytes(), b"a")))
    h = R.encode_to_curve(4, PK.to_bytes(), b"a")
    gamma = R.string_to_point(pi[:32])
    assert gamma is not None
    c = R.challenge_generation(4, [R.string_to_point(PK.to_bytes()), h, gamma,  # type: ignore[list-item]
                                   R.string_to_point(shifted_u), R.string_to_point(pi[64:96])])  # type: ignore[list-item]
    s = (k + c * x) % R.Q
    forged = pi[:32] + shifted_u + pi[64:96] + s.to_bytes(32, "little")
    assert PK.verify(b"a", forged, ELL2) == beta
    assert R.batchcompat_verify(PK.to_bytes(), b"a", forged) == beta
    assert vrf.verify_batch([(PK, b"a", forged), (PK, b"a", pi)], ELL2) == [beta, beta]


def test_draft03_prove_needs_valid_args_in_c() -> None:
    out = ffi.new("uint8_t[80]")
    assert lib.seqvrf_prove(out, bytes(32), ffi.NULL, 1, int(D_ELL2)) == lib.SEQVRF_ERR_ARG
    for bad in (0x105, 0x203, 0x003 | 0x200, -0x103):
        assert lib.seqvrf_prove(out, bytes(32), b"", 0, bad) == lib.SEQVRF_ERR_ARG
        assert bytes(out) == bytes(80)
    assert lib.seqvrf_prove(out, os.urandom(32), b"", 0, int(D_TAI)) == lib.SEQVRF_OK
