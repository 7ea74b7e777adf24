"""P-256 C core against independent oracles, on random inputs.

Oracles: the pure-Python reference (``vrf.reference``, RFC steps with Python integers),
``cryptography`` (OpenSSL) for public keys, ``hashlib``/``hmac`` for SHA-256 and HMAC.
Random inputs come from hypothesis and from the seeded ``rng`` fixture (the seed is
printed in the pytest header).
"""

from __future__ import annotations

import hashlib
import hmac
import random

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

import vrf
from vrf import reference as ref
from vrf._native import ffi, lib

P, Q = ref.P256_P, ref.P256_Q
SUITES = [vrf.Suite.P256_SHA256_TAI, vrf.Suite.P256_SHA256_SSWU]
scalars = st.integers(1, Q - 1)
alphas = st.binary(max_size=48)
suites = st.sampled_from(SUITES)


def _enc(pt: ref.P256Point) -> bytes:
    """The C debug functions' encoding: SEC1 compressed, the identity as 33 zero bytes."""
    return bytes(33) if pt is None else ref.p256_point_to_string(pt)


def _sk(x: int) -> bytes:
    return x.to_bytes(32, "big")


def _rand_point(rng: random.Random) -> ref.P256Point:
    return ref.p256_mul(rng.randrange(1, Q), ref.P256_G)


def _c_verify(pk: bytes, alpha: bytes, pi: bytes, suite: int) -> bytes | None:
    beta = ffi.new("uint8_t[32]")
    rc = lib.seqvrf_p256_verify(beta, pk, pi, alpha, len(alpha), suite)
    if rc == lib.SEQVRF_OK:
        return bytes(beta)
    assert rc in (lib.SEQVRF_ERR_PROOF, lib.SEQVRF_ERR_KEY)
    assert bytes(beta) == bytes(32)  # zeroed on failure
    return None


# ---- the whole VRF ----


@settings(max_examples=20, deadline=None)
@given(scalars, alphas, suites)
def test_prove_and_verify_match_reference(x: int, alpha: bytes, suite: vrf.Suite) -> None:
    sk = vrf.P256SecretKey(_sk(x))
    pi = sk.prove(alpha, suite)
    assert pi == ref.p256_prove(_sk(x), alpha, int(suite))
    beta = sk.public_key.verify(alpha, pi, suite)
    assert beta == ref.p256_verify(sk.public_key.to_bytes(), alpha, pi, int(suite))
    assert beta == vrf.proof_to_hash(pi, suite)


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=33, max_size=33), st.binary(min_size=81, max_size=81), alphas, suites)
def test_random_bytes_agree_with_reference(pk: bytes, pi: bytes, alpha: bytes, suite: vrf.Suite) -> None:
    assert _c_verify(pk, alpha, pi, int(suite)) == ref.p256_verify(pk, alpha, pi, int(suite))
    c = ffi.new("uint8_t[32]")
    rc = lib.seqvrf_p256_proof_to_hash(c, pi, int(suite))
    assert (bytes(c) if rc == lib.SEQVRF_OK else None) == ref.p256_proof_to_hash(pi, int(suite))
    assert (lib.seqvrf_p256_validate_key(pk) == lib.SEQVRF_OK) == ref.p256_validate_key(pk)


def test_single_bit_flips_agree_with_reference(rng: random.Random) -> None:
    x = rng.randrange(1, Q)
    sk = vrf.P256SecretKey(_sk(x))
    pk = sk.public_key.to_bytes()
    for suite in SUITES:
        alpha = rng.randbytes(rng.randrange(0, 20))
        pi = sk.prove(alpha, suite)
        for _ in range(6):
            bit = rng.randrange(81 * 8)
            bad = bytearray(pi)
            bad[bit // 8] ^= 1 << (bit % 8)
            got = _c_verify(pk, alpha, bytes(bad), int(suite))
            assert got is None
            assert got == ref.p256_verify(pk, alpha, bytes(bad), int(suite))


# ---- public keys ----


@settings(max_examples=40, deadline=None)
@given(scalars)
def test_public_key_equals_cryptography(x: int) -> None:
    theirs = ec.derive_private_key(x, ec.SECP256R1()).public_key()
    compressed = theirs.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    assert vrf.P256SecretKey(_sk(x)).public_key.to_bytes() == compressed
    assert ref.p256_public_key(_sk(x)) == compressed


@pytest.mark.parametrize("x", [1, 2, 3, 15, 16, 17, 2**128, Q - 2, Q - 1, (Q - 1) // 2, 2**255])
def test_public_key_edge_scalars(x: int) -> None:
    theirs = ec.derive_private_key(x, ec.SECP256R1()).public_key()
    compressed = theirs.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    assert vrf.P256SecretKey(_sk(x)).public_key.to_bytes() == compressed


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([2, 3]), st.integers(0, 2**256 - 1))
def test_decode_agrees_with_reference(prefix: int, xv: int) -> None:
    s = bytes([prefix]) + xv.to_bytes(32, "big")
    pt = ref.p256_string_to_point(s)
    out = ffi.new("uint8_t[33]")
    one = (1).to_bytes(32, "big")
    rc = lib.seqvrf_p256_debug_scalarmult(out, one, s)  # decode, 1*P, encode
    assert (rc == lib.SEQVRF_OK) == (pt is not None)
    if pt is not None:
        assert bytes(out) == s  # decode then encode is the identity on valid strings


# ---- group and scalar primitives ----


def test_add_and_double_agree_with_reference(rng: random.Random) -> None:
    out = ffi.new("uint8_t[33]")
    for _ in range(20):
        p1, p2 = _rand_point(rng), _rand_point(rng)
        e1, e2 = _enc(p1), _enc(p2)
        assert lib.seqvrf_p256_debug_add(out, e1, e2, 0) == 0 and bytes(out) == _enc(ref.p256_add(p1, p2))
        assert lib.seqvrf_p256_debug_add(out, e1, e1, 0) == 0 and bytes(out) == _enc(ref.p256_add(p1, p1))
        assert lib.seqvrf_p256_debug_add(out, e1, e1, 1) == 0 and bytes(out) == _enc(ref.p256_add(p1, p1))
        neg = _enc(ref.p256_neg(p1))  # complete formulas: P + (-P) = identity, no special case
        assert lib.seqvrf_p256_debug_add(out, e1, neg, 0) == 0 and bytes(out) == bytes(33)


@pytest.mark.parametrize(
    "n", [0, 1, 2, 15, 16, 17, 255, 2**128 - 1, Q - 1, Q, Q + 1, 2**256 - 1, 0x8000000000000000 << 192]
)
def test_scalarmult_edge_scalars(n: int) -> None:
    pt = ref.p256_mul(987654321, ref.P256_G)
    out = ffi.new("uint8_t[33]")
    nb = n.to_bytes(32, "big")
    assert lib.seqvrf_p256_debug_scalarmult(out, nb, _enc(pt)) == 0
    assert bytes(out) == _enc(ref.p256_mul(n % Q, pt))
    assert lib.seqvrf_p256_debug_scalarmult_base(out, nb) == 0
    assert bytes(out) == _enc(ref.p256_mul(n % Q, ref.P256_G))


def test_scalarmults_agree_with_reference(rng: random.Random) -> None:
    out = ffi.new("uint8_t[33]")
    for _ in range(12):
        a, b = rng.randrange(2**256), rng.randrange(2**256)
        p1, p2 = _rand_point(rng), _rand_point(rng)
        assert lib.seqvrf_p256_debug_scalarmult(out, a.to_bytes(32, "big"), _enc(p1)) == 0
        assert bytes(out) == _enc(ref.p256_mul(a % Q, p1))
        assert lib.seqvrf_p256_debug_double_scalarmult_vartime(
            out, a.to_bytes(32, "big"), _enc(p1), b.to_bytes(32, "big"), _enc(p2)
        ) == 0
        assert bytes(out) == _enc(ref.p256_add(ref.p256_mul(a % Q, p1), ref.p256_mul(b % Q, p2)))
    # a*P + b*P that cancels: the identity comes out as 33 zero bytes
    p1 = _rand_point(rng)
    a = rng.randrange(1, Q)
    assert lib.seqvrf_p256_debug_double_scalarmult_vartime(
        out, a.to_bytes(32, "big"), _enc(p1), (Q - a).to_bytes(32, "big"), _enc(p1)
    ) == 0
    assert bytes(out) == bytes(33)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**256 - 1), st.integers(0, Q - 1), st.integers(0, Q - 1))
def test_scalar_muladd(a: int, b: int, c: int) -> None:
    out = ffi.new("uint8_t[32]")
    assert lib.seqvrf_p256_debug_scalar_muladd(out, a.to_bytes(32, "big"), b.to_bytes(32, "big"),
                                               c.to_bytes(32, "big")) == 0
    assert int.from_bytes(bytes(out), "big") == (a * b + c) % Q


def test_scalar_muladd_rejects_unreduced() -> None:
    out = ffi.new("uint8_t[32]")
    one, qb = (1).to_bytes(32, "big"), Q.to_bytes(32, "big")
    assert lib.seqvrf_p256_debug_scalar_muladd(out, one, qb, one) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_p256_debug_scalar_muladd(out, one, one, qb) == lib.SEQVRF_ERR_ARG


# ---- hash to curve ----


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=33, max_size=33), alphas, suites)
def test_hash_to_curve_agrees_with_reference(pk: bytes, alpha: bytes, suite: vrf.Suite) -> None:
    out = ffi.new("uint8_t[33]")
    assert lib.seqvrf_p256_debug_hash_to_curve(out, pk, alpha, len(alpha), int(suite)) == 0
    assert bytes(out) == _enc(ref.p256_encode_to_curve(int(suite), pk, alpha))


def _map_ref(u: int) -> bytes:
    x, y, _, _ = ref.p256_map_to_curve_sswu(u)
    assert ref.p256_on_curve((x, y))
    return _enc((x, y))


@pytest.mark.parametrize("u", [0, 1, 2, P - 1, P - 2, (P - 1) // 2])
def test_sswu_map_edge_inputs(u: int) -> None:
    out = ffi.new("uint8_t[33]")
    assert lib.seqvrf_p256_debug_map_to_curve(out, u.to_bytes(32, "big")) == 0
    assert bytes(out) == _map_ref(u)


def test_sswu_exceptional_case() -> None:
    # tv1 = inv0(Z^2 u^4 + Z u^2) = 0 for u = 0 and for u^2 = -1/Z when that is a square
    out = ffi.new("uint8_t[33]")
    z = ref.P256_SSWU_Z
    t = (-pow(z, -1, P)) % P
    if pow(t, (P - 1) // 2, P) == 1:
        u = pow(t, (P + 1) // 4, P)
        assert (z * z * pow(u, 4, P) + z * u * u) % P == 0
        for v in (u, P - u):
            assert lib.seqvrf_p256_debug_map_to_curve(out, v.to_bytes(32, "big")) == 0
            assert bytes(out) == _map_ref(v)
    assert lib.seqvrf_p256_debug_map_to_curve(out, bytes(32)) == 0
    assert bytes(out) == _map_ref(0)
    x1 = ref.P256_B * pow(z * ref.P256_A, -1, P) % P  # step 3's value; x2 = Z u^2 x1 = 0
    assert int.from_bytes(bytes(out)[1:], "big") in (x1, 0)
    assert lib.seqvrf_p256_debug_map_to_curve(out, P.to_bytes(32, "big")) == lib.SEQVRF_ERR_ARG


def test_sswu_map_random(rng: random.Random) -> None:
    out = ffi.new("uint8_t[33]")
    for _ in range(40):
        u = rng.randrange(P)
        assert lib.seqvrf_p256_debug_map_to_curve(out, u.to_bytes(32, "big")) == 0
        assert bytes(out) == _map_ref(u)


# ---- SHA-256, HMAC, RFC 6979 ----


@pytest.mark.parametrize("n", [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000])
def test_sha256_lengths(n: int) -> None:
    msg = bytes((7 * i + 3) & 0xFF for i in range(n))
    out = ffi.new("uint8_t[32]")
    assert lib.seqvrf_p256_debug_sha256(out, msg, n) == 0
    assert bytes(out) == hashlib.sha256(msg).digest()


@pytest.mark.parametrize("klen", [0, 1, 32, 63, 64, 65, 131])
def test_hmac_sha256_key_lengths(klen: int, rng: random.Random) -> None:
    key, msg = rng.randbytes(klen), rng.randbytes(rng.randrange(0, 200))
    out = ffi.new("uint8_t[32]")
    assert lib.seqvrf_p256_debug_hmac_sha256(out, key, klen, msg, len(msg)) == 0
    assert bytes(out) == hmac.new(key, msg, hashlib.sha256).digest()


def test_rfc6979_nonce_agrees_with_reference(rng: random.Random) -> None:
    out = ffi.new("uint8_t[32]")
    for _ in range(20):
        x = rng.choice([1, Q - 1, rng.randrange(1, Q)])
        h = ref.p256_point_to_string(_rand_point(rng)) if rng.random() < 0.5 else rng.randbytes(33)
        assert lib.seqvrf_p256_debug_nonce(out, _sk(x), h) == 0
        assert int.from_bytes(bytes(out), "big") == ref.p256_nonce_generation(_sk(x), h)


def test_comb_table_is_current() -> None:
    """csrc/p256_tables.h is exactly what csrc/gen_p256_tables.py generates."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    gen = root / "csrc" / "gen_p256_tables.py"
    result = subprocess.run([sys.executable, str(gen), "--check"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_fixed_base_paths_agree(rng: random.Random) -> None:
    """The comb (constant time, used by prove) and the generic ladder on B give the same point."""
    out = ffi.new("uint8_t[33]")
    out2 = ffi.new("uint8_t[33]")
    g = ref.p256_point_to_string(ref.P256_G)
    for n in [0, 1, 15, 16, 2**252, Q - 1, Q, 2**256 - 1] + [rng.randrange(2**256) for _ in range(10)]:
        nb = n.to_bytes(32, "big")
        assert lib.seqvrf_p256_debug_scalarmult_base(out, nb) == 0
        assert lib.seqvrf_p256_debug_scalarmult(out2, nb, g) == 0
        assert bytes(out) == bytes(out2) == _enc(ref.p256_mul(n % Q, ref.P256_G))
